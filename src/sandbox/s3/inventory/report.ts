/**
 * Delivers an S3 Inventory report into the destination bucket, in the layout and file formats S3 uses
 * (User Guide, "Locating your inventory list",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html, and "Amazon S3 Inventory
 * list" for the fields, https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory.html):
 *   <prefix>/<source>/<config-ID>/YYYY-MM-DDTHH-MMZ/manifest.json     files: key, size, MD5checksum
 *   <prefix>/<source>/<config-ID>/YYYY-MM-DDTHH-MMZ/manifest.checksum MD5 of manifest.json
 *   <prefix>/<source>/<config-ID>/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt s3:// URI of each data file
 *   <prefix>/<source>/<config-ID>/data/<uuid>.csv.gz | .parquet | .orc
 * CSV: gzip, no header, every field quoted, keys URL-encoded. Parquet: snake-case columns (hyparquet-writer,
 * imported only here). ORC bodies are not encoded (no JavaScript ORC writer): the file holds ORC's magic and
 * nothing a reader could use — enough for the auditor, which refuses ORC reports before reading data.
 *
 * Rows come from the source bucket's objects (every version with IncludedObjectVersions All), or from a
 * generator (benchmarks: millions of rows without millions of objects in the store).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { Estate, SandboxBucket, SandboxInventoryConfiguration, SandboxObject } from '../../model.js';
import { listPage } from '../store/listing.js';
import { findObject, storeObject } from '../store/objects.js';
import { keysWithoutCurrent, versionsOf } from '../store/versions.js';

/** One report row: the always-present fields and the optional ones, as S3 would fill them. */
export interface InventoryRecord {
  key: string;
  versionId: string;
  isLatest: boolean;
  isDeleteMarker: boolean;
  size: number;
  lastModified: Date;
  etag: string;
  /** SSE-S3 | SSE-C | SSE-KMS | DSSE-KMS | NOT-SSE ('' for a delete marker). */
  encryptionStatus: string;
  /** ENABLED | DISABLED ('' for a delete marker). */
  bucketKeyStatus: string;
}

export interface DeliveryOptions {
  /** When S3 began the report (default: now); rounded down to the minute, as the folder names are. */
  at?: Date;
  /** Make the report corrupt: a manifest.checksum that does not match, or a data file whose MD5 the manifest misstates. */
  corrupt?: 'manifest' | 'data';
  /** Write only the hive symlink, not manifest.json / manifest.checksum. */
  hiveOnly?: boolean;
  /** Rows per data file (default 1,000,000). */
  rowsPerFile?: number;
  /** Rows to write instead of the source bucket's objects. */
  rows?: Iterable<InventoryRecord>;
}

export interface DeliveredReport {
  destinationBucket: string;
  manifestKey: string;
  symlinkKey: string;
  dataKeys: string[];
  rows: number;
}

const SSE_STATUS: Record<string, string> = { AES256: 'SSE-S3', 'aws:kms': 'SSE-KMS', 'aws:kms:dsse': 'DSSE-KMS', 'SSE-C': 'SSE-C' };

