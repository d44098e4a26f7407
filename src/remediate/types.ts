/**
 * The remediation plan and the journal: plain JSON documents, versioned, written to disk and read back
 * (a saved plan is applied later; a journal is rolled back later). Schemas: src/schema/plan.schema.json
 * for the plan; the journal's records are checked by journal.ts as it reads them.
 */
import type { EncryptionState, RawEncryptionConfiguration, RawEncryptionRule } from '../aws/s3.js';
import type { Severity, Status } from '../domain/finding.js';

export type { EncryptionState, RawEncryptionConfiguration, RawEncryptionRule };

export const PLAN_SCHEMA_VERSION = 1;
export const PLAN_KIND = 's3-kms-audit/remediation-plan';
export const JOURNAL_VERSION = 1;

/** The remediation action id rules name in `remediation:` (docs/architecture.md "Rules are data"). */
export const PUT_BUCKET_ENCRYPTION = 'put-bucket-encryption';

/** A finding as the plan cites it: enough to recognise it in the scan report (same stable id). */
export interface PlanFinding {
  id: string;
  policy: string;
  rule: string;
  severity: Severity;
  status: Status;
  message: string;
}

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

export interface PlannedChange {
  /** Stable for the same bucket, account and new configuration. */
  id: string;
  account: string;
  region: string;
  bucket: string;
  arn: string;
  kind: ChangeKind;
  /** The configuration read when the plan was made, exactly as GetBucketEncryption answered ("none": no configuration). */
  before: EncryptionState;
  /** The document PutBucketEncryption will send. */
  after: RawEncryptionConfiguration;
  key: PlanKey;
  /** Policies whose remediation block chose the target (for a kept key: the policies whose settings apply). */
  policies: string[];
  /** Re-checked when applying: the key must still be customer managed. */
  requireCustomerManaged: boolean;
  /** Failing findings the new configuration passes (re-evaluated with the engine on the new facts). */
  fixes: PlanFinding[];
  /** Failing findings this change does not fix (for example a key without rotation): shown, not hidden. */
  stillFailing: PlanFinding[];
}

export type RefusalCode =
  | 'state-unknown'
  | 'no-target'
  | 'no-target-for-region'
  | 'conflicting-targets'
  | 'key-unreadable'
  | 'key-missing'
  | 'key-not-enabled'
  | 'key-unusable'
  | 'key-not-customer-managed'
  | 'key-wrong-region'
  | 'key-not-allowed'
  | 'would-still-fail'
  | 'would-break'
  | 'changed-since-scan';

export interface Refusal {
  account: string;
  region: string;
  bucket: string;
  arn: string;
  code: RefusalCode;
  /** One sentence per failed precondition, the first one being `code`'s. */
  reason: string;
  /** The findings the bucket would have needed fixed. */
  findings: PlanFinding[];
}

export interface RemediationPlan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  kind: typeof PLAN_KIND;
  tool: { name: 's3-kms-audit'; version: string };
  run: {
    id: string;
    created: string;
    policyFile: string;
    policyFileSha256: string;
    accounts: string[];
    /** false when some bucket could not be read: the plan may be missing changes (those buckets are refusals). */
    scanComplete: boolean;
    endpoint?: string;
  };
  limit: { maxChanges: number; exceeded: boolean };
  changes: PlannedChange[];
  refusals: Refusal[];
}

// ---------------------------------------------------------------------------------------------
// The journal: JSON Lines, one record per line, appended and fsynced before the next step.

export interface JournalError {
  code: string;
  operation: string;
  message: string;
}

interface RecordBase {
  v: typeof JOURNAL_VERSION;
  runId: string;
  seq: number;
  time: string;
}

export interface StartRecord extends RecordBase {
  phase: 'start';
  /** apply: a remediation run; rollback: the restore of another journal. */
  kind: 'apply' | 'rollback';
  tool: { name: 's3-kms-audit'; version: string };
  /** apply: the plan's run id; rollback: the journal being rolled back. */
  source: string;
  planned: number;
}

export interface IntentRecord extends RecordBase {
  phase: 'intent';
  account: string;
  region: string;
  bucket: string;
  /** Read just before the change, exactly as GetBucketEncryption answered. */
  before: EncryptionState;
  /** The configuration about to be written; "none" means DeleteBucketEncryption (rollback of a legacy bucket). */
  after: EncryptionState;
  /** The plan's change id (apply runs). */
  change?: string;
}

export interface ResultRecord extends RecordBase {
  phase: 'result';
  account: string;
  region: string;
  bucket: string;
  /** seq of the intent this result closes. */
  intent: number;
  /** The write call succeeded (or, after an ambiguous failure, the read-back shows it took effect). */
  applied: boolean;
  /**
   * The configuration read back equals `after` and, for an apply, S3 could encrypt with the key it names
   * (described again after the write; error code KeyUnusable when not).
   */
  verified: boolean;
  /** What GetBucketEncryption answered after the change (absent when it could not be read). */
  readBack?: EncryptionState;
  error?: JournalError;
}

export interface EndRecord extends RecordBase {
  phase: 'end';
  interrupted: boolean;
  summary: Record<string, number>;
}

export type JournalRecord = StartRecord | IntentRecord | ResultRecord | EndRecord;
