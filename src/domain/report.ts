import type { Finding, Severity, Status } from './finding.js';

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
  };
  summary: Summary;
  findings: Finding[];
  errors: RunError[];
}
