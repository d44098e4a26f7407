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
