/**
 * The CPU floor of a benchmark's hot request: a bare loop of the same requests the auditor sends, with
 * Node's keep-alive http.Agent and @smithy/signature-v4 only (sign + send + read the body), no SDK client,
 * middleware, endpoint rules, retries or XML parsing. Run as its own process so its CPU time is its own.
 * Prints one JSON line: { requests, cpuMs, wallMs, failures }.
 *
 *   node dist/test/bench/floor-child.js --endpoint http://127.0.0.1:PORT --access-key-id … --secret-access-key … \
 *     --operation get-bucket-encryption|head-object --requests 20000 --concurrency 64
 *
 * The targets (bucket names, or object keys of the first bucket) are listed first, outside the measured loop.
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { NodeSha256 } from '../helpers/node-sha256.js';
import { SignatureV4 } from '@smithy/signature-v4';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'access-key-id': { type: 'string' },
    'secret-access-key': { type: 'string' },
    operation: { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const endpoint = new URL(values.endpoint!);
const operation = values.operation ?? 'get-bucket-encryption';
const total = Number(values.requests ?? 20_000);
const concurrency = Number(values.concurrency ?? 64);
const region = 'us-east-1';
// The SHA-256 of an empty body, as the SDK sends it on S3 GET and HEAD requests.
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const signer = new SignatureV4({
  service: 's3',
  region,
  credentials: { accessKeyId: values['access-key-id']!, secretAccessKey: values['secret-access-key']! },
  sha256: NodeSha256,
  uriEscapePath: false,
});

interface Answer {
  status: number;
  body: string;
}

async function send(method: string, path: string, query: Record<string, string>): Promise<Answer> {
  const signed = await signer.sign({
    method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path,
    query,
    headers: { host: endpoint.host, 'x-amz-content-sha256': EMPTY_SHA256 },
  });
  const search = new URLSearchParams(query).toString();
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { agent, method, hostname: endpoint.hostname, port: endpoint.port, path: search ? `${path}?${search}` : path, headers: signed.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const matches = (xml: string, tag: string): string[] => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);

const buckets = matches((await send('GET', '/', {})).body, 'Name');
if (buckets.length === 0) throw new Error('floor: ListBuckets returned no buckets');
const targets: { path: string; query: Record<string, string>; method: string }[] = [];
if (operation === 'head-object') {
  const keys = matches((await send('GET', `/${buckets[0]}`, { 'list-type': '2' })).body, 'Key');
  if (keys.length === 0) throw new Error('floor: the first bucket has no objects');
  for (const key of keys) targets.push({ method: 'HEAD', path: `/${buckets[0]}/${key.split('/').map(encodeURIComponent).join('/')}`, query: {} });
} else {
  for (const b of buckets) targets.push({ method: 'GET', path: `/${b}`, query: { encryption: '' } });
}

let next = 0;
let failures = 0;
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const t = targets[next++ % targets.length]!;
      const answer = await send(t.method, t.path, t.query);
      // 404 (no encryption configuration) is an answer, not a failure; 403 would mean a bad signature.
      if (answer.status >= 500 || answer.status === 403) failures++;
    }
  }),
);
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();
process.stdout.write(JSON.stringify({ requests: total, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, failures }) + '\n');
