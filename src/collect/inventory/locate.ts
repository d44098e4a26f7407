/**
 * Finds a bucket's newest delivered inventory report in the destination bucket. S3 writes (User Guide,
 * "Locating your inventory list", https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html):
 *   destination-prefix/source-bucket/config-ID/YYYY-MM-DDTHH-MMZ/manifest.json   (+ manifest.checksum)
 *   destination-prefix/source-bucket/config-ID/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt
 *   destination-prefix/source-bucket/config-ID/data/<file>.csv.gz | .parquet | .orc
 * The timestamp is when S3 began scanning the bucket, in UTC.
 */

export interface ReportCandidate {
  /** Epoch milliseconds of the report's start. */
  time: number;
  layout: 'manifest' | 'hive';
  /** The folder (ends with "/") holding manifest.json or symlink.txt. */
  folder: string;
}

/** The key prefix of one configuration's reports: "<prefix>/<source-bucket>/<config-ID>/". */
export function reportRoot(destinationPrefix: string, sourceBucket: string, configId: string): string {
  const prefix = destinationPrefix.replace(/\/+$/, '');
  return `${prefix ? `${prefix}/` : ''}${sourceBucket}/${configId}/`;
}

/** "2016-11-06T21-32Z/" → its time; undefined for any other folder name (data/, hive/). */
export function manifestFolderTime(name: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})Z\/$/.exec(name);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) : undefined;
}

/** "dt=2016-11-06-21-32/" → its time. */
export function hiveFolderTime(name: string): number | undefined {
  const m = /^dt=(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\/$/.exec(name);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) : undefined;
}

/** Folder names for a time, as S3 writes them. */
export function manifestFolderName(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace(':', '-')}Z`;
}
export function hiveFolderName(time: Date): string {
  return `dt=${time.toISOString().slice(0, 16).replace('T', '-').replace(':', '-')}`;
}

/**
 * Report candidates, newest first. At equal times the manifest comes first: it carries checksums, the hive
 * symlink does not; a hive folder is used only for a report whose manifest is missing.
 */
export function candidates(root: string, manifestFolders: readonly string[], hiveFolders: readonly string[]): ReportCandidate[] {
  const out: ReportCandidate[] = [];
  for (const f of manifestFolders) {
    const t = manifestFolderTime(f.slice(root.length));
    if (t !== undefined) out.push({ time: t, layout: 'manifest', folder: f });
  }
  for (const f of hiveFolders) {
    const t = hiveFolderTime(f.slice(root.length + 'hive/'.length));
    if (t !== undefined) out.push({ time: t, layout: 'hive', folder: f });
  }
  return out.sort((a, b) => b.time - a.time || (a.layout === b.layout ? 0 : a.layout === 'manifest' ? -1 : 1));
}
