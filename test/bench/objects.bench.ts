/**
 * Benchmark of the object-level audit. Not a test: it prints figures.
 *
 *   npm run bench:objects -- --objects 200000 --latency 20 --concurrency 128 [--workers N] [--buckets 8] [--cpu-prof] [--repeat N] [--pin]
 *
 * The sandbox runs in a child process (test/bench/sandbox-child.ts) with a generated estate of that many
 * objects and `--latency` ms before every answer; the auditor is the compiled CLI in another child
 * process (`scan` with one full-mode object policy over every bucket: s3-object-sse-kms and
 * s3-object-cmk, so object keys are resolved too), exactly as a user runs it. Printed:
 *  - the worker threads (--workers, default the core count, as the CLI) and the sandbox's own CPU
 *    seconds next to the auditor's, so the reader sees which side is the limit on a small machine;
 *  - wall time of the scan and HeadObject requests per second;
 *  - the ideal time, requests × latency ÷ concurrency (the latency floor with every slot busy), and the
 *    ratio actual ÷ ideal;
 *  - peak RSS of the auditor process (getrusage, from test/bench/rss-probe.ts loaded into it) and its
 *    CPU time, and CPU time per object;
 *  - the floor: the CPU per HeadObject of a bare loop of as many HeadObject requests (http.Agent +
 *    @smithy/signature-v4, no SDK; test/bench/floor-child.ts) and the ratio auditor ÷ floor;
 *  - with --lean-loop, the auditor's own lean HeadObject (test/bench/lean-head-child.ts) in the floor's bare
 *    loop, and its ratio to the floor: what the HEAD request itself costs beyond a bare signed request;
 *  - with --pin, the sandbox on the machine's last core and the auditor and floor on the others (taskset):
 *    with --workers 1 on two cores, "one core" is then a core the sandbox does not share;
 *  - with --repeat N, N−1 more auditor and floor runs, alternately, and the median of the N ratios;
 *  - with --cpu-prof, where the auditor's (and with --profile-sandbox, the sandbox's) time goes.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditReport } from '../../src/domain/report.js';
import { auditorEnv, fmt, machineLine, pinChildren, runAuditor, runFloor, startSandboxChild } from './harness.js';
import { formatSummary, summarizeProfile } from './profile-summary.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string' },
    latency: { type: 'string' },
    concurrency: { type: 'string' },
    buckets: { type: 'string' },
    'bucket-concurrency': { type: 'string' },
    'cpu-prof': { type: 'boolean' },
    'profile-sandbox': { type: 'boolean' },
    keep: { type: 'boolean' },
    workers: { type: 'string' },
    'lean-loop': { type: 'boolean' },
    repeat: { type: 'string' },
    pin: { type: 'boolean' },
  },
});
const objects = Number(values.objects ?? 200_000);
const latency = Number(values.latency ?? 20);
const workers = values.workers !== undefined ? Number(values.workers) : availableParallelism();
const concurrency = Number(values.concurrency ?? 128);
const buckets = Number(values.buckets ?? 8);
const bucketConcurrency = values['bucket-concurrency'] !== undefined ? Number(values['bucket-concurrency']) : undefined;
const repeat = Number(values.repeat ?? 1);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a whole number of runs, at least 1 (got ${values.repeat})`);
/** Node flags for the auditor child only, e.g. BENCH_AUDITOR_NODE_ARGS="--import=/path/to/allocation-profiler.mjs". */
const extraNodeArgs = process.env.BENCH_AUDITOR_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const pinned = values.pin ? pinChildren() : undefined;
  const work = await mkdtemp(join(tmpdir(), 'bench-objects-'));
  const profiles = join(work, 'profiles');
  const sandbox = await startSandboxChild({ objects, buckets, latencyMs: latency, ...(values['profile-sandbox'] ? { profileDir: join(profiles, 'sandbox') } : {}) });
  const { info } = sandbox;
  try {
    const policy = join(work, 'policies.yaml');
    await writeFile(
      policy,
      [
        'version: 1',
        'policies:',
        '  - name: bench-objects',
        '    resource: object',
        '    scope: { include: ["*"] }',
        `    objects: { mode: full${bucketConcurrency !== undefined ? `, bucketConcurrency: ${bucketConcurrency}` : ''} }`,
        '    rules: [s3-object-sse-kms, s3-object-cmk]',
        '',
      ].join('\n'),
    );
    const env = auditorEnv(info);
    const audit = (out: string, profile: boolean) =>
      runAuditor(
        ['scan', '--policies', policy, '--endpoint-url', info.endpoint, '--out', out, '--name', 'bench', '--format', 'json', '--concurrency', String(concurrency), '--workers', String(workers), '--max-attempts', '10', '--quiet'],
        env,
        [...extraNodeArgs, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profiles, 'auditor')}`] : [])],
      );
    const out = join(work, 'out');
    const run = await audit(out, values['cpu-prof'] === true);
    const report = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8')) as AuditReport;
    const jsonlBytes = (await stat(join(out, 'bench.objects.jsonl')).catch(() => undefined))?.size ?? 0;
    const scans = report.objects?.buckets ?? [];
    const heads = scans.reduce((n, b) => n + b.inspected + b.unreadable, 0);
    const listed = scans.reduce((n, b) => n + b.listed, 0);
    const scanMs = Date.parse(report.run.end) - Date.parse(report.run.start);
    const idealMs = (heads * latency) / concurrency;
    const cpuMs = run.probe.userMs + run.probe.systemMs;
    const served = await sandbox.stats();
    const floor = await runFloor(info, 'head-object', heads, concurrency);
    const leanLoop = values['lean-loop'] ? await runFloor(info, 'head-object', heads, concurrency, 'test/bench/lean-head-child.js') : undefined;
    const perHeadUs = (1000 * cpuMs) / Math.max(1, heads);
    // The floor's CPU is its loop alone (its targets are listed before it starts); the auditor's start-up
    // (module loading, policies, the first ListBuckets) is printed apart for the like-for-like ratio.
    const startupMs = run.probe.startupMs ?? 0;
    const perHeadNoStartupUs = (1000 * (cpuMs - startupMs)) / Math.max(1, heads);
    const floorPerHeadUs = (1000 * floor.cpuMs) / Math.max(1, floor.requests);
    const lines = [
      `objects ${fmt(objects)} in ${info.buckets} buckets · latency ${latency} ms · concurrency ${concurrency} · workers ${workers} · exit ${run.code}`,
      `  ${machineLine()}`,
      ...(pinned ? [`  pinned                 auditor and floor on cpu ${pinned.client}, sandbox on cpu ${pinned.sandbox} (taskset)`] : []),
      `  listed                 ${fmt(listed)} objects, ${fmt(heads)} HeadObject requests, ${fmt(report.summary.total)} outcomes`,
      `  wall time              ${fmt(run.wallMs / 1000, 2)} s (process), ${fmt(scanMs / 1000, 2)} s (scan, report run.start → run.end)`,
      `  HeadObject/s           ${fmt(heads / (scanMs / 1000))}`,
      `  ideal time             ${fmt(idealMs / 1000, 2)} s (requests × latency ÷ concurrency)`,
      `  actual ÷ ideal         ${idealMs > 0 ? fmt(scanMs / idealMs, 2) : 'n/a (latency 0)'}`,
      `  auditor peak RSS       ${fmt(run.probe.maxRssKiB / 1024, 1)} MiB`,
      `  auditor CPU            ${fmt(cpuMs / 1000, 2)} s (user ${fmt(run.probe.userMs / 1000, 2)} + system ${fmt(run.probe.systemMs / 1000, 2)}), ${fmt(perHeadUs, 1)} µs per object (incl. start-up)`,
      `  auditor start-up CPU   ${fmt(startupMs / 1000, 2)} s before its first request; ${fmt(perHeadNoStartupUs, 1)} µs per object, start-up excluded`,
      `  sandbox CPU            ${fmt(served.cpuMs / 1000, 2)} s for ${fmt(served.requests)} requests (the auditor's: ${fmt(cpuMs / 1000, 2)} s)`,
      `  floor (no SDK)         ${fmt(floorPerHeadUs, 1)} µs per HeadObject (http.Agent + signature-v4, ${fmt(floor.requests)} requests, ${fmt(floor.wallMs / 1000, 2)} s, ${floor.failures} failures)`,
      `  floor wall ÷ ideal     ${idealMs > 0 ? fmt(floor.wallMs / idealMs, 2) : 'n/a (latency 0)'} (how close this machine lets a bare client come)`,
      `  auditor ÷ floor        ${fmt(perHeadNoStartupUs / floorPerHeadUs, 2)} (CPU per object, start-up excluded, like the floor's); ${fmt(perHeadUs / floorPerHeadUs, 2)} incl. start-up`,
      ...(leanLoop
        ? [`  lean HEAD loop         ${fmt((1000 * leanLoop.cpuMs) / leanLoop.requests, 1)} µs per HeadObject (the auditor's HEAD in the floor's loop; ${fmt((1000 * leanLoop.cpuMs) / leanLoop.requests / floorPerHeadUs, 2)}× the floor, ${leanLoop.failures} failures)`]
        : []),
      `  objects JSONL          ${fmt(jsonlBytes / 2 ** 20, 1)} MiB (${fmt(jsonlBytes / Math.max(1, report.summary.total))} bytes per outcome)`,
    ];
    console.log(lines.join('\n'));
    if (run.code !== 0 && run.code !== 1) console.log(`  (auditor stderr)\n${run.stderr}`);
    if (repeat > 1)
      await repeated(audit, () => runFloor(info, 'head-object', heads, concurrency), heads, idealMs, { auditorUs: perHeadNoStartupUs, floorUs: floorPerHeadUs, wallRatio: scanMs / idealMs, floorWallRatio: floor.wallMs / idealMs }, join(work, 'again'));
    await sandbox.stop();
    for (const which of ['auditor', 'sandbox']) {
      const dir = join(profiles, which);
      const files = await readdir(dir).catch(() => [] as string[]);
      for (const f of files.filter((x) => x.endsWith('.cpuprofile'))) console.log('\n' + formatSummary(`${which} profile (${join(dir, f)})`, summarizeProfile(join(dir, f))));
    }
  } finally {
    await sandbox.stop();
    if (!values.keep) await rm(work, { recursive: true, force: true });
    else console.log(`\nkept ${work}`);
  }
}

