/**
 * The organisation benchmark's sandbox, in its own process: a generated organisation
 * (src/sandbox/estates/generate-organization.ts) of `--accounts` accounts × `--buckets` buckets, with
 * `--latency` ms injected before every answer. Prints one JSON line when listening (endpoint, the
 * management account's keys, the role name and the bucket counts); then one JSON line of requests and
 * CPU per `stats` line on stdin (as test/bench/sandbox-child.ts); runs until SIGTERM.
 *
 *   node dist/test/bench/org-sandbox-child.js --accounts 200 --buckets 25 --latency 20
 */
import { parseArgs } from 'node:util';
import { generateOrganization } from '../../src/sandbox/estates/generate-organization.js';
import { serveBenchSandbox } from './sandbox-child-protocol.js';
import { startSandbox } from '../../src/sandbox/server.js';

const { values } = parseArgs({ options: { accounts: { type: 'string' }, buckets: { type: 'string' }, latency: { type: 'string' } } });
const org = generateOrganization({ accounts: Number(values.accounts ?? 200), bucketsPerAccount: Number(values.buckets ?? 25), seed: 1 });
const sandbox = await startSandbox({ estate: org.estate, port: 0, faults: { latencyMs: Number(values.latency ?? 0), jitterMs: 0 } });
serveBenchSandbox(sandbox, {
    endpoint: sandbox.endpoint,
    accessKeyId: org.managementAccount.accessKeyId,
    secretAccessKey: org.managementAccount.secretAccessKey,
    buckets: org.estate.buckets.size,
    auditableBuckets: org.auditableBuckets,
    auditableAccounts: org.auditable.length,
    roleName: org.roleName,
  });
