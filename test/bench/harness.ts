/**
 * What the benchmarks share: the sandbox child (with its request and CPU counters), the auditor run as
 * the real CLI in a child process with the rss/cpu probe, the no-SDK floor child, and the machine line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/paths.js';
import { isolatedAwsEnvironment } from '../helpers/awscli.js';

export const dist = (p: string): string => resolve(packageRoot(), 'dist', p);

/**
 * CPU pinning (--pin): the sandbox on its own cores and the measured client (auditor or floor) on the
 * others, with taskset(1), so "on one core" means one core the sandbox does not share.
 */
let pinning: { sandbox: string; client: string } | undefined;

/** Pins the children started from now on: the sandbox to the last core, clients to the rest; null when the machine has one core. */
export function pinChildren(): { sandbox: string; client: string } | null {
  const n = cpus().length;
  if (n < 2) return null;
  pinning = { sandbox: String(n - 1), client: n === 2 ? '0' : `0-${n - 2}` };
  return pinning;
}

/** The command that starts `args` with Node, under taskset when pinned. */
function nodeCommand(kind: 'sandbox' | 'client', args: string[]): [string, string[]] {
  const cores = pinning?.[kind];
  return cores === undefined ? [process.execPath, args] : ['taskset', ['-c', cores, process.execPath, ...args]];
}

export interface SandboxInfo {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: number;
}

export interface SandboxStats {
  requests: number;
  cpuMs: number;
}

export interface BenchSandbox<Info = SandboxInfo> {
  info: Info;
  child: ChildProcess;
  /** Requests served and CPU spent by the sandbox process since it started listening. */
  stats(): Promise<SandboxStats>;
  stop(): Promise<void>;
}

/**
 * Starts a sandbox child script (test/bench/*-sandbox-child.ts, speaking sandbox-child-protocol.ts) and
 * resolves once it listens, with the JSON line it printed then.
 */
export function spawnSandboxChild<Info = SandboxInfo>(script: string, args: readonly string[], nodeArgs: readonly string[] = []): Promise<BenchSandbox<Info>> {
  const child = spawn(...nodeCommand('sandbox', [...nodeArgs, dist(script), ...args]), { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Interface = createInterface({ input: child.stdout! });
  const nextLine = (): Promise<string> => new Promise((r) => lines.once('line', r));
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`sandbox ${script} exited (${code}) before listening`)));
    // taskset missing (--pin) or node not startable.
    child.once('error', reject);
    void nextLine().then((line) =>
      resolvePromise({
        info: JSON.parse(line) as Info,
        child,
        stats: async () => {
          const answer = nextLine();
          child.stdin!.write('stats\n');
          return JSON.parse(await answer) as SandboxStats;
        },
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      }),
    );
  });
}

export function startSandboxChild(opts: { objects: number; buckets: number; latencyMs: number; profileDir?: string }): Promise<BenchSandbox> {
  return spawnSandboxChild(
    'test/bench/sandbox-child.js',
    ['--objects', String(opts.objects), '--buckets', String(opts.buckets), '--latency', String(opts.latencyMs)],
    opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [],
  );
}

/** The environment the auditor runs with: the sandbox account's keys, no shared config, no IMDS. */
export function auditorEnv(info: SandboxInfo): NodeJS.ProcessEnv {
  return { ...isolatedAwsEnvironment(info), NO_COLOR: '1' };
}

export interface AuditorRun {
  code: number;
  wallMs: number;
  /** startupMs: the process's CPU when it started its first HTTP request (null if it sent none). */
  probe: { maxRssKiB: number; userMs: number; systemMs: number; startupMs: number | null };
  stderr: string;
}

/** Runs the compiled CLI in a child process with test/bench/rss-probe.ts loaded into it. */
export function runAuditor(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[]): Promise<AuditorRun> {
  const probe = pathToFileURL(dist('test/bench/rss-probe.js')).href;
  const started = process.hrtime.bigint();
  const child = spawn(...nodeCommand('client', [...nodeArgs, '--import', probe, dist('src/cli/main.js'), ...args]), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /BENCH_PROBE (\{.*\})/.exec(stderr);
      if (!m) return reject(new Error(`no probe output (exit ${code}):\n${stderr}`));
      resolvePromise({ code: code ?? -1, wallMs, probe: JSON.parse(m[1]!) as AuditorRun['probe'], stderr });
    });
  });
}

export interface FloorRun {
  requests: number;
  cpuMs: number;
  wallMs: number;
  failures: number;
}

/** The no-SDK floor (test/bench/floor-child.ts) for `requests` of one operation against the sandbox. */
export function runFloor(info: SandboxInfo, operation: 'get-bucket-encryption' | 'head-object', requests: number, concurrency: number, script = 'test/bench/floor-child.js'): Promise<FloorRun> {
  const args = [
    dist(script),
    '--endpoint', info.endpoint,
    '--access-key-id', info.accessKeyId,
    '--secret-access-key', info.secretAccessKey,
    '--operation', operation,
    '--requests', String(requests),
    '--concurrency', String(concurrency),
  ];
  const child = spawn(...nodeCommand('client', args), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`floor exited ${code}`));
      resolvePromise(JSON.parse(out.trim().split('\n').pop()!) as FloorRun);
    });
  });
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Core count and load average, so a reader can judge how much the figures were disturbed. */
export function machineLine(): string {
  const [one, five] = loadavg();
  return `machine                ${cpus().length} cores, load ${fmt(one!, 2)} (1 min) ${fmt(five!, 2)} (5 min)`;
}
