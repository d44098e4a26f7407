/**
 * The server-side encryption algorithms S3 knows (SSE-S3, SSE-KMS, DSSE-KMS) and the default every
 * bucket gets. The smallest piece of the encryption model, shared by bucket defaults, object
 * encryption and the KMS key checks.
 */
import type { SandboxEncryption, SandboxObject } from '../model.js';

export type Sse = SandboxObject['sse'];
const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
export const isSse = (v: string): v is Sse => SSE_ALGORITHMS.includes(v);
export const isKms = (sse: Sse): boolean => sse !== 'AES256';

/** What every new bucket gets, and what DeleteBucketEncryption resets to (SSE-S3 by default since 5 January 2023). */
export const DEFAULT_ENCRYPTION: SandboxEncryption = { algorithm: 'AES256', bucketKeyEnabled: false };
