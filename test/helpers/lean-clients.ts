/**
 * What the lean-path tests share: an S3 client built as the auditor builds it (createS3Client, so its lean
 * requests are enabled) for one sandbox account and region, and a walk over every bucket of every demo
 * account with a client of the bucket's own region.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf } from './sandbox.js';

export function leanClientFor(sb: Sandbox, account: string, region = 'us-east-1', maxAttempts = 5): S3Client {
  const a = accountOf(sb, account);
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return createS3Client({ endpoint: sb.endpoint, region, maxAttempts }, region, { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, agents);
}

/** Calls `visit` for every bucket of every sandbox account, with a lean client of the bucket's region (destroyed after). */
export async function forEachDemoBucket(sb: Sandbox, visit: (s3: S3Client, bucket: string, account: string, region: string) => Promise<void>): Promise<void> {
  for (const account of sb.accounts) {
    const home = leanClientFor(sb, account.name);
    const clients = new Map<string, S3Client>([['us-east-1', home]]);
    try {
      const listing = await home.send(new ListBucketsCommand({ MaxBuckets: 1000 }));
      for (const b of listing.Buckets ?? []) {
        const region = b.BucketRegion ?? 'us-east-1';
        let s3 = clients.get(region);
        if (!s3) clients.set(region, (s3 = leanClientFor(sb, account.name, region)));
        await visit(s3, b.Name!, account.name, region);
      }
    } finally {
      for (const c of clients.values()) c.destroy();
    }
  }
}
