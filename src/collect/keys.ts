/**
 * KMS key resolution with a run-wide cache: turns a bucket's KMSMasterKeyID (any spelling, or absent)
 * into KeyFacts, calling each KMS operation as few times as possible:
 *  - DescribeKey once per (calling account, canonical spelling): a key id and its key ARN share one call,
 *    an alias name and its alias ARN share one, and once a caller knows a key every spelling of it is
 *    answered from that caller's cache. The calling account is part of the cache key because the answer
 *    depends on who asks: a key policy may let account A describe a cross-account key and refuse B;
 *  - ListAliases (KeyId filter) once per key ARN, and only when asked for (the `key.aliases` aspect). It is
 *    always called in the key's own account (KMS lists only the caller's aliases), so the answer does not
 *    depend on which bucket's account needed it;
 *  - GetKeyRotationStatus once per (calling account, key ARN), only when asked for (`key.rotation`).
 * Promises are cached, not results, so buckets resolving the same key concurrently share one call.
 */
import type { AccountSession } from '../aws/session.js';
import { isNotFound, toFactError } from '../aws/errors.js';
import { describeKey, getKeyRotationEnabled, listAliasesOfKey, type AliasEntry, type DescribedKey } from '../aws/kms.js';
import type { FactError, KeyFacts } from '../domain/facts.js';
import { keyFactsFor, parseKeySpelling, partitionOf, type KeySpelling } from '../domain/keys.js';
import { countRequest, counted, type CollectStats } from './stats.js';

export { keyFactsFor } from '../domain/keys.js';

/** What DescribeKey said about one spelling. */
type Described = { found: true; key: DescribedKey } | { found: false } | FactError;

/** Which optional facts to read besides DescribeKey: the `key.rotation` and `key.aliases` aspects. */
export interface KeyWants {
  rotation?: boolean;
  aliases?: boolean;
}

export interface ResolvedKey {
  /** KeyFacts as the resource sees them (see keyFactsFor), or why the key aspect is unknown. */
  key: KeyFacts | FactError;
  /** Set when the key is known but its rotation status could not be read (the key.rotation aspect). */
  rotation?: FactError;
  /** Set when the key is known but its aliases could not be listed (the key.aliases aspect). */
  aliases?: FactError;
}

const isFactError = (v: unknown): v is FactError =>
  typeof v === 'object' && v !== null && 'code' in v && 'operation' in v && !('found' in v) && !('key' in v);

/** Cache key of an answer that depends on who asked. */
const byCaller = (account: string, arn: string): string => `${account}\n${arn}`;

export class KeyResolver {
  private readonly described = new Map<string, Promise<Described>>();
  private readonly aliasesByKeyArn = new Map<string, Promise<AliasEntry[] | FactError>>();
  private readonly rotations = new Map<string, Promise<boolean | FactError>>();
  private readonly keyArns = new Set<string>();

