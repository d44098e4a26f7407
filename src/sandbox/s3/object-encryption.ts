/**
 * The encryption a new object gets (request SSE headers, else the bucket default) and the
 * x-amz-server-side-encryption* headers that describe an object's encryption on answers. Shared by
 * PutObject, CopyObject, GetObject and HeadObject.
 */
import type { Estate, ObjectSse, SandboxBucket, SandboxKey } from '../model.js';
import { header, type SandboxRequest } from '../protocol.js';
import { assertSseCAllowed, customerKeyOf } from './customer-key.js';
import { invalidArgument } from './errors.js';
import { keyForEncryption } from './kms-keys.js';
import { DEFAULT_ENCRYPTION, isKms, isSse, type Sse } from './sse.js';

export interface TargetEncryption {
  sse: Sse | 'SSE-C';
  key?: SandboxKey;
  bucketKeyEnabled: boolean;
  /** SSE-C: the base64 MD5 of the writer's key. */
  customerKeyMd5?: string;
}

/**
 * The encryption a new object gets (PutObject, CopyObject destination): the request's SSE headers,
 * else the bucket's default, else SSE-S3 — S3 encrypts every new object since January 2023.
 * - aws:kms without a key id uses aws/s3 (PutObject API reference).
 * - Without the bucket-key header, an SSE-KMS object follows the bucket's BucketKeyEnabled
 *   (User Guide, "Configuring an S3 Bucket Key at the object level").
 * - Bucket Keys exist only for SSE-KMS: not SSE-S3, not DSSE-KMS (User Guide, bucket-key).
 */
export function targetEncryption(req: SandboxRequest, estate: Estate, bucket: SandboxBucket, write: { action: string; key: string }): TargetEncryption {
  // SSE-C replaces every other encryption the request or the bucket default could give.
  const customerKey = customerKeyOf(req);
  if (customerKey) {
    assertSseCAllowed(req, bucket, write.action, write.key);
    return { sse: 'SSE-C', bucketKeyEnabled: false, customerKeyMd5: customerKey.md5 };
  }
  const sseHeader = header(req, 'x-amz-server-side-encryption');
  const keyHeader = header(req, 'x-amz-server-side-encryption-aws-kms-key-id');
  const bucketKeyHeader = header(req, 'x-amz-server-side-encryption-bucket-key-enabled');
  if (sseHeader !== undefined && !isSse(sseHeader)) {
    // Recorded answer for an unsupported value (aws/aws-sdk-cpp#1771).
    throw invalidArgument('The encryption method specified is not supported', 'x-amz-server-side-encryption', sseHeader);
  }
  if (keyHeader !== undefined && (sseHeader === undefined || sseHeader === 'AES256')) {
    // Recorded answer, aws/aws-cli#1431.
    throw invalidArgument(
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      'x-amz-server-side-encryption',
      sseHeader ?? 'null',
    );
  }
  if (bucketKeyHeader !== undefined && !/^(true|false)$/i.test(bucketKeyHeader)) {
    throw invalidArgument('The value of x-amz-server-side-encryption-bucket-key-enabled must be true or false', 'x-amz-server-side-encryption-bucket-key-enabled', bucketKeyHeader);
  }
  const defaults = bucket.encryption ?? DEFAULT_ENCRYPTION;
  const sse: Sse = sseHeader ?? defaults.algorithm;
  const spelling = sseHeader !== undefined ? keyHeader : defaults.kmsKeyId;
  const bucketKey = bucketKeyHeader !== undefined ? bucketKeyHeader.toLowerCase() === 'true' : defaults.bucketKeyEnabled;
  if (sse === 'AES256') return { sse, bucketKeyEnabled: false };
  const key = keyForEncryption(estate, bucket, spelling, req.account.id);
  return { sse, key, bucketKeyEnabled: sse === 'aws:kms' && bucketKey };
}

/**
 * x-amz-server-side-encryption* response headers: the key always as its full ARN, bucket key only when on.
 * An SSE-C object answers the customer algorithm and key MD5 instead ("If server-side encryption with a
 * customer-provided encryption key was requested, the response will include this header", PutObject and
 * HeadObject API reference), and no x-amz-server-side-encryption; an object stored unencrypted before 2023
 * answers none of them.
 */
export function sseHeaders(o: { sse: ObjectSse; kmsKeyArn?: string; bucketKeyEnabled: boolean; customerKeyMd5?: string }): Record<string, string> {
  if (o.sse === null) return {};
  if (o.sse === 'SSE-C') {
    return { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': o.customerKeyMd5 ?? '' };
  }
  const h: Record<string, string> = { 'x-amz-server-side-encryption': o.sse };
  if (isKms(o.sse) && o.kmsKeyArn) h['x-amz-server-side-encryption-aws-kms-key-id'] = o.kmsKeyArn;
  // S3 leaves the header out when the bucket key is off (LocalStack AWS-validated snapshots).
  if (o.bucketKeyEnabled) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return h;
}
