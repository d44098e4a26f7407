/**
 * SSE-C, server-side encryption with a key the writer sends on every request: the three
 * x-amz-server-side-encryption-customer-* headers (or their x-amz-copy-source-… twins) validated as S3
 * validates them, the check a read of an SSE-C object makes, and the bucket's BlockedEncryptionTypes check
 * on writes. The headers are those of the User Guide, "Specifying server-side encryption with
 * customer-provided keys (SSE-C)": algorithm "AES256", the 256-bit key base64-encoded, and the base64 MD5
 * of the key "for a message integrity check".
 *
 * The codes and messages are S3's recorded answers (LocalStack's AWS-validated SSE-C snapshots; the MD5
 * mismatch also in aws/aws-cli#6906 and boto/boto3#684). SSE-C over plain HTTP, which S3 refuses, is not
 * modelled: the sandbox serves HTTP only.
 */
import { createHash } from 'node:crypto';
import type { SandboxBucket, SandboxObject } from '../model.js';
import { AwsError, header, type SandboxRequest } from '../protocol.js';
import { invalidArgument } from './errors.js';

export const CUSTOMER_HEADERS = 'x-amz-server-side-encryption-customer-';
export const COPY_SOURCE_CUSTOMER_HEADERS = 'x-amz-copy-source-server-side-encryption-customer-';

/** The request's SSE-C key, by the base64 MD5 that identifies it. */
export interface CustomerKey {
  md5: string;
}

const md5Base64 = (data: Buffer): string => createHash('md5').update(data).digest('base64');

/** The base64 MD5 of a base64 customer key, as the -key-MD5 header carries it (estates give keys this way). */
export const customerKeyMd5 = (base64Key: string): string => md5Base64(Buffer.from(base64Key, 'base64'));

/** True when the request carries any of the SSE-C headers under `prefix`. */
export const hasCustomerHeaders = (req: SandboxRequest, prefix: string = CUSTOMER_HEADERS): boolean =>
  ['algorithm', 'key', 'key-md5'].some((h) => header(req, prefix + h) !== undefined);

/**
 * The SSE-C key a request names under `prefix`, validated in S3's order; undefined when it sends none.
 * - with x-amz-server-side-encryption too → 400 InvalidArgument (checked first);
 * - an algorithm other than AES256 → 400 InvalidEncryptionAlgorithmError;
 * - a key or MD5 without an algorithm, an algorithm without a key → 400 InvalidArgument;
 * - an MD5 that is not the key's → 400 InvalidArgument, checked before the key's length (a 24-byte key with
 *   a wrong MD5 answers the MD5 message, aws/aws-sdk-go#1726);
 * - a key that is not 256 bits → 400 InvalidArgument "The secret key was invalid for the specified algorithm."
 * Without the MD5 header the key is taken as sent: S3's answer to that is not documented.
 */
export function customerKeyOf(req: SandboxRequest, prefix: string = CUSTOMER_HEADERS): CustomerKey | undefined {
  if (!hasCustomerHeaders(req, prefix)) return undefined;
  const algorithm = header(req, prefix + 'algorithm');
  const key = header(req, prefix + 'key');
  const md5 = header(req, prefix + 'key-md5');
  const sse = header(req, 'x-amz-server-side-encryption');
  if (prefix === CUSTOMER_HEADERS && sse !== undefined) {
    throw invalidArgument('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', 'x-amz-server-side-encryption', sse);
  }
  if (algorithm !== undefined && algorithm !== 'AES256') {
    throw new AwsError('InvalidEncryptionAlgorithmError', 400, 'The Encryption request you specified is not valid. Supported value: AES256.', {
      ArgumentName: 'x-amz-server-side-encryption',
      ArgumentValue: algorithm,
    });
  }
  if (algorithm === undefined) {
    throw invalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.', 'x-amz-server-side-encryption', 'null');
  }
  if (key === undefined) {
    throw invalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.', 'x-amz-server-side-encryption', 'null');
  }
  const bytes = Buffer.from(key, 'base64');
  const actual = md5Base64(bytes);
  if (md5 !== undefined && md5 !== actual) {
    throw invalidArgument('The calculated MD5 hash of the key did not match the hash that was provided.', 'x-amz-server-side-encryption', 'null');
  }
  if (bytes.length !== 32) throw invalidArgument('The secret key was invalid for the specified algorithm.', 'x-amz-server-side-encryption', 'null');
  return { md5: actual };
}

/**
 * A write that asks for SSE-C on a bucket whose BlockedEncryptionTypes lists SSE-C: 403 AccessDenied. "When
 * SSE-C is blocked for a bucket, any PutObject, CopyObject, PostObject, Multipart Upload, or replication
 * request that specifies SSE-C encryption will be rejected with an HTTP 403 AccessDenied error" (User Guide,
 * "Blocking or unblocking SSE-C for a general purpose bucket"); the message is the one the User Guide's
 * "Troubleshoot access denied (403 Forbidden) errors" quotes for it.
 */
export function assertSseCAllowed(req: SandboxRequest, bucket: SandboxBucket, action: string, key: string): void {
  if (!bucket.encryption?.blockedEncryptionTypes?.includes('SSE-C')) return;
  throw new AwsError(
    'AccessDenied',
    403,
    `User: ${req.principalArn} is not authorized to perform: s3:${action} on resource: "arn:aws:s3:::${bucket.name}/${key}" because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type`,
  );
}

/** The answer to a read of an SSE-C object without the key (GET, HEAD, or a copy source). */
const keyRequired = (): AwsError =>
  new AwsError('InvalidRequest', 400, 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');

/**
 * What a read (GetObject, HeadObject, a CopyObject source) of `object` with the request's SSE-C headers
 * under `prefix` gets, per the User Guide's "Specifying server-side encryption with customer-provided keys":
 * "When you retrieve an object, you must provide the same encryption key as part of your request. Amazon S3
 * first verifies that the encryption key that you provided matches". Recorded answers: no key for an SSE-C
 * object → 400 InvalidRequest (a HEAD shows only the 400, as its answer has no body); the wrong key → 403
 * AccessDenied; a key for an object that is not SSE-C → 400 InvalidRequest.
 */
export function checkCustomerKeyForRead(req: SandboxRequest, object: SandboxObject, prefix: string = CUSTOMER_HEADERS): void {
  const given = customerKeyOf(req, prefix);
  if (object.sse !== 'SSE-C') {
    if (given) throw new AwsError('InvalidRequest', 400, 'The encryption parameters are not applicable to this object.');
    return;
  }
  if (!given) throw keyRequired();
  if (given.md5 !== object.customerKeyMd5) {
    throw new AwsError('AccessDenied', 403, 'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.');
  }
}
