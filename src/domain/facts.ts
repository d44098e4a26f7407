/**
 * Facts are the small normalised documents the collector builds from AWS answers.
 * Rules read facts, never SDK responses (docs/architecture.md "Facts are documents").
 */

/** Why an aspect of a resource could not be read. Any rule that requires it gets outcome `error`. */
export interface FactError {
  /** AWS error code (e.g. AccessDenied, SlowDown) or a local code such as Timeout. */
  code: string;
  message: string;
  /** The API operation that failed, e.g. "GetBucketEncryption". */
  operation: string;
}

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

/**
 * How an object is encrypted: a server-side algorithm, or 'SSE-C' (a key the writer sends with every
 * request, which neither S3 nor KMS keeps). A bucket default can never be SSE-C.
 */
export type ObjectEncryption = SseAlgorithm | 'SSE-C';

export interface BucketEncryption {
  /** null: the bucket has no default encryption configuration (legacy bucket). */
  algorithm: SseAlgorithm | null;
  /** KMSMasterKeyID exactly as configured (id, key ARN, alias name or alias ARN); absent means aws/s3. */
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  /**
   * The rule's BlockedEncryptionTypes (NONE | SSE-C) as GetBucketEncryption answers them; absent when the
   * answer has none (nothing is blocked) or the bucket has no configuration at all.
   */
  blockedEncryptionTypes?: string[];
}

export interface BucketFacts {
  arn: string;
  name: string;
  account: string;
  region: string;
  tags: Record<string, string>;
  /** undefined when not fetched (no enabled rule needs it) or not readable (see errors). */
  encryption?: BucketEncryption;
  /** aspect (e.g. "bucket.encryption", "bucket.tags", "key") → why it is unknown. */
  errors: Record<string, FactError>;
}

export interface KeyFacts {
  /** false when DescribeKey answered NotFoundException: the configured key does not exist. */
  exists: boolean;
  /** The spelling the bucket (or object) used; kept for messages and evidence. */
  ref: string;
  /** Key ARN once resolved; for a missing key, the best ARN-like spelling we could build. */
  arn: string;
  id: string;
  account: string;
  region: string;
  /** Every alias name (alias/...) and alias ARN of the key, so rules can match any spelling. */
  aliases: string[];
  manager: 'AWS' | 'CUSTOMER' | null;
  /** Enabled | Disabled | PendingDeletion | PendingImport | Unavailable | ... ; null when missing. */
  state: string | null;
  /** Only fetched for customer managed keys when a rule requires `key.rotation`. */
  rotationEnabled?: boolean;
  /**
   * DescribeKey's KeySpec (SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, SM2, ...) and KeyUsage
   * (ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT); null when KMS did not report them
   * or the key does not exist. Absent only in facts built before these were read.
   */
  spec?: string | null;
  usage?: string | null;
  /** Where the key material comes from: AWS_KMS, EXTERNAL (imported), AWS_CLOUDHSM or EXTERNAL_KEY_STORE (custom key stores). */
  origin?: string | null;
  /** true for a multi-Region key (id mrk-...); its MultiRegionKeyType says whether this is the primary or a replica. */
  multiRegion?: boolean | null;
  multiRegionKeyType?: 'PRIMARY' | 'REPLICA' | null;
  /** The custom key store holding the key (origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE); null for others. */
  customKeyStoreId?: string | null;
  /**
   * Whether S3 can encrypt with this key for the resource being judged, and why not (one sentence
   * that completes "the key ..."). Derived by keyFactsFor() from s3KeyUsability(); never read from AWS.
   */
  s3Usable?: boolean;
  s3UnusableReason?: string | null;
  /**
   * Spellings from the policies' key lists (params of format kms-key) that might name this key but that
   * KMS would not resolve for the auditor (for example AccessDenied on an alias ARN of an account without
   * a session): the engine reports `error` when the verdict would depend on them.
   */
  uncheckedSpellings?: Record<string, FactError>;
  /**
   * Every spelling that names this key, relative to the resource being judged: the key ARN and
   * alias ARNs always; the bare key id and alias names only when the key is in the resource's own
   * account and region (elsewhere those spellings would name a different key). See keyFactsFor().
   */
  spellings: string[];
}

export interface ObjectFacts {
  bucket: string;
  key: string;
  versionId?: string;
  isLatest?: boolean;
  size: number;
  lastModified: string;
  etag?: string;
  /** null: stored without server-side encryption (before January 2023). 'SSE-C': see scanBucketObjects. */
  sse: ObjectEncryption | null;
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  errors: Record<string, FactError>;
}

/**
 * The document a rule is evaluated against. `key` is the resolved KMS key of the resource
 * (null when the resource is not KMS encrypted, undefined when not requested).
 */
export interface FactContext {
  bucket: BucketFacts;
  object?: ObjectFacts;
  key?: KeyFacts | null;
  /** Key of the bucket default, for object rules comparing the two. */
  bucketKey?: KeyFacts | null;
  /** aspect → error, merged from bucket, object and key resolution. */
  errors: Record<string, FactError>;
}
