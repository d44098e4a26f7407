/**
 * The sandbox's in-memory model of AWS state (the "estate"): accounts → KMS keys, aliases,
 * buckets, objects. This is the only simulation of AWS in the project (docs/architecture.md): the auditor itself always
 * talks to AWS (or to this sandbox) through the SDK. Handlers (s3/, kms.ts, sts.ts) read and
 * mutate it; estate.ts builds it from YAML.
 */

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable' | 'Creating';

/** Where a key's material comes from (KMS API reference, CreateKey "Origin"). */
export type KeyOrigin = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';

export interface SandboxKey {
  id: string; // UUID, or mrk- and 32 hex digits for a multi-Region key
  account: string;
  region: string;
  arn: string; // arn:aws:kms:<region>:<account>:key/<id>
  manager: 'AWS' | 'CUSTOMER';
  state: KeyState;
  rotation: boolean;
  spec: string; // SYMMETRIC_DEFAULT
  usage: string; // ENCRYPT_DECRYPT
  origin: KeyOrigin;
  /** For origin AWS_CLOUDHSM / EXTERNAL_KEY_STORE: the custom key store (cks-...). */
  customKeyStoreId?: string;
  /** Multi-Region keys: whether this is the primary or a replica (same id, other region, same account). */
  multiRegion?: 'PRIMARY' | 'REPLICA';
  description: string;
  creationDate: Date;
  deletionDate?: Date;
}

export interface SandboxAlias {
  name: string; // alias/...
  account: string;
  region: string;
  targetKeyId: string;
}

export interface SandboxEncryption {
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  /** The rule's BlockedEncryptionTypes (NONE | SSE-C), stored and answered as given; absent when never set. */
  blockedEncryptionTypes?: string[];
}

/**
 * How a stored object is encrypted: one of the server-side encryption algorithms, 'SSE-C' (the writer's own
 * key, which S3 does not keep), or null for an object stored unencrypted before S3 began encrypting every
 * new object on 5 January 2023 (User Guide, "Using server-side encryption with Amazon S3 managed keys").
 */
export type ObjectSse = SandboxEncryption['algorithm'] | 'SSE-C' | null;

export interface SandboxObject {
  key: string;
  versionId: string; // "null" when versioning never enabled
  size: number;
  etag: string; // with quotes, as S3 returns it
  lastModified: Date;
  sse: ObjectSse;
  kmsKeyArn?: string;
  bucketKeyEnabled: boolean;
  /**
   * SSE-C only: the base64 MD5 of the customer key, to check the key a later request presents. S3 keeps a
   * salted HMAC of the key for the same purpose and never the key itself (User Guide, "Specifying
   * server-side encryption with customer-provided keys (SSE-C)").
   */
  customerKeyMd5?: string;
  /**
   * A delete marker: a version with a key and version id but no data (User Guide, "Working with delete
   * markers"). Only ever in `noncurrent`: a key whose latest version is a delete marker has no current object.
   */
  deleteMarker?: true;
  body?: Buffer; // absent for generated objects (body is `size` bytes of 'x')
}

/** Generated objects are virtual: computed from their index so a million cost no memory. */
export interface ObjectGenerator {
  count: number;
  prefix: string;
  size: number;
  /** algorithm → weight; kms entries may name a key spelling. */
  mix: { sse: 'AES256' | 'aws:kms' | 'aws:kms:dsse'; kmsKeyId?: string; bucketKeyEnabled?: boolean; weight: number }[];
  seed: number;
  lastModified: Date;
}

/** An injected fault for one bucket (and optionally one operation, and optionally one object key glob). */
export interface BucketFault {
  operation: string | '*'; // S3 operation name, e.g. GetBucketEncryption, HeadObject
  error: 'AccessDenied' | 'SlowDown' | 'InternalError' | 'Reset' | string;
  /** For object operations: key glob it applies to. */
  keys?: string;
  /** Fail only the first N matching requests, then succeed (for retry tests). Absent: always. */
  times?: number;
}

export interface SandboxBucket {
  name: string;
  account: string;
  region: string;
  /** What GetBucketLocation answers: null for us-east-1, "EU" for buckets created with that legacy constraint. */
  locationConstraint: string | null;
  creationDate: Date;
  /** null: no default encryption configuration (legacy bucket). */
  encryption: SandboxEncryption | null;
  tags: Record<string, string> | null; // null: NoSuchTagSet
  policy: string | null; // JSON text; null: NoSuchBucketPolicy
  objects: Map<string, SandboxObject>; // explicit objects by key
  generator?: ObjectGenerator;
  faults: BucketFault[];
  /** S3 Versioning: absent for a bucket that never had it (every object's version id is "null"). */
  versioning?: 'Enabled' | 'Suspended';
  /**
   * The other versions per key, newest first: non-current versions and delete markers. The current version
   * is in `objects` or the generator; a key that has none there but has entries here was deleted on a
   * versioned bucket, and the first entry (a delete marker) is its latest version.
   */
  noncurrent?: Map<string, SandboxObject[]>;
  /** S3 Metadata (V2 configuration): absent when the bucket has none. */
  metadata?: SandboxMetadataConfiguration;
  /** S3 Inventory configurations by id (s3/inventory/). */
  inventory?: Map<string, SandboxInventoryConfiguration>;
}

