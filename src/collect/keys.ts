/**
 * KMS key resolution with a run-wide cache: turns a bucket's KMSMasterKeyID (any spelling, or absent)
 * into KeyFacts, calling each KMS operation as few times as possible:
 *  - DescribeKey once per canonical spelling (a key id and its key ARN share one call, an alias name and
 *    its alias ARN share one), and once a key is known every spelling of it is answered from the cache;
 *  - ListAliases (KeyId filter) and GetKeyRotationStatus once per distinct key ARN.
 * Promises are cached, not results, so buckets resolving the same key concurrently share one call.
 */
import type { AccountSession } from '../aws/session.js';
import { isNotFound, toFactError } from '../aws/errors.js';
import { describeKey, getKeyRotationEnabled, listAliasesOfKey, type AliasEntry, type DescribedKey } from '../aws/kms.js';
import type { FactError, KeyFacts } from '../domain/facts.js';
import { parseKeySpelling, partitionOf, type KeySpelling } from './keyref.js';
import { countRequest, counted, type CollectStats } from './stats.js';

/** What DescribeKey said about one spelling. */
type Described = { found: true; key: DescribedKey } | { found: false } | FactError;

/** A described key with its aliases (or why they could not be listed). */
type KeyCore = { key: DescribedKey; aliases: AliasEntry[] } | FactError;

export interface ResolvedKey {
  /** KeyFacts, or why the key aspect is unknown. */
  key: KeyFacts | FactError;
  /** Set when the key is known but its rotation status could not be read (the key.rotation aspect). */
  rotation?: FactError;
}

const isFactError = (v: unknown): v is FactError =>
  typeof v === 'object' && v !== null && 'code' in v && 'operation' in v && !('found' in v) && !('key' in v);

/** Rotation status exists only for customer managed keys KMS can answer for (not pending deletion or import). */
const ROTATION_STATES = new Set(['Enabled', 'Disabled']);

export class KeyResolver {
  private readonly bySpelling = new Map<string, Promise<Described>>();
  private readonly byArn = new Map<string, Promise<KeyCore>>();
  private readonly rotationByArn = new Map<string, Promise<boolean | FactError>>();

  constructor(
    private readonly sessionFor: (account: string) => AccountSession | undefined,
    private readonly stats?: CollectStats,
    private readonly signal?: AbortSignal,
  ) {}

  /** KeyFacts of the key `ref` names for a bucket; a rotation read failure leaves rotationEnabled undefined (see resolveDetailed). */
  async resolve(ref: string | undefined, bucketAccount: string, bucketRegion: string, wantRotation: boolean): Promise<KeyFacts | FactError> {
    return (await this.resolveDetailed(ref, bucketAccount, bucketRegion, wantRotation)).key;
  }

  async resolveDetailed(ref: string | undefined, bucketAccount: string, bucketRegion: string, wantRotation: boolean): Promise<ResolvedKey> {
    const session = this.sessionFor(bucketAccount);
    const spelling = parseKeySpelling(ref, bucketAccount, bucketRegion, partitionOf(session?.principalArn));
    if (!session) {
      const err: FactError = { code: 'NoSession', operation: 'DescribeKey', message: `no session for account ${bucketAccount}` };
      return { key: err };
    }
    const described = await this.describe(spelling, session);
    if (isFactError(described)) return { key: described };
    if (!described.found) return { key: missingKey(spelling) };

    const core = await this.core(described.key);
    if (isFactError(core)) return { key: core };
    const facts = keyFacts(spelling, core.key, core.aliases);

    if (!wantRotation || core.key.manager !== 'CUSTOMER' || !ROTATION_STATES.has(core.key.state)) return { key: facts };
    const rotation = await this.rotation(core.key, session);
    if (isFactError(rotation)) return { key: facts, rotation };
    return { key: { ...facts, rotationEnabled: rotation } };
  }

