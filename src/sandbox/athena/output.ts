/** Writing Athena's output files into the sandbox's S3 store, as objects any S3 client can then read. */
import { createHash } from 'node:crypto';
import type { Estate } from '../model.js';
import { etagFor } from '../s3/store/etag.js';
import { sortedExplicitKeys } from '../s3/store/objects.js';
import { storeVersion } from '../s3/store/versions.js';

/** Stores a file Athena wrote (results CSV, UNLOAD part), SSE-S3 encrypted as Athena's results are by default. */
export function writeResultObject(estate: Estate, bucketName: string, key: string, body: Buffer): void {
  const bucket = estate.buckets.get(bucketName);
  if (!bucket) throw new Error(`no bucket ${bucketName}`);
  const md5 = createHash('md5').update(body).digest('hex');
  storeVersion(estate, bucket, {
    key,
    versionId: 'null',
    size: body.length,
    etag: etagFor(md5, 'AES256'),
    lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    sse: 'AES256',
    bucketKeyEnabled: false,
    body,
  });
}

/** Whether no explicit object is stored under the prefix (UNLOAD refuses a location that holds files). */
export function s3PrefixIsEmpty(estate: Estate, bucketName: string, prefix: string): boolean {
  const bucket = estate.buckets.get(bucketName);
  return !bucket || !sortedExplicitKeys(bucket).some((k) => k.startsWith(prefix));
}
