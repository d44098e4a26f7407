/**
 * Benchmark of an organisation-wide scan. Not a test: it prints figures.
 *
 *   npm run bench:org -- [--accounts 200] [--buckets 25] [--latency 20] [--concurrency 64] [--shards N]
 *
 * A sandbox child (test/bench/org-sandbox-child.ts) serves a generated organisation — one suspended
 * account, one whose audit role's trust is broken, one throttled — with the latency injected before
 * every answer; the compiled CLI runs `scan --organization --role-name …` from the management account
 * with one bucket policy, in one process, exactly as a user runs it. Printed: wall time, requests (per
 * bucket), the latency-bound ideal (requests × latency ÷ concurrency) and actual ÷ ideal, peak RSS, and
 * the machine's core count and load.
 *
 * With --shards N it then runs `scan --shard I/N` (I = 1..N) as N concurrent processes, each with the
 * same --concurrency, and `merge PART.json... --out DIR --format json`; printed: the wall time of the
 * shards and of the merge, requests, the ideal (requests × latency ÷ (N × concurrency)) and the peak RSS
 * of the largest shard. A build without `--shard` (scan --help does not list it) prints
 * "shards: not available in this build".
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditReport } from '../../src/domain/report.js';
import { auditorEnv, dist, fmt, machineLine, runAuditor, spawnSandboxChild, type BenchSandbox } from './harness.js';
import { withoutRunTiming } from '../helpers/report-files.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' },
    buckets: { type: 'string' },
    latency: { type: 'string' },
    concurrency: { type: 'string' },
    shards: { type: 'string' },
    keep: { type: 'boolean' },
  },
});
const accounts = Number(values.accounts ?? 200);
const bucketsPerAccount = Number(values.buckets ?? 25);
const latencyMs = Number(values.latency ?? 20);
const concurrency = Number(values.concurrency ?? 64);
const shards = values.shards === undefined ? 0 : Number(values.shards);

interface OrgSandboxInfo {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: number;
  auditableBuckets: number;
  auditableAccounts: number;
  roleName: string;
}

function startOrgSandbox(): Promise<BenchSandbox<OrgSandboxInfo>> {
  return spawnSandboxChild<OrgSandboxInfo>('test/bench/org-sandbox-child.js', ['--accounts', String(accounts), '--buckets', String(bucketsPerAccount), '--latency', String(latencyMs)]);
}

/**
 * Where the merged report (the only .json in `mergedDir`) first differs from the single process's, apart
 * from the run's id and timing; undefined when they are equal.
 */
async function firstDifference(singlePath: string, mergedDir: string): Promise<string | undefined> {
  const mergedFile = (await readdir(mergedDir)).find((n) => n.endsWith('.json'));
  if (!mergedFile) return 'merge wrote no JSON report';
  const a = withoutRunTiming(JSON.parse(await readFile(singlePath, 'utf8')) as AuditReport);
  const b = withoutRunTiming(JSON.parse(await readFile(join(mergedDir, mergedFile), 'utf8')) as AuditReport);
  const walk = (x: unknown, y: unknown, path: string): string | undefined => {
    if (JSON.stringify(x) === JSON.stringify(y)) return undefined;
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        const d = walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
        if (d) return d;
      }
    }
    return `${path} differs`;
  };
  return walk(a, b, 'report');
}

/** Whether this build's scan knows --shard (another part of the project adds it with `merge`). */
function shardsAvailable(): boolean {
  const help = spawnSync(process.execPath, [dist('src/cli/main.js'), 'scan', '--help'], { encoding: 'utf8' });
  return /--shard\b/.test(help.stdout ?? '');
}

function runMerge(parts: string[], out: string): Promise<{ code: number; wallMs: number; stderr: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [dist('src/cli/main.js'), 'merge', ...parts, '--out', out, '--format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code: code ?? -1, wallMs: Number(process.hrtime.bigint() - started) / 1e6, stderr }));
  });
}

