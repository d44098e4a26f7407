import { compareText } from './text.js';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export type Status = 'pass' | 'fail' | 'error' | 'skip' | 'excepted';
export const STATUSES: readonly Status[] = ['pass', 'fail', 'error', 'skip', 'excepted'];

export interface ResourceRef {
  type: 'bucket' | 'object';
  arn: string;
  account: string;
  region: string;
  bucket: string;
  key?: string;
  versionId?: string;
}

export interface Finding {
  /** Stable across runs: hash of (account, resource ARN, policy, rule). */
  id: string;
  policy: string;
  rule: string;
  severity: Severity;
  status: Status;
  resource: ResourceRef;
  message: string;
  evidence: Record<string, unknown>;
  /** For `error`: the cause (code, operation, message). */
  cause?: { code: string; operation: string; message: string };
  /** Set when an exception matched: active (status excepted) or expired (status stays fail). */
  exception?: { reason: string; expires?: string; expired: boolean };
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Deterministic order: account, bucket, object key, version, policy, rule (then id as a tie-break). */
export function compareFindings(a: Pick<Finding, 'resource' | 'policy' | 'rule' | 'id'>, b: Pick<Finding, 'resource' | 'policy' | 'rule' | 'id'>): number {
  return (
    compareText(a.resource.account, b.resource.account) ||
    compareText(a.resource.bucket, b.resource.bucket) ||
    compareText(a.resource.key ?? '', b.resource.key ?? '') ||
    compareText(a.resource.versionId ?? '', b.resource.versionId ?? '') ||
    compareText(a.policy, b.policy) ||
    compareText(a.rule, b.rule) ||
    compareText(a.id, b.id)
  );
}
