/**
 * Object versions (S3 Versioning): the current version lives where it always did (explicit Map or
 * the generator); older ones in bucket.noncurrent, newest first. Objects stored before versioning
 * was enabled keep the version id "null", as in S3 (User Guide, "How S3 Versioning works").
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Estate, SandboxBucket, SandboxObject } from '../../model.js';
import { findObject, removeObject, storeObject } from './objects.js';

/** A fresh version id: 32 URL-safe characters, like S3's. */
export const newVersionId = (): string => randomBytes(24).toString('base64url');

/** A stable version id for estate files, so a loaded estate answers the same ids every run. */
export const estateVersionId = (bucket: string, key: string, n: number): string =>
  createHash('sha256').update(`version\n${bucket}\n${key}\n${n}`).digest().subarray(0, 24).toString('base64url');

const noncurrentOf = (bucket: SandboxBucket, key: string): SandboxObject[] => bucket.noncurrent?.get(key) ?? [];

/**
 * The other versions of `key` once a new latest version with id `versionId` is written: the previous current
 * version joins them unless the new one replaces it (both "null"), and a "null" new version replaces any
 * earlier "null" version, current or not.
 */
function olderThanNew(estate: Estate, bucket: SandboxBucket, key: string, versionId: string): SandboxObject[] {
  const previous = findObject(estate, bucket, key);
  let older = noncurrentOf(bucket, key);
  if (versionId === 'null') older = older.filter((v) => v.versionId !== 'null');
  if (previous && !(versionId === 'null' && previous.versionId === 'null')) older = [previous, ...older];
  return older;
}

function setOlder(bucket: SandboxBucket, key: string, older: SandboxObject[]): void {
  if (older.length > 0) (bucket.noncurrent ??= new Map()).set(key, older);
  else bucket.noncurrent?.delete(key);
}

/** The id a new version gets: a fresh one with versioning Enabled, "null" while Suspended. */
const nextVersionId = (bucket: SandboxBucket): string => (bucket.versioning === 'Enabled' ? newVersionId() : 'null');

/**
 * Stores a new current version, as PutObject and CopyObject do:
 * - versioning Enabled: the object gets a new version id and the previous current version becomes non-current;
 * - Suspended: the object gets version id "null" and replaces any earlier "null" version, current or not;
 * - never enabled: it simply replaces the object (version id "null").
 * A delete marker that was the latest version stays, as a non-current version.
 */
export function storeVersion(estate: Estate, bucket: SandboxBucket, object: SandboxObject): SandboxObject {
  if (bucket.versioning === undefined) {
    storeObject(bucket, object);
    return object;
  }
  const stored: SandboxObject = { ...object, versionId: nextVersionId(bucket) };
  setOlder(bucket, object.key, olderThanNew(estate, bucket, object.key, stored.versionId));
  storeObject(bucket, stored);
  return stored;
}

/**
 * A DELETE without a version id on a versioned bucket: "the object is not deleted. But the delete marker
 * makes Amazon S3 behave as if the object is deleted" (User Guide, "Working with delete markers"). The marker
 * becomes the latest version; while versioning is Suspended its id is "null" and "the operation removes the
 * object that has a null versionId" (User Guide, "Deleting objects from versioning-suspended buckets"). The
 * current version otherwise becomes non-current.
 */
export function addDeleteMarker(estate: Estate, bucket: SandboxBucket, key: string, lastModified: Date): SandboxObject {
  const marker: SandboxObject = { key, versionId: nextVersionId(bucket), size: 0, etag: '', lastModified, sse: null, bucketKeyEnabled: false, deleteMarker: true };
  const older = olderThanNew(estate, bucket, key, marker.versionId);
  removeObject(bucket, key);
  setOlder(bucket, key, [marker, ...older]);
  return marker;
}

/** Every version of a key, newest first: the current one (when it exists), then the others (delete markers included). */
export function versionsOf(estate: Estate, bucket: SandboxBucket, key: string): SandboxObject[] {
  const current = findObject(estate, bucket, key);
  return current ? [current, ...noncurrentOf(bucket, key)] : [...noncurrentOf(bucket, key)];
}

/** The delete marker that is the latest version of `key`, if the key's latest version is one. */
export function latestDeleteMarker(estate: Estate, bucket: SandboxBucket, key: string): SandboxObject | undefined {
  if (findObject(estate, bucket, key)) return undefined;
  const latest = noncurrentOf(bucket, key)[0];
  return latest?.deleteMarker ? latest : undefined;
}

/** The keys that have versions but no current object (their latest version is a delete marker), in no order. */
export function keysWithoutCurrent(estate: Estate, bucket: SandboxBucket): string[] {
  return [...(bucket.noncurrent?.keys() ?? [])].filter((key) => !findObject(estate, bucket, key));
}

/** One version of a key, or undefined. */
export function findVersion(estate: Estate, bucket: SandboxBucket, key: string, versionId: string): SandboxObject | undefined {
  return versionsOf(estate, bucket, key).find((v) => v.versionId === versionId);
}

/**
 * DeleteObject with a version id: removes that version (or delete marker) for good. When the latest version
 * goes, the next one becomes the latest; if that is an object version it is current again ("To undelete the
 * object, you must delete this delete marker", User Guide, "Managing delete markers"). The version removed,
 * or undefined when there was none.
 */
export function removeVersion(estate: Estate, bucket: SandboxBucket, key: string, versionId: string): SandboxObject | undefined {
  const current = findObject(estate, bucket, key);
  const older = noncurrentOf(bucket, key);
  let removed: SandboxObject | undefined;
  let kept = older;
  if (current && current.versionId === versionId) {
    removeObject(bucket, key);
    removed = current;
  } else {
    removed = older.find((v) => v.versionId === versionId);
    if (!removed) return undefined;
    kept = older.filter((v) => v !== removed);
  }
  const [next, ...rest] = kept;
  if (!findObject(estate, bucket, key) && next && !next.deleteMarker) {
    storeObject(bucket, next);
    kept = rest;
  }
  setOlder(bucket, key, kept);
  return removed;
}