function recordOf(o: SandboxObject, isLatest: boolean): InventoryRecord {
  const marker = o.deleteMarker === true;
  return {
    key: o.key,
    versionId: o.versionId,
    isLatest,
    isDeleteMarker: marker,
    size: marker ? 0 : o.size,
    lastModified: o.lastModified,
    etag: marker ? '' : o.etag.replace(/"/g, ''),
    encryptionStatus: marker ? '' : o.sse === null ? 'NOT-SSE' : (SSE_STATUS[o.sse] ?? ''),
    bucketKeyStatus: marker ? '' : o.bucketKeyEnabled ? 'ENABLED' : 'DISABLED',
  };
}

/** The source bucket's objects as report rows, in key order (newest version first within a key). */
export function* bucketRecords(estate: Estate, bucket: SandboxBucket, config: SandboxInventoryConfiguration): Generator<InventoryRecord> {
  const all = config.includedVersions === 'All';
  const withoutCurrent = all ? keysWithoutCurrent(estate, bucket) : [];
  let after: string | undefined;
  for (;;) {
    const page = listPage(estate, bucket, { prefix: config.filterPrefix ?? '', maxKeys: 1000, ...(after !== undefined ? { after } : {}), keysWithoutCurrent: withoutCurrent });
    for (const entry of page.objects) {
      if (all) {
        const versions = versionsOf(estate, bucket, entry.key);
        for (let i = 0; i < versions.length; i++) yield recordOf(versions[i]!, i === 0);
      } else {
        const o = findObject(estate, bucket, entry.key);
        if (o) yield recordOf(o, true);
      }
    }
    if (!page.isTruncated || page.last === undefined) return;
    after = page.last;
  }
}

/** CSV columns: the fields every report has, then the configured optional fields in the order S3 writes them. */
const OPTIONAL_ORDER = [
  'Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'EncryptionStatus',
  'ObjectLockRetainUntilDate', 'ObjectLockMode', 'ObjectLockLegalHoldStatus', 'IntelligentTieringAccessTier', 'BucketKeyStatus',
  'ChecksumAlgorithm', 'ObjectAccessControlList', 'ObjectOwner',
];
export function reportFields(config: SandboxInventoryConfiguration): string[] {
  const base = config.includedVersions === 'All' ? ['Bucket', 'Key', 'VersionId', 'IsLatest', 'IsDeleteMarker'] : ['Bucket', 'Key'];
  return [...base, ...OPTIONAL_ORDER.filter((f) => config.optionalFields.includes(f))];
}

/** "LastModifiedDate" → "last_modified_date", "ETag" → "e_tag": Parquet and ORC column names. */
export const snakeCase = (field: string): string => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

function fieldValue(field: string, bucket: string, r: InventoryRecord): string | number | boolean | Date {
  switch (field) {
    case 'Bucket': return bucket;
    case 'Key': return r.key;
    case 'VersionId': return r.versionId === 'null' ? '' : r.versionId;
    case 'IsLatest': return r.isLatest;
    case 'IsDeleteMarker': return r.isDeleteMarker;
    case 'Size': return r.size;
    case 'LastModifiedDate': return r.lastModified;
    case 'ETag': return r.etag;
    case 'StorageClass': return r.isDeleteMarker ? '' : 'STANDARD';
    case 'IsMultipartUploaded': return false;
    case 'EncryptionStatus': return r.encryptionStatus;
    case 'BucketKeyStatus': return r.bucketKeyStatus;
    default: return '';
  }
}

const csvQuote = (v: string): string => `"${v.replace(/"/g, '""')}"`;

/** One CSV line. Keys URL-encoded (encodeURIComponent leaves "/" encoded; S3 keeps it: decode-equivalent). */
function csvLine(fields: readonly string[], bucket: string, r: InventoryRecord): string {
  const out: string[] = [];
  for (const f of fields) {
    const v = fieldValue(f, bucket, r);
    const text = f === 'Key' ? encodeURIComponent(r.key).replace(/%2F/g, '/') : v instanceof Date ? v.toISOString() : String(v);
    out.push(csvQuote(text));
  }
  return out.join(',') + '\n';
}

async function gzipLines(lines: Iterable<string>): Promise<Buffer> {
  const gz = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  let batch: string[] = [];
  for (const l of lines) {
    batch.push(l);
    if (batch.length >= 10_000) {
      if (!gz.write(batch.join(''))) await new Promise((r) => gz.once('drain', r));
      batch = [];
    }
  }
  gz.end(batch.join(''));
  await done;
  return Buffer.concat(chunks);
}

async function parquetFile(fields: readonly string[], bucket: string, rows: readonly InventoryRecord[]): Promise<Buffer> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const typeOf = (f: string): 'STRING' | 'BOOLEAN' | 'INT64' | 'TIMESTAMP' =>
    f === 'IsLatest' || f === 'IsDeleteMarker' || f === 'IsMultipartUploaded' ? 'BOOLEAN' : f === 'Size' ? 'INT64' : f === 'LastModifiedDate' ? 'TIMESTAMP' : 'STRING';
  const columnData = fields.map((f) => {
    const type = typeOf(f);
    const data = rows.map((r) => {
      const v = fieldValue(f, bucket, r);
      return type === 'INT64' ? BigInt(v as number) : v;
    });
    return { name: snakeCase(f), data, type };
  });
  return Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 100_000 }));
}

