/**
 * Which object version a request addresses (?versionId=) and the x-amz-version-id header answers
 * carry, as reads, writes and deletes of objects all need them.
 */
import type { Estate, SandboxBucket, SandboxObject } from '../model.js';
import type { SandboxRequest } from '../protocol.js';
import { invalidArgument, noSuchKey, noSuchVersion } from './errors.js';
import { findObject } from './store/objects.js';
import { findVersion } from './store/versions.js';

/** Only the "null" version exists in an unversioned bucket; any other id is malformed. */
export function checkVersionId(req: SandboxRequest): void {
  const versionId = req.query.get('versionId');
  if (versionId !== null && versionId !== 'null') throw invalidArgument('Invalid version id specified', 'versionId', versionId);
}

/**
 * The object a read addresses: the current version, or with ?versionId= that version. An unversioned
 * bucket knows only "null" (any other id is malformed, 400); a versioned one answers 404 NoSuchVersion
 * for an id it does not hold.
 */
export function addressedObject(req: SandboxRequest, estate: Estate, bucket: SandboxBucket, key: string): SandboxObject {
  const versionId = req.query.get('versionId');
  if (versionId === null || bucket.versioning === undefined) {
    checkVersionId(req);
    const object = findObject(estate, bucket, key);
    if (!object) throw noSuchKey(key);
    return object;
  }
  const object = findVersion(estate, bucket, key, versionId);
  if (!object) throw noSuchVersion(key, versionId);
  return object;
}

/** x-amz-version-id on answers about an object of a bucket that has (or had) versioning. */
export const versionHeader = (bucket: SandboxBucket, o: SandboxObject): Record<string, string> =>
  bucket.versioning !== undefined ? { 'x-amz-version-id': o.versionId } : {};
