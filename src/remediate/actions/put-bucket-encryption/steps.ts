/**
 * The AWS steps of put-bucket-encryption, for apply and rollback (the generic code in src/remediate/
 * journals around them): re-checks before a change (the key preconditions again, key-preconditions.ts),
 * the write (PutBucketEncryption, or DeleteBucketEncryption to restore "none"), and the read-back that
 * verifies it, confirmed by describing the written key again (verify-key.ts).
 */
import { toFactError } from '../../../aws/errors.js';
import { deleteBucketEncryption, getBucketEncryptionRaw, putBucketEncryption } from '../../../aws/s3.js';
import type { AccountSession } from '../../../aws/session.js';
import { KeyResolver } from '../../../collect/keys.js';
import type { FactError } from '../../../domain/facts.js';
import type { ChangeSteps, RestoreSteps, WriteSteps } from '../../action.js';
import { asJournalError, isFactError, type ResourcePlace } from '../../types.js';
import { buildConfiguration, describeState, isSseS3Default, matchesRestored, sameConfiguration } from './configuration.js';
import { recheckTargetKey } from '../../key-preconditions.js';
import { noSession, refusedForNoSession, sessionMap } from '../../sessions.js';
import { ALLOWED_KEYS_RULE, CMK_RULE } from './descriptor.js';
import { writtenKeyProblem } from './verify-key.js';
import type { EncryptionState, PlannedChange } from './types.js';

export const RESTORED_DEFAULT_DETAIL = "restored to S3's default SSE-S3 — S3 can no longer have no configuration (DeleteBucketEncryption resets it to SSE-S3)";

type S3 = ReturnType<AccountSession['s3']>;

/** GetBucketEncryption, raw; a failure is a FactError (never thrown), so callers record it. */
export async function readState(s3: S3, bucket: string): Promise<EncryptionState | FactError> {
  return getBucketEncryptionRaw(s3, bucket).catch((err: unknown) => toFactError(err, 'GetBucketEncryption'));
}

function writeSteps(byAccount: ReadonlyMap<string, AccountSession>): WriteSteps<EncryptionState> {
  const s3Of = (p: ResourcePlace): S3 | undefined => byAccount.get(p.account)?.s3(p.region);
  return {
    async write(place, wanted) {
      const s3 = s3Of(place);
      if (!s3) return noSession(place.account, wanted === 'none' ? 'DeleteBucketEncryption' : 'PutBucketEncryption');
      return wanted === 'none'
        ? deleteBucketEncryption(s3, place.bucket).then(() => undefined, (err: unknown) => toFactError(err, 'DeleteBucketEncryption'))
        : putBucketEncryption(s3, place.bucket, wanted).then(() => undefined, (err: unknown) => toFactError(err, 'PutBucketEncryption'));
    },
    async read(place) {
      const s3 = s3Of(place);
      return s3 ? readState(s3, place.bucket) : noSession(place.account, 'GetBucketEncryption');
    },
    mismatch: (readBack) => ({ code: 'VerificationMismatch', operation: 'GetBucketEncryption', message: `read back ${describeState(readBack)}` }),
  };
}

export function changeSteps(sessions: readonly AccountSession[]): ChangeSteps<PlannedChange, EncryptionState> {
  const byAccount = sessionMap(sessions);
  const keys = new KeyResolver((account) => byAccount.get(account));
  const steps = writeSteps(byAccount);
  return {
    ...steps,
    async prepare(change) {
      const session = byAccount.get(change.account);
      if (!session) return refusedForNoSession(change.account, 'PutBucketEncryption');
      const inconsistency = checkAfterMatchesTarget(change);
      if (inconsistency) return { status: 'inconsistent', detail: inconsistency };
      const precondition = await recheckTargetKey(keys, change, { allowListRule: ALLOWED_KEYS_RULE, cmkRule: CMK_RULE });
      if (precondition) return precondition;
      const current = await readState(session.s3(change.region), change.bucket);
      if (isFactError(current)) return { status: 'failed', detail: `could not re-read the bucket: ${current.code}`, error: asJournalError(current) };
      if (!sameConfiguration(current, change.before)) {
        return { status: 'drifted', detail: `the bucket is now ${describeState(current)}, not ${describeState(change.before)} as planned` };
      }
      return { current };
    },
    verified: (readBack, change) => sameConfiguration(readBack, change.after),
    // "verified" also means S3 could encrypt with the key written: PutBucketEncryption does not check it.
    confirm: (readBack, change) => writtenKeyProblem((account) => byAccount.get(account), readBack, change.account, change.region),
  };
}

export function restoreSteps(sessions: readonly AccountSession[]): RestoreSteps<EncryptionState> {
  const byAccount = sessionMap(sessions);
  return {
    ...writeSteps(byAccount),
    async current(place) {
      const session = byAccount.get(place.account);
      if (!session) return refusedForNoSession(place.account, 'GetBucketEncryption');
      const current = await readState(session.s3(place.region), place.bucket);
      if (isFactError(current)) return { status: 'failed', detail: `could not read the bucket: ${current.code}`, error: asJournalError(current) };
      return { current };
    },
    matches: matchesRestored,
    // DeleteBucketEncryption leaves SSE-S3 on today's S3: the closest state to "none", not an exact restore.
    inexact: (wanted, readBack) => (wanted === 'none' && isSseS3Default(readBack) ? RESTORED_DEFAULT_DETAIL : undefined),
  };
}

/**
 * A saved plan is a file anyone can edit, and only `change.key.arn` is re-checked against KMS: the
 * document actually written is `change.after`. So `after` must be exactly what the planner builds from the
 * change's own target (a KMS algorithm, the re-checked key ARN, its Bucket Key flag, and what `before`
 * carries over); otherwise a stale or hand-edited plan could put another key, or AES256, on the bucket.
 * Returns why not, or undefined when it is.
 */
export function checkAfterMatchesTarget(change: PlannedChange): string | undefined {
  // Typed as a configuration, but read from a file: "none" or a malformed document must be refused too.
  const after = change.after as EncryptionState;
  if (after === 'none' || !Array.isArray(after.Rules) || after.Rules.length !== 1) {
    return `the plan's new configuration is not one rule (${describeState(after)}); the plan file was edited or is corrupt`;
  }
  const rule = after.Rules[0]!;
  const algorithm = rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  if (algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') {
    return `the plan's new configuration is ${describeState(after)}, not SSE-KMS with its target key ${change.key.arn}; the plan file was edited or is corrupt`;
  }
  const expected = buildConfiguration({ algorithm, keyArn: change.key.arn, bucketKeyEnabled: rule.BucketKeyEnabled === true }, change.before);
  if (sameConfiguration(after, expected)) return undefined;
  return `the plan's new configuration (${describeState(after)}) is not the one its target makes (${describeState(expected)}); the plan file was edited or is corrupt`;
}

