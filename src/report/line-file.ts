/**
 * A text file written line by line as outcomes are found, so millions of lines never sit in memory.
 *
 * The file is written under a temporary name and renamed when complete, so a reader never sees half a
 * file; an aborted run removes it. Lines are gathered into chunks of about 64 KiB before they reach the
 * stream (one write per chunk, not per line: millions of tiny writes cost more than the text), and when
 * the stream's buffer is full the writer makes its caller wait for 'drain' — backpressure that slows the
 * scan to the disk's pace instead of queueing lines in memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDirectory, temporarySibling } from '../paths.js';

const CHUNK_CHARS = 64 * 1024;

export class LineFileWriter {
  private chunk: string[] = [];
  private chunkChars = 0;
  private failed: Error | undefined;
  private lineCount = 0;
  /** Pending 'drain' wait, shared by every caller that hits a full buffer. */
  private draining: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private readonly temporary: string,
    private readonly stream: WriteStream,
    private readonly eol: string,
  ) {
    stream.on('error', (e) => {
      this.failed ??= e;
    });
  }

  /** Opens `path` for writing (its folder is created); `eol` ends every line (CRLF for RFC 4180 CSV). */
  static async open(path: string, eol = '\n'): Promise<LineFileWriter> {
    await createDirectory(dirname(path));
    const temporary = temporarySibling(path);
    // A buffer of a few chunks, so the scan does not stop for 'drain' after every chunk (the default is 16 KiB).
    const stream = createWriteStream(temporary, { encoding: 'utf8', highWaterMark: 4 * CHUNK_CHARS });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new LineFileWriter(path, temporary, stream, eol);
  }

  get lines(): number {
    return this.lineCount;
  }

  /**
   * Adds one line (without its end-of-line). Returns a promise only when the caller must wait (the
   * stream's buffer is full); otherwise undefined, so the common path allocates nothing.
   */
  writeLine(line: string): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    this.chunk.push(line, this.eol);
    this.chunkChars += line.length + this.eol.length;
    this.lineCount++;
    if (this.chunkChars < CHUNK_CHARS) return undefined;
    return this.flush();
  }

  private flush(): Promise<void> | undefined {
    if (this.chunk.length === 0) return this.draining;
    const text = this.chunk.join('');
    this.chunk = [];
    this.chunkChars = 0;
    if (!this.stream.write(text) && !this.draining) {
      this.draining = new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.draining = undefined;
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
      });
    }
    return this.draining;
  }

  /** Writes what is buffered, closes the file and renames it into place. Returns the final path. */
  async close(): Promise<string> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
    if (this.failed) throw this.failed;
    await rename(this.temporary, this.path);
    return this.path;
  }

  /** Drops the file (the run failed): nothing half-written is left behind. */
  async abort(): Promise<void> {
    this.chunk = [];
    this.stream.destroy();
    await rm(this.temporary, { force: true });
  }
}
