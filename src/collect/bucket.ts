/**
 * The facts of one bucket: only the aspects asked for, each either read or marked in `errors` with the
 * code and operation that made it unknown (docs/architecture.md "Unknown is not compliant").
 */
import type { AccountSession } from '../aws/session.js';
import { toFactError } from '../aws/errors.js';
import { getBucketEncryption, getBucketTags } from '../aws/s3.js';
import type { BucketEncryption, BucketFacts, FactContext, FactError, KeyFacts } from '../domain/facts.js';
import type { FactAspect } from '../domain/rule.js';
import type { KeyResolver, KeyWants } from './keys.js';
import { partitionOf } from '../domain/keys.js';
import { counted, type CollectStats } from './stats.js';

/** How a call ended: kept so that collectBucketFacts uses the first call's answer instead of asking again. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Answers the locating call already got in the bucket's region. */
export interface FirstAnswers {
  encryption?: Settled<BucketEncryption>;
  tags?: Settled<Record<string, string>>;
}

export interface BucketTarget {
  name: string;
  account: string;
  region: string;
  session: AccountSession;
}

/** Aspects that cannot be known without the bucket's encryption configuration. */
export const NEEDS_ENCRYPTION: readonly FactAspect[] = ['bucket.encryption', 'key', 'key.rotation', 'key.aliases'];
/** Aspects of the bucket's key: unknown together when the key itself cannot be resolved. */
const KEY_ASPECTS: readonly FactAspect[] = ['key', 'key.rotation', 'key.aliases'];

export function bucketArn(session: AccountSession, name: string): string {
  return `arn:${partitionOf(session.principalArn)}:s3:::${name}`;
}

export async function collectBucketFacts(
  target: BucketTarget,
  aspects: ReadonlySet<FactAspect>,
  keys: KeyResolver,
  stats: CollectStats,
  signal?: AbortSignal,
  /** Answers already read in the bucket's region while locating it (locateBucket): not asked again. */
  first: FirstAnswers = {},
): Promise<FactContext> {
  const { name, account, region, session } = target;
  const bucket: BucketFacts = { arn: bucketArn(session, name), name, account, region, tags: {}, errors: {} };
  const markError = (aspectsHit: readonly FactAspect[], err: FactError): void => {
    for (const a of aspectsHit) if (aspects.has(a)) bucket.errors[a] = err;
  };
  const wantKey = KEY_ASPECTS.some((a) => aspects.has(a));
  const wants: KeyWants = { rotation: aspects.has('key.rotation'), aliases: aspects.has('key.aliases') };
  // One client per (account, region): the bucket's own region, as S3 requires for bucket subresources.
  const s3 = session.s3(region);
  /** undefined until read; stays undefined when the encryption configuration or the key could not be read. */
  let key: KeyFacts | null | undefined;

  if (NEEDS_ENCRYPTION.some((a) => aspects.has(a))) {
    const encryption = await (first.encryption ? replay(first.encryption) : counted(stats, 'GetBucketEncryption', () => getBucketEncryption(s3, name, signal))).catch((err: unknown) => {
      // The key depends on the configuration: an unreadable configuration makes the key unknown too.
      markError(NEEDS_ENCRYPTION, toFactError(err, 'GetBucketEncryption'));
      return undefined;
    });
    if (encryption) {
      bucket.encryption = encryption;
      if (wantKey) key = await resolveBucketKey(encryption, bucket, keys, wants, markError);
    }
  }

  if (aspects.has('bucket.tags')) {
    const tags = await (first.tags ? replay(first.tags) : counted(stats, 'GetBucketTagging', () => getBucketTags(s3, name, signal))).catch((err: unknown) => {
      markError(['bucket.tags'], toFactError(err, 'GetBucketTagging'));
      return undefined;
    });
    if (tags) bucket.tags = tags;
  }

  const ctx: FactContext = { bucket, errors: { ...bucket.errors } };
  if (wantKey && key !== undefined) ctx.key = key;
  return ctx;
}

const replay = <T>(s: Settled<T>): Promise<T> => (s.ok ? Promise.resolve(s.value) : Promise.reject(s.error));

/** null when the bucket's default encryption does not use KMS; undefined when the key could not be read. */
async function resolveBucketKey(
  encryption: BucketEncryption,
  bucket: BucketFacts,
  keys: KeyResolver,
  wants: KeyWants,
  markError: (aspects: readonly FactAspect[], err: FactError) => void,
): Promise<KeyFacts | null | undefined> {
  if (encryption.algorithm !== 'aws:kms' && encryption.algorithm !== 'aws:kms:dsse') return null;
  // An absent KMSMasterKeyID means the AWS managed key aws/s3 of the bucket's account and region.
  // The facts come back relative to the bucket (keyFactsFor): bare spellings only for a key of its own account and region.
  const resolved = await keys.resolveDetailed(encryption.kmsKeyId, bucket.account, bucket.region, wants);
  if ('operation' in resolved.key) {
    markError(KEY_ASPECTS, resolved.key);
    return undefined;
  }
  if (resolved.rotation) markError(['key.rotation'], resolved.rotation);
  // Aliases that could not be listed make only the rules that read them (key.aliases) unknown.
  if (resolved.aliases) markError(['key.aliases'], resolved.aliases);
  return resolved.key;
}

/** The context of a bucket whose region could not be found: every aspect asked for is unknown, with the cause. */
export function unlocatedBucketContext(session: AccountSession, name: string, aspects: ReadonlySet<FactAspect>, err: FactError): FactContext {
  const errors: Record<string, FactError> = {};
  for (const a of aspects) errors[a] = err;
  const bucket: BucketFacts = { arn: bucketArn(session, name), name, account: session.account, region: 'unknown', tags: {}, errors };
  return { bucket, errors: { ...errors } };
}
