/**
 * Which object version a request addresses (?versionId=) and the x-amz-version-id header answers
 * carry, as reads, writes and deletes of objects all need them.
 */
import type { Estate, SandboxBucket, SandboxObject } from '../model.js';
import { AwsError, type SandboxRequest } from '../protocol.js';
import { invalidArgument, noSuchKey, noSuchVersion } from './errors.js';
import { findObject } from './store/objects.js';
import { findVersion, latestDeleteMarker } from './store/versions.js';

/** Only the "null" version exists in an unversioned bucket; any other id is malformed. */
export function checkVersionId(req: SandboxRequest): void {
  const versionId = req.query.get('versionId');
  if (versionId !== null && versionId !== 'null') throw invalidArgument('Invalid version id specified', 'versionId', versionId);
}

/**
 * The object a read addresses: the current version, or with ?versionId= that version. An unversioned
 * bucket knows only "null" (any other id is malformed, 400); a versioned one answers 404 NoSuchVersion
 * for an id it does not hold. Delete markers (GetObject API reference, DeleteMarker): "If the current
 * version of the object is a delete marker, Amazon S3 behaves as if the object was deleted and includes
 * x-amz-delete-marker: true in the response" (a 404); "If the specified version in the request is a delete
 * marker, the response returns a 405 Method Not Allowed error and the Last-Modified: timestamp response header."
 */
export function addressedObject(req: SandboxRequest, estate: Estate, bucket: SandboxBucket, key: string): SandboxObject {
  const versionId = req.query.get('versionId');
  if (versionId === null || bucket.versioning === undefined) {
    checkVersionId(req);
    const object = findObject(estate, bucket, key);
    if (object) return object;
    const marker = bucket.versioning !== undefined ? latestDeleteMarker(estate, bucket, key) : undefined;
    if (marker) throw new AwsError('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId });
    throw noSuchKey(key);
  }
  const object = findVersion(estate, bucket, key, versionId);
  if (!object) throw noSuchVersion(key, versionId);
  if (object.deleteMarker) {
    throw new AwsError('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: req.method, ResourceType: 'DeleteMarker' }, {
      'x-amz-delete-marker': 'true',
      'last-modified': object.lastModified.toUTCString(),
    });
  }
  return object;
}

/** x-amz-version-id on answers about an object of a bucket that has (or had) versioning. */
export const versionHeader = (bucket: SandboxBucket, o: SandboxObject): Record<string, string> =>
  bucket.versioning !== undefined ? { 'x-amz-version-id': o.versionId } : {};