/**
 * A bucket's S3 Metadata configuration as GetBucketMetadataConfiguration reports it: a journal table
 * (always) and optionally a live inventory table, both in the account's AWS managed table bucket `aws-s3`
 * under the namespace `b_<bucket>` (User Guide, "Accelerating data discovery with S3 Metadata",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-overview.html).
 */
export interface SandboxMetadataConfiguration {
  journalExpirationDays?: number;
  inventory: {
    configurationState: 'ENABLED' | 'DISABLED';
    /** Only while ENABLED: CREATING, BACKFILLING, ACTIVE (queryable) or FAILED. */
    tableStatus?: 'CREATING' | 'BACKFILLING' | 'ACTIVE' | 'FAILED';
  };
}

/**
 * One S3 Inventory configuration, field for field as PutBucketInventoryConfiguration takes it
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_InventoryConfiguration.html).
 */
export interface SandboxInventoryConfiguration {
  id: string;
  enabled: boolean;
  /** Destination bucket ARN (arn:aws:s3:::name). */
  destinationBucketArn: string;
  destinationAccountId?: string;
  destinationPrefix?: string;
  format: 'CSV' | 'ORC' | 'Parquet';
  /** SSE-S3 or SSE-KMS (with its key) for the report files, as configured. */
  encryption?: { kind: 'SSE-S3' } | { kind: 'SSE-KMS'; keyId: string };
  filterPrefix?: string;
  includedVersions: 'All' | 'Current';
  optionalFields: string[];
  frequency: 'Daily' | 'Weekly';
}

export interface SandboxRole {
  name: string;
  arn: string; // arn:aws:iam::<account>:role/<path/><name> (path `/` when none: role/<name>)
  /** The role exists but its trust policy trusts no estate principal (AssumeRole → AccessDenied). */
  trustBroken?: true;
  /** The trust policy's sts:ExternalId condition: AssumeRole without this ExternalId is AccessDenied. */
  externalId?: string;
  /** S3 operations the role's permissions do not allow (its sessions get 403 AccessDenied). */
  deny?: string[];
}

export interface SandboxAccount {
  id: string; // 12 digits
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  roles: SandboxRole[];
  keys: Map<string, SandboxKey>; // by keyMapKey(region, id): a multi-Region key has one entry per region
  aliases: Map<string, SandboxAlias>; // by `${region}/${aliasName}`
  /** Fraction 0..1 of this account's requests answered with its service's throttling error (on top of global faults). */
  throttleRate: number;
}

/** Temporary credentials handed out by AssumeRole. */
export interface SandboxSession {
  accessKeyId: string; // ASIA...
  secretAccessKey: string;
  sessionToken: string;
  account: string;
  roleArn: string;
  sessionName: string;
  expiration: Date;
}

export interface GlobalFaults {
  latencyMs: number;
  jitterMs: number;
  throttleRate: number; // 0..1 → S3 503 SlowDown / KMS ThrottlingException / STS Throttling
  errorRate: number; // 0..1 → 500 InternalError
  resetRate: number; // 0..1 → connection destroyed without a response
  seed: number;
}

/** Account status as AWS Organizations reports it (`Status`), and the newer, finer `State`. */
export type OrganizationAccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
export type OrganizationAccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface OrganizationMember {
  id: string;
  name: string;
  email: string;
  status: OrganizationAccountStatus;
  state: OrganizationAccountState;
  /** The root id or the OU id the account sits in. */
  parentId: string;
  joinedMethod: 'INVITED' | 'CREATED';
  joinedTimestamp: Date;
}

export interface OrganizationalUnit {
  id: string; // ou-<root part>-<8 to 32 chars>
  name: string;
  parentId: string;
}

/** An AWS Organization: one root, nested OUs and member accounts (which need not be estate accounts). */
export interface SandboxOrganization {
  id: string; // o-<10 to 32 chars>
  managementAccount: string;
  rootId: string; // r-<4 to 32 chars>
  units: Map<string, OrganizationalUnit>; // by id, in declaration order
  members: Map<string, OrganizationMember>; // by account id, in declaration order
}

export interface Estate {
  accounts: Map<string, SandboxAccount>; // by account id
  /** Bucket names are global in S3. */
  buckets: Map<string, SandboxBucket>;
  sessions: Map<string, SandboxSession>; // by access key id
  faults: GlobalFaults;
  /** Present when the estate declares an AWS Organization (served by organizations/). */
  organization?: SandboxOrganization;
}
