/**
 * The FactContext an object rule is evaluated in, the same for every way objects are read (listing and
 * HeadObject, an S3 Inventory report, a group of an S3 Metadata table): the object's facts, its own KMS
 * key when a rule reads it, and the bucket default's key for `object.bucketKey` rules.
 */
import type { FactAspect } from '../domain/rule.js';
import type { BucketFacts, FactContext, FactError, KeyFacts, ObjectFacts } from '../domain/facts.js';
import type { KeyResolver } from './keys.js';
import { isKms } from './object-facts.js';

/** The bucket as object rules see it, with its default's key (ObjectBucketTarget without the session). */
export interface ObjectBucketView {
  bucket: BucketFacts;
  bucketKey?: KeyFacts | null;
  bucketKeyError?: FactError;
}

/** Which key facts the group's rules read. */
export interface ObjectKeyWants {
  /** The object's KMS key (key, or key.aliases which implies it). */
  key: boolean;
  aliases: boolean;
  bucketKey: boolean;
}

export const objectKeyWants = (aspects: ReadonlySet<FactAspect>): ObjectKeyWants => {
  const aliases = aspects.has('key.aliases');
  return { key: aspects.has('key') || aliases, aliases, bucketKey: aspects.has('object.bucketKey') };
};

/**
 * `kmsKeyId` is the key id the source gave for an SSE-KMS object (undefined: none given, which means
 * aws/s3, as for a PUT without a key id), or why it is not known (a source that does not carry keys and
 * did not read this one): then the key rules get that error, never a verdict.
 */
export async function objectContext(
  target: ObjectBucketView,
  object: ObjectFacts,
  kmsKeyId: string | undefined | FactError,
  wants: ObjectKeyWants,
  keys: Pick<KeyResolver, 'resolveDetailed'>,
): Promise<FactContext> {
  const { bucket } = target;
  const ctx: FactContext = { bucket, object, errors: { ...object.errors } };
  if (wants.key && !object.errors.object) {
    if (!isKms(object.sse)) ctx.key = null;
    else if (typeof kmsKeyId === 'object') ctx.errors.key = kmsKeyId;
    else {
      // Facts relative to the bucket (keyFactsFor); ListAliases only for rules that read key.aliases / key.spellings.
      const resolved = await keys.resolveDetailed(kmsKeyId, bucket.account, bucket.region, { aliases: wants.aliases });
      if ('operation' in resolved.key) ctx.errors.key = resolved.key;
      else ctx.key = resolved.key;
      if (resolved.aliases) ctx.errors['key.aliases'] = resolved.aliases;
    }
  }
  if (wants.bucketKey) {
    if (target.bucketKeyError) ctx.errors['object.bucketKey'] = target.bucketKeyError;
    else if (target.bucketKey !== undefined) ctx.bucketKey = target.bucketKey;
  }
  return ctx;
}
