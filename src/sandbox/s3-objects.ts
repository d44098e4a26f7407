/**
 * The objects of a sandbox bucket: explicit ones (a Map in the estate) and virtual generated ones
 * (an ObjectGenerator: object i is computed from i, never stored, so a million cost no memory).
 *
 * Listing merges both in S3's order — UTF-8 binary order of the keys — at O(page size × log n)
 * per page: generated keys are the generator's prefix plus a zero-padded index, so index order is
 * key order and any position can be found by binary search; explicit keys are kept in a sorted
 * index that this module maintains.
 */
import { createHash, randomBytes } from 'node:crypto';
import { awsManagedKey, parseKeyReference, resolveKey } from './keys.js';
import type { Estate, ObjectGenerator, SandboxBucket, SandboxObject } from './model.js';
import { compareUtf8 as compareKeys } from '../domain/s3-key-order.js';

// ---------------------------------------------------------------------------------------------
// Key order

/** S3's key order (UTF-8 binary), shared with the auditor so both sides sort alike. */
export { compareKeys };

/** Index of the first element for which `before` is false; `before` must be true on a prefix of the order. */
function firstNotBefore(length: number, at: (i: number) => string, before: (key: string) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(at(mid))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Generated objects

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
 * only this module needs it; a WeakMap keeps it with the generator's lifetime.
 */
const deletedGenerated = new WeakMap<ObjectGenerator, Set<number>>();
const deletedSet = (gen: ObjectGenerator): Set<number> => {
  let s = deletedGenerated.get(gen);
  if (!s) deletedGenerated.set(gen, (s = new Set()));
  return s;
};
const isDeleted = (gen: ObjectGenerator, index: number): boolean => deletedGenerated.get(gen)?.has(index) === true;

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

const md5Hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** The body of an object whose bytes were never given (generated, or explicit without `body`): `size` × 'x'. */
export const placeholderBody = (size: number): Buffer => Buffer.alloc(size, 'x');

const placeholderMd5 = new Map<number, string>();
function placeholderEtag(size: number): string {
  let md5 = placeholderMd5.get(size);
  if (md5 === undefined) {
    md5 = md5Hex(placeholderBody(size));
    placeholderMd5.set(size, md5);
  }
  return `"${md5}"`;
}

/**
 * The ETag S3 gives a single-part upload: the MD5 of the data for SSE-S3, but "not an MD5 digest of
 * their object data" for SSE-KMS (API reference, Object: "Objects created by the PUT Object, POST
 * Object, or Copy operation … and are encrypted by SSE-C or SSE-KMS, have ETags that are not an
 * MD5 digest"). The KMS variant here is a digest of the data's MD5 and the key, so it is stable.
 */
export function etagFor(contentMd5Hex: string, sse: SandboxObject['sse'], kmsKeyArn?: string): string {
  if (sse === 'AES256') return `"${contentMd5Hex}"`;
  return `"${md5Hex(`${sse}\n${kmsKeyArn ?? ''}\n${contentMd5Hex}`)}"`;
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

// ---------------------------------------------------------------------------------------------
// Explicit objects: a sorted key index kept beside each bucket's Map

const sortedIndexes = new WeakMap<Map<string, SandboxObject>, string[]>();

/**
 * The explicit keys in order. Built on first use and then maintained by storeObject/removeObject;
 * rebuilt if someone changed the Map directly (detected by its size) — estate.ts fills the Map
 * before any listing, so the common path never re-sorts.
 */
function sortedExplicitKeys(bucket: SandboxBucket): string[] {
  let keys = sortedIndexes.get(bucket.objects);
  if (!keys || keys.length !== bucket.objects.size) {
    keys = [...bucket.objects.keys()].sort(compareKeys);
    sortedIndexes.set(bucket.objects, keys);
  }
  return keys;
}

/** Adds or replaces an explicit object. Use this rather than `bucket.objects.set` so listings stay O(page). */
export function storeObject(bucket: SandboxBucket, object: SandboxObject): void {
  const keys = sortedExplicitKeys(bucket);
  if (!bucket.objects.has(object.key)) {
    const at = firstNotBefore(keys.length, (i) => keys[i]!, (k) => compareKeys(k, object.key) < 0);
    keys.splice(at, 0, object.key);
  }
  bucket.objects.set(object.key, object);
}

/** Deletes the object with this key, explicit or generated; false when there was none. */
export function removeObject(bucket: SandboxBucket, key: string): boolean {
  let removed = false;
  if (bucket.objects.has(key)) {
    const keys = sortedExplicitKeys(bucket);
    const at = firstNotBefore(keys.length, (i) => keys[i]!, (k) => compareKeys(k, key) < 0);
    if (keys[at] === key) keys.splice(at, 1);
    bucket.objects.delete(key);
    removed = true;
  }
  const gen = bucket.generator;
  const index = gen && generatedIndex(gen, key);
  if (gen && index !== undefined && !isDeleted(gen, index)) {
    deletedSet(gen).add(index);
    removed = true;
  }
  return removed;
}

/** The object with this key: an explicit one shadows a generated one with the same key. */
export function findObject(estate: Estate, bucket: SandboxBucket, key: string): SandboxObject | undefined {
  const explicit = bucket.objects.get(key);
  if (explicit) return explicit;
  const gen = bucket.generator;
  const index = gen && generatedIndex(gen, key);
  if (!gen || index === undefined || isDeleted(gen, index)) return undefined;
  return generatedObject(estate, bucket, gen, index);
}

// ---------------------------------------------------------------------------------------------
// Merged, ordered traversal

/** What a listing needs of one entry; the full object (with encryption) is computed only on demand. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  object: () => SandboxObject;
}

/** A position in the merged order of explicit and generated keys, able to jump forward by binary search. */
class MergedCursor {
  private e = 0;
  private g = 0;
  private readonly genCount: number;

  constructor(
    private readonly estate: Estate,
    private readonly bucket: SandboxBucket,
    private readonly explicit: string[],
    private readonly gen: ObjectGenerator | undefined,
  ) {
    this.genCount = gen ? Math.max(0, gen.count) : 0;
  }

  /** Moves to the first key for which `before` is false (never backwards). */
  seek(before: (key: string) => boolean): void {
    const e = firstNotBefore(this.explicit.length, (i) => this.explicit[i]!, before);
    this.e = Math.max(this.e, e);
    if (this.gen) {
      const gen = this.gen;
      const g = firstNotBefore(this.genCount, (i) => generatedKey(gen, i), before);
      this.g = Math.max(this.g, g);
    }
  }

  private skipDeleted(): void {
    if (!this.gen) return;
    while (this.g < this.genCount && isDeleted(this.gen, this.g)) this.g++;
  }

  /** The key under the cursor, or undefined at the end. */
  peek(): string | undefined {
    this.skipDeleted();
    const ek = this.explicit[this.e];
    const gk = this.gen && this.g < this.genCount ? generatedKey(this.gen, this.g) : undefined;
    if (ek === undefined) return gk;
    if (gk === undefined) return ek;
    return compareKeys(ek, gk) <= 0 ? ek : gk;
  }

  /** The entry under the cursor (explicit wins over a generated key it shadows), then steps past it. */
  take(): ListedObject | undefined {
    const key = this.peek();
    if (key === undefined) return undefined;
    let entry: ListedObject | undefined;
    if (this.explicit[this.e] === key) {
      const o = this.bucket.objects.get(key)!;
      entry = { key, size: o.size, etag: o.etag, lastModified: o.lastModified, object: () => o };
      this.e++;
    }
    if (this.gen && this.g < this.genCount && generatedKey(this.gen, this.g) === key) {
      if (!entry) {
        const gen = this.gen;
        const index = this.g;
        const full = generatedObject(this.estate, this.bucket, gen, index);
        entry = { key, size: full.size, etag: full.etag, lastModified: full.lastModified, object: () => full };
      }
      this.g++;
    }
    return entry;
  }
}

export interface ListRequest {
  prefix: string;
  /** Keys containing the delimiter after the prefix are rolled up into common prefixes. */
  delimiter?: string;
  /** List only keys after this one (StartAfter, a continuation token's position, a key marker). */
  after?: string;
  /** Entries (objects + common prefixes) per page; 0 gives an empty page. */
  maxKeys: number;
}

export interface ListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

/** The common prefix a key rolls up into, or undefined when it is listed as itself. */
function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter || !key.startsWith(prefix)) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/**
 * One page of a listing, in UTF-8 binary key order, objects and common prefixes together
 * counting toward maxKeys (as S3 counts them). A marker that is itself a common prefix (a
 * continuation from a page that ended on one) resumes after every key under that prefix.
 */
export function listPage(estate: Estate, bucket: SandboxBucket, request: ListRequest): ListPage {
  const { prefix, delimiter, after, maxKeys } = request;
  const cursor = new MergedCursor(estate, bucket, sortedExplicitKeys(bucket), bucket.generator);
  const afterPrefix = after !== undefined && commonPrefixOf(after, prefix, delimiter) === after ? after : undefined;
  cursor.seek(
    (k) =>
      compareKeys(k, prefix) < 0 ||
      (after !== undefined && compareKeys(k, after) <= 0) ||
      (afterPrefix !== undefined && k.startsWith(afterPrefix)),
  );

  const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
  let count = 0;
  for (let key = cursor.peek(); key !== undefined && key.startsWith(prefix); key = cursor.peek()) {
    if (count >= maxKeys) {
      page.isTruncated = maxKeys > 0;
      break;
    }
    const rolled = commonPrefixOf(key, prefix, delimiter);
    if (rolled !== undefined) {
      page.commonPrefixes.push(rolled);
      page.last = rolled;
      count++;
      cursor.seek((k) => compareKeys(k, rolled) < 0 || k.startsWith(rolled));
      continue;
    }
    const entry = cursor.take()!;
    page.objects.push(entry);
    page.last = key;
    count++;
  }
  return page;
}

/** True when the bucket holds at least one object (DeleteBucket's BucketNotEmpty check). */
export const hasObjects = (estate: Estate, bucket: SandboxBucket): boolean =>
  listPage(estate, bucket, { prefix: '', maxKeys: 1 }).objects.length > 0;

// ---------------------------------------------------------------------------------------------
// Versions (S3 Versioning): the current version lives where it always did (explicit Map or the
// generator); older ones in bucket.noncurrent, newest first. Objects stored before versioning was
// enabled keep the version id "null", as in S3 (User Guide, "How S3 Versioning works").

/** A fresh version id: 32 URL-safe characters, like S3's. */
export const newVersionId = (): string => randomBytes(24).toString('base64url');

/** A stable version id for estate files, so a loaded estate answers the same ids every run. */
export const estateVersionId = (bucket: string, key: string, n: number): string =>
  createHash('sha256').update(`version\n${bucket}\n${key}\n${n}`).digest().subarray(0, 24).toString('base64url');

const noncurrentOf = (bucket: SandboxBucket, key: string): SandboxObject[] => bucket.noncurrent?.get(key) ?? [];

/**
 * Stores a new current version, as PutObject and CopyObject do:
 * - versioning Enabled: the object gets a new version id and the previous current version becomes non-current;
 * - Suspended: the object gets version id "null" and replaces any earlier "null" version, current or not;
 * - never enabled: it simply replaces the object (version id "null").
 */
export function storeVersion(estate: Estate, bucket: SandboxBucket, object: SandboxObject): SandboxObject {
  if (bucket.versioning === undefined) {
    storeObject(bucket, object);
    return object;
  }
  const previous = findObject(estate, bucket, object.key);
  let older = noncurrentOf(bucket, object.key);
  const stored: SandboxObject = { ...object, versionId: bucket.versioning === 'Enabled' ? newVersionId() : 'null' };
  if (stored.versionId === 'null') older = older.filter((v) => v.versionId !== 'null');
  if (previous && !(stored.versionId === 'null' && previous.versionId === 'null')) older = [previous, ...older];
  (bucket.noncurrent ??= new Map()).set(object.key, older);
  if (older.length === 0) bucket.noncurrent.delete(object.key);
  storeObject(bucket, stored);
  return stored;
}

/** Every version of a key, newest first: the current one (when it exists), then the non-current ones. */
export function versionsOf(estate: Estate, bucket: SandboxBucket, key: string): SandboxObject[] {
  const current = findObject(estate, bucket, key);
  return current ? [current, ...noncurrentOf(bucket, key)] : [...noncurrentOf(bucket, key)];
}

/** One version of a key, or undefined. */
export function findVersion(estate: Estate, bucket: SandboxBucket, key: string, versionId: string): SandboxObject | undefined {
  return versionsOf(estate, bucket, key).find((v) => v.versionId === versionId);
}

/**
 * DeleteObject with a version id: removes that version for good (no delete marker). When it was the
 * current one, the newest non-current version becomes current. false when there was no such version.
 */
export function removeVersion(estate: Estate, bucket: SandboxBucket, key: string, versionId: string): boolean {
  const older = noncurrentOf(bucket, key);
  const current = findObject(estate, bucket, key);
  if (current && current.versionId === versionId) {
    removeObject(bucket, key);
    const [next, ...rest] = older;
    if (next) storeObject(bucket, next);
    if (rest.length > 0) bucket.noncurrent!.set(key, rest);
    else bucket.noncurrent?.delete(key);
    return true;
  }
  const kept = older.filter((v) => v.versionId !== versionId);
  if (kept.length === older.length) return false;
  if (kept.length > 0) bucket.noncurrent!.set(key, kept);
  else bucket.noncurrent!.delete(key);
  return true;
}
