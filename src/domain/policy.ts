import type { Severity } from './finding.js';
import type { ResourceType } from './rule.js';

export interface BucketScope {
  /** Bucket-name globs; default ["*"]. */
  include?: string[];
  exclude?: string[];
  /** Every listed tag must be present with a value matching the glob. */
  tags?: Record<string, string>;
  regions?: string[];
  accounts?: string[];
}

export interface PolicyRuleRef {
  id: string;
  severity?: Severity;
  params?: Record<string, unknown>;
}

export interface RemediationTarget {
  /** One key spelling, or a map region → key spelling. */
  kmsKeyId: string | Record<string, string>;
  bucketKeyEnabled?: boolean;
  algorithm?: 'aws:kms' | 'aws:kms:dsse';
}

export interface ObjectScanOptions {
  mode: 'sample' | 'full' | 'incremental';
  prefix?: string;
  limit?: number;
  sample?: number;
  seed?: number;
  versions?: boolean;
}

export interface Policy {
  name: string;
  description?: string;
  resource: ResourceType;
  scope: BucketScope;
  rules: PolicyRuleRef[];
  remediation?: RemediationTarget;
  objects?: ObjectScanOptions;
}

export interface PolicyException {
  /** Bucket-name glob, bucket ARN, or ARN glob. */
  resource: string;
  /** Rule ids; absent or ["*"] means every rule. */
  rules?: string[];
  /** Limit to these policies; absent means every policy. */
  policies?: string[];
  reason: string;
  /** YYYY-MM-DD (end of that day, UTC) or an ISO timestamp. */
  expires?: string;
}

export interface PolicyFile {
  version: 1;
  /** Absolute or relative path it was loaded from. */
  path: string;
  /** sha256 of the file's bytes, for the report's run header. */
  sha256: string;
  policies: Policy[];
  exceptions: PolicyException[];
}
