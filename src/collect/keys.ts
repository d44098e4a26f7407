/**
 * KMS key resolution with a run-wide cache: turns a bucket's KMSMasterKeyID (any spelling, or absent)
 * into KeyFacts, calling each KMS operation as few times as possible:
 *  - DescribeKey once per (calling account, canonical spelling): a key id and its key ARN share one call,
 *    an alias name and its alias ARN share one, and once a caller knows a key every spelling of it is
 *    answered from that caller's cache. The calling account is part of the cache key because the answer
 *    depends on who asks: a key policy may let account A describe a cross-account key and refuse B;
 *  - ListAliases (no KeyId filter, every page) once per (key account, region), and only when asked for (the
 *    `key.aliases` aspect); each key's aliases are picked from that listing by TargetKeyId. It is always
 *    called in the key's own account (KMS lists only the caller's aliases), so the answer does not depend
 *    on which bucket's account needed it;
 *  - a DescribeKey answer is filed under every spelling it is known to cover (key ARN, and so key id; the
 *    spelling asked; alias ARNs from a listing), and an alias spelling is looked up through an alias
 *    listing already in hand, so a key met under several spellings is described once. What remains: two
 *    first lookups of different spellings of one key that run at the same time, before either answers
 *    and before any alias listing of that region, cannot know they name the same key, and both ask;
 *  - GetKeyRotationStatus once per (calling account, key ARN), only when asked for (`key.rotation`);
 *  - DescribeKey of the policies' own key-list entries (`candidates`, the params of format kms-key), only
 *    for a key whose aliases could not be listed (no session in its account): KMS resolves an alias ARN of
 *    another account when the key policy lets the caller, so a list of alias ARNs is matched by key ARN
 *    instead of failing for want of ListAliases. Entries KMS will not resolve are kept as uncheckedSpellings.
 * A spelling KMS would not accept (see key-grammar.ts) is judged as stored and never sent.
 * Promises are cached, not results, so buckets resolving the same key concurrently share one call.
 */
import type { AccountSession } from '../aws/session.js';
import { isNotFound, toFactError } from '../aws/errors.js';
import { describeKey, getKeyRotationEnabled, listRegionAliases, type AliasEntry, type DescribedKey } from '../aws/kms.js';
import type { FactError, KeyFacts } from '../domain/facts.js';
import { keyFactsFor, parseKeySpelling, partitionOf, type KeySpelling } from '../domain/keys.js';
import { countRequest, counted, type CollectStats } from './stats.js';

export { keyFactsFor } from '../domain/keys.js';

/** What DescribeKey said about one spelling. */
type Described = { found: true; key: DescribedKey } | { found: false } | FactError;

