/**
 * The plan records of update-object-encryption: a change re-encrypts one stored object version under the
 * policy's target KMS key with UpdateObjectEncryption (no data is copied). `before` and `after` are the
 * object as HeadObject answers it; `after` differs from `before` only in the encryption fields, because
 * the operation keeps ETag, LastModified, storage class, size and checksums.
 */
import type { KeyRefusalCode } from '../../key-preconditions.js';
import type { ObjectEncryptionState } from '../../../aws/object-encryption.js';
import type { ChangeBase, ObjectRef } from '../../types.js';
import type { PlanKey } from '../put-bucket-encryption/types.js';

export type { ObjectEncryptionState, PlanKey };

/** The action id rules name in `remediation:` (S3's operation, UpdateObjectEncryption). */
export const UPDATE_OBJECT_ENCRYPTION = 'update-object-encryption';

export interface PlannedObjectChange extends ChangeBase {
  object: ObjectRef;
  before: ObjectEncryptionState;
  after: ObjectEncryptionState;
  key: PlanKey;
  /** Re-checked when applying: the key must still be customer managed. */
  requireCustomerManaged: boolean;
  /**
   * true when UpdateObjectEncryption cannot undo the change: the object was SSE-S3, and the operation's only
   * target is SSE-KMS. `remediate --apply` makes such changes only with --allow-irreversible.
   */
  irreversible: boolean;
}

export type ObjectRefusalCode =
  | 'state-unknown'
  | 'changed-since-scan'
  | 'object-unencrypted'
  | 'object-sse-c'
  | 'object-dsse-kms'
  | 'object-locked'
  | 'no-target'
  | 'no-target-for-region'
  | 'conflicting-targets'
  | 'target-not-sse-kms'
  | 'key-unreadable'
  | 'key-wrong-account'
  | KeyRefusalCode
  | 'would-still-fail';
