/**
 * The rows of a bucket's S3 Metadata live inventory table, built from the estate: one row per object
 * version (delete markers included), with the columns and value spellings of the User Guide's "S3
 * Metadata live inventory tables schema"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-inventory-schema.html).
 * `sequence_number` orders the versions of one key: larger is newer, as in the real table.
 */
import type { Estate, SandboxBucket, SandboxObject } from '../model.js';
import { generatedKey, isDeleted } from '../s3/store/generated.js';
import { sortedExplicitKeys } from '../s3/store/objects.js';
import { keysWithoutCurrent, versionsOf } from '../s3/store/versions.js';

/** Column name → DuckDB type, in the table's column order. */
export const INVENTORY_COLUMNS: readonly (readonly [string, string])[] = [
  ['bucket', 'VARCHAR'],
  ['key', 'VARCHAR'],
  ['sequence_number', 'VARCHAR'],
  ['version_id', 'VARCHAR'],
  ['is_delete_marker', 'BOOLEAN'],
  ['size', 'BIGINT'],
  ['last_modified_date', 'TIMESTAMP'],
  ['e_tag', 'VARCHAR'],
  ['storage_class', 'VARCHAR'],
  ['is_multipart', 'BOOLEAN'],
  ['encryption_status', 'VARCHAR'],
  ['is_bucket_key_enabled', 'BOOLEAN'],
  ['kms_key_arn', 'VARCHAR'],
  ['checksum_algorithm', 'VARCHAR'],
  ['object_tags', 'MAP(VARCHAR, VARCHAR)'],
  ['user_metadata', 'MAP(VARCHAR, VARCHAR)'],
];

export type InventoryValue = string | number | boolean | Date | null;

/** The table's encryption_status spelling of an object's encryption; null for no server-side encryption. */
export function encryptionStatus(o: SandboxObject): string | null {
  switch (o.sse) {
    case 'AES256':
      return 'SSE-S3';
    case 'aws:kms':
      return 'SSE-KMS';
    case 'aws:kms:dsse':
      return 'DSSE-KMS';
    case 'SSE-C':
      return 'SSE-C';
    default:
      return null;
  }
}

function row(bucket: SandboxBucket, o: SandboxObject, sequence: number): InventoryValue[] {
  const marker = o.deleteMarker === true;
  return [
    bucket.name,
    o.key,
    String(sequence).padStart(20, '0'),
    bucket.versioning === undefined ? null : o.versionId,
    marker,
    marker ? null : o.size,
    o.lastModified,
    marker ? null : o.etag.replace(/"/g, ''),
    marker ? null : 'STANDARD',
    false,
    marker ? null : encryptionStatus(o),
    marker ? null : o.bucketKeyEnabled,
    marker ? null : (o.kmsKeyArn ?? null),
    null,
    null,
    null,
  ];
}

/** Every key of the bucket that has a version: explicit, generated (not deleted), and those whose latest version is a delete marker. */
function* allKeys(estate: Estate, bucket: SandboxBucket): Generator<string> {
  yield* sortedExplicitKeys(bucket);
  const gen = bucket.generator;
  if (gen) for (let i = 0; i < gen.count; i++) if (!isDeleted(gen, i) && !bucket.objects.has(generatedKey(gen, i))) yield generatedKey(gen, i);
  yield* keysWithoutCurrent(estate, bucket);
}

/** The table's rows, one per version; the newest version of a key has the largest sequence number. */
export function* inventoryRows(estate: Estate, bucket: SandboxBucket): Generator<InventoryValue[]> {
  let sequence = 0;
  for (const key of allKeys(estate, bucket)) {
    const versions = versionsOf(estate, bucket, key);
    sequence += versions.length;
    for (let i = 0; i < versions.length; i++) yield row(bucket, versions[i]!, sequence - i);
  }
}
