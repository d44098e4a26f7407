/**
 * The operations that change objects: PutObject, CopyObject (with its in-place rules) and
 * DeleteObject, and the stored object a write creates.
 */
import { createHash } from 'node:crypto';
import type { SandboxObject } from '../model.js';
import { AwsError, header, type SandboxResponse } from '../protocol.js';
import { el, s3Root } from '../xml.js';
import type { ObjectContext } from './context.js';
import { accessDenied, invalidArgument, noSuchBucket, noSuchKey } from './errors.js';
import { checkContentMd5, checksumEcho } from './integrity.js';
import { checkCustomerKeyForRead, COPY_SOURCE_CUSTOMER_HEADERS, CUSTOMER_HEADERS, hasCustomerHeaders } from './customer-key.js';
import { assertDecryptable } from './kms-keys.js';
import { checkVersionId, versionHeader } from './object-addressing.js';
import { sseHeaders, type TargetEncryption, targetEncryption } from './object-encryption.js';
import { etagFor, placeholderBody } from './store/etag.js';
import { findObject, removeObject } from './store/objects.js';
import { addDeleteMarker, removeVersion, storeVersion } from './store/versions.js';
import { NO_CONTENT, nowToTheSecond, xmlResponse } from './wire.js';

/** The object a write stores: its ETag follows its encryption; storeVersion gives it its version id. */
function newObject(key: string, body: Buffer, enc: TargetEncryption): SandboxObject {
  const md5 = createHash('md5').update(body).digest('hex');
  const kmsKeyArn = enc.key?.arn;
  return {
    key,
    versionId: 'null',
    size: body.length,
    etag: etagFor(md5, enc.sse, kmsKeyArn),
    lastModified: nowToTheSecond(),
    sse: enc.sse,
    kmsKeyArn,
    bucketKeyEnabled: enc.bucketKeyEnabled,
    ...(enc.customerKeyMd5 !== undefined ? { customerKeyMd5: enc.customerKeyMd5 } : {}),
    body,
  };
}

/** PutObject: stores the body, encrypted per the request or the bucket default. */
export function putObject({ req, estate, bucket, key }: ObjectContext): SandboxResponse {
  checkContentMd5(req);
  const enc = targetEncryption(req, estate, bucket, { action: 'PutObject', key });
  const object = storeVersion(estate, bucket, newObject(key, req.body, enc));
  return { status: 200, headers: { etag: object.etag, ...sseHeaders(object), ...versionHeader(bucket, object), ...checksumEcho(req) } };
}

/** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally "?versionId=…". */
function parseCopySource(value: string): { bucket: string; key: string } {
  const bad = (): AwsError => invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', value);
  const [path = '', query = ''] = value.split('?', 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '');
  } catch {
    throw bad();
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw bad();
  const versionId = new URLSearchParams(query).get('versionId');
  if (versionId !== null && versionId !== 'null') throw invalidArgument('Invalid version id specified', 'x-amz-copy-source', value);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

const sameEncryption = (a: SandboxObject, b: TargetEncryption): boolean =>
  a.sse === b.sse && (a.kmsKeyArn ?? '') === (b.key?.arn ?? '') && a.bucketKeyEnabled === b.bucketKeyEnabled && a.customerKeyMd5 === b.customerKeyMd5;

/**
 * CopyObject (PUT with x-amz-copy-source). The copy gets the requested encryption or, with no SSE
 * header, the destination bucket's default ("if you don't specify encryption information in your
 * copy request, the encryption setting of the target object is set to the default encryption
 * configuration of the destination bucket", API reference). Copying an object onto itself must
 * change something, else 400 InvalidRequest. Any SSE header counts as a change even when the value
 * is unchanged, and so does a bucket default that differs from the object's current encryption
 * (LocalStack's AWS-validated test_s3_copy_object_in_place_with_encryption and
 * test_copy_in_place_with_bucket_encryption).
 */
export function copyObject({ req, estate, bucket, key }: ObjectContext): SandboxResponse {
  const source = parseCopySource(header(req, 'x-amz-copy-source') ?? '');
  const sourceBucket = estate.buckets.get(source.bucket);
  if (!sourceBucket) throw noSuchBucket(source.bucket);
  if (sourceBucket.account !== req.account.id) throw accessDenied();
  const original = findObject(estate, sourceBucket, source.key);
  if (!original) throw noSuchKey(source.key);
  const directive = header(req, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);

  // Reading an SSE-C source needs its key in the x-amz-copy-source-…-customer-* headers (CopyObject API reference).
  checkCustomerKeyForRead(req, original, COPY_SOURCE_CUSTOMER_HEADERS);
  const enc = targetEncryption(req, estate, bucket, { action: 'CopyObject', key });
  const inPlace = sourceBucket === bucket && source.key === key;
  const changesSomething =
    directive === 'REPLACE' ||
    header(req, 'x-amz-storage-class') !== undefined ||
    header(req, 'x-amz-website-redirect-location') !== undefined ||
    header(req, 'x-amz-server-side-encryption') !== undefined ||
    header(req, 'x-amz-server-side-encryption-aws-kms-key-id') !== undefined ||
    header(req, 'x-amz-server-side-encryption-bucket-key-enabled') !== undefined ||
    hasCustomerHeaders(req, CUSTOMER_HEADERS) ||
    !sameEncryption(original, enc);
  if (inPlace && !changesSomething) {
    throw new AwsError(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  // Reading the source decrypts it: its KMS key must be usable.
  assertDecryptable(estate, sourceBucket, original);
  const copy = storeVersion(estate, bucket, newObject(key, original.body ?? placeholderBody(original.size), enc));
  return xmlResponse(s3Root('CopyObjectResult', el('LastModified', copy.lastModified), el('ETag', copy.etag)), { ...sseHeaders(copy), ...versionHeader(bucket, copy) });
}

/**
 * DeleteObject: 204 whether or not the key existed (S3 does not say). On a versioned bucket a version id
 * deletes that version (or delete marker) for good, and without one S3 adds a delete marker (User Guide,
 * "Working with delete markers"); either answer says x-amz-delete-marker: true when a delete marker was
 * created or removed (DeleteObject API reference, DeleteMarker).
 */
export function deleteObject({ req, estate, bucket, key }: ObjectContext): SandboxResponse {
  const versionId = req.query.get('versionId');
  if (bucket.versioning !== undefined) {
    if (versionId === null) {
      const marker = addDeleteMarker(estate, bucket, key, nowToTheSecond());
      return { status: 204, headers: { 'x-amz-version-id': marker.versionId, 'x-amz-delete-marker': 'true' } };
    }
    const removed = removeVersion(estate, bucket, key, versionId);
    return { status: 204, headers: { 'x-amz-version-id': versionId, ...(removed?.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}) } };
  }
  checkVersionId(req);
  removeObject(bucket, key);
  return NO_CONTENT;
}
