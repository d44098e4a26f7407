/**
 * The server-side encryption algorithms S3 knows (SSE-S3, SSE-KMS, DSSE-KMS) and the default every
 * bucket gets. The smallest piece of the encryption model, shared by bucket defaults, object
 * encryption and the KMS key checks.
 */
import type { ObjectSse, SandboxEncryption } from '../model.js';

/** The x-amz-server-side-encryption values: what a bucket default or a request header can name. */
export type Sse = SandboxEncryption['algorithm'];
const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
export const isSse = (v: string): v is Sse => SSE_ALGORITHMS.includes(v);
/** SSE-KMS or DSSE-KMS: the object's data key is under a KMS key (not SSE-S3, SSE-C or unencrypted). */
export const isKms = (sse: ObjectSse): boolean => sse === 'aws:kms' || sse === 'aws:kms:dsse';

/** What every new bucket gets, and what DeleteBucketEncryption resets to (SSE-S3 by default since 5 January 2023). */
export const DEFAULT_ENCRYPTION: SandboxEncryption = { algorithm: 'AES256', bucketKeyEnabled: false };

/**
 * What CreateBucket gives a new general purpose bucket: SSE-S3, and SSE-C blocked. "Starting April 2026,
 * Amazon S3 automatically disables server-side encryption with customer-provided keys (SSE-C) for all new
 * general purpose buckets" (User Guide, "Blocking or unblocking SSE-C for a general purpose bucket"); the
 * deployment started on 6 April 2026 and "All newly created buckets in all AWS Regions except Middle East
 * (Bahrain) and Middle East (UAE) will have SSE-C disabled by default" (User Guide, "Default SSE-C setting
 * for new buckets FAQ"). The sandbox models the state after the rollout, whatever the date.
 */
export function newBucketEncryption(region: string): SandboxEncryption {
  if (SSE_C_ALLOWED_FOR_NEW_BUCKETS.has(region)) return { ...DEFAULT_ENCRYPTION };
  return { ...DEFAULT_ENCRYPTION, blockedEncryptionTypes: ['SSE-C'] };
}
const SSE_C_ALLOWED_FOR_NEW_BUCKETS = new Set(['me-south-1', 'me-central-1']);
