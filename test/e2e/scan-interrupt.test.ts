/**
 * End to end: SIGINT / SIGTERM during `scan` (the compiled CLI spawned as a user runs it, the sandbox slowed
 * down so the signal lands mid-run): exit 3, a summary of what was and was not finished, and nothing
 * half-done left in --out or the state folder. And a later run removes the temporary files a killed run
 * left behind — only those of processes no longer running.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';
import { CLI, cleanEnv, runCli, type CliRun } from './run-cli.js';
import { resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** 500 generated objects in dev-generated, audited incrementally: an objects.jsonl and a state file are written as it goes. */
const POLICY = resolve(packageRoot(), 'test/fixtures/objects/demo-incremental.yaml');

const envFor = (sb: Sandbox): Record<string, string> => {
  const dev = accountOf(sb, 'dev');
  return cleanEnv({ AWS_ACCESS_KEY_ID: dev.accessKeyId, AWS_SECRET_ACCESS_KEY: dev.secretAccessKey, AWS_REGION: 'us-east-1' });
};

const scanArgs = (sb: Sandbox, out: string): string[] => [
  'scan', '--policies', POLICY, '--endpoint-url', sb.endpoint, '--out', out, '--name', 'nightly', '--format', 'json,console', '--concurrency', '4',
];

/** Every file under `dir`, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** Resolves once both streamed files (objects.jsonl, state) are being written: the scan is mid-run. */
async function midRun(out: string, done: Promise<CliRun>): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const files = existsSync(out) ? await filesUnder(out) : [];
    const temporaries = files.filter((f) => f.endsWith('.tmp'));
    if (temporaries.some((f) => f.includes('objects.jsonl')) && temporaries.some((f) => f.startsWith('state/'))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the scan ended before it was interrupted:\n${(await done).stderr}`);
}

function start(sb: Sandbox, out: string): { kill: (s: NodeJS.Signals) => void; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...scanArgs(sb, out)], { env: envFor(sb), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? -1 : -2), stdout, stderr }));
  });
  return { kill: (s) => child.kill(s), done };
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  return child.pid!;
}

describe('scan interrupted by a signal', function () {
  this.timeout(120_000);
  const box = useSandbox();
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 's3ka-interrupt-'));
  });
  afterEach(async () => {
    box.sb.setFaults({ latencyMs: 0 });
    await rm(work, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: stops, says what was and was not finished, leaves no temporary file, writes no report, exits 3`, async () => {
      // Every answer slowed down: 500 HeadObject calls four at a time take several seconds.
      box.sb.setFaults({ latencyMs: 40 });
      const out = join(work, 'out');
      const run = start(box.sb, out);
      await midRun(out, run.done);
      run.kill(signal);
      const result = await run.done;

      expect(result.code, result.stderr).to.equal(3);
      expect(result.stderr).to.contain(`${signal}: stopping the scan: starting nothing new, abandoning the requests in flight and removing partial files`);
      expect(result.stderr).to.contain(`Scan interrupted by ${signal}.`);
      expect(result.stderr).to.contain('Finished: 1 of 1 buckets read.');
      expect(result.stderr, result.stderr).to.match(/Object scans: 0 of 1 finished before the signal \(about \d+ objects listed, \d+ inspected\)/);
      expect(result.stderr).to.contain('Not written: no report (an interrupted scan has no verdict); partial files were removed.');
      // The exit code is in the last line.
      expect(result.stderr.trimEnd().split('\n').at(-1)).to.equal('scan incomplete: interrupted (exit 3)');
      // Nothing half-done: no temporary file, no report, no state file of the unfinished bucket scan.
      expect(await filesUnder(out)).to.deep.equal([]);
    });
  }

  it('a second signal ends the wait at once, still without leftovers', async () => {
    box.sb.setFaults({ latencyMs: 40 });
    const out = join(work, 'out');
    const run = start(box.sb, out);
    await midRun(out, run.done);
    run.kill('SIGINT');
    run.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).to.equal(3);
    expect(await filesUnder(out)).to.deep.equal([]);
  });

  it('a later run removes the temporary files a killed run left, not those of a running process', async () => {
    const out = join(work, 'out');
    await mkdir(join(out, 'state'), { recursive: true });
    const dead = await deadPid();
    const stale = [join(out, `.nightly.json.${dead}.0badcafe.tmp`), join(out, 'state', `.111122223333.b.0123456789abcdef.state.gz.${dead}.12345678.tmp`)];
    // process.pid is this test runner: alive, so its file is another run's work in progress.
    const live = join(out, `.other.json.${process.pid}.deadbeef.tmp`);
    const unrelated = join(out, '.notes.tmp');
    for (const f of [...stale, live, unrelated]) await writeFile(f, 'partial');

    const result = await runCli(scanArgs(box.sb, out), envFor(box.sb));
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.contain('note: removed 2 temporary files left by an earlier run that was stopped');
    for (const f of stale) expect(existsSync(f), f).to.equal(false);
    expect(existsSync(live), 'the running process keeps its file').to.equal(true);
    expect(existsSync(unrelated), 'a file not named as ours is not ours').to.equal(true);
  });
});
