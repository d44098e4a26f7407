/**
 * The AWS steps of update-object-encryption, for apply and rollback (the generic code in src/remediate/
 * journals around them): the re-checks before a change (the target key again, the object still exactly
 * as planned — same encryption, ETag, LastModified, storage class, size, version — and not locked), the
 * write (UpdateObjectEncryption, for the object version planned) and the HeadObject read-back that
 * verifies it: the new key and Bucket Key, and everything S3 promises to keep unchanged.
 *
 * Rollback writes the previous key back with the same operation. A previous state that is not SSE-KMS
 * (SSE-S3) cannot be requested from UpdateObjectEncryption: such a restore is refused as irreversible,
 * never attempted.
 */
import { toFactError } from '../../../aws/errors.js';
import { headObjectState, updateObjectEncryption } from '../../../aws/object-encryption.js';
import type { AccountSession } from '../../../aws/session.js';
import { KeyResolver } from '../../../collect/keys.js';
import type { ChangeSteps, RestoreSteps, WriteSteps } from '../../action.js';
import { asJournalError, isFactError, type ResourcePlace } from '../../types.js';
import { recheckTargetKey } from '../../key-preconditions.js';
import { noSession, refusedForNoSession, sessionMap } from '../../sessions.js';
import { OBJECT_ALLOWED_KEYS_RULE, OBJECT_CMK_RULE } from './descriptor.js';
import { lockReason } from './plan.js';
import { describeEncryption, describeObjectState, identityDifferences, sameEncryption, sameObjectState } from './state.js';
import type { ObjectEncryptionState, PlannedObjectChange } from './types.js';

type S3 = ReturnType<AccountSession['s3']>;

/** Why this state cannot be written by UpdateObjectEncryption (only SSE-KMS under a key ARN can); undefined when it can. */
export function unwritable(wanted: ObjectEncryptionState): string | undefined {
  if (wanted.sse === 'aws:kms' && wanted.kmsKeyArn !== undefined) return undefined;
  return `it was ${describeEncryption(wanted)}, and UpdateObjectEncryption can only change an object to SSE-KMS: the change is irreversible with this operation`;
}

function writeSteps(byAccount: ReadonlyMap<string, AccountSession>): WriteSteps<ObjectEncryptionState> {
  const s3Of = (p: ResourcePlace): S3 | undefined => byAccount.get(p.account)?.s3(p.region);
  return {
    async write(place, wanted) {
      const s3 = s3Of(place);
      if (!s3) return noSession(place.account, 'UpdateObjectEncryption');
      const why = unwritable(wanted);
      if (why) return { code: 'Irreversible', operation: 'UpdateObjectEncryption', message: why };
      return updateObjectEncryption(s3, {
        bucket: place.bucket,
        key: place.object!.key,
        ...(place.object!.versionId !== undefined ? { versionId: place.object!.versionId } : {}),
        keyArn: wanted.kmsKeyArn!,
        bucketKeyEnabled: wanted.bucketKeyEnabled,
        // The bucket must still belong to the account the plan was made for (403 otherwise).
        expectedOwner: place.account,
      }).then(
        () => undefined,
        (err: unknown) => toFactError(err, 'UpdateObjectEncryption'),
      );
    },
    async read(place) {
      const s3 = s3Of(place);
      if (!s3) return noSession(place.account, 'HeadObject');
      return headObjectState(s3, place.bucket, place.object!.key, place.object!.versionId).catch((err: unknown) => toFactError(err, 'HeadObject'));
    },
    mismatch: (readBack) => ({ code: 'VerificationMismatch', operation: 'HeadObject', message: `read back ${describeObjectState(readBack)}` }),
  };
}

/**
 * A saved plan is a file anyone can edit: `after` must be exactly `before` with the change's own key and
 * an SSE-KMS algorithm, or a hand-edited plan could point the object at another key. Returns why not.
 */
export function checkAfterMatchesTarget(change: PlannedObjectChange): string | undefined {
  const { before, after } = change;
  if (!change.object) return 'the change names no object; the plan file was edited or is corrupt';
  if (after.sse !== 'aws:kms' || after.kmsKeyArn !== change.key.arn) {
    return `the plan's new encryption (${describeEncryption(after)}) is not SSE-KMS with its target key ${change.key.arn}; the plan file was edited or is corrupt`;
  }
  const kept = identityDifferences(before, after);
  if (kept.length > 0) return `the plan's new object differs from the old one in what S3 keeps (${kept.join(', ')}); the plan file was edited or is corrupt`;
  if (change.irreversible !== (before.sse === 'AES256')) return 'the plan marks this change reversible when it is not (or the other way round); the plan file was edited or is corrupt';
  return undefined;
}

export function changeSteps(sessions: readonly AccountSession[]): ChangeSteps<PlannedObjectChange, ObjectEncryptionState> {
  const byAccount = sessionMap(sessions);
  const keys = new KeyResolver((account) => byAccount.get(account));
  const steps = writeSteps(byAccount);
  return {
    ...steps,
    async prepare(change) {
      if (!byAccount.has(change.account)) return refusedForNoSession(change.account, 'UpdateObjectEncryption');
      const inconsistency = checkAfterMatchesTarget(change);
      if (inconsistency) return { status: 'inconsistent', detail: inconsistency };
      const precondition = await recheckTargetKey(keys, change, { allowListRule: OBJECT_ALLOWED_KEYS_RULE, cmkRule: OBJECT_CMK_RULE });
      if (precondition) return precondition;
      const current = await steps.read(change);
      if (isFactError(current)) return { status: 'failed', detail: `could not re-read the object: ${current.code}`, error: asJournalError(current) };
      if (!sameObjectState(current, change.before)) {
        return { status: 'drifted', detail: `the object is now ${describeObjectState(current)}, not ${describeObjectState(change.before)} as planned` };
      }
      // A retention or legal hold set since the plan: S3 would refuse the change (AccessDenied).
      const locked = lockReason(current, new Date());
      if (locked) return { status: 'precondition', detail: `object-locked: ${locked}` };
      return { current };
    },
    verified: (readBack, change) => sameObjectState(readBack, change.after),
  };
}

export function restoreSteps(sessions: readonly AccountSession[]): RestoreSteps<ObjectEncryptionState> {
  const byAccount = sessionMap(sessions);
  const steps = writeSteps(byAccount);
  return {
    ...steps,
    async current(place) {
      const current = await steps.read(place);
      if (isFactError(current)) return { status: 'failed', detail: `could not read the object: ${current.code}`, error: asJournalError(current) };
      return { current };
    },
    // The object is the journaled one (same ETag, LastModified, …) with the wanted encryption.
    matches: (current, wanted) => sameEncryption(current, wanted) && identityDifferences(current, wanted).length === 0,
    inexact: () => undefined,
    irreversible: (wanted) => unwritable(wanted),
  };
}

