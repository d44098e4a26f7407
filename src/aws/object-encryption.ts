/**
 * The S3 calls of object remediation: UpdateObjectEncryption, and the HeadObject that reads an object
 * version's encryption together with what that operation promises to keep (ETag, LastModified, storage
 * class, size) and what may block it (Object Lock).
 *
 * UpdateObjectEncryption changes an object's encryption to SSE-KMS under another key (or turns its S3
 * Bucket Key on or off) "without any data movement", preserving "the storage class, creation date, last
 * modified date, ETag, and checksum properties"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html). Its only target is
 * SSE-KMS (the ObjectEncryption union has one member, SSEKMS) and KMSKeyArn must be a key ARN.
 */
import { HeadObjectCommand, UpdateObjectEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
import { isSseCObject } from './s3.js';

/** An object version as HeadObject answers it, in the fields object remediation compares. */
export interface ObjectEncryptionState {
  /** x-amz-server-side-encryption; null when absent (unencrypted, or SSE-C: see `customerKey`). */
  sse: string | null;
  /** The key ARN S3 reports for SSE-KMS / DSSE-KMS objects. */
  kmsKeyArn?: string;
  bucketKeyEnabled: boolean;
  /** SSE-C: S3 answered the HEAD with 400 (it needs the customer key). */
  customerKey?: true;
  etag?: string;
  /** ISO 8601, as S3's Last-Modified (one-second resolution). */
  lastModified?: string;
  /** STANDARD when S3 answers none (HeadObject omits x-amz-storage-class for STANDARD). */
  storageClass: string;
  size?: number;
  versionId?: string;
  /** Object Lock retention on this version, when S3 reports it (needs s3:GetObjectRetention). */
  lockMode?: string;
  lockRetainUntil?: string;
  /** ON when a legal hold is set (needs s3:GetObjectLegalHold to be reported). */
  legalHold?: string;
}

/** HeadObject of one version; an SSE-C object (400 without its key) is a state, not an error. */
export async function headObjectState(client: S3Client, bucket: string, key: string, versionId?: string): Promise<ObjectEncryptionState> {
  try {
    const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}) }));
    return {
      sse: out.ServerSideEncryption ?? null,
      ...(out.SSEKMSKeyId ? { kmsKeyArn: out.SSEKMSKeyId } : {}),
      bucketKeyEnabled: out.BucketKeyEnabled === true,
      ...(out.ETag ? { etag: out.ETag } : {}),
      ...(out.LastModified ? { lastModified: out.LastModified.toISOString() } : {}),
      storageClass: out.StorageClass ?? 'STANDARD',
      ...(out.ContentLength !== undefined ? { size: out.ContentLength } : {}),
      ...(out.VersionId ? { versionId: out.VersionId } : {}),
      ...(out.ObjectLockMode ? { lockMode: out.ObjectLockMode } : {}),
      ...(out.ObjectLockRetainUntilDate ? { lockRetainUntil: out.ObjectLockRetainUntilDate.toISOString() } : {}),
      ...(out.ObjectLockLegalHoldStatus ? { legalHold: out.ObjectLockLegalHoldStatus } : {}),
    };
  } catch (err) {
    // A HEAD of an SSE-C object without its key is a bare 400 (HeadObject API reference); the ranged
    // GetObject probe of the scan (isSseCObject) tells it from any other 400.
    const e = err as { $metadata?: { httpStatusCode?: number } };
    if (e?.$metadata?.httpStatusCode === 400 && (await isSseCObject(client, bucket, key, versionId))) {
      return { sse: null, customerKey: true, bucketKeyEnabled: false, storageClass: 'STANDARD', ...(versionId !== undefined ? { versionId } : {}) };
    }
    throw err;
  }
}

/** UpdateObjectEncryption to SSE-KMS under `keyArn` (a full key ARN), with the Bucket Key on or off. */
export async function updateObjectEncryption(
  client: S3Client,
  target: { bucket: string; key: string; versionId?: string; keyArn: string; bucketKeyEnabled: boolean; expectedOwner?: string },
): Promise<void> {
  await client.send(
    new UpdateObjectEncryptionCommand({
      Bucket: target.bucket,
      Key: target.key,
      ...(target.versionId !== undefined ? { VersionId: target.versionId } : {}),
      ...(target.expectedOwner !== undefined ? { ExpectedBucketOwner: target.expectedOwner } : {}),
      ObjectEncryption: { SSEKMS: { KMSKeyArn: target.keyArn, BucketKeyEnabled: target.bucketKeyEnabled } },
    }),
  );
}
