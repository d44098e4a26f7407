/** Small builders for findings and reports used by the report and CLI unit tests. */
import type { Finding, Severity, Status } from '../../src/domain/finding.js';
import type { AuditReport, RunError } from '../../src/domain/report.js';
import { buildReport } from '../../src/run/report.js';
import type { GateOptions } from '../../src/engine/gate.js';

let counter = 0;

export function finding(over: Partial<Omit<Finding, 'resource'>> & { bucket?: string; account?: string; region?: string } = {}): Finding {
  const bucket = over.bucket ?? 'bucket-a';
  const account = over.account ?? '111122223333';
  const region = over.region ?? 'us-east-1';
  counter += 1;
  const f: Finding = {
    id: over.id ?? `id${String(counter).padStart(30, '0')}`,
    policy: over.policy ?? 'baseline',
    rule: over.rule ?? 's3-bucket-sse-kms',
    severity: over.severity ?? 'high',
    status: over.status ?? 'pass',
    resource: { type: 'bucket', arn: `arn:aws:s3:::${bucket}`, account, region, bucket },
    message: over.message ?? `${bucket}: ok`,
    evidence: over.evidence ?? {},
  };
  if (over.cause) f.cause = over.cause;
  if (over.exception) f.exception = over.exception;
  if (f.status === 'error' && !f.cause) f.cause = { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' };
  if (f.status === 'excepted' && !f.exception) f.exception = { reason: 'approved', expires: '2999-01-01', expired: false };
  return f;
}

export const failing = (severity: Severity, extra: Partial<Finding> & { bucket?: string } = {}): Finding =>
  finding({ ...extra, status: 'fail', severity });

export const withStatus = (status: Status, extra: Partial<Finding> & { bucket?: string } = {}): Finding =>
  finding({ ...extra, status });

export function report(
  findings: Finding[],
  errors: RunError[] = [],
  gate: GateOptions = { failOn: 'high', allowIncomplete: false },
): AuditReport {
  return buildReport({
    toolVersion: '9.9.9',
    run: {
      id: 'run-1',
      start: '2025-01-02T03:04:05.000Z',
      end: '2025-01-02T03:04:07.500Z',
      policyFile: 'policies.yaml',
      policyFileSha256: 'a'.repeat(64),
      rulesDirs: ['/x/rules'],
      accounts: [...new Set(findings.map((f) => f.resource.account))],
      regions: [...new Set(findings.map((f) => f.resource.region))],
    },
    findings,
    errors,
    gate,
  });
}
