/**
 * The IAM actions behind each API operation the scan calls, so the README and the CLI can print a
 * least-privilege policy (as Cloud Custodian's actions declare their permissions).
 * Service authorization reference: S3 GetBucketEncryption is authorized by s3:GetEncryptionConfiguration
 * and ListBuckets by s3:ListAllMyBuckets; the others share their operation's name.
 */
import type { FactAspect } from '../domain/rule.js';

export const IAM_ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  AssumeRole: 'sts:AssumeRole',
  ListBuckets: 's3:ListAllMyBuckets',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetBucketTagging: 's3:GetBucketTagging',
  DescribeKey: 'kms:DescribeKey',
  ListAliases: 'kms:ListAliases',
  GetKeyRotationStatus: 'kms:GetKeyRotationStatus',
};

/** Operations a scan needing `aspects` may call (GetCallerIdentity needs no permission). */
export function scanOperations(aspects: Iterable<FactAspect>): string[] {
  const set = new Set(aspects);
  const ops = ['ListBuckets', 'GetBucketLocation'];
  if (set.has('bucket.encryption') || set.has('key') || set.has('key.rotation')) ops.push('GetBucketEncryption');
  if (set.has('bucket.tags')) ops.push('GetBucketTagging');
  if (set.has('key') || set.has('key.rotation')) ops.push('DescribeKey', 'ListAliases');
  if (set.has('key.rotation')) ops.push('GetKeyRotationStatus');
  return ops;
}

/** IAM actions for a scan needing `aspects`; with roles, sts:AssumeRole for the caller as well. */
export function scanIamActions(aspects: Iterable<FactAspect>, assumesRoles = false): string[] {
  const ops = scanOperations(aspects);
  if (assumesRoles) ops.unshift('AssumeRole');
  return ops.map((op) => IAM_ACTION_OF_OPERATION[op]!);
}
