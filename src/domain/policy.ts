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
  /**
   * sample: N objects per bucket · full: every object · incremental: only objects new or changed since the
   * last run · metadata: every current object, from the bucket's S3 Metadata live inventory table through Athena ·
   * inventory: every object from the bucket's newest S3 Inventory report (no request per object).
   */
  mode: 'sample' | 'full' | 'incremental' | 'metadata' | 'inventory';
  /** Only keys starting with this (ListObjectsV2 / ListObjectVersions Prefix). */
  prefix?: string;
  /** At most this many objects (or versions) listed per bucket. */
  limit?: number;
  /** sample mode: how many objects per bucket (default 100). */
  sample?: number;
  /** sample mode: the newest N by LastModified (default), or a reproducible random N. */
  sampleStrategy?: 'newest' | 'random';
  /** random sampling: the same seed picks the same objects (default 0). */
  seed?: number;
  /** true: walk ListObjectVersions and check non-current versions too. */
  versions?: boolean;
  /** HeadObject calls in flight for one bucket (default 32), under the run-wide --concurrency bound. */
  bucketConcurrency?: number;
  /** inventory: the inventory configuration to read (default: the bucket's only one, or the first in id order). */
  inventoryId?: string;
  /** inventory: the oldest report accepted, e.g. "8d" or "36h" (default 8d, for weekly inventories). */
  maxAge?: string;
  /** inventory: HeadObject at most `sample` SSE-KMS objects per bucket to read their KMS key (default 0: none). */
  keyCheck?: { sample: number };
  /** inventory: with no usable report, list the bucket instead (mode full) rather than report an error. */
  fallback?: 'list';
  /** metadata mode: where Athena runs the queries. */
  athena?: AthenaOptions;
  /** metadata mode: object keys shown per group of objects that share their encryption (default 10). */
  sampleKeys?: number;
}

export interface AthenaOptions {
  /** Athena workgroup (default primary). */
  workgroup?: string;
  /** s3://bucket/prefix/ where Athena writes query results (and --export-manifest its UNLOAD files). */
  outputLocation: string;
  /** The catalog of the S3 Metadata tables (default s3tablescatalog/aws-s3). */
  catalog?: string;
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