function parquetSchemaText(fields: readonly string[]): string {
  const type = (f: string): string =>
    f === 'IsLatest' || f === 'IsDeleteMarker' || f === 'IsMultipartUploaded' ? 'boolean' : f === 'Size' ? 'int64' : f === 'LastModifiedDate' ? 'int64' : 'binary';
  const note = (f: string): string => (f === 'LastModifiedDate' ? ' (TIMESTAMP(MILLIS,true))' : type(f) === 'binary' ? ' (STRING)' : '');
  return `message s3.inventory { ${fields.map((f) => `${f === 'Bucket' || f === 'Key' ? 'required' : 'optional'} ${type(f)} ${snakeCase(f)}${note(f)};`).join(' ')}}`;
}

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');
const minuteOf = (d: Date): Date => new Date(Math.floor(d.getTime() / 60_000) * 60_000);
const manifestFolder = (t: Date): string => `${t.toISOString().slice(0, 16).replace(':', '-')}Z`;
const hiveFolder = (t: Date): string => `dt=${t.toISOString().slice(0, 16).replace('T', '-').replace(':', '-')}`;

function put(dest: SandboxBucket, key: string, body: Buffer, at: Date): void {
  storeObject(dest, { key, versionId: 'null', size: body.length, etag: `"${md5(body)}"`, lastModified: at, sse: 'AES256', bucketKeyEnabled: false, body });
}

function* chunked<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Writes one report of `configId` for `sourceName` into its destination bucket. */
export async function deliverInventoryReport(estate: Estate, sourceName: string, configId: string, options: DeliveryOptions = {}): Promise<DeliveredReport> {
  const source = estate.buckets.get(sourceName);
  const config = source?.inventory?.get(configId);
  if (!source || !config) throw new Error(`no inventory configuration ${configId} on bucket ${sourceName}`);
  const destName = config.destinationBucketArn.slice(config.destinationBucketArn.lastIndexOf(':') + 1);
  const dest = estate.buckets.get(destName);
  if (!dest) throw new Error(`inventory destination bucket ${destName} does not exist`);
  const at = minuteOf(options.at ?? new Date());
  const prefix = (config.destinationPrefix ?? '').replace(/\/+$/, '');
  const root = `${prefix ? `${prefix}/` : ''}${sourceName}/${configId}/`;
  const fields = reportFields(config);
  const ext = config.format === 'CSV' ? 'csv.gz' : config.format === 'Parquet' ? 'parquet' : 'orc';
  const files: { key: string; size: number; MD5checksum: string }[] = [];
  let rows = 0;
  const sourceRows = options.rows ?? bucketRecords(estate, source, config);
  for (const batch of chunked(sourceRows, options.rowsPerFile ?? 1_000_000)) {
    rows += batch.length;
    const body =
      config.format === 'CSV'
        ? await gzipLines(batch.map((r) => csvLine(fields, sourceName, r)))
        : config.format === 'Parquet'
          ? await parquetFile(fields, sourceName, batch)
          : Buffer.from('ORC');
    const key = `${root}data/${randomUUID()}.${ext}`;
    put(dest, key, body, at);
    files.push({ key, size: body.length, MD5checksum: md5(body) });
  }
  if (options.corrupt === 'data' && files[0]) files[0].MD5checksum = md5(`not ${files[0].MD5checksum}`);
  const manifest = Buffer.from(
    JSON.stringify(
      {
        sourceBucket: sourceName,
        destinationBucket: config.destinationBucketArn,
        version: '2016-11-30',
        creationTimestamp: String(at.getTime()),
        fileFormat: config.format,
        fileSchema: config.format === 'CSV' ? fields.join(', ') : parquetSchemaText(fields),
        files,
      },
      null,
      2,
    ),
  );
  const folder = `${root}${manifestFolder(at)}/`;
  if (!options.hiveOnly) {
    put(dest, `${folder}manifest.json`, manifest, at);
    put(dest, `${folder}manifest.checksum`, Buffer.from(options.corrupt === 'manifest' ? md5('corrupt') : md5(manifest)), at);
  }
  const symlinkKey = `${root}hive/${hiveFolder(at)}/symlink.txt`;
  put(dest, symlinkKey, Buffer.from(files.map((f) => `s3://${destName}/${f.key}\n`).join('')), at);
  return { destinationBucket: destName, manifestKey: `${folder}manifest.json`, symlinkKey, dataKeys: files.map((f) => f.key), rows };
}
