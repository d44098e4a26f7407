/**
 * The remediation plan and the journal: plain JSON documents, versioned, written to disk and read back
 * (a saved plan is applied later; a journal is rolled back later). Schemas: src/schema/plan.schema.json
 * for the plan; the journal's records are checked by journal.ts as it reads them.
 *
 * These types are the same for every remediation action: a change and a journal intent name the action
 * that made them (`action`), and hold the resource's state before and after in the action's own shape.
 * Plans and journals written before actions had ids carry no `action`: the registry's legacy default
 * (src/remediate/actions/index.ts) made them.
 */
import type { FactError } from '../domain/facts.js';
import type { Severity, Status } from '../domain/finding.js';

export const PLAN_SCHEMA_VERSION = 1;
export const PLAN_KIND = 's3-kms-audit/remediation-plan';
export const JOURNAL_VERSION = 1;

/** A finding as the plan cites it: enough to recognise it in the scan report (same stable id). */
export interface PlanFinding {
  id: string;
  policy: string;
  rule: string;
  severity: Severity;
  status: Status;
  message: string;
}

/** The object an object-level action changes, within its bucket. */
export interface ObjectRef {
  key: string;
  versionId?: string;
}

/** Where a change acts: a bucket, or one object in it. */
export interface ResourcePlace {
  account: string;
  region: string;
  bucket: string;
  /** Object-level actions only. */
  object?: ObjectRef;
}

/** What every planned change has, whatever its action. */
export interface ChangeBase extends ResourcePlace {
  /** Stable for the same resource and new state. */
  id: string;
  /** The action that makes the change; absent in plans written before actions had ids. */
  action?: string;
  arn: string;
  /** The resource's state read when the plan was made, in the action's shape. */
  before: unknown;
  /** The state the action writes. */
  after: unknown;
  /** Policies whose remediation block chose the target. */
  policies: string[];
  /** Failing findings the new state passes (re-evaluated with the engine on the new facts). */
  fixes: PlanFinding[];
  /** Failing findings this change does not fix: shown, not hidden. */
  stillFailing: PlanFinding[];
  /**
   * The action cannot undo this change (rollback cannot restore `before`); `remediate --apply` makes it only
   * with --allow-irreversible. Absent: reversible.
   */
  irreversible?: boolean;
}

export interface Refusal extends ResourcePlace {
  /** The action that refused; absent in plans written before actions had ids. */
  action?: string;
  arn: string;
  /** Why, as a code the action defines (src/schema/plan.schema.json lists them). */
  code: string;
  /** One sentence per failed precondition, the first one being `code`'s. */
  reason: string;
  /** The findings the resource would have needed fixed. */
  findings: PlanFinding[];
}

export interface RemediationPlan<C extends ChangeBase = ChangeBase> {
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
  /**
   * maxChanges bounds the changes of resources that are not objects; maxObjectChanges (when set) bounds
   * object changes, which come by the thousand. `exceeded`: either is exceeded.
   */
  limit: { maxChanges: number; exceeded: boolean; maxObjectChanges?: number };
  changes: C[];
  refusals: Refusal[];
}

/** A FactError, as opposed to facts or a state read from AWS. */
export const isFactError = (v: unknown): v is FactError =>
  typeof v === 'object' && v !== null && 'operation' in v && 'code' in v && !('exists' in v);

// ---------------------------------------------------------------------------------------------
// The journal: JSON Lines, one record per line, appended and fsynced before the next step.

export interface JournalError {
  code: string;
  operation: string;
  message: string;
}

/** A journal keeps only the code, operation and message of an AWS failure: never request details. */
export const asJournalError = (e: FactError): JournalError => ({ code: e.code, operation: e.operation, message: e.message });

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

export interface IntentRecord extends RecordBase, ResourcePlace {
  phase: 'intent';
  /** The action whose state `before` and `after` are; absent in journals written before actions had ids. */
  action?: string;
  /** Read just before the change, exactly as the service answered. */
  before: unknown;
  /** The state about to be written (the action defines how it is written, e.g. a delete for "none"). */
  after: unknown;
  /** The plan's change id (apply runs). */
  change?: string;
}

export interface ResultRecord extends RecordBase, ResourcePlace {
  phase: 'result';
  /** seq of the intent this result closes. */
  intent: number;
  /** The write call succeeded (or, after an ambiguous failure, the read-back shows it took effect). */
  applied: boolean;
  /**
   * The state read back equals `after` and, for an apply, the action's confirmation after the read-back
   * found nothing wrong (the bucket encryption action: S3 could encrypt with the key the configuration names,
   * described again after the write; error code KeyUnusable when not).
   */
  verified: boolean;
  /** What the service answered after the change (absent when it could not be read). */
  readBack?: unknown;
  error?: JournalError;
}

export interface EndRecord extends RecordBase {
  phase: 'end';
  interrupted: boolean;
  summary: Record<string, number>;
}

export type JournalRecord = StartRecord | IntentRecord | ResultRecord | EndRecord;
