/**
 * One S3 Inventory row, whatever the file format: the fields the object rules need, read by name. CSV
 * reports name their columns in the manifest's `fileSchema` ("Bucket, Key, VersionId, …"); Parquet and ORC
 * name them in snake case ("bucket", "key", "version_id", "e_tag", …). Both normalise to the same field
 * (lower case, no underscores). Field meanings and values: User Guide, "Amazon S3 Inventory list"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory.html#storage-inventory-contents).
 */
import type { ObjectEncryption, ObjectFacts } from '../../domain/facts.js';

export interface InventoryRow {
  key: string;
  /** '' or absent for the null version (objects stored while versioning was never enabled). */
  versionId?: string;
  isLatest?: boolean;
  isDeleteMarker?: boolean;
  size: number;
  /** Epoch milliseconds, or the report's ISO 8601 text (CSV: "2026-01-01T00:00:00.000Z"). */
  lastModified: number | string;
  etag?: string;
  /** SSE-S3 | SSE-C | SSE-KMS | DSSE-KMS | NOT-SSE; absent when the report lacks the field. */
  encryptionStatus?: string;
  /** ENABLED | DISABLED; absent when the report lacks the field. */
  bucketKeyStatus?: string;
}

/** "BucketKeyStatus", "bucket_key_status" → "bucketkeystatus". */
export const normaliseField = (name: string): string => name.trim().replace(/_/g, '').toLowerCase();

/** The normalised names of the fields the audit reads. */
export const FIELD = {
  key: 'key',
  versionId: 'versionid',
  isLatest: 'islatest',
  isDeleteMarker: 'isdeletemarker',
  size: 'size',
  lastModified: 'lastmodifieddate',
  etag: 'etag',
  encryptionStatus: 'encryptionstatus',
  bucketKeyStatus: 'bucketkeystatus',
} as const;

/**
 * EncryptionStatus → the algorithm HeadObject would answer (x-amz-server-side-encryption), so rules read the same
 * `object.sse` in every mode. NOT-SSE: stored without server-side encryption (before January 2023): null.
 */
const ENCRYPTION = new Map<string, ObjectEncryption | null>([
  ['SSE-S3', 'AES256'],
  ['SSE-KMS', 'aws:kms'],
  ['DSSE-KMS', 'aws:kms:dsse'],
  ['SSE-C', 'SSE-C'],
  ['NOT-SSE', null],
]);

export function encryptionOf(status: string): ObjectEncryption | null | undefined {
  return ENCRYPTION.get(status);
}

/**
 * The object's facts from its row. The ETag gets the quotes S3's API answers carry (the report writes it bare),
 * and the null version is spelled "null" as ListObjectVersions spells it, so a finding is the same in every mode.
 */
export function factsFromRow(bucket: string, row: InventoryRow, versions: boolean): ObjectFacts {
  const errors: ObjectFacts['errors'] = {};
  let sse: ObjectEncryption | null = null;
  if (row.encryptionStatus === undefined) {
    errors.object = {
      code: 'FieldNotInInventory',
      operation: 'S3Inventory',
      message: 'the inventory report has no EncryptionStatus field: add EncryptionStatus to the configuration\'s OptionalFields',
    };
  } else {
    const known = encryptionOf(row.encryptionStatus);
    if (known === undefined) {
      errors.object = { code: 'UnknownEncryptionStatus', operation: 'S3Inventory', message: `the inventory report gives EncryptionStatus "${row.encryptionStatus}", which this tool does not know` };
    } else sse = known;
  }
  // Built field by field (not with spreads: one of these per row of a report of millions), in the order
  // they have always had here, which a rule that reads the whole `object` shows.
  const facts = { bucket, key: row.key } as ObjectFacts;
  if (versions) {
    facts.versionId = row.versionId ? row.versionId : 'null';
    facts.isLatest = row.isLatest !== false;
  }
  facts.size = row.size;
  facts.lastModified = isoText(row.lastModified);
  if (row.etag) facts.etag = row.etag.startsWith('"') ? row.etag : `"${row.etag}"`;
  facts.sse = sse;
  facts.bucketKeyEnabled = row.bucketKeyStatus === 'ENABLED';
  facts.errors = errors;
  return facts;
}

/**
 * Text that toISOString would give back unchanged: its form, with every field in range. Days 29 to 31 are
 * left to Date (whether they exist depends on the month), as is anything else.
 */
const CANONICAL_ISO = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * The time as toISOString spells it. A CSV report's text is usually spelled so already, and is then taken
 * as it is: parsing and formatting it again cost more than the rest of the row.
 */
function isoText(time: number | string): string {
  if (typeof time === 'string') {
    if (CANONICAL_ISO.test(time)) return time;
    time = Date.parse(time) || 0;
  }
  return new Date(time).toISOString();
}
