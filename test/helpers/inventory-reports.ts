/**
 * Reading a delivered S3 Inventory report back from the sandbox, as a test's independent view of it.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Sandbox } from '../../src/sandbox/server.js';
import { s3For } from './sandbox.js';

/** The data file keys of the newest report under s3://dest/root (its manifest.json), as S3 delivered them. */
export async function newestInventoryDataFiles(sb: Sandbox, destination: string, account = 'prod'): Promise<string[]> {
  const [, dest, root] = /^s3:\/\/([^/]+)\/(.*)$/.exec(destination)!;
  const s3 = s3For(sb, account);
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: dest, Prefix: root }));
    const manifest = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('/manifest.json')).sort().at(-1)!;
    const body = await (await s3.send(new GetObjectCommand({ Bucket: dest, Key: manifest }))).Body!.transformToString();
    return (JSON.parse(body) as { files: { key: string }[] }).files.map((f) => f.key);
  } finally {
    s3.destroy();
  }
}
