/**
 * The plan records of put-bucket-encryption: a change writes a bucket's default encryption configuration
 * (exactly as GetBucketEncryption answers it, "none" for no configuration).
 */
import type { KeyRefusalCode } from '../../key-preconditions.js';
import type { EncryptionState, RawEncryptionConfiguration, RawEncryptionRule } from '../../../aws/s3.js';
import type { ChangeBase, Refusal, RemediationPlan as Plan } from '../../types.js';

export type { EncryptionState, RawEncryptionConfiguration, RawEncryptionRule, Refusal };

/** The action id rules name in `remediation:`. */
export const PUT_BUCKET_ENCRYPTION = 'put-bucket-encryption';

/** The KMS key a change writes, as DescribeKey described it when the plan was made. */
export interface PlanKey {
  /** Written as KMSMasterKeyID: the full key ARN (see plan.ts for why). */
  arn: string;
  /** How the policy (or, for a kept key, the bucket) spelled it. */
  spelling: string;
  aliases: string[];
  account: string;
  region: string;
  manager: 'AWS' | 'CUSTOMER';
  state: string;
}

/**
 * `kept-key`: the bucket already uses an acceptable customer managed key and only other settings change
 * (typically the S3 Bucket Key); `policy-target`: the key named by the policy's remediation block.
 */
export type ChangeKind = 'kept-key' | 'policy-target';

export interface PlannedChange extends ChangeBase {
  kind: ChangeKind;
  /** The configuration read when the plan was made, exactly as GetBucketEncryption answered ("none": no configuration). */
  before: EncryptionState;
  /** The document PutBucketEncryption will send. */
  after: RawEncryptionConfiguration;
  key: PlanKey;
  /** Re-checked when applying: the key must still be customer managed. */
  requireCustomerManaged: boolean;
}

export type RefusalCode =
  | 'state-unknown'
  | 'no-target'
  | 'no-target-for-region'
  | 'conflicting-targets'
  | 'key-unreadable'
  | KeyRefusalCode
  | 'would-still-fail'
  | 'would-break'
  | 'changed-since-scan';

/** A plan whose changes are this action's. */
export type RemediationPlan = Plan<PlannedChange>;