const work = await mkdtemp(join(tmpdir(), 'bench-org-'));
const sandbox = await startOrgSandbox();
try {
  const { info } = sandbox;
  const policy = join(work, 'policies.yaml');
  await writeFile(policy, ['version: 1', 'policies:', '  - name: bench-org', '    resource: bucket', '    rules: [s3-bucket-sse-kms, s3-bucket-bucket-key]', ''].join('\n'));
  const scanArgs = (out: string, name: string, extra: string[] = []): string[] => [
    'scan', '--policies', policy, '--endpoint-url', info.endpoint, '--organization', '--role-name', info.roleName,
    '--out', out, '--name', name, '--format', 'json', '--concurrency', String(concurrency), '--max-attempts', '10', '--quiet', ...extra,
  ];

  console.log(`organisation ${fmt(accounts)} accounts × ${bucketsPerAccount} buckets (${fmt(info.auditableAccounts)} auditable, ${fmt(info.auditableBuckets)} buckets) · latency ${latencyMs} ms · concurrency ${concurrency}`);
  console.log(`  ${machineLine()}`);

  const before = await sandbox.stats();
  const run = await runAuditor(scanArgs(join(work, 'single'), 'org'), auditorEnv(info), []);
  const after = await sandbox.stats();
  const report = JSON.parse(await readFile(join(work, 'single', 'org.json'), 'utf8')) as AuditReport;
  const requests = after.requests - before.requests;
  const idealMs = (requests * latencyMs) / concurrency;
  const scanMs = Date.parse(report.run.end) - Date.parse(report.run.start);
  const skipped = report.accounts?.list.filter((a) => a.result !== 'scanned').map((a) => `${a.id} ${a.result}${a.status && a.result === 'skipped' ? ` ${a.status}` : ''}`) ?? [];
  console.log(
    [
      `single process (exit ${run.code}: ${report.summary.gate.reason})`,
      `  accounts scanned       ${fmt(report.run.accounts.length)}; not scanned: ${skipped.join(', ') || 'none'}`,
      `  requests               ${fmt(requests)} (${fmt(requests / Math.max(1, report.summary.buckets), 2)} per bucket), ${fmt(report.summary.buckets)} buckets, ${fmt(report.summary.total)} outcomes`,
      `  wall time              ${fmt(run.wallMs / 1000, 2)} s (process), ${fmt(scanMs / 1000, 2)} s (scan, report run.start → run.end)`,
      `  ideal time             ${fmt(idealMs / 1000, 2)} s (requests × latency ÷ concurrency)`,
      `  actual ÷ ideal         ${idealMs > 0 ? fmt(scanMs / idealMs, 2) : 'n/a (latency 0)'}`,
      `  auditor CPU            ${fmt((run.probe.userMs + run.probe.systemMs) / 1000, 2)} s`,
      `  sandbox CPU            ${fmt((after.cpuMs - before.cpuMs) / 1000, 2)} s`,
      `  auditor peak RSS       ${fmt(run.probe.maxRssKiB / 1024, 1)} MiB`,
    ].join('\n'),
  );
  if (run.code !== 0 && run.code !== 1 && run.code !== 3) console.log(`  (auditor stderr)\n${run.stderr}`);

  if (shards > 0) {
    if (!shardsAvailable()) console.log('shards: not available in this build');
    else {
      const beforeShards = await sandbox.stats();
      const started = process.hrtime.bigint();
      const parts = await Promise.all(
        Array.from({ length: shards }, (_, i) => runAuditor(scanArgs(join(work, `shard-${i + 1}`), 'part', ['--shard', `${i + 1}/${shards}`]), auditorEnv(info), [])),
      );
      const shardsMs = Number(process.hrtime.bigint() - started) / 1e6;
      const afterShards = await sandbox.stats();
      const merged = await runMerge(Array.from({ length: shards }, (_, i) => join(work, `shard-${i + 1}`, 'part.json')), join(work, 'merged'));
      const shardRequests = afterShards.requests - beforeShards.requests;
      const sameAsSingle = merged.code === run.code ? await firstDifference(join(work, 'single', 'org.json'), join(work, 'merged')) : `merge exit ${merged.code}, single ${run.code}`;
      const shardIdealMs = (shardRequests * latencyMs) / (shards * concurrency);
      console.log(
        [
          `${shards} shards + merge (shard exits ${parts.map((p) => p.code).join(' ')}, merge exit ${merged.code})`,
          `  requests               ${fmt(shardRequests)} (${fmt(shardRequests / Math.max(1, report.summary.buckets), 2)} per bucket)`,
          `  wall time              ${fmt(shardsMs / 1000, 2)} s (shards, concurrent) + ${fmt(merged.wallMs / 1000, 2)} s (merge) = ${fmt((shardsMs + merged.wallMs) / 1000, 2)} s`,
          `  ideal time             ${fmt(shardIdealMs / 1000, 2)} s (requests × latency ÷ (shards × concurrency))`,
          `  actual ÷ ideal         ${shardIdealMs > 0 ? fmt(shardsMs / shardIdealMs, 2) : 'n/a (latency 0)'} (shards only)`,
          `  auditor CPU            ${fmt(parts.reduce((sum, p) => sum + p.probe.userMs + p.probe.systemMs, 0) / 1000, 2)} s (all shards; on ${availableParallelism()} cores they compete, on N runners they would not)`,
          `  sandbox CPU            ${fmt((afterShards.cpuMs - beforeShards.cpuMs) / 1000, 2)} s`,
          `  peak RSS               ${fmt(Math.max(...parts.map((p) => p.probe.maxRssKiB)) / 1024, 1)} MiB (largest shard)`,
          `  merged = single run    ${sameAsSingle === undefined ? 'yes (the JSON reports are equal apart from run id and timing)' : `NO: ${sameAsSingle}`}`,
        ].join('\n'),
      );
      if (merged.code !== 0 && merged.code !== 1 && merged.code !== 3) console.log(`  (merge stderr)\n${merged.stderr}`);
    }
  }
} finally {
  await sandbox.stop();
  if (!values.keep) await rm(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
