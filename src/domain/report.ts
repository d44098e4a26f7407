import type { Finding, ResourceRef, Severity, Status } from './finding.js';
import type { Shard } from './shard.js';
import type { AccountsSection } from './accounts.js';

export interface RunError {
  account?: string;
  region?: string;
  bucket?: string;
  operation: string;
  code: string;
  message: string;
}

export interface GateResult {
  failOn: Severity | 'none';
  allowIncomplete: boolean;
  passed: boolean;
  /** Exit code the gate decided: 0 passed, 1 findings at or above failOn, 3 incomplete. */
  exitCode: 0 | 1 | 3;
  reason: string;
  /** Present (true) when --fail-on-new limited the gate to fail findings new since the baseline. */
  failOnNew?: boolean;
}

export interface Summary {
  total: number;
  byStatus: Record<Status, number>;
  /** Non-passing counts by severity (fail + error), and full status split per severity. */
  bySeverity: Record<Severity, Record<Status, number>>;
  byPolicy: Record<string, Record<Status, number>>;
  byRule: Record<string, Record<Status, number>>;
  buckets: number;
  gate: GateResult;
}

/** The JSON report (schemaVersion 1). Schema: src/schema/report.schema.json. */
export interface AuditReport {
  schemaVersion: 1;
  tool: { name: 's3-kms-audit'; version: string };
  run: {
    id: string;
    start: string;
    end: string;
    policyFile: string;
    policyFileSha256: string;
    rulesDirs: string[];
    accounts: string[];
    regions: string[];
    complete: boolean;
    endpoint?: string;
    /** Present on the partial report of a sharded scan (`scan --shard I/N`); `merge` removes it. */
    shard?: ShardInfo;
  };
  summary: Summary;
  findings: Finding[];
  errors: RunError[];
  /** Present when object policies ran: per-bucket object scan counts. */
  objects?: ObjectsSection;
  /**
   * Metadata of every rule the policy file uses (id → title, description, fix…), so a saved report
   * can be re-rendered (`s3-kms-audit report`) without the rule files. Optional: older reports lack it.
   */
  rules?: Record<string, RuleInfo>;
  /** The comparison with an earlier report (`--baseline`), by finding id. */
  diff?: ReportDiff;
  /** Many-account runs (--organization, --accounts): each selected account and what became of it. */
  accounts?: AccountsSection;
}

/** Which shard of which run a partial report is (src/domain/shard.ts). */
export interface ShardInfo extends Shard {
  /**
   * SHA-256 of what makes parts belong to the same run: tool version, policy file hash, rules hash, N,
   * accounts, home region, endpoint and the run id when one was given (runKeyOf).
   */
  runKey: string;
  /** SHA-256 of the loaded rules' content (rulesDigest), so merge can say "the rules differ". */
  rulesSha256: string;
  /** The run-level errors of this shard (errors[] less the causes of error outcomes), so merge can recompute the gate. */
  runErrors: RunError[];
}

/** What the renderers need of a rule: the text people read, not the logic. */
export interface RuleInfo {
  title: string;
  description: string;
  /** How to fix it by hand. */
  fix?: string;
  /** The rule's default severity (a policy may override it per finding). */
  severity: Severity;
  resource: 'bucket' | 'object';
  /** The remediation action id, when the rule has one. */
  remediation?: string;
}

/** A finding's status in one of the two reports, or `absent` when that report has no such finding. */
export type DiffState = Status | 'absent';

/** One finding that changed between the baseline and this run. */
export interface DiffEntry {
  id: string;
  policy: string;
  rule: string;
  severity: Severity;
  resource: ResourceRef;
  before: DiffState;
  after: DiffState;
}

/**
 * This run against a baseline report, by finding id (stable across runs). "Failing" means status
 * `fail`: `new` are fail now and not fail in the baseline; `resolved` were fail and are now pass,
 * skip, excepted or absent; `stillFailing` counts fail in both; `unknown` counts baseline fails that
 * are `error` now, or absent where this run could not have seen them (an account that was not
 * scanned, an object not evaluated): neither fixed nor known to be broken.
 */
export interface ReportDiff {
  baseline: {
    runId: string;
    start: string;
    policyFileSha256: string;
    /** false when the baseline came from a different policy file: compared anyway, with a warning. */
    samePolicyFile: boolean;
    byStatus: Record<Status, number>;
  };
  new: DiffEntry[];
  resolved: DiffEntry[];
  stillFailing: number;
  unknown: number;
}