/** ListAliases was not possible: no session in the key's own account (KMS lists only the caller's aliases). */
const UNLISTED = 'unlisted';

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
  /** Every alias of one (account, region), listed once: `${account}\n${region}`. */
  private readonly aliasListings = new Map<string, Promise<AliasEntry[] | FactError>>();
  /** The listings that have answered, for synchronous alias → key look-ups before a DescribeKey. */
  private readonly aliasListingsDone = new Map<string, AliasEntry[]>();
  private readonly rotations = new Map<string, Promise<boolean | FactError>>();
  private readonly keyArns = new Set<string>();

  constructor(
    private readonly sessionFor: (account: string) => AccountSession | undefined,
    private readonly stats?: CollectStats,
    private readonly signal?: AbortSignal,
    /** Key spellings the policies compare keys with (params of format kms-key); see the file comment. */
    private readonly candidates: readonly string[] = [],
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
    // What S3 stores is what KMS gets: a spelling KMS would refuse names no key, and is not asked about.
    if (!spelling.valid) return { key: keyFactsFor(invalidSpellingKey(spelling), bucketAccount, bucketRegion) };
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
    else if (Array.isArray(listed)) for (const a of listed) this.learn(session.account, a.arn, described);
    let facts = keyFacts(spelling, key, Array.isArray(listed) ? listed : []);
    if (isFactError(rotation)) unknown.rotation = rotation;
    else if (rotation !== undefined) facts = { ...facts, rotationEnabled: rotation };
    const seen = keyFactsFor(facts, bucketAccount, bucketRegion);
    return { key: listed === UNLISTED ? await this.withCandidates(seen, session, bucketAccount, bucketRegion) : seen, ...unknown };
  }

  /**
   * The key's facts completed with the candidate spellings that name it for this resource, asked of KMS
   * one by one in the resource's account (bare spellings in its Region too). Needed only when the key's
   * aliases could not be listed; a candidate KMS does not know names another key (or none) and is dropped.
   */
  private async withCandidates(key: KeyFacts, session: AccountSession, account: string, region: string): Promise<KeyFacts> {
    const spellings = [...key.spellings];
    const unchecked: Record<string, FactError> = {};
    const open = this.candidates.filter((c) => !spellings.includes(c));
    const answers = await Promise.all(open.map((c) => this.describe(parseKeySpelling(c, account, region, partitionOf(session.principalArn)), session)));
    open.forEach((candidate, i) => {
      const answer = answers[i]!;
      if (isFactError(answer)) unchecked[candidate] = answer;
      else if (answer.found && answer.key.arn === key.arn) spellings.push(candidate);
    });
    return { ...key, spellings, ...(Object.keys(unchecked).length > 0 ? { uncheckedSpellings: unchecked } : {}) };
  }

  /** DescribeKey, once per (calling account, canonical spelling), with the bucket account's client in the spelling's region. */
  private describe(spelling: KeySpelling, session: AccountSession): Promise<Described> {
    const cacheKey = byCaller(session.account, spelling.arn);
    let p = this.described.get(cacheKey) ?? this.describedThroughAlias(spelling, session.account);
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

  /**
   * An alias spelling whose key this caller has already asked about under its key ARN (answered or in
   * flight), found through an alias listing already in hand: the same answer, with no second DescribeKey.
   */
  private describedThroughAlias(spelling: KeySpelling, caller: string): Promise<Described> | undefined {
    if (spelling.kind !== 'alias') return undefined;
    const target = this.aliasListingsDone.get(`${spelling.account}\n${spelling.region}`)?.find((a) => a.arn === spelling.arn)?.targetKeyId;
    if (!target) return undefined;
    const keyArn = `arn:${partitionOf(spelling.arn)}:kms:${spelling.region}:${spelling.account}:key/${target}`;
    const p = this.described.get(byCaller(caller, keyArn));
    if (p) this.described.set(byCaller(caller, spelling.arn), p);
    return p;
  }

  /** Teaches `account`'s DescribeKey cache another canonical spelling of a key it has described. */
  private learn(account: string, canonicalArn: string, described: Described): void {
    const cacheKey = byCaller(account, canonicalArn);
    if (!this.described.has(cacheKey)) this.described.set(cacheKey, Promise.resolve(described));
  }

  /**
   * The key's aliases, picked from the listing of its account and region (listed once, in the key's own
   * account); UNLISTED without a session there.
   */
  private async aliases(key: DescribedKey): Promise<AliasEntry[] | FactError | typeof UNLISTED> {
    const { account, region } = parseKeySpelling(key.arn, '', '');
    // KMS lists only the caller's own aliases: ask the key's account when we have a session there.
    const owner = this.sessionFor(account);
    // No session in the key's account (a cross-account key we only use): its aliases are not listable.
    // The spelling the bucket used is still added per bucket in keyFacts(), and the policies' own key
    // lists are resolved against the key instead (withCandidates).
    if (!owner) return UNLISTED;
    const listing = await this.regionAliases(owner, region);
    if (isFactError(listing)) return listing;
    return listing.filter((a) => a.targetKeyId === key.id).map((a) => ({ name: a.name, arn: a.arn }));
  }

  /** Every alias of the session's account in `region`: one paginated ListAliases, shared by every key there. */
  private regionAliases(owner: AccountSession, region: string): Promise<AliasEntry[] | FactError> {
    const cacheKey = `${owner.account}\n${region}`;
    let p = this.aliasListings.get(cacheKey);
    if (!p) {
      p = listRegionAliases(owner.kms(region), this.signal, () => countRequest(this.stats, 'ListAliases')).then(
        (listing) => {
          this.aliasListingsDone.set(cacheKey, listing);
          return listing;
        },
        (err: unknown) => toFactError(err, 'ListAliases'),
      );
      this.aliasListings.set(cacheKey, p);
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
    spec: key.spec,
    usage: key.usage,
    origin: key.origin,
    multiRegion: key.multiRegion,
    multiRegionKeyType: key.multiRegionKeyType,
    customKeyStoreId: key.customKeyStoreId,
    spellings: unique([key.id, key.arn, ...aliases]),
  };
}

/** No key at all: KMS facts are unknown because there is nothing to know. */
const NO_KEY = { manager: null, state: null, spec: null, usage: null, origin: null, multiRegion: null, multiRegionKeyType: null, customKeyStoreId: null } as const;

/** KeyFacts for a stored spelling KMS would refuse (a space, a character outside the grammar): it names nothing. */
function invalidSpellingKey(spelling: KeySpelling): KeyFacts {
  return { exists: false, ref: spelling.spelling, arn: spelling.arn, id: spelling.name, account: spelling.account, region: spelling.region, aliases: [], ...NO_KEY, spellings: [] };
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
    ...NO_KEY,
    spellings: unique([spelling.spelling, spelling.name, spelling.arn]),
  };
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
