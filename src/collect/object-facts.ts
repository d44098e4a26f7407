/**
 * One object's facts from what S3 answered: its HeadObject, its listing entry (when HeadObject could not
 * say more: SSE-C, or a failure), or the record the last incremental state kept for it; and the record
 * the next state keeps. Pure: answers in, facts out.
 */
import type { HeadObjectAnswer, ListedObjectEntry } from '../aws/s3.js';
import type { FactError, ObjectFacts } from '../domain/facts.js';
import { stripQuotes, type StateRecord } from '../state/object-state.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Which object (and, in versions mode, which version) the facts are about. */
function identity(bucket: string, entry: ListedObjectEntry, versions: boolean): Pick<ObjectFacts, 'bucket' | 'key' | 'versionId' | 'isLatest'> {
  return {
    bucket,
    key: entry.key,
    ...(versions && entry.versionId !== undefined ? { versionId: entry.versionId, isLatest: entry.isLatest === true } : {}),
  };
}

export function factsFromHead(bucket: string, entry: ListedObjectEntry, head: HeadObjectAnswer, versions: boolean): ObjectFacts {
  // Literals without spreads (this runs once per object of scans of millions; a spread costs a temporary
  // object and a slower copy), in the same key order as factsFromRecord and factsFromListing.
  const key = entry.key;
  const { size, sse, bucketKeyEnabled, kmsKeyId } = head;
  const lastModified = iso(head.lastModified ?? entry.lastModified);
  const etag = head.etag ?? entry.etag;
  if (versions && entry.versionId !== undefined) {
    const versionId = entry.versionId;
    const isLatest = entry.isLatest === true;
    return kmsKeyId !== undefined
      ? { bucket, key, versionId, isLatest, size, lastModified, etag, sse, kmsKeyId, bucketKeyEnabled, errors: {} }
      : { bucket, key, versionId, isLatest, size, lastModified, etag, sse, bucketKeyEnabled, errors: {} };
  }
  return kmsKeyId !== undefined
    ? { bucket, key, size, lastModified, etag, sse, kmsKeyId, bucketKeyEnabled, errors: {} }
    : { bucket, key, size, lastModified, etag, sse, bucketKeyEnabled, errors: {} };
}

export function factsFromRecord(bucket: string, entry: ListedObjectEntry, r: StateRecord, versions: boolean): ObjectFacts {
  return {
    ...identity(bucket, entry, versions),
    size: r.size,
    lastModified: iso(r.lastModified),
    etag: entry.etag,
    sse: r.sse,
    ...(r.kmsKeyId !== undefined ? { kmsKeyId: r.kmsKeyId } : {}),
    bucketKeyEnabled: r.bucketKeyEnabled,
    errors: {},
  };
}

/**
 * What the listing says of an object HeadObject did not describe: the object whose HeadObject failed (`sse`
 * null, the failure in `errors.object`), or an SSE-C object — HeadObject refused it for want of the customer
 * key (confirmed by isSseCObject), which is how S3 says the object is under a key neither S3 nor KMS holds.
 */
export function factsFromListing(bucket: string, entry: ListedObjectEntry, versions: boolean, found: { sse: 'SSE-C' } | { error: FactError }): ObjectFacts {
  return {
    ...identity(bucket, entry, versions),
    size: entry.size,
    lastModified: iso(entry.lastModified),
    etag: entry.etag,
    sse: 'sse' in found ? found.sse : null,
    bucketKeyEnabled: false,
    errors: 'error' in found ? { object: found.error } : {},
  };
}

export function recordOf(facts: ObjectFacts, entry: ListedObjectEntry): StateRecord {
  return {
    key: entry.key,
    ...(entry.versionId !== undefined ? { versionId: entry.versionId } : {}),
    // The listing's identity: next run's listing is compared with exactly this.
    etag: stripQuotes(entry.etag),
    lastModified: entry.lastModified,
    size: facts.size,
    sse: facts.sse,
    ...(facts.kmsKeyId !== undefined ? { kmsKeyId: facts.kmsKeyId } : {}),
    bucketKeyEnabled: facts.bucketKeyEnabled,
  };
}

export const isKms = (sse: ObjectFacts['sse']): boolean => sse === 'aws:kms' || sse === 'aws:kms:dsse';
