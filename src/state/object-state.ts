/**
 * The incremental scan's state: for one (account, bucket, scan options), the objects already checked —
 * each object's identity as the listing shows it (key, version id, ETag, LastModified) and the facts
 * HeadObject gave (encryption, key, bucket key, size).
 *
 * Why facts and not just "seen" digests: an unchanged object that FAILED last night still fails today.
 * A state of digests alone would either re-inspect every failing object on every run (a legacy bucket
 * with millions of SSE-S3 objects would never get cheaper) or drop their findings (a wrong, passing
 * result). Keeping the facts lets an incremental run evaluate unchanged objects again — with today's
 * rules, params and exceptions — without calling HeadObject, so its report equals a full scan's.
 *
 * Why a sorted file and not a Set in memory: listings arrive in UTF-8 key order, so the state is written
 * in that order and merged with the next listing like two sorted lists (one pass, constant memory) —
 * a Set of millions of digests would make memory grow with the bucket.
 *
 * Compactness: one line per object, keys front-coded (the length shared with the previous key, then the
 * rest), ETags without quotes, the KMS key ARN written only when it differs from the previous line's,
 * the whole file gzip-compressed. A million objects take a few tens of MB.
 *
 * Safety: a header names the account, bucket and options fingerprint; a trailer holds the record count
 * and a SHA-256 of the record lines; gzip has its own CRC. The whole file is verified before any record
 * is trusted, and anything unexpected (missing, truncated, reordered, another bucket's) means "no
 * state": a full scan, never a wrong result. The file is written to a temporary name and renamed only
 * after a complete scan of the bucket.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { constants as zlib, createGunzip, createGzip, type Gzip } from 'node:zlib';
import type { ObjectEncryption } from '../domain/facts.js';
import { createDirectory, temporarySibling } from '../paths.js';
import { compareUtf8 } from '../domain/s3-key-order.js';

export const STATE_FORMAT = 's3-kms-audit/object-state';
export const STATE_VERSION = 1;

export interface StateHeader {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  account: string;
  bucket: string;
  region: string;
  /** stateFingerprint() of the scan options and aspects. */
  fingerprint: string;
  /** When the scan that wrote the file started and finished (ISO). Objects are matched by identity, not by these. */
  startedAt: string;
  scannedAt: string;
}

/** One object (or object version) as last checked. */
export interface StateRecord {
  key: string;
  versionId?: string;
  /** Without the quotes S3 puts around it. */
  etag: string;
  /** Epoch ms. */
  lastModified: number;
  size: number;
  sse: ObjectEncryption | null;
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
}

/** What a listing entry must match to reuse a record: same key, version, ETag and LastModified. */
export interface ObjectIdentity {
  key: string;
  versionId?: string;
  etag: string;
  lastModified: number;
}

export const stripQuotes = (etag: string): string => (etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag);

/** `<dir>/<account>.<bucket>.<fingerprint>.state.gz`: bucket names are plain path segments (S3 naming rules). */
export function stateFilePath(dir: string, account: string, bucket: string, fingerprint: string): string {
  return join(dir, `${account}.${bucket}.${fingerprint}.state.gz`);
}

// ---------------------------------------------------------------------------------------------
// One record per line: [shared, rest, versionId|0, etag, lastModified, size, sse, kms, bucketKey]
//   shared: UTF-16 units shared with the previous key · kms: 0 none, 1 same as the previous record's

// New codes are only ever appended, so older state files keep their meaning.
const SSE_CODES: readonly (ObjectEncryption | null)[] = [null, 'AES256', 'aws:kms', 'aws:kms:dsse', 'SSE-C'];

class RecordEncoder {
  private prevKey = '';
  private prevKms: string | undefined;

