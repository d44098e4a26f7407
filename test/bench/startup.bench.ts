/**
 * Benchmark of the CLI's cold start. Not a test: it prints figures.
 *
 *   npm run bench:startup -- [--runs 10] [--warmup 2]
 *
 * Each command is run as a child process of the compiled CLI, exactly as a user runs it: after the
 * warm-up runs (which fill the file system cache), `--runs` timed runs each. Printed per command: the
 * median and 90th percentile of the wall time next to the target, and for reference the time Node
 * itself takes to start and exit (`node -e 0`), which no change to the CLI can go below. The
 * machine's core count and load average are printed too, because on a shared machine they move the
 * figures more than small changes to the code do; so is each command's CPU time (user + system, from
 * /proc on Linux), which a queue for a core does not inflate.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/paths.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, warmup: { type: 'string' } } });
const runs = Number(values.runs ?? 10);
const warmup = Number(values.warmup ?? 2);

const root = packageRoot();
const cli = resolve(root, 'dist/src/cli/main.js');

interface Case {
  label: string;
  args: string[];
  /** The target wall time in ms, or undefined for the reference. */
  targetMs?: number;
}

const cases: Case[] = [
  { label: 'node -e 0 (floor)', args: ['-e', '0'] },
  { label: '--version', args: [cli, '--version'], targetMs: 150 },
  { label: '--help', args: [cli, '--help'], targetMs: 150 },
  { label: 'validate --policies policies.yaml', args: [cli, 'validate', '--policies', 'policies.yaml'], targetMs: 350 },
];

/**
 * CPU time (user + system, ms) of the children this process has waited for, from /proc/self/stat
 * (cutime, cstime; clock ticks, 100 per second on Linux), or undefined elsewhere. On a loaded shared
 * machine the wall time mostly measures the queue for a core; the CPU time is what the CLI costs.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); cutime and cstime are fields 16 and 17.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function runOnce(args: string[]): { wallMs: number; cpuMs: number | undefined } {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  // A command that fails would measure its error path, not its start.
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(child.status)}: ${child.stderr.toString()}`);
  return { wallMs, cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`.padStart(8);

console.log(`cold start, ${runs} runs after ${warmup} warm-ups; ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`${'command'.padEnd(36)}${'median'.padStart(8)}${'p90'.padStart(8)}${'target'.padStart(8)}${'cpu med'.padStart(10)}`);
for (const c of cases) {
  for (let i = 0; i < warmup; i++) runOnce(c.args);
  const results = Array.from({ length: runs }, () => runOnce(c.args));
  const times = results.map((r) => r.wallMs).sort((a, b) => a - b);
  const cpu = results.map((r) => r.cpuMs ?? NaN).sort((a, b) => a - b);
  const median = percentile(times, 50);
  const target = c.targetMs === undefined ? ''.padStart(8) : fmt(c.targetMs);
  const cpuText = Number.isNaN(percentile(cpu, 50)) ? 'n/a'.padStart(10) : fmt(percentile(cpu, 50)).padStart(10);
  const verdict = c.targetMs === undefined ? '' : median <= c.targetMs ? '  met' : '  over';
  console.log(`${c.label.padEnd(36)}${fmt(median)}${fmt(percentile(times, 90))}${target}${cpuText}${verdict}`);
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
