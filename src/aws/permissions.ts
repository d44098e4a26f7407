/**
 * The IAM actions behind each API operation the scan calls, so the README and the CLI can print a
 * least-privilege policy (as Cloud Custodian's actions declare their permissions).
 * Service authorization reference: S3 GetBucketEncryption is authorized by s3:GetEncryptionConfiguration
 * and ListBuckets by s3:ListAllMyBuckets; the others share their operation's name. The writes of
 * remediation are declared by each action, with its citations (src/remediate/actions/).
 */
import type { FactAspect } from '../domain/rule.js';

export const IAM_ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  AssumeRole: 'sts:AssumeRole',
  // --organization, in the management (or delegated administrator) account.
  DescribeOrganization: 'organizations:DescribeOrganization',
  ListAccounts: 'organizations:ListAccounts',
  ListAccountsForParent: 'organizations:ListAccountsForParent',
  ListChildren: 'organizations:ListChildren',
  ListBuckets: 's3:ListAllMyBuckets',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetBucketTagging: 's3:GetBucketTagging',
  // DescribeKey's one answer also carries KeySpec, KeyUsage, Origin, MultiRegion(Configuration) and
  // CustomKeyStoreId, which key usability reads: they need no permission beyond kms:DescribeKey.
  DescribeKey: 'kms:DescribeKey',
  ListAliases: 'kms:ListAliases',
  GetKeyRotationStatus: 'kms:GetKeyRotationStatus',
  // Object policies. HeadObject is authorized by s3:GetObject (s3:GetObjectVersion when a
  // version id is given), ListObjectsV2 by s3:ListBucket, ListObjectVersions by s3:ListBucketVersions.
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  HeadObject: 's3:GetObject',
  HeadObjectVersion: 's3:GetObjectVersion',
  // The SSE-C probe after a HeadObject 400 (isSseCObject): the same actions as HeadObject, so nothing to add.
  GetObject: 's3:GetObject',
  GetObjectVersion: 's3:GetObjectVersion',
  // The metadata object mode. The V2 GetBucketMetadataConfiguration is authorized by the V1 action name
  // (API reference, API_GetBucketMetadataConfiguration.html); Athena's by their own names
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonathena.html).
  GetBucketMetadataConfiguration: 's3:GetBucketMetadataTableConfiguration',
  StartQueryExecution: 'athena:StartQueryExecution',
  GetQueryExecution: 'athena:GetQueryExecution',
  GetQueryResults: 'athena:GetQueryResults',
  StopQueryExecution: 'athena:StopQueryExecution',
  // Object policies in mode inventory: both inventory reads are authorized by s3:GetInventoryConfiguration
  // (Service authorization reference, Amazon S3); the report is read with ListObjectsV2 and GetObject on the
  // destination bucket.
  ListBucketInventoryConfigurations: 's3:GetInventoryConfiguration',
  GetBucketInventoryConfiguration: 's3:GetInventoryConfiguration',
};

/**
 * What the metadata object mode needs besides its Athena calls: Athena reads the S3 Tables catalog
 * through AWS Glue (glue:GetCatalog, glue:GetDatabase, glue:GetTable) and the table data from S3 Tables
 * (s3tables:GetTable, GetTableData, GetTableMetadataLocation; User Guide, "Permissions for querying
 * metadata tables", https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-bucket-query-permissions.html),
 * and writes its results (and an UNLOAD manifest) to the output location (s3:GetBucketLocation,
 * s3:PutObject, s3:GetObject, s3:ListBucket on that bucket).
 */
export const METADATA_MODE_EXTRA_ACTIONS: readonly string[] = [
  'glue:GetCatalog',
  'glue:GetDatabase',
  'glue:GetTable',
  's3tables:GetTable',
  's3tables:GetTableData',
  's3tables:GetTableMetadataLocation',
  's3:PutObject',
];

/** IAM actions of the metadata object mode: its own calls, then what Athena does on the caller's behalf. */
export function metadataModeIamActions(): string[] {
  return [...iamActionsOf(['GetBucketMetadataConfiguration', 'StartQueryExecution', 'GetQueryExecution', 'GetQueryResults', 'StopQueryExecution']), ...METADATA_MODE_EXTRA_ACTIONS];
}

/** The Organizations operations `scan --organization` may call (src/aws/organizations.ts), with the caller's own credentials. */
export const ORGANIZATION_OPERATIONS = ['DescribeOrganization', 'ListAccounts', 'ListAccountsForParent', 'ListChildren'] as const;

/** Operations a scan needing `aspects` may call (GetCallerIdentity needs no permission). */
export function scanOperations(aspects: Iterable<FactAspect>): string[] {
  const set = new Set(aspects);
  const ops = ['ListBuckets', 'GetBucketLocation'];
  const wantsKey = set.has('key') || set.has('key.rotation') || set.has('key.aliases');
  if (set.has('bucket.encryption') || wantsKey) ops.push('GetBucketEncryption');
  if (set.has('bucket.tags')) ops.push('GetBucketTagging');
  if (wantsKey) ops.push('DescribeKey');
  // Aliases are listed only for rules that read key.aliases / key.spellings (the allowed-keys rule).
  if (set.has('key.aliases')) ops.push('ListAliases');
  if (set.has('key.rotation')) ops.push('GetKeyRotationStatus');
  if (set.has('object') || set.has('object.bucketKey')) ops.push('ListObjectsV2', 'HeadObject');
  return ops;
}

/** The extra IAM actions of object policies with `versions: true` (ListObjectVersions, HeadObject of a version). */
export function objectVersionIamActions(): string[] {
  return [IAM_ACTION_OF_OPERATION.ListObjectVersions!, IAM_ACTION_OF_OPERATION.HeadObjectVersion!];
}

/**
 * The IAM actions of object policies in mode inventory: the source bucket's inventory configuration, and the
 * report in the destination bucket (s3:ListBucket to find the newest report, s3:GetObject to read it).
 */
export function objectInventoryIamActions(): string[] {
  return iamActionsOf(['ListBucketInventoryConfigurations', 'ListObjectsV2', 'GetObject']);
}

/** IAM actions for a scan needing `aspects`; with roles, sts:AssumeRole for the caller as well. */
export function scanIamActions(aspects: Iterable<FactAspect>, assumesRoles = false): string[] {
  const ops = scanOperations(aspects);
  if (assumesRoles) ops.unshift('AssumeRole');
  return ops.map((op) => IAM_ACTION_OF_OPERATION[op]!);
}

/** The IAM actions for a list of operations, each once, in first-seen order. */
export function iamActionsOf(operations: Iterable<string>): string[] {
  const actions: string[] = [];
  for (const op of operations) {
    const action = IAM_ACTION_OF_OPERATION[op];
    if (!action) throw new Error(`operation ${op} declares no IAM action (add it to IAM_ACTION_OF_OPERATION)`);
    if (!actions.includes(action)) actions.push(action);
  }
  return actions;
}