  encode(r: StateRecord): string {
    let shared = 0;
    const max = Math.min(r.key.length, this.prevKey.length);
    while (shared < max && r.key.charCodeAt(shared) === this.prevKey.charCodeAt(shared)) shared++;
    // Never split a surrogate pair: the rest must be a well-formed string on its own.
    if (shared > 0 && shared < r.key.length && isLowSurrogate(r.key.charCodeAt(shared))) shared--;
    const kms = r.kmsKeyId === undefined ? 0 : r.kmsKeyId === this.prevKms ? 1 : r.kmsKeyId;
    if (r.kmsKeyId !== undefined) this.prevKms = r.kmsKeyId;
    this.prevKey = r.key;
    return JSON.stringify([shared, r.key.slice(shared), r.versionId ?? 0, r.etag, r.lastModified, r.size, SSE_CODES.indexOf(r.sse), kms, r.bucketKeyEnabled ? 1 : 0]);
  }
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

class StateFormatError extends Error {}

class RecordDecoder {
  private prevKey = '';
  private prevKms: string | undefined;

  decode(line: string): StateRecord {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new StateFormatError('a record is not valid JSON');
    }
    if (!Array.isArray(v) || v.length !== 9) throw new StateFormatError('a record has the wrong shape');
    const [shared, rest, versionId, etag, lastModified, size, sse, kms, bucketKey] = v as unknown[];
    if (typeof shared !== 'number' || !Number.isInteger(shared) || shared < 0 || shared > this.prevKey.length || typeof rest !== 'string') {
      throw new StateFormatError('a record key is malformed');
    }
    if ((versionId !== 0 && typeof versionId !== 'string') || typeof etag !== 'string' || typeof lastModified !== 'number' || typeof size !== 'number') {
      throw new StateFormatError('a record field is malformed');
    }
    if (typeof sse !== 'number' || sse < 0 || sse >= SSE_CODES.length || (bucketKey !== 0 && bucketKey !== 1)) throw new StateFormatError('a record field is malformed');
    let kmsKeyId: string | undefined;
    if (kms === 1) {
      if (this.prevKms === undefined) throw new StateFormatError('a record refers to a previous key that is not there');
      kmsKeyId = this.prevKms;
    } else if (typeof kms === 'string') kmsKeyId = kms;
    else if (kms !== 0) throw new StateFormatError('a record field is malformed');
    if (kmsKeyId !== undefined) this.prevKms = kmsKeyId;
    const key = this.prevKey.slice(0, shared) + rest;
    this.prevKey = key;
    return {
      key,
      ...(typeof versionId === 'string' ? { versionId } : {}),
      etag,
      lastModified,
      size,
      sse: SSE_CODES[sse]!,
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      bucketKeyEnabled: bucketKey === 1,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ExpectedState {
  account: string;
  bucket: string;
  fingerprint: string;
}

export type StateOpen =
  | { status: 'used'; reader: StateReader; header: StateHeader; records: number }
  | { status: 'none'; note: string }
  | { status: 'invalid'; note: string };

/**
 * Lines of the gzip file, read through `handle` from the start, without closing it. Async iteration of
 * the stream itself (not node:readline, which re-emits a decompression error as an unhandled event):
 * a corrupt file rejects the iteration, which the caller turns into "invalid state".
 */
async function* linesOf(handle: FileHandle): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const source = handle.createReadStream({ start: 0, autoClose: false });
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  gunzip.setEncoding('utf8');
  let rest = '';
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      yield* parts;
    }
    if (rest !== '') yield rest;
  } finally {
    // Not source.destroy(): that would close the shared handle, which the second pass still needs.
    source.unpipe(gunzip);
    gunzip.destroy();
  }
}

function parseHeader(line: string | undefined, expected: ExpectedState): StateHeader {
  let h: Partial<StateHeader>;
  try {
    h = JSON.parse(line ?? '') as Partial<StateHeader>;
  } catch {
    throw new StateFormatError('the header is not valid JSON');
  }
  if (h.format !== STATE_FORMAT || h.version !== STATE_VERSION) throw new StateFormatError(`not a version ${STATE_VERSION} object state file`);
  if (h.account !== expected.account || h.bucket !== expected.bucket) throw new StateFormatError(`it belongs to ${h.account}/${h.bucket}`);
  if (h.fingerprint !== expected.fingerprint) throw new StateFormatError('it was written for other scan options');
  return h as StateHeader;
}

