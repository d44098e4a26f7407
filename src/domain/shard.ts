/**
 * Sharded runs: which 1/N of the buckets a shard audits, and what ties the parts of one run together.
 *
 * Ownership is by bucket, not by account: a bucket belongs to shard
 *   1 + (first 4 bytes of SHA-256(account "\0" bucket), big-endian) mod N.
 * Hashing the bucket with its account spreads one huge account over every shard (an organisation often
 * has a few accounts with most of the buckets), and N may exceed the number of accounts; hashing the
 * account alone would put all of a 5 000-bucket account on one shard and leave shards idle. SHA-256
 * rather than a faster FNV-1a because it is already everywhere in the tool (finding ids), is spelled the
 * same in every language a user may check it with, and costs nothing next to one S3 request per bucket.
 * The NUL separator keeps ("ab", "c") and ("a", "bc") apart (neither an account id nor a bucket name
 * may contain it).
 *
 * Account-level work (ListBuckets, key and alias lookups) is done by every shard that needs it: a shard
 * must list an account to know which of its buckets it owns. Run errors that every shard meets (an
 * account whose ListBuckets is denied) are therefore in every part; `merge` keeps one of each (the
 * same account, region, bucket, operation, code and message), which is what an unsharded run reports.
 * They are not given to one "owner" shard instead: a listing that fails in one shard only means that
 * shard's buckets are missing, and the merged report must say so.
 */
import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';

/** The largest shard count accepted: far beyond any CI matrix or Indexed Job (Kubernetes caps completions at 100 000). */
export const MAX_SHARD_COUNT = 1000;

/** The Kubernetes Indexed Job variable (0-based) that `--shard auto/N` reads. */
export const JOB_COMPLETION_INDEX = 'JOB_COMPLETION_INDEX';

/** One shard of N, 1-based like Jest's and Playwright's --shard. */
export interface Shard {
  index: number;
  count: number;
}

/** `--shard` as typed: an explicit index, or `auto` (read the Indexed Job's JOB_COMPLETION_INDEX). */
export interface ShardRequest {
  index: number | 'auto';
  count: number;
}

const wholeNumber = (text: string): number => (/^\d+$/.test(text) ? Number(text) : NaN);

/** `I/N` (1 ≤ I ≤ N) or `auto/N`. Throws UsageError naming `source`. */
export function parseShardRequest(text: string, source: string): ShardRequest {
  const m = /^([^/]*)\/([^/]*)$/.exec(text.trim());
  const usage = `${source}: expected I/N (1 ≤ I ≤ N ≤ ${MAX_SHARD_COUNT}, e.g. 2/7) or auto/N (a Kubernetes Indexed Job: I = ${JOB_COMPLETION_INDEX} + 1), got ${JSON.stringify(text)}`;
  if (!m) throw new UsageError(usage);
  const count = wholeNumber(m[2]!);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARD_COUNT) throw new UsageError(usage);
  if (m[1] === 'auto') return { index: 'auto', count };
  const index = wholeNumber(m[1]!);
  if (!Number.isSafeInteger(index) || index < 1 || index > count) throw new UsageError(usage);
  return { index, count };
}

/**
 * The shard to run. `auto/N` reads JOB_COMPLETION_INDEX (0-based, set by Kubernetes on each pod of an
 * Indexed Job) and only then: an index is never taken from the environment unless `auto` asks for it,
 * so a variable left over in a shell never shards a run by surprise.
 */
export function resolveShard(request: ShardRequest, env: Readonly<Record<string, string | undefined>>): Shard {
  if (request.index !== 'auto') return { index: request.index, count: request.count };
  const raw = env[JOB_COMPLETION_INDEX];
  if (raw === undefined || raw === '') {
    throw new UsageError(`--shard auto/${request.count}: ${JOB_COMPLETION_INDEX} is not set (it is set on the pods of a Kubernetes Job with completionMode: Indexed); outside one, give --shard I/${request.count}`);
  }
  const zeroBased = wholeNumber(raw);
  if (!Number.isSafeInteger(zeroBased) || zeroBased >= request.count) {
    throw new UsageError(
      `--shard auto/${request.count}: ${JOB_COMPLETION_INDEX}=${JSON.stringify(raw)} is not an index 0..${request.count - 1}; the Job's completions must equal N (${request.count})`,
    );
  }
  return { index: zeroBased + 1, count: request.count };
}

/** The shard (1..count) that owns this bucket of this account. */
export function shardOfBucket(account: string, bucket: string, count: number): number {
  const digest = createHash('sha256').update(`${account}\0${bucket}`).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** true when `shard` audits this bucket. */
export const ownsBucket = (shard: Shard, account: string, bucket: string): boolean => shardOfBucket(account, bucket, shard.count) === shard.index;

/** SHA-256 of the rules' content (their source path left out: the same rules may be installed anywhere). */
export function rulesDigest(rules: Iterable<{ id: string; source?: string }>): string {
  const sorted = [...rules].map(({ source: _source, ...rule }) => rule).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** What the parts of one run share; two parts with different keys are not the same run. */
export interface RunIdentity {
  toolVersion: string;
  policyFileSha256: string;
  rulesSha256: string;
  count: number;
  accounts: readonly string[];
  homeRegion: string;
  endpoint?: string;
  /** --run-id, when given. */
  runId?: string;
}

export function runKeyOf(identity: RunIdentity): string {
  const canonical = {
    toolVersion: identity.toolVersion,
    policyFileSha256: identity.policyFileSha256,
    rulesSha256: identity.rulesSha256,
    count: identity.count,
    accounts: [...identity.accounts].sort(),
    homeRegion: identity.homeRegion,
    endpoint: identity.endpoint ?? null,
    runId: identity.runId ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
