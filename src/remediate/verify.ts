/**
 * The read-back step shared by apply and rollback: read the bucket's configuration as S3 now
 * answers it, and turn the outcome of a change into the `error` of its journal result record.
 */
import { toFactError } from '../aws/errors.js';
import { getBucketEncryptionRaw } from '../aws/s3.js';
import type { AccountSession } from '../aws/session.js';
import type { FactError } from '../domain/facts.js';
import { describeState } from './configuration.js';
import { asJournalError } from './journal.js';
import { isFactError } from './plan.js';
import type { EncryptionState, JournalError } from './types.js';

/** GetBucketEncryption, raw; a failure is a FactError (never thrown), so callers record it. */
export async function readState(s3: ReturnType<AccountSession['s3']>, bucket: string): Promise<EncryptionState | FactError> {
  return getBucketEncryptionRaw(s3, bucket).catch((err: unknown) => toFactError(err, 'GetBucketEncryption'));
}

/**
 * Why a change is not verified, for its result record: the write's own failure first, then a
 * failed read-back, then a read-back that differs from what was written; undefined when verified.
 */
export function resultError(writeFailure: FactError | undefined, readBack: EncryptionState | FactError, verified: boolean): JournalError | undefined {
  if (writeFailure) return asJournalError(writeFailure);
  if (isFactError(readBack)) return asJournalError(readBack);
  if (verified) return undefined;
  return { code: 'VerificationMismatch', operation: 'GetBucketEncryption', message: `read back ${describeState(readBack)}` };
}