  constructor(
    private readonly sessionFor: (account: string) => AccountSession | undefined,
    private readonly stats?: CollectStats,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * KeyFacts of the key `ref` names for a bucket. A rotation read failure leaves rotationEnabled undefined
   * (see resolveDetailed); an alias listing failure, when aliases were wanted, is the answer instead of the
   * key, since the key's spellings would be incomplete. `want` as a boolean means "rotation or not, and
   * aliases" (what every key lookup read before aliases became their own aspect).
   */
  async resolve(ref: string | undefined, bucketAccount: string, bucketRegion: string, want: boolean | KeyWants): Promise<KeyFacts | FactError> {
    const resolved = await this.resolveDetailed(ref, bucketAccount, bucketRegion, want);
    return resolved.aliases ?? resolved.key;
  }

  /**
   * The key `ref` names for a resource in `bucketAccount` / `bucketRegion`, asked with that account's
   * session, as that resource sees it (keyFactsFor), with a rotation or alias failure kept apart so only
   * the rules reading that aspect become `error`.
   */
  async resolveDetailed(ref: string | undefined, bucketAccount: string, bucketRegion: string, want: boolean | KeyWants): Promise<ResolvedKey> {
    const wants: KeyWants = typeof want === 'boolean' ? { rotation: want, aliases: true } : want;
    const session = this.sessionFor(bucketAccount);
    const spelling = parseKeySpelling(ref, bucketAccount, bucketRegion, partitionOf(session?.principalArn));
    if (!session) {
      const err: FactError = { code: 'NoSession', operation: 'DescribeKey', message: `no session for account ${bucketAccount}` };
      return { key: err };
    }
    const described = await this.describe(spelling, session);
    if (isFactError(described)) return { key: described };
    if (!described.found) return { key: keyFactsFor(missingKey(spelling), bucketAccount, bucketRegion) };
    const key = described.key;
    this.learn(session.account, key.arn, described);
    this.keyArns.add(key.arn);
    if (this.stats) this.stats.keysResolved = this.keyArns.size;

    // Rotation is read for every customer managed key KMS knows, whatever its state: the API reference
    // (GetKeyRotationStatus) says a key pending deletion reads false and a disabled key keeps its status;
    // a state in which KMS refuses the call (KMSInvalidStateException) is recorded as the key.rotation error.
    // AWS managed keys are rotated by AWS and never asked about.
    const [listed, rotation] = await Promise.all([
      wants.aliases ? this.aliases(key) : undefined,
      wants.rotation && key.manager === 'CUSTOMER' ? this.rotation(key, session) : undefined,
    ]);
    const unknown: Omit<ResolvedKey, 'key'> = {};
    if (isFactError(listed)) unknown.aliases = listed;
    // What this caller described under the key ARN it can describe under any alias ARN of it.
    else for (const a of listed ?? []) this.learn(session.account, a.arn, described);
    let facts = keyFacts(spelling, key, Array.isArray(listed) ? listed : []);
    if (isFactError(rotation)) unknown.rotation = rotation;
    else if (rotation !== undefined) facts = { ...facts, rotationEnabled: rotation };
    return { key: keyFactsFor(facts, bucketAccount, bucketRegion), ...unknown };
  }

  /** DescribeKey, once per (calling account, canonical spelling), with the bucket account's client in the spelling's region. */
  private describe(spelling: KeySpelling, session: AccountSession): Promise<Described> {
    const cacheKey = byCaller(session.account, spelling.arn);
    let p = this.described.get(cacheKey);
    if (!p) {
      // A cross-account key ARN is described with the bucket account's credentials: KMS accepts key ARNs
      // of other accounts when the key policy allows it, which is exactly what S3 itself needs.
      const client = session.kms(spelling.region);
      p = counted(this.stats, 'DescribeKey', () => describeKey(client, spelling.spelling, this.signal)).then(
        (key): Described => ({ found: true, key }),
        (err: unknown): Described => (isNotFound(err, 'NotFoundException') ? { found: false } : toFactError(err, 'DescribeKey')),
      );
      this.described.set(cacheKey, p);
    }
    return p;
  }

  /** Teaches `account`'s DescribeKey cache another canonical spelling of a key it has described. */
  private learn(account: string, canonicalArn: string, described: Described): void {
    const cacheKey = byCaller(account, canonicalArn);
    if (!this.described.has(cacheKey)) this.described.set(cacheKey, Promise.resolve(described));
  }

  /** The key's aliases, once per key ARN, listed in the key's own account; [] without a session there. */
  private aliases(key: DescribedKey): Promise<AliasEntry[] | FactError> {
    let p = this.aliasesByKeyArn.get(key.arn);
    if (!p) {
      const { account, region } = parseKeySpelling(key.arn, '', '');
      // KMS lists only the caller's own aliases: ask the key's account when we have a session there.
      const owner = this.sessionFor(account);
      // No session in the key's account (a cross-account key we only use): its aliases are not listable.
      // The spelling the bucket used is still added per bucket in keyFacts().
      p = !owner
        ? Promise.resolve([])
        : listAliasesOfKey(owner.kms(region), key.id, this.signal, () => countRequest(this.stats, 'ListAliases')).catch((err: unknown) =>
            toFactError(err, 'ListAliases'),
          );
      this.aliasesByKeyArn.set(key.arn, p);
    }
    return p;
  }

  /** GetKeyRotationStatus, once per (calling account, key ARN), preferring the key's own account. */
  private rotation(key: DescribedKey, bucketSession: AccountSession): Promise<boolean | FactError> {
    const { account, region } = parseKeySpelling(key.arn, '', '');
    const caller = this.sessionFor(account) ?? bucketSession;
    const cacheKey = byCaller(caller.account, key.arn);
    let p = this.rotations.get(cacheKey);
    if (!p) {
      const client = caller.kms(region);
      p = counted(this.stats, 'GetKeyRotationStatus', () => getKeyRotationEnabled(client, key.arn, this.signal)).catch((err: unknown) =>
        toFactError(err, 'GetKeyRotationStatus'),
      );
      this.rotations.set(cacheKey, p);
    }
    return p;
  }
}

/** The key's facts with every spelling it has (keyFactsFor then keeps those the resource can use). */
function keyFacts(spelling: KeySpelling, key: DescribedKey, listed: AliasEntry[]): KeyFacts {
  const { account, region } = parseKeySpelling(key.arn, '', '');
  const entries = [...listed];
  // A bucket naming the key by an alias we did not (or could not) list still matches that alias.
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
    ...(key.spec !== undefined ? { spec: key.spec } : {}),
    ...(key.usage !== undefined ? { usage: key.usage } : {}),
    ...(key.origin !== undefined ? { origin: key.origin } : {}),
    ...(key.multiRegion !== undefined ? { multiRegion: key.multiRegion } : {}),
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
