/**
 * Generated objects (an ObjectGenerator in the estate): object i is computed from i, never stored,
 * so a million cost no memory. Keys are the generator's prefix plus a zero-padded index, so index
 * order is key order; encryption is drawn per object from the generator's weighted mix by a hash
 * of (seed, index), so the same object always gets the same encryption.
 */
import { awsManagedKey, parseKeyReference, resolveKey } from '../../keys.js';
import type { Estate, ObjectGenerator, SandboxBucket, SandboxObject } from '../../model.js';
import { etagFor, placeholderEtag } from './etag.js';

/** Digits in a generated key's index: enough for count − 1, so every key has the same width. */
export const generatedKeyWidth = (gen: ObjectGenerator): number => String(Math.max(0, gen.count - 1)).length;

/** The key of generated object `index`: prefix + zero-padded index, so index order equals key order. */
export const generatedKey = (gen: ObjectGenerator, index: number): string => gen.prefix + String(index).padStart(generatedKeyWidth(gen), '0');

/** The index a key names in a generator, or undefined when the key is not one of its keys. */
export function generatedIndex(gen: ObjectGenerator, key: string): number | undefined {
  if (!key.startsWith(gen.prefix)) return undefined;
  const digits = key.slice(gen.prefix.length);
  if (digits.length !== generatedKeyWidth(gen) || !/^\d+$/.test(digits)) return undefined;
  const index = Number(digits);
  return index < gen.count ? index : undefined;
}

/**
 * Generated objects deleted through the API. Kept beside the estate rather than in it because
 * only the object store needs it; a WeakMap keeps it with the generator's lifetime.
 */
const deletedGenerated = new WeakMap<ObjectGenerator, Set<number>>();
export const markDeleted = (gen: ObjectGenerator, index: number): void => {
  let s = deletedGenerated.get(gen);
  if (!s) deletedGenerated.set(gen, (s = new Set()));
  s.add(index);
};
export const isDeleted = (gen: ObjectGenerator, index: number): boolean => deletedGenerated.get(gen)?.has(index) === true;

/** A uniform number in [0, 1) from (seed, index): the same object always gets the same encryption. */
function unitHash(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

type MixEntry = ObjectGenerator['mix'][number];

function mixEntry(gen: ObjectGenerator, index: number): MixEntry | undefined {
  const total = gen.mix.reduce((sum, m) => sum + Math.max(0, m.weight), 0);
  if (total <= 0) return undefined;
  let r = unitHash(gen.seed, index) * total;
  for (const m of gen.mix) {
    r -= Math.max(0, m.weight);
    if (r < 0) return m;
  }
  return gen.mix[gen.mix.length - 1];
}

/** The key ARN an object encrypted with `spelling` reports (S3 always reports the full key ARN). */
function kmsArnFor(estate: Estate, bucket: SandboxBucket, spelling: string | undefined): string {
  if (spelling === undefined) return awsManagedKey(estate, bucket.account, bucket.region, 's3').arn;
  return resolveKey(estate, bucket.account, bucket.region, spelling)?.arn ?? parseKeyReference(bucket.account, bucket.region, spelling).arn;
}

/** Generated object `index` in full (encryption included). */
export function generatedObject(estate: Estate, bucket: SandboxBucket, gen: ObjectGenerator, index: number): SandboxObject {
  const key = generatedKey(gen, index);
  const mix = mixEntry(gen, index);
  const sse = mix?.sse ?? 'AES256';
  const kmsKeyArn = sse === 'AES256' ? undefined : kmsArnFor(estate, bucket, mix?.kmsKeyId);
  const contentMd5 = placeholderEtag(gen.size).slice(1, -1);
  return {
    key,
    versionId: 'null',
    size: gen.size,
    etag: etagFor(contentMd5, sse, kmsKeyArn),
    lastModified: gen.lastModified,
    sse,
    kmsKeyArn,
    // S3 Bucket Keys exist only for SSE-KMS (not SSE-S3, not DSSE-KMS).
    bucketKeyEnabled: sse === 'aws:kms' && mix?.bucketKeyEnabled === true,
  };
}
