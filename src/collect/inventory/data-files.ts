/**
 * Reading a report's data files: check a file's MD5 against the manifest, then stream its rows.
 *  - CSV (gzip): GetObject streamed through node:zlib and the CSV line parser; memory is one chunk and one line.
 *  - Apache Parquet: hyparquet (pure JavaScript, no native build, maintained, reads Parquet's standard codecs;
 *    GZIP is given node:zlib). It reads the footer and the needed column chunks with ranged GetObjects, one row
 *    group at a time, so memory is one row group of the audit's columns, not the file.
 *  - ORC: not read (no maintained pure-JavaScript reader); the scan says to configure CSV or Parquet.
 *
 * Why verify before reading (a second GetObject) rather than while: outcomes are written as soon as they are
 * known, so a corrupt file must be rejected before any of its rows is judged.
 */
import { createHash } from 'node:crypto';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { getObjectRange, getObjectStream } from '../../aws/s3-inventory.js';
import { decodeListedKey } from '../../aws/s3.js';
import { readCsvRows } from './csv.js';
import { FIELD, normaliseField, type InventoryRow } from './rows.js';
import { InventoryProblem, type ManifestFile } from './manifest.js';

export type RowSink = (row: InventoryRow) => Promise<void> | undefined;

/** MD5 of the whole object, streamed (memory: one chunk). Returns its size too. */
export async function objectMd5(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ md5: string; size: number }> {
  const { body } = await getObjectStream(s3, bucket, key, signal);
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: hash.digest('hex'), size };
}

export async function verifyDataFile(s3: S3Client, bucket: string, file: ManifestFile, signal?: AbortSignal): Promise<number> {
  const { md5, size } = await objectMd5(s3, bucket, file.key, signal);
  if (file.md5 !== undefined && md5 !== file.md5) {
    throw new InventoryProblem('InventoryChecksumMismatch', `data file s3://${bucket}/${file.key} has MD5 ${md5}, the manifest says ${file.md5}: the report is corrupt or was changed`);
  }
  return size;
}

const bool = (v: string): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined);

/** CSV (gzip) rows, by the column names of the manifest's fileSchema. Keys are URL-decoded. */
export async function readCsvGzFile(s3: S3Client, bucket: string, key: string, columns: readonly string[], onRow: RowSink, signal?: AbortSignal): Promise<number> {
  const at = new Map(columns.map((c, i) => [normaliseField(c), i] as const));
  const ki = at.get(FIELD.key);
  if (ki === undefined) throw new InventoryProblem('InventoryManifestInvalid', 'the report has no Key column');
  const vi = at.get(FIELD.versionId);
  const li = at.get(FIELD.isLatest);
  const di = at.get(FIELD.isDeleteMarker);
  const si = at.get(FIELD.size);
  const mi = at.get(FIELD.lastModified);
  const ei = at.get(FIELD.etag);
  const xi = at.get(FIELD.encryptionStatus);
  const bi = at.get(FIELD.bucketKeyStatus);
  const { body } = await getObjectStream(s3, bucket, key, signal);
  const gunzip = createGunzip();
  body.on('error', (e) => gunzip.destroy(e));
  body.pipe(gunzip);
  return readCsvRows(gunzip, (f) => {
    const row: InventoryRow = { key: decodeListedKey(f[ki] ?? ''), size: si !== undefined ? Number(f[si]) || 0 : 0, lastModified: mi !== undefined ? f[mi] ?? '' : 0 };
    if (vi !== undefined) row.versionId = f[vi] ?? '';
    if (li !== undefined) row.isLatest = bool(f[li] ?? '');
    if (di !== undefined) row.isDeleteMarker = bool(f[di] ?? '');
    if (ei !== undefined && f[ei]) row.etag = f[ei];
    if (xi !== undefined) row.encryptionStatus = f[xi] ?? '';
    if (bi !== undefined) row.bucketKeyStatus = f[bi] ?? '';
    return onRow(row);
  });
}

const toMillis = (v: unknown): number => (v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) || 0 : 0);

/** Parquet rows, one row group at a time (hyparquet, imported on first use so other modes never load it). */
export async function readParquetFile(s3: S3Client, bucket: string, key: string, size: number, onRow: RowSink, signal?: AbortSignal): Promise<number> {
  const { parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  const file = {
    byteLength: size,
    slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
      const bytes = await getObjectRange(s3, bucket, key, start, end ?? size, signal);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  const metadata = await parquetMetadataAsync(file);
  // Column names as the file spells them, by their normalised name.
  const names = new Map<string, string>();
  for (const s of metadata.schema.slice(1)) names.set(normaliseField(s.name), s.name);
  const col = (f: string): string | undefined => names.get(f);
  const keyCol = col(FIELD.key);
  if (!keyCol) throw new InventoryProblem('InventoryManifestInvalid', `data file s3://${bucket}/${key} has no key column`);
  const wanted = Object.values(FIELD).map(col).filter((c): c is string => c !== undefined);
  const compressors = { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) };
  let rows = 0;
  let start = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    const objects = await parquetReadObjects({ file, metadata, columns: wanted, rowStart: start, rowEnd: start + count, compressors });
    start += count;
    for (const o of objects) {
      rows++;
      const get = (f: string): unknown => {
        const c = col(f);
        return c === undefined ? undefined : o[c];
      };
      const row: InventoryRow = { key: String(o[keyCol]), size: Number(get(FIELD.size) ?? 0), lastModified: toMillis(get(FIELD.lastModified)) };
      const v = get(FIELD.versionId);
      if (col(FIELD.versionId)) row.versionId = v == null ? '' : String(v);
      const l = get(FIELD.isLatest);
      if (typeof l === 'boolean') row.isLatest = l;
      const d = get(FIELD.isDeleteMarker);
      if (typeof d === 'boolean') row.isDeleteMarker = d;
      const e = get(FIELD.etag);
      if (e != null && e !== '') row.etag = String(e);
      if (col(FIELD.encryptionStatus)) row.encryptionStatus = String(get(FIELD.encryptionStatus) ?? '');
      if (col(FIELD.bucketKeyStatus)) row.bucketKeyStatus = String(get(FIELD.bucketKeyStatus) ?? '');
      const wait = onRow(row);
      if (wait) await wait;
    }
  }
  return rows;
}
