/**
 * `--export-manifest FILE`: the failing objects as an S3 Batch Operations manifest, so a large
 * re-encryption (a Copy job with the new SSE-KMS settings) runs on AWS's batch engine rather than in
 * this process.
 *
 * Format (S3 User Guide, "Creating an S3 Batch Operations job" → "Specifying a manifest"; API reference,
 * JobManifestSpec, format S3BatchOperations_CSV_20180820 with Fields Bucket, Key[, VersionId]):
 * - each row is `bucket,key` or `bucket,key,versionId`;
 * - "Object keys must be URL-encoded" (their example: `object%20key%20with%20spaces`, slashes as-is);
 * - "The manifest must either include version IDs for all objects or omit version IDs for all objects";
 *   objects without a version id in such a manifest are written with the string `null`, which is how S3
 *   names the version of an object stored without versioning (same page, on inventory reports).
 * Rows follow RFC 4180 (fields quoted when they hold a comma, quote, CR or LF; CRLF line ends). With
 * keys URL-encoded no field ever needs quoting in practice, but the writer does not rely on that.
 */
import { quoteField } from './csv.js';
import { LineFileWriter } from './line-file.js';

/**
 * A key as the manifest wants it: percent-encoded UTF-8 (space as %20, "+" as %2B, "," as %2C), with "/"
 * kept as in AWS's examples.
 */
export function encodeManifestKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

export interface ManifestObject {
  bucket: string;
  key: string;
  versionId?: string;
}

export function manifestRow(o: ManifestObject, withVersionIds: boolean): string {
  const fields = [o.bucket, encodeManifestKey(o.key)];
  if (withVersionIds) fields.push(o.versionId ?? 'null');
  return fields.map(quoteField).join(',');
}

/** Streams manifest rows to a file (temporary name until close, like every report file). */
export class ManifestWriter {
  private constructor(
    private readonly lines: LineFileWriter,
    readonly versionIds: boolean,
  ) {}

  /** `versionIds`: include the VersionId column (all rows or none, as Batch Operations requires). */
  static async open(path: string, versionIds: boolean): Promise<ManifestWriter> {
    return new ManifestWriter(await LineFileWriter.open(path, '\r\n'), versionIds);
  }

  get path(): string {
    return this.lines.path;
  }

  get count(): number {
    return this.lines.lines;
  }

  /** A promise only when the caller must wait for the disk. */
  add(o: ManifestObject): Promise<void> | undefined {
    return this.lines.writeLine(manifestRow(o, this.versionIds));
  }

  close(): Promise<string> {
    return this.lines.close();
  }

  abort(): Promise<void> {
    return this.lines.abort();
  }
}
