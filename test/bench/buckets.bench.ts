/**
 * Benchmark of the bucket-level scan. Not a test: it prints figures.
 *
 *   npm run bench:buckets -- [--buckets 20000] [--concurrency 64] [--latency 50,20] [--cpu-prof]
 *
 * For each latency, a sandbox child (test/bench/sandbox-child.ts) serves a generated estate of that many
 * empty buckets with the latency injected before every answer, and the compiled CLI scans it with one
 * bucket policy (s3-bucket-sse-kms + s3-bucket-bucket-key) in another child process, exactly as a user
 * runs it. Then the floor child sends as many GetBucketEncryption requests, signed with
 * @smithy/signature-v4 over a bare http.Agent (no SDK), so the auditor's CPU per request can be read
 * against the least any client could spend. Printed per latency: wall time, requests (per bucket), the
 * latency-bound ideal (requests × latency ÷ concurrency) and actual ÷ ideal, average requests in flight
 * (requests × latency ÷ wall), CPU per request of the auditor (with and without its start-up, the CPU
 * spent before its first request: the floor's figure is its request loop only) and of the floor and their
 * ratio on the like-for-like figure (and incl. start-up), the
 * floor's own wall ÷ ideal (how close this machine lets a bare client come), the
 * sandbox's CPU next to the auditor's (on a small machine the sandbox can be the limit), peak RSS, and
 * the machine's core count and load.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditReport } from '../../src/domain/report.js';
import { auditorEnv, fmt, machineLine, runAuditor, runFloor, startSandboxChild } from './harness.js';
import { formatSummary, summarizeProfile } from './profile-summary.js';

const { values } = parseArgs({
  options: {
    buckets: { type: 'string' },
    concurrency: { type: 'string' },
    latency: { type: 'string' },
    'cpu-prof': { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});
const bucketCount = Number(values.buckets ?? 20_000);
const concurrency = Number(values.concurrency ?? 64);
const latencies = (values.latency ?? '50,20').split(',').map(Number);

async function benchAtLatency(latencyMs: number, work: string): Promise<void> {
  const sandbox = await startSandboxChild({ objects: 0, buckets: bucketCount, latencyMs });
  const profiles = join(work, `profiles-${latencyMs}`);
  try {
    const policy = join(work, 'policies.yaml');
    await writeFile(
      policy,
      ['version: 1', 'policies:', '  - name: bench-buckets', '    resource: bucket', '    scope: { include: ["*"] }', '    rules: [s3-bucket-sse-kms, s3-bucket-bucket-key]', ''].join('\n'),
    );
    const out = join(work, `out-${latencyMs}`);
    const before = await sandbox.stats();
    const run = await runAuditor(
      ['scan', '--policies', policy, '--endpoint-url', sandbox.info.endpoint, '--out', out, '--name', 'bench', '--format', 'json', '--concurrency', String(concurrency), '--max-attempts', '10', '--quiet'],
      auditorEnv(sandbox.info),
      values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [],
    );
    const after = await sandbox.stats();
    const floor = await runFloor(sandbox.info, 'get-bucket-encryption', after.requests - before.requests, concurrency);
    const report = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8')) as AuditReport;

    const requests = after.requests - before.requests;
    const sandboxCpuMs = after.cpuMs - before.cpuMs;
    const scanMs = Date.parse(report.run.end) - Date.parse(report.run.start);
    const idealMs = (requests * latencyMs) / concurrency;
    const cpuMs = run.probe.userMs + run.probe.systemMs;
    const perRequestUs = (1000 * cpuMs) / Math.max(1, requests);
    const floorPerRequestUs = (1000 * floor.cpuMs) / Math.max(1, floor.requests);
    // The floor child counts its request loop only, so the like-for-like figure is the auditor's CPU from its
    // first request on (ListBuckets pages, bucket calls, rules, report): start-up is printed apart, not hidden.
    const startupMs = run.probe.startupMs ?? 0;
    const perRequestNoStartupUs = (1000 * (cpuMs - startupMs)) / Math.max(1, requests);
    const lines = [
      `buckets ${fmt(bucketCount)} · latency ${latencyMs} ms · concurrency ${concurrency} · exit ${run.code}`,
      `  ${machineLine()}`,
      `  requests               ${fmt(requests)} (${fmt(requests / bucketCount, 2)} per bucket), ${fmt(report.summary.total)} outcomes`,
      `  wall time              ${fmt(run.wallMs / 1000, 2)} s (process), ${fmt(scanMs / 1000, 2)} s (scan, report run.start → run.end)`,
      `  ideal time             ${fmt(idealMs / 1000, 2)} s (requests × latency ÷ concurrency)`,
      `  actual ÷ ideal         ${idealMs > 0 ? fmt(scanMs / idealMs, 2) : 'n/a (latency 0)'}`,
      `  requests in flight     ${fmt((requests * latencyMs) / Math.max(1, scanMs), 1)} on average of ${concurrency} (requests × latency ÷ scan time)`,
      `  auditor CPU            ${fmt(cpuMs / 1000, 2)} s (user ${fmt(run.probe.userMs / 1000, 2)} + system ${fmt(run.probe.systemMs / 1000, 2)}), ${fmt(perRequestUs)} µs per request (incl. start-up)`,
      `  auditor start-up CPU   ${fmt(startupMs / 1000, 2)} s before its first request; ${fmt(perRequestNoStartupUs)} µs per request, start-up excluded`,
      `  sandbox CPU            ${fmt(sandboxCpuMs / 1000, 2)} s during the scan, ${fmt((1000 * sandboxCpuMs) / Math.max(1, requests))} µs per request`,
      `  floor (no SDK)         ${fmt(floorPerRequestUs)} µs per GetBucketEncryption (http.Agent + signature-v4, ${fmt(floor.requests)} requests, ${fmt(floor.wallMs / 1000, 2)} s, ${floor.failures} failures)`,
      `  auditor ÷ floor        ${fmt(perRequestNoStartupUs / floorPerRequestUs, 2)} (CPU per request, start-up excluded, like the floor's); ${fmt(perRequestUs / floorPerRequestUs, 2)} incl. start-up`,
      // The same requests, bare, at the same concurrency: how close this machine lets any client come to the ideal.
      `  floor wall ÷ ideal     ${idealMs > 0 ? fmt(floor.wallMs / idealMs, 2) : 'n/a (latency 0)'}`,
      `  auditor peak RSS       ${fmt(run.probe.maxRssKiB / 1024, 1)} MiB`,
    ];
    console.log(lines.join('\n'));
    if (run.code !== 0 && run.code !== 1) console.log(`  (auditor stderr)\n${run.stderr}`);
    for (const f of (await readdir(profiles).catch(() => [] as string[])).filter((x) => x.endsWith('.cpuprofile'))) {
      console.log('\n' + formatSummary(`auditor profile (${join(profiles, f)})`, summarizeProfile(join(profiles, f))));
    }
    console.log('');
  } finally {
    await sandbox.stop();
  }
}

const work = await mkdtemp(join(tmpdir(), 'bench-buckets-'));
try {
  for (const latency of latencies) await benchAtLatency(latency, work);
} finally {
  if (!values.keep) await rm(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
