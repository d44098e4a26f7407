/**
 * Streaming report files: lines written as outcomes are found, so a scan of millions of objects never
 * holds its outcomes in memory (docs/architecture.md: object-level outcomes stream to `<name>.objects.jsonl`).
 *
 * Like writer.ts, a file is written under a temporary name and renamed when complete, so a reader never
 * sees half a file; an aborted run removes it. Lines are encoded into large reused buffers, one write per
 * buffer (line-file.ts), and when the disk falls behind the writer makes its caller wait — backpressure
 * that slows the scan to the disk's pace instead of queueing lines in memory.
 */
import type { ObjectOutputSinks } from '../domain/outputs.js';
import type { Finding } from '../domain/finding.js';
import { LineFileWriter } from './line-file.js';
import { ManifestWriter } from './manifest.js';

/** One JSON value per line (https://jsonlines.org). */
export class JsonlWriter {
  private constructor(private readonly lines: LineFileWriter) {}

  static async open(path: string): Promise<JsonlWriter> {
    return new JsonlWriter(await LineFileWriter.open(path));
  }

  get path(): string {
    return this.lines.path;
  }

  get count(): number {
    return this.lines.lines;
  }

  /** See LineFileWriter.writeLine: a promise only when the caller must wait. */
  write(value: unknown): Promise<void> | undefined {
    return this.lines.writeLine(JSON.stringify(value));
  }

  /** A value already serialised as one line of JSON (JSON.stringify's output, no line break in it). */
  writeJson(json: string): Promise<void> | undefined {
    return this.lines.writeLine(json);
  }

  close(): Promise<string> {
    return this.lines.close();
  }

  abort(): Promise<void> {
    return this.lines.abort();
  }
}

// ---------------------------------------------------------------------------------------------
// The object audit's outputs (src/collect/objects-audit.ts ObjectOutputSinks), as files.


export interface ObjectOutputFiles {
  /** `<name>.objects.jsonl`: every object finding, one JSON object per line. */
  jsonlPath?: string;
  /** --export-manifest: failing objects as an S3 Batch Operations CSV manifest. */
  manifestPath?: string;
  /** Include the VersionId column (when any object policy walks versions). */
  manifestVersionIds?: boolean;
}

export async function openObjectOutputs(files: ObjectOutputFiles): Promise<ObjectOutputSinks> {
  const jsonl = files.jsonlPath ? await JsonlWriter.open(files.jsonlPath) : undefined;
  let manifest: ManifestWriter | undefined;
  try {
    manifest = files.manifestPath ? await ManifestWriter.open(files.manifestPath, files.manifestVersionIds === true) : undefined;
  } catch (err) {
    await jsonl?.abort();
    throw err;
  }
  return {
    ...(jsonl ? { finding: (f: Finding) => jsonl.write(f), findingJson: (json: string) => jsonl.writeJson(json) } : {}),
    ...(manifest ? { failing: (o: { bucket: string; key: string; versionId?: string }) => manifest.add(o) } : {}),
    async close() {
      const out: Awaited<ReturnType<ObjectOutputSinks['close']>> = {};
      if (jsonl) out.jsonl = await jsonl.close();
      if (manifest) out.manifest = { path: await manifest.close(), objects: manifest.count, versionIds: manifest.versionIds };
      return out;
    },
    async abort() {
      await Promise.all([jsonl?.abort(), manifest?.abort()]);
    },
  };
}