/** Pass 1: the whole file, checked end to end (gzip CRC, header, order, count, digest) before any record is used. */
async function verify(handle: FileHandle, expected: ExpectedState): Promise<{ header: StateHeader; records: number }> {
  const lines = linesOf(handle);
  const first = await lines.next();
  const header = parseHeader(first.done ? undefined : first.value, expected);
  const decoder = new RecordDecoder();
  const digest = createHash('sha256');
  let count = 0;
  let previous: StateRecord | undefined;
  let trailer: { end?: unknown; records?: unknown; sha256?: unknown } | undefined;
  for await (const line of lines) {
    if (trailer) throw new StateFormatError('data after the trailer');
    if (line.startsWith('{')) {
      try {
        trailer = JSON.parse(line) as typeof trailer;
      } catch {
        throw new StateFormatError('the trailer is not valid JSON');
      }
      continue;
    }
    const r = decoder.decode(line);
    if (previous && compareUtf8(previous.key, r.key) > 0) throw new StateFormatError('records are out of key order');
    previous = r;
    digest.update(line).update('\n');
    count++;
  }
  if (!trailer || trailer.end !== true) throw new StateFormatError('the file is truncated (no trailer)');
  if (trailer.records !== count) throw new StateFormatError(`the trailer counts ${String(trailer.records)} records, the file holds ${count}`);
  if (trailer.sha256 !== digest.digest('hex')) throw new StateFormatError('the records do not match their digest');
  return { header, records: count };
}

/**
 * Opens and verifies the state file. `none` when there is none (first run, or deleted); `invalid` with a
 * reason when it cannot be trusted. Either way the caller scans in full and writes a new one.
 */
