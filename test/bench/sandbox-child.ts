/**
 * The benchmark's sandbox, in its own process so its request handling does not share the auditor's
 * event loop or CPU time: a generated estate (src/sandbox/estate.ts generateEstate) of `--objects`
 * objects spread over `--buckets` buckets, with `--latency` ms injected before every answer.
 * Prints one JSON line (endpoint and the account's keys) on stdout when listening; then, for every
 * `stats` line on stdin, one JSON line with the requests served and the CPU spent since listening (so
 * the benchmark can put the sandbox's CPU next to the auditor's); runs until SIGTERM.
 *
 *   node dist/test/bench/sandbox-child.js --objects 200000 --buckets 8 --latency 5
 */
import { parseArgs } from 'node:util';
import { generateEstate } from '../../src/sandbox/estate.js';
import { serveBenchSandbox } from './sandbox-child-protocol.js';
import { startSandbox } from '../../src/sandbox/server.js';

const { values } = parseArgs({
  options: { objects: { type: 'string' }, buckets: { type: 'string' }, latency: { type: 'string' } },
});
const objects = Number(values.objects ?? 200_000);
const buckets = Number(values.buckets ?? 8);
const latencyMs = Number(values.latency ?? 0);

const estate = generateEstate({ buckets, objectsPerBucket: Math.ceil(objects / buckets), regions: ['us-east-1'], seed: 1 });
const sandbox = await startSandbox({ estate, port: 0, faults: { latencyMs, jitterMs: 0 } });
const account = sandbox.accounts[0]!;
serveBenchSandbox(sandbox, { endpoint: sandbox.endpoint, accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey, buckets: estate.buckets.size });
