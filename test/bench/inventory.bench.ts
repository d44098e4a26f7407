/**
 * Benchmark of mode `inventory` (objects from an S3 Inventory report), next to mode `full`. Not a test: it
 * prints figures.
 *
 *   npm run bench:inventory -- [--rows 1000000,10000000] [--formats CSV,Parquet] [--rows-per-file 1000000]
 *                              [--full-objects 200000] [--keep] [--cpu-prof DIR] [--hash]
 *
 * For each format and row count, a sandbox child (test/bench/inventory-sandbox-child.ts) generates one report
 * of that many rows straight into its destination bucket (9 in 10 objects SSE-KMS, 1 in 10 SSE-S3), then:
 *  - the reading floor: the auditor's data-file readers alone over every data file, rows dropped
 *    (test/bench/inventory-read-child.ts);
 *  - the audit: the compiled CLI, `scan` with one inventory-mode policy (s3-object-sse-kms), every outcome
 *    streamed to the objects JSONL as in any object scan.
 * Each prints rows, wall time, rows per second, CPU seconds, rows per CPU-second (≈ rows per second per core:
 * the auditor is one thread) and peak RSS (getrusage, test/bench/rss-probe.ts). Then the same figures for
 * `mode: full` over a generated bucket of --full-objects objects (one HeadObject each; 0 skips it).
 * --cpu-prof DIR writes a V8 CPU profile of each audit into DIR (open it in Chrome DevTools); --hash prints the
 * SHA-256 of each objects JSONL, so two builds can be shown to write the same bytes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AuditReport } from '../../src/domain/report.js';
import { auditorEnv, dist, fmt, machineLine, runAuditor, spawnSandboxChild, startSandboxChild, type AuditorRun, type BenchSandbox, type SandboxInfo } from './harness.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    formats: { type: 'string' },
    'rows-per-file': { type: 'string' },
    'full-objects': { type: 'string' },
    keep: { type: 'boolean' },
    'cpu-prof': { type: 'string' },
    hash: { type: 'boolean' },
  },
});
const sizes = (values.rows ?? '1000000,10000000').split(',').map(Number);
const formats = (values.formats ?? 'CSV,Parquet').split(',') as ('CSV' | 'Parquet')[];
const rowsPerFile = Number(values['rows-per-file'] ?? 1_000_000);
const fullObjects = Number(values['full-objects'] ?? 200_000);

interface InventorySandboxInfo extends SandboxInfo {
  rows: number;
  dataFiles: number;
  reportBytes: number;
  generationMs: number;
}

function startInventorySandbox(rows: number, format: string): Promise<BenchSandbox<InventorySandboxInfo>> {
  return spawnSandboxChild<InventorySandboxInfo>('test/bench/inventory-sandbox-child.js', ['--rows', String(rows), '--format', format, '--rows-per-file', String(rowsPerFile)]);
}

/** The reading floor, in a child process with the probe. */
function runReadFloor(info: SandboxInfo, format: string): Promise<{ rows: number; wallMs: number; readCpuMs: number; probe: AuditorRun['probe'] }> {
  const probe = pathToFileURL(dist('test/bench/rss-probe.js')).href;
  const args = ['--import', probe, dist('test/bench/inventory-read-child.js'), '--endpoint', info.endpoint, '--access-key-id', info.accessKeyId, '--secret-access-key', info.secretAccessKey, '--format', format];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      const m = /BENCH_PROBE (\{.*\})/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`read floor failed (${code}):\n${err}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; wallMs: number; readCpuMs: number };
      resolve({ ...r, probe: JSON.parse(m[1]!) as AuditorRun['probe'] });
    });
  });
}

const cpuOf = (p: AuditorRun['probe']): number => (p.userMs + p.systemMs) / 1000;

function figures(label: string, rows: number, wallMs: number, probe: AuditorRun['probe'], unit = 'rows'): string {
  const cpu = cpuOf(probe);
  return [
    `  ${label}`,
    `    ${unit.padEnd(20)} ${fmt(rows)} in ${fmt(wallMs / 1000, 2)} s wall → ${fmt(rows / (wallMs / 1000))} ${unit}/s`,
    `    CPU                  ${fmt(cpu, 2)} s (user ${fmt(probe.userMs / 1000, 2)} + system ${fmt(probe.systemMs / 1000, 2)}) → ${fmt(rows / cpu)} ${unit} per CPU-second`,
    `    peak RSS             ${fmt(probe.maxRssKiB / 1024, 1)} MiB`,
  ].join('\n');
}

async function policyFile(dir: string, objects: string, include: string): Promise<string> {
  const path = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, ['version: 1', 'policies:', '  - name: bench', '    resource: object', `    scope: { include: ["${include}"] }`, `    objects: ${objects}`, '    rules: [s3-object-sse-kms]', ''].join('\n'));
  return path;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function scan(info: SandboxInfo, work: string, policy: string, name: string): Promise<{ run: AuditorRun; report: AuditReport; jsonlBytes: number; jsonlSha256?: string; scanMs: number }> {
  const out = join(work, 'out');
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof'], '--cpu-prof-name', `${name}.cpuprofile`] : [];
  const run = await runAuditor(['scan', '--policies', policy, '--endpoint-url', info.endpoint, '--out', out, '--name', name, '--format', 'json', '--concurrency', '128', '--quiet'], auditorEnv(info), profile);
  const report = JSON.parse(await readFile(join(out, `${name}.json`), 'utf8')) as AuditReport;
  const jsonl = join(out, `${name}.objects.jsonl`);
  const jsonlBytes = (await stat(jsonl).catch(() => undefined))?.size ?? 0;
  const jsonlSha256 = values.hash && jsonlBytes > 0 ? await sha256Of(jsonl) : undefined;
  // Millions of outcome lines: gone before the next run, so the disk holds one at a time.
  await rm(jsonl, { force: true });
  return { run, report, jsonlBytes, ...(jsonlSha256 ? { jsonlSha256 } : {}), scanMs: Date.parse(report.run.end) - Date.parse(report.run.start) };
}

/** Sandboxes running, stopped on Ctrl-C / SIGTERM so no child outlives the benchmark. */
const running = new Set<{ stop(): Promise<void> }>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...running].map((s) => s.stop())).then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'bench-inventory-'));
  console.log(`inventory benchmark · rows ${sizes.map((n) => fmt(n)).join(', ')} · formats ${formats.join(', ')} · ${fmt(rowsPerFile)} rows per data file`);
  console.log(machineLine());
  try {
    for (const format of formats) {
      for (const rows of sizes) {
        const sandbox = await startInventorySandbox(rows, format);
        running.add(sandbox);
        try {
          const { info } = sandbox;
          console.log(`\n${format} · ${fmt(info.rows)} rows in ${info.dataFiles} data files, ${fmt(info.reportBytes / 2 ** 20, 1)} MiB (${fmt(info.reportBytes / info.rows, 1)} bytes per row; generated in ${fmt(info.generationMs / 1000, 1)} s)`);
          const floor = await runReadFloor(info, format);
          console.log(figures('reading floor (data-file reader alone, rows dropped)', floor.rows, floor.wallMs, floor.probe));
          console.log(`    CPU of reading only  ${fmt(floor.readCpuMs / 1000, 2)} s (without process start-up) → ${fmt(floor.rows / (floor.readCpuMs / 1000))} rows per CPU-second`);
          const policy = await policyFile(work, '{ mode: inventory }', 'inv-src');
          const r = await scan(info, work, policy, `inv-${format}-${rows}`);
          const s = r.report.objects!.buckets[0]!;
          console.log(figures(`audit (scan, exit ${r.run.code}; ${fmt(r.report.summary.total)} outcomes, JSONL ${fmt(r.jsonlBytes / 2 ** 20, 1)} MiB)`, s.inventory?.rows ?? 0, r.scanMs, r.run.probe));
          if (r.jsonlSha256) console.log(`    JSONL SHA-256        ${r.jsonlSha256}`);
          if (!s.complete) console.log(`    (incomplete: ${s.inventory?.problem ?? 'see report'})`);
        } finally {
          await sandbox.stop();
          running.delete(sandbox);
        }
      }
    }
    if (fullObjects > 0) {
      const sandbox = await startSandboxChild({ objects: fullObjects, buckets: 1, latencyMs: 0 });
      running.add(sandbox);
      try {
        const policy = await policyFile(work, '{ mode: full }', '*');
        const r = await scan(sandbox.info, work, policy, 'full');
        const heads = r.report.objects!.buckets.reduce((n, b) => n + b.inspected + b.unreadable, 0);
        console.log(`\nmode full · ${fmt(fullObjects)} generated objects, one HeadObject each (sandbox latency 0, concurrency 128)`);
        console.log(figures(`audit (scan, exit ${r.run.code}; ${fmt(r.report.summary.total)} outcomes, JSONL ${fmt(r.jsonlBytes / 2 ** 20, 1)} MiB)`, heads, r.scanMs, r.run.probe, 'objects'));
      } finally {
        await sandbox.stop();
      }
    }
  } finally {
    if (!values.keep) await rm(work, { recursive: true, force: true });
    else console.log(`\nkept ${work}`);
  }
}

await main();
