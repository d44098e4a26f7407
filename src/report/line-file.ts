/**
 * A text file written line by line as outcomes are found, so millions of lines never sit in memory.
 *
 * The file is written under a temporary name and renamed when complete, so a reader never sees half a
 * file; an aborted run removes it. Lines are encoded (UTF-8) straight into a buffer of 512 KiB, and a full
 * buffer is written with one call while the next one fills: no string is built per chunk and no buffer is
 * allocated per write, which for the hundreds of megabytes of an object audit's JSONL cost as much CPU
 * as everything else the audit does per object (a write stream of 64 KiB string chunks: about three
 * times the CPU, measured). When a full buffer is waiting behind a write still in flight, the writer makes
 * its caller wait — backpressure that slows the scan to the disk's pace instead of queueing lines in memory.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDirectory, temporarySibling } from '../paths.js';

const BUFFER_BYTES = 512 * 1024;

export class LineFileWriter {
  private current: Buffer;
  private used = 0;
  /** Buffers whose write has finished, to fill again. */
  private readonly spare: Buffer[] = [];
  /** Writes started and not finished. */
  private inFlight = 0;
  /** The last write started: writes run one after another, in order. */
  private tail: Promise<void> = Promise.resolve();
  private failed: Error | undefined;
  private lineCount = 0;
  private readonly eolBytes: number;

  private constructor(
    readonly path: string,
    private readonly temporary: string,
    private readonly file: FileHandle,
    private readonly eol: string,
  ) {
    this.current = Buffer.allocUnsafe(BUFFER_BYTES);
    this.eolBytes = Buffer.byteLength(eol);
  }

  /** Opens `path` for writing (its folder is created); `eol` ends every line (CRLF for RFC 4180 CSV). */
  static async open(path: string, eol = '\n'): Promise<LineFileWriter> {
    await createDirectory(dirname(path));
    const temporary = temporarySibling(path);
    return new LineFileWriter(path, temporary, await open(temporary, 'w'), eol);
  }

  get lines(): number {
    return this.lineCount;
  }

  /**
   * Adds one line (without its end-of-line). Returns a promise only when the caller must wait (a full
   * buffer is queued behind a write in flight); otherwise undefined, so the common path allocates nothing.
   */
  writeLine(line: string): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    this.lineCount++;
    // At most 3 bytes of UTF-8 per UTF-16 unit: room for that is room for the line.
    const most = line.length * 3 + this.eolBytes;
    let wait: Promise<void> | undefined;
    if (this.used + most > this.current.length) {
      wait = this.flush();
      if (most > this.current.length) {
        // A line longer than a buffer: a buffer of its own.
        const before = this.tail;
        this.enqueue(Buffer.from(line + this.eol, 'utf8'));
        return this.inFlight > 1 ? before : undefined;
      }
    }
    this.used += this.current.write(line, this.used, 'utf8');
    this.used += this.current.write(this.eol, this.used, 'utf8');
    return wait;
  }

  /**
   * Starts writing the current buffer and takes another. When an earlier write is still in flight, returns
   * the promise of that one: the caller waits for it, and fills the next buffer while this one is written.
   */
  private flush(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const full = this.current.subarray(0, this.used);
    const buffer = this.current;
    this.current = this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES);
    this.used = 0;
    const before = this.tail;
    this.enqueue(full, buffer);
    return this.inFlight > 1 ? before : undefined;
  }

  /** Writes `bytes` after every earlier write; `reuse` goes back to the spares once written. */
  private enqueue(bytes: Buffer, reuse?: Buffer): void {
    this.inFlight++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.failed) {
          let at = 0;
          while (at < bytes.length) at += (await this.file.write(bytes, at, bytes.length - at)).bytesWritten;
        }
      } catch (e) {
        this.failed ??= e as Error;
      } finally {
        this.inFlight--;
        if (reuse && this.spare.length < 2) this.spare.push(reuse);
      }
    });
  }

  /** Writes what is buffered, closes the file and renames it into place. Returns the final path. */
  async close(): Promise<string> {
    this.flush();
    await this.tail;
    await this.file.close();
    if (this.failed) throw this.failed;
    await rename(this.temporary, this.path);
    return this.path;
  }

  /** Drops the file (the run failed): nothing half-written is left behind. */
  async abort(): Promise<void> {
    this.used = 0;
    this.failed ??= new Error('aborted');
    await this.tail;
    await this.file.close().catch(() => undefined);
    await rm(this.temporary, { force: true });
  }
}