/**
 * --repeat N: N−1 more auditor and floor runs, alternately, on the same sandbox; each pair's ratio and
 * the medians. On a shared machine the floor itself moves by half from run to run, so one pair says less
 * than the median ratio of pairs measured minutes apart.
 */
async function repeated(
  audit: (out: string, profile: boolean) => ReturnType<typeof runAuditor>,
  floorRun: () => ReturnType<typeof runFloor>,
  heads: number,
  idealMs: number,
  first: Pair,
  outBase: string,
): Promise<void> {
  const pairs = [first];
  for (let i = 2; i <= repeat; i++) {
    const out = `${outBase}-${i}`;
    const run = await audit(out, false);
    const report = JSON.parse(await readFile(join(out, 'bench.json'), 'utf8')) as AuditReport;
    const scanMs = Date.parse(report.run.end) - Date.parse(report.run.start);
    const floor = await floorRun();
    const cpuMs = run.probe.userMs + run.probe.systemMs - (run.probe.startupMs ?? 0);
    pairs.push({
      auditorUs: (1000 * cpuMs) / Math.max(1, heads),
      floorUs: (1000 * floor.cpuMs) / Math.max(1, floor.requests),
      wallRatio: scanMs / idealMs,
      floorWallRatio: floor.wallMs / idealMs,
    });
    await rm(out, { recursive: true, force: true });
  }
  const ratios = pairs.map((p) => p.auditorUs / p.floorUs);
  const range = (xs: number[]): string => `median ${fmt(median(xs), 2)}, range ${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)}`;
  console.log(`  repeated ${repeat}×, auditor then floor each time (µs per object, start-up excluded ÷ floor; wall ÷ ideal, auditor and floor):`);
  for (const [i, p] of pairs.entries()) console.log(`    ${fmt(p.auditorUs, 0)}/${fmt(p.floorUs, 0)} = ${fmt(ratios[i]!, 2)} · wall ÷ ideal ${fmt(p.wallRatio, 2)} (floor ${fmt(p.floorWallRatio, 2)})`);
  console.log(`    CPU ratio ${range(ratios)} · wall ÷ ideal ${range(pairs.map((p) => p.wallRatio))} · floor wall ÷ ideal ${range(pairs.map((p) => p.floorWallRatio))}`);
  console.log(`    median auditor ${fmt(median(pairs.map((p) => p.auditorUs)), 1)} µs, median floor ${fmt(median(pairs.map((p) => p.floorUs)), 1)} µs · ${machineLine().replace(/^machine\s+/, '')}`);
}

interface Pair {
  auditorUs: number;
  floorUs: number;
  wallRatio: number;
  floorWallRatio: number;
}

await main();