/** How one bucket's objects were scanned for one group of object policies (same `objects` options). */
export interface ObjectBucketScan {
  account: string;
  region: string;
  bucket: string;
  /** The object policies evaluated on these objects. */
  policies: string[];
  mode: 'sample' | 'full' | 'incremental' | 'metadata' | 'inventory';
  prefix?: string;
  versions: boolean;
  /** Objects (or versions) listed; delete markers are not objects and are not counted. */
  listed: number;
  /** Objects evaluated: the sample, or every listed object up to `limit`. */
  selected: number;
  /** HeadObject calls that answered. */
  inspected: number;
  /** incremental: unchanged since the state file, evaluated from the facts recorded there (no HeadObject). */
  skipped: number;
  /** Listed, then gone before HeadObject (404): deleted while the scan ran. */
  vanished: number;
  /** Objects whose facts could not be read (their outcomes are `error`). */
  unreadable: number;
  /** Object outcomes (object × policy × rule) by status. */
  outcomes: Record<Status, number>;
  /** false when the listing stopped early (its error is in errors[]). */
  complete: boolean;
  /** incremental only: whether a state file was used, and if not, why. */
  state?: { status: 'used' | 'none' | 'invalid'; path: string; note?: string };
  /** metadata mode only: see MetadataScanInfo. */
  metadata?: MetadataScanInfo;
  /** inventory only: which report was read, and what it could not decide. */
  inventory?: InventoryScanInfo;
}

/**
 * A metadata-mode bucket scan: no object is listed or inspected; one Athena query over the live inventory
 * table groups the current objects by encryption. `listed` and `selected` count the objects the table
 * holds; `groups` the distinct (encryption, key, Bucket Key) groups evaluated. `dataScannedBytes` is what
 * Athena bills for (Statistics.DataScannedInBytes of every query run for the bucket).
 */
export interface MetadataScanInfo {
  /** "catalog"."namespace"."table" as queried. */
  table: string;
  queryExecutionIds: string[];
  dataScannedBytes: number;
  groups: number;
  /** --export-manifest: the UNLOAD location of the failing objects' Batch Operations manifest, and how many objects it lists. */
  manifest?: { location: string; objects: number };
}

/** What an inventory-mode scan read (docs/object-audits.md, "Objects at scale: S3 Inventory"). */
export interface InventoryScanInfo {
  /** The inventory configuration id. */
  configurationId?: string;
  /** s3://destination-bucket/prefix of the reports. */
  destination?: string;
  /** When S3 began the report (the YYYY-MM-DDTHH-MMZ folder), ISO 8601; absent when none was found. */
  reportDate?: string;
  /** Age of the report at evaluation time, in hours. */
  ageHours?: number;
  format?: string;
  /** Current | All (IncludedObjectVersions). */
  includedVersions?: string;
  /** manifest (manifest.json, MD5 checked) or hive (symlink.txt: no checksums to check). */
  layout?: 'manifest' | 'hive';
  dataFiles: number;
  /** Data files this process read (all of them, or this shard's). */
  dataFilesRead: number;
  /** The shard of the data files this process read, when sharded. */
  shard?: { index: number; count: number };
  rows: number;
  /**
   * How the rules that need each object's KMS key were decided: `headed` SSE-KMS objects had their key read
   * with HeadObject (keyCheck sample); `notDecided` did not and have `error` outcomes for those rules.
   */
  keyCheck?: { sample: number; headed: number; notDecided: number };
  /** Set when the scan listed the bucket instead (fallback: list): why the report could not be used. */
  fallback?: string;
  /** Why the report could not be used (stale, missing, corrupt, ORC, …); the scan is then incomplete. */
  problem?: string;
}

/** The object-level part of the report (docs/architecture.md: non-pass outcomes one by one, passes counted per bucket). */
export interface ObjectsSection {
  /** Every object outcome, one JSON finding per line (`<name>.objects.jsonl`), when written. */
  jsonl?: string;
  /** The cap on object findings kept in findings[] (--max-object-findings). */
  maxFindings: number;
  /** Non-passing (fail, error, excepted) object findings kept in findings[]. */
  findingsListed: number;
  /** Non-passing object findings left out of findings[] by the cap (they are in the JSONL). */
  findingsOmitted: number;
  /** --export-manifest: the S3 Batch Operations manifest of failing objects. */
  manifest?: { path: string; objects: number; versionIds: boolean };
  buckets: ObjectBucketScan[];
}

/** Outcome counts by status, severity, policy and rule (object outcomes counted, not listed). */
export interface OutcomeCounts {
  total: number;
  byStatus: Record<Status, number>;
  bySeverity: Record<Severity, Record<Status, number>>;
  byPolicy: Record<string, Record<Status, number>>;
  byRule: Record<string, Record<Status, number>>;
}
