/**
 * The verdict shared by apply and rollback: turn the outcome of a write and its read-back into the
 * `error` of the journal's result record.
 */
import type { FactError } from '../domain/facts.js';
import type { WriteSteps } from './action.js';
import { asJournalError, isFactError, type JournalError } from './types.js';

/**
 * Why a change is not verified, for its result record: the write's own failure first, then a
 * failed read-back, then a read-back that differs from what was written; undefined when verified.
 */
export function resultError<S>(steps: WriteSteps<S>, writeFailure: FactError | undefined, readBack: S | FactError, verified: boolean): JournalError | undefined {
  if (writeFailure) return asJournalError(writeFailure);
  if (isFactError(readBack)) return asJournalError(readBack);
  if (verified) return undefined;
  return steps.mismatch(readBack);
}
