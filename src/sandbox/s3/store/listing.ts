/**
 * Listing a bucket's objects: explicit and generated keys merged in S3's order at O(page size ×
 * log n) per page, both sides being searchable by binary search, with delimiter roll-up into
 * common prefixes.
 */
import type { Estate, ObjectGenerator, SandboxBucket, SandboxObject } from '../../model.js';
import { generatedKey, generatedObject, isDeleted } from './generated.js';
import { compareKeys, firstNotBefore } from './key-order.js';
import { sortedExplicitKeys } from './objects.js';

/** What a listing needs of one entry; the full object (with encryption) is computed only on demand. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  /** undefined for a key listed only for its other versions (ListRequest.keysWithoutCurrent). */
  object: () => SandboxObject | undefined;
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
      const o = this.bucket.objects.get(key);
      entry = o
        ? { key, size: o.size, etag: o.etag, lastModified: o.lastModified, object: () => o }
        : { key, size: 0, etag: '', lastModified: new Date(0), object: () => undefined };
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
  /**
   * ListObjectVersions only: keys that have versions but no current object (their latest version is a
   * delete marker), listed among the others so that their versions are listed too.
   */
  keysWithoutCurrent?: readonly string[];
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
  const { prefix, delimiter, after, maxKeys, keysWithoutCurrent = [] } = request;
  const explicit = keysWithoutCurrent.length > 0 ? [...sortedExplicitKeys(bucket), ...keysWithoutCurrent].sort(compareKeys) : sortedExplicitKeys(bucket);
  const cursor = new MergedCursor(estate, bucket, explicit, bucket.generator);
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
