/**
 * A report's manifest.json, read and checked (User Guide, "Inventory manifest":
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html#storage-inventory-location-manifest):
 * `manifest.checksum` holds the MD5 of manifest.json, each entry of `files` the key, size and MD5 of a data file.
 * The Hive-compatible `symlink.txt` lists the same data files as s3:// URIs, without sizes or checksums.
 */
import { createHash } from 'node:crypto';

export interface ManifestFile {
  key: string;
  size?: number;
  /** Hex MD5 of the data file (absent in the hive layout). */
  md5?: string;
}

export interface InventoryManifest {
  sourceBucket: string;
  destinationBucket: string;
  /** CSV | ORC | Parquet */
  fileFormat: string;
  /** CSV: "Bucket, Key, …"; Parquet/ORC: the file schema's text. */
  fileSchema: string;
  /** Epoch milliseconds (creationTimestamp). */
  creationTimestamp?: number;
  files: ManifestFile[];
}

export class InventoryProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export const md5Hex = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

/** Checks manifest.checksum against manifest.json's bytes, then parses the manifest. */
export function readManifest(json: Buffer, checksum: Buffer, where: string): InventoryManifest {
  const expected = checksum.toString('utf8').trim().toLowerCase();
  const actual = md5Hex(json);
  if (expected !== actual) {
    throw new InventoryProblem('InventoryChecksumMismatch', `${where}manifest.json does not match manifest.checksum (MD5 ${actual}, expected ${expected}): the report is corrupt or was changed`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InventoryProblem('InventoryManifestInvalid', `${where}manifest.json is not JSON (${(e as Error).message})`);
  }
  const text = (name: string): string => (typeof doc[name] === 'string' ? (doc[name] as string) : '');
  const files = Array.isArray(doc.files) ? (doc.files as Record<string, unknown>[]) : undefined;
  if (!files || !text('fileFormat')) throw new InventoryProblem('InventoryManifestInvalid', `${where}manifest.json has no fileFormat or files`);
  const dest = text('destinationBucket');
  return {
    sourceBucket: text('sourceBucket'),
    destinationBucket: dest.startsWith('arn:') ? dest.slice(dest.lastIndexOf(':') + 1) : dest,
    fileFormat: text('fileFormat'),
    fileSchema: text('fileSchema'),
    ...(doc.creationTimestamp !== undefined && Number.isFinite(Number(doc.creationTimestamp)) ? { creationTimestamp: Number(doc.creationTimestamp) } : {}),
    files: files.map((f) => {
      if (typeof f.key !== 'string') throw new InventoryProblem('InventoryManifestInvalid', `${where}manifest.json lists a file without a key`);
      return {
        key: f.key,
        ...(typeof f.size === 'number' ? { size: f.size } : {}),
        ...(typeof f.MD5checksum === 'string' ? { md5: f.MD5checksum.toLowerCase() } : {}),
      };
    }),
  };
}

/** symlink.txt: one s3://bucket/key URI per line → the data files (in the destination bucket). */
export function readSymlink(text: string, destinationBucket: string): ManifestFile[] {
  const out: ManifestFile[] = [];
  for (const line of text.split(/\r?\n/)) {
    const uri = line.trim();
    if (uri === '') continue;
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m || m[1] !== destinationBucket) throw new InventoryProblem('InventoryManifestInvalid', `symlink.txt names ${uri}, not an object of s3://${destinationBucket}`);
    out.push({ key: m[2]! });
  }
  return out;
}

/**
 * The CSV columns in order. A manifest names them in `fileSchema`; the hive layout has no manifest, so they come
 * from the configuration: the fields an inventory always has, then its optional fields in the order S3 writes
 * them (the order of the `fileSchema` example in the User Guide's "Inventory manifest").
 */
const CSV_FIELD_ORDER = [
  'Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'EncryptionStatus',
  'ObjectLockRetainUntilDate', 'ObjectLockMode', 'ObjectLockLegalHoldStatus', 'IntelligentTieringAccessTier', 'BucketKeyStatus',
  'ChecksumAlgorithm', 'ObjectAccessControlList', 'ObjectOwner',
];
export function csvFieldsFromConfiguration(includedVersions: string, optionalFields: readonly string[]): string[] {
  const base = includedVersions === 'All' ? ['Bucket', 'Key', 'VersionId', 'IsLatest', 'IsDeleteMarker'] : ['Bucket', 'Key'];
  const chosen = new Set(optionalFields);
  return [...base, ...CSV_FIELD_ORDER.filter((f) => chosen.has(f)), ...optionalFields.filter((f) => !CSV_FIELD_ORDER.includes(f))];
}