  /** DescribeKey, once per canonical spelling, through the bucket account's client in the spelling's region. */
  private describe(spelling: KeySpelling, session: AccountSession): Promise<Described> {
    let p = this.bySpelling.get(spelling.arn);
    if (!p) {
      // A cross-account key ARN is described with the bucket account's credentials: KMS accepts key ARNs
      // of other accounts when the key policy allows it, which is exactly what S3 itself needs.
      const client = session.kms(spelling.region);
      p = counted(this.stats, 'DescribeKey', () => describeKey(client, spelling.spelling, this.signal)).then(
        (key): Described => ({ found: true, key }),
        (err: unknown): Described => (isNotFound(err, 'NotFoundException') ? { found: false } : toFactError(err, 'DescribeKey')),
      );
      this.bySpelling.set(spelling.arn, p);
    }
    return p;
  }

  /** The key's aliases, once per key ARN. Also teaches the spelling cache every spelling of the key. */
  private core(key: DescribedKey): Promise<KeyCore> {
    let p = this.byArn.get(key.arn);
    if (!p) {
      this.remember(key.arn, { found: true, key });
      const { account, region } = parseKeySpelling(key.arn, '', '');
      // KMS lists only the caller's own aliases: ask the key's account when we have a session there.
      const owner = this.sessionFor(account);
      if (!owner) {
        // No session in the key's account (a cross-account key we only use): its aliases are not listable.
        // The spelling the bucket used is still added per bucket in keyFacts().
        p = Promise.resolve({ key, aliases: [] });
      } else {
        const client = owner.kms(region);
        p = listAliasesOfKey(client, key.id, this.signal, () => countRequest(this.stats, 'ListAliases')).then(
          (aliases): KeyCore => {
            for (const a of aliases) this.remember(a.arn, { found: true, key });
            return { key, aliases };
          },
          (err: unknown): KeyCore => toFactError(err, 'ListAliases'),
        );
      }
      this.byArn.set(key.arn, p);
      if (this.stats) this.stats.keysResolved = this.byArn.size;
    }
    return p;
  }

  private remember(canonicalArn: string, described: Described): void {
    if (!this.bySpelling.has(canonicalArn)) this.bySpelling.set(canonicalArn, Promise.resolve(described));
  }

  /** GetKeyRotationStatus, once per key ARN, preferring the key's own account. */
  private rotation(key: DescribedKey, bucketSession: AccountSession): Promise<boolean | FactError> {
    let p = this.rotationByArn.get(key.arn);
    if (!p) {
      const { account, region } = parseKeySpelling(key.arn, '', '');
      const client = (this.sessionFor(account) ?? bucketSession).kms(region);
      p = counted(this.stats, 'GetKeyRotationStatus', () => getKeyRotationEnabled(client, key.arn, this.signal)).catch((err: unknown) =>
        toFactError(err, 'GetKeyRotationStatus'),
      );
      this.rotationByArn.set(key.arn, p);
    }
    return p;
  }
}

function keyFacts(spelling: KeySpelling, key: DescribedKey, listed: AliasEntry[]): KeyFacts {
  const { account, region } = parseKeySpelling(key.arn, '', '');
  const entries = [...listed];
  // A bucket naming the key by an alias we could not list (another account's key) still matches that alias.
  if (spelling.kind === 'alias' && !entries.some((a) => a.arn === spelling.arn)) entries.push({ name: spelling.name, arn: spelling.arn });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const aliases = entries.flatMap((a) => [a.name, a.arn]);
  return {
    exists: true,
    ref: spelling.spelling,
    arn: key.arn,
    id: key.id,
    account,
    region,
    aliases,
    manager: key.manager,
    state: key.state,
    spellings: unique([key.id, key.arn, ...aliases]),
  };
}

/** KeyFacts for a spelling KMS does not know (NotFoundException): where it points, and that nothing is there. */
function missingKey(spelling: KeySpelling): KeyFacts {
  return {
    exists: false,
    ref: spelling.spelling,
    arn: spelling.arn,
    id: spelling.name,
    account: spelling.account,
    region: spelling.region,
    aliases: [],
    manager: null,
    state: null,
    spellings: unique([spelling.spelling, spelling.name, spelling.arn]),
  };
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