export async function openState(path: string, expected: ExpectedState): Promise<StateOpen> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'none', note: 'no state file yet: full scan' };
    return { status: 'invalid', note: `cannot read the state file (${code ?? String(err)}): full scan` };
  }
  try {
    // Both passes read through this one handle: a file renamed over it meanwhile cannot swap the data.
    const { header, records } = await verify(handle, expected);
    return { status: 'used', header, records, reader: new StateReader(handle, linesOf(handle)) };
  } catch (err) {
    await handle.close().catch(() => undefined);
    const why = err instanceof StateFormatError ? err.message : `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    return { status: 'invalid', note: `state file ${why}: full scan` };
  }
}

/**
 * Pass 2: merges the (verified) records with a listing in the same order. lookup() must be called with
 * entries in listing order; it reads forward only, so memory holds one key's versions at a time.
 */
export class StateReader {
  private readonly decoder = new RecordDecoder();
  private started = false;
  private pending: StateRecord | undefined;
  private ended = false;
  private groupKey: string | undefined;
  private group: StateRecord[] = [];

  constructor(
    private readonly handle: FileHandle,
    private readonly lines: AsyncGenerator<string>,
  ) {}

  private async next(): Promise<StateRecord | undefined> {
    if (!this.started) {
      this.started = true;
      await this.lines.next(); // the header, verified already
    }
    if (this.ended) return undefined;
    const { done, value } = await this.lines.next();
    if (done || value.startsWith('{')) {
      this.ended = true;
      return undefined;
    }
    return this.decoder.decode(value);
  }

  /** The record of this exact object (same key, version, ETag and LastModified), or undefined. */
  async lookup(entry: ObjectIdentity): Promise<StateRecord | undefined> {
    if (this.groupKey !== entry.key) {
      if (!this.started) this.pending = await this.next();
      while (this.pending && compareUtf8(this.pending.key, entry.key) < 0) this.pending = await this.next();
      this.group = [];
      this.groupKey = entry.key;
      while (this.pending && this.pending.key === entry.key) {
        this.group.push(this.pending);
        this.pending = await this.next();
      }
    }
    const etag = stripQuotes(entry.etag);
    return this.group.find((r) => (r.versionId ?? '') === (entry.versionId ?? '') && r.etag === etag && r.lastModified === entry.lastModified);
  }

  async close(): Promise<void> {
    await this.lines.return(undefined).catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Writes a new state file record by record (in listing order), to a temporary name; commit() adds the
 * trailer and renames it into place, abort() removes it. Backpressure: append() waits when gzip's buffer
 * is full, so a slow disk slows the scan instead of filling memory.
 */
export class StateWriter {
  private readonly encoder = new RecordEncoder();
  private readonly digest: Hash = createHash('sha256');
  private count = 0;
  private failed: Error | undefined;
  /** Lines gathered into ~64 KiB chunks: one gzip write per chunk, not per object. */
  private chunk: string[] = [];
  private chunkChars = 0;

  private constructor(
    private readonly path: string,
    private readonly temporary: string,
    private readonly gzip: Gzip,
    private readonly file: WriteStream,
  ) {
    const fail = (e: Error): void => {
      this.failed ??= e;
    };
    gzip.on('error', fail);
    file.on('error', fail);
  }

  static async create(path: string, header: Omit<StateHeader, 'format' | 'version' | 'scannedAt'>): Promise<StateWriter> {
    await createDirectory(dirname(path));
    // Unique per writer, not per process: two scans in one run must never write (or rename) the same file.
    const temporary = temporarySibling(path);
    const gzip = createGzip({ level: zlib.Z_BEST_SPEED });
    const file = createWriteStream(temporary);
    gzip.pipe(file);
    const writer = new StateWriter(path, temporary, gzip, file);
    // The header's scannedAt is only known at commit; the header line carries the start, the trailer the end.
    await writer.write(JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, ...header, scannedAt: header.startedAt }));
    return writer;
  }

  private async write(line: string): Promise<void> {
    if (this.failed) throw this.failed;
    this.chunk.push(line, '\n');
    this.chunkChars += line.length + 1;
    if (this.chunkChars >= 64 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const text = this.chunk.join('');
    this.chunk = [];
    this.chunkChars = 0;
    if (!this.gzip.write(text)) await new Promise<void>((resolve) => this.gzip.once('drain', resolve));
    if (this.failed) throw this.failed;
  }

  async append(record: StateRecord): Promise<void> {
    const line = this.encoder.encode(record);
    this.digest.update(line + '\n');
    this.count++;
    await this.write(line);
  }

  get records(): number {
    return this.count;
  }

  async commit(scannedAt: string): Promise<void> {
    await this.write(JSON.stringify({ end: true, records: this.count, sha256: this.digest.digest('hex'), scannedAt }));
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.file.once('finish', resolve);
      this.file.once('error', reject);
      this.gzip.end();
    });
    if (this.failed) throw this.failed;
    await rename(this.temporary, this.path);
  }

  async abort(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
    await rm(this.temporary, { force: true });
  }
}

/** One bucket scan's state: the last state as found (verified or not) and the writer of the next one. */
export interface OpenedState {
  path: string;
  previous: StateOpen;
  next: StateWriter;
}

/**
 * Where object scans keep their incremental state. The collector is handed one and never decides
 * where files go; the run layer chooses the folder (--state).
 */
export interface ObjectStateStore {
  open(identity: { account: string; bucket: string; region: string; fingerprint: string }, startedAt: string): Promise<OpenedState>;
}

/** State files in one folder, one per account, bucket and policy-group fingerprint. */
export class FileStateStore implements ObjectStateStore {
  constructor(readonly dir: string) {}

  async open(identity: { account: string; bucket: string; region: string; fingerprint: string }, startedAt: string): Promise<OpenedState> {
    const { account, bucket, region, fingerprint } = identity;
    const path = stateFilePath(this.dir, account, bucket, fingerprint);
    const previous = await openState(path, { account, bucket, fingerprint });
    const next = await StateWriter.create(path, { account, bucket, region, fingerprint, startedAt });
    return { path, previous, next };
  }
}
