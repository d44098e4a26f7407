/**
 * UpdateObjectEncryption (PUT /<bucket>/<key>?encryption, optionally &versionId=): changes the
 * encryption of one stored object version to SSE-KMS with another key, or turns its S3 Bucket Key on
 * or off, without moving data — "preserves all object metadata properties, including the storage
 * class, creation date, last modified date, ETag, and checksum properties"
 * (API reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html;
 * User Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/update-sse-encryption.html).
 *
 * Body: <ObjectEncryption><SSE-KMS><KMSKeyArn>…</KMSKeyArn><BucketKeyEnabled>…</BucketKeyEnabled></SSE-KMS></ObjectEncryption>
 * (the SDK's UpdateObjectEncryptionRequest: ObjectEncryption is the payload, a union whose only member,
 * SSEKMS, has the XML name SSE-KMS — as @aws-sdk/client-s3 3.1175.0 serializes it).
 *
 * Refusals, with the messages the API reference lists:
 *  - an unencrypted source object, a DSSE-KMS or SSE-C source: 400 InvalidRequest;
 *  - no SSEKMS member (SSE-S3 cannot be requested, DSSE-KMS / SSE-C do not exist in the union): 400 InvalidRequest;
 *  - no KMSKeyArn, or one that is not a key ARN (an alias or a bare key id): 400 InvalidRequest;
 *  - BucketKeyEnabled neither true nor false: 400 InvalidRequest;
 *  - a key of another account than the bucket's: 403 AccessDenied ("must be owned by the same account
 *    as the bucket" — the organization-wide exception is granted by AWS Support and not modelled);
 *  - a key S3 cannot use (missing, other Region, disabled, pending deletion, not symmetric): KMS's own
 *    errors as for PutObject (kms-keys.ts), and the current key must still decrypt the data key;
 *  - a version that is a delete marker (405), a missing key or version (404): as for reads.
 * Object Lock is not modelled by the sandbox, so the AccessDenied for objects under a compliance-mode
 * retention never occurs here.
 */
import type { Estate, SandboxBucket, SandboxObject } from '../model.js';
import { AwsError, type SandboxResponse } from '../protocol.js';
import { childNamed, childText } from '../xml.js';
import type { ObjectContext } from './context.js';
import { malformedXml } from './errors.js';
import { checkContentMd5 } from './integrity.js';
import { assertDecryptable, keyForEncryption } from './kms-keys.js';
import { addressedObject, versionHeader } from './object-addressing.js';
import { storeObject } from './store/objects.js';
import { parseBody } from './wire.js';

const invalidRequest = (message: string): AwsError => new AwsError('InvalidRequest', 400, message);

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[^/\s]+$/;

export interface Requested {
  keyArn: string;
  bucketKeyEnabled: boolean;
}

function parseRequest(body: Buffer): Requested {
  const root = parseBody(body);
  if (root.name !== 'ObjectEncryption') throw malformedXml();
  const sseKms = childNamed(root, 'SSE-KMS');
  if (!sseKms) {
    throw invalidRequest(
      'Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.',
    );
  }
  const keyArn = childText(sseKms, 'KMSKeyArn');
  if (keyArn === undefined || keyArn === '') {
    throw invalidRequest("Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again.");
  }
  if (!KEY_ARN.test(keyArn)) {
    throw invalidRequest(
      "Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your request, and then try again.",
    );
  }
  const flag = childText(sseKms, 'BucketKeyEnabled');
  if (flag !== undefined && flag !== 'true' && flag !== 'false') {
    throw invalidRequest('The BucketKeyEnabled value isn\'t valid. Valid values are true or false. Modify the request to specify a valid value, and then try again.');
  }
  return { keyArn, bucketKeyEnabled: flag === 'true' };
}

function checkSource(object: SandboxObject): void {
  if (object.sse === null) {
    throw invalidRequest("The UpdateObjectEncryption operation doesn't supported unencrypted source objects. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.");
  }
  if (object.sse === 'SSE-C' || object.sse === 'aws:kms:dsse') {
    throw invalidRequest("The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.");
  }
}

/** Puts the changed version back where it was found: the current object, or its place among the older versions. */
function replaceVersion(bucket: SandboxBucket, key: string, original: SandboxObject, updated: SandboxObject): void {
  const older = bucket.noncurrent?.get(key);
  const at = older ? older.indexOf(original) : -1;
  if (older && at >= 0) older[at] = updated;
  // The current version (explicit or generated): an explicit object shadows the generated one of the same key.
  else storeObject(bucket, updated);
}

/**
 * The operation itself, for one object version (the HTTP handler below, and S3 Batch Operations tasks in
 * src/sandbox/s3-control/). Throws S3's error; returns the changed object.
 */
export function changeObjectEncryption(estate: Estate, bucket: SandboxBucket, object: SandboxObject, requested: Requested): SandboxObject {
  checkSource(object);
  const keyAccount = requested.keyArn.split(':')[4];
  if (keyAccount !== bucket.account) {
    throw new AwsError(
      'AccessDenied',
      403,
      'The AWS KMS key in the request must be owned by the same account as the bucket. Modify the request to specify a KMS key from the same account, and then try again.',
    );
  }
  // The data key is decrypted under the current key and encrypted again under the new one.
  assertDecryptable(estate, bucket, object);
  const key = keyForEncryption(estate, bucket, requested.keyArn, bucket.account);
  const updated: SandboxObject = { ...object, sse: 'aws:kms', kmsKeyArn: key.arn, bucketKeyEnabled: requested.bucketKeyEnabled };
  replaceVersion(bucket, object.key, object, updated);
  return updated;
}

export function updateObjectEncryption(ctx: ObjectContext): SandboxResponse {
  const { req, estate, bucket } = ctx;
  checkContentMd5(req);
  const requested = parseRequest(req.body);
  const object = addressedObject(req, estate, bucket, ctx.key);
  const updated = changeObjectEncryption(estate, bucket, object, requested);
  return { status: 200, headers: versionHeader(bucket, updated) };
}
