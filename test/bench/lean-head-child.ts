/**
 * The auditor's own HeadObject path (src/aws/lean-head.ts through an S3 client made as the CLI makes it)
 * in the same bare loop as the floor (floor-child.ts): no listing, rules or JSONL, so its CPU per request
 * set against the floor's shows what the lean request itself adds. Run as its own process so its CPU
 * time is its own. Prints one JSON line: { requests, cpuMs, wallMs, failures }.
 *
 *   node dist/test/bench/lean-head-child.js --endpoint http://127.0.0.1:PORT --access-key-id … --secret-access-key … \
 *     --requests 20000 --concurrency 128
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command, ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.js';
import { headObjectLean } from '../../src/aws/lean-head.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'access-key-id': { type: 'string' },
    'secret-access-key': { type: 'string' },
    operation: { type: 'string' }, // accepted for the floor's command line; always head-object
    requests: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const total = Number(values.requests ?? 20_000);
const concurrency = Number(values.concurrency ?? 128);
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: concurrency }), https: new HttpsAgent({ keepAlive: true, maxSockets: concurrency }) };
const stop = new AbortController();
const client = createS3Client(
  { endpoint: values.endpoint!, region: 'us-east-1', credentials: { accessKeyId: values['access-key-id']!, secretAccessKey: values['secret-access-key']! }, signal: stop.signal },
  'us-east-1',
  { accessKeyId: values['access-key-id']!, secretAccessKey: values['secret-access-key']! },
  agents,
);

const bucket = (await client.send(new ListBucketsCommand({}))).Buckets?.[0]?.Name;
if (!bucket) throw new Error('lean-head: no buckets');
const keys = ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
if (keys.length === 0) throw new Error('lean-head: the first bucket has no objects');

let next = 0;
let failures = 0;
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const key = keys[next++ % keys.length]!;
      const answer = await headObjectLean(client, bucket, key, undefined, stop.signal).catch(() => undefined);
      if (!answer) failures++;
    }
  }),
);
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuBefore);
agents.http.destroy();
agents.https.destroy();
client.destroy();
process.stdout.write(JSON.stringify({ requests: total, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, failures }) + '\n');
