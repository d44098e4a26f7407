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
