/**
 * The progress line of `scan` with object policies: drawn in place on stderr when stderr is a terminal,
 * never when it is not (logs, pipes) or with --quiet. The command runs in process (src/cli/run.ts) so
 * stderr can be a terminal-like stream; AWS still goes over real HTTP to the sandbox.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { estimateSecondsLeft, formatDuration, ProgressLine, renderProgressLine } from '../../src/cli/progress.js';
import { runCli } from '../../src/cli/run.js';
import { packageRoot } from '../../src/paths.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';

const POLICY = resolve(packageRoot(), 'test/fixtures/objects/demo-rules.yaml');

function stream(isTTY: boolean): { isTTY: boolean; columns: number; text: string; write(t: string): boolean } {
  return {
    isTTY,
    columns: 200,
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  };
}

describe('e2e: object scan progress line (cli/progress.ts)', function () {
  this.timeout(60_000);
  const box = useSandbox();
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'e2e-progress-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  async function scan(isTTY: boolean, extra: string[] = [], account = 'prod', policy = POLICY): Promise<{ code: number; stderr: string; stdout: string }> {
    const prod = accountOf(box.sb, account);
    const stdout = stream(false);
    const stderr = stream(isTTY);
    const env: Record<string, string> = { AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' };
    // In process, the SDK's credential chain reads process.env: set it for the run, then put it back.
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const code = await runCli(
        ['scan', '--policies', policy, '--endpoint-url', box.sb.endpoint, '--out', out, '--format', 'json', ...extra],
        { stdout, stderr, env },
      );
      return { code, stderr: stderr.text, stdout: stdout.text };
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('on a terminal: buckets done of total, objects inspected, objects per second and an ETA, then cleared', async () => {
    const { code, stderr } = await scan(true);
    expect(code).to.equal(1);
    const frames = stderr.split('\r\u001b[2K').filter((f) => f !== '');
    expect(frames.length).to.be.greaterThan(0);
    const last = frames.at(-1)!;
    // prod-objects-mixed: 12 objects (2 of them unreadable, which counts as inspected too).
    expect(last).to.match(/^buckets \d+\/\d+ · objects 12 inspected · [\d,]+\/s · ETA (~0s|--)$/);
    expect(stderr.endsWith('\r\u001b[2K'), 'the line is erased before the summary').to.equal(true);
    expect(stderr).to.not.contain('\n');
  });

  it('with worker threads, a large bucket is drawn as its batches arrive, not only when its scan ends', async () => {
    // dev-generated: 500 objects in one listing page, so one worker scans them and sends them to the main
    // thread in batches of 256; each batch must count as the objects it holds for the redraw.
    const policy = join(out, 'generated.yaml');
    await writeFile(policy, 'version: 1\npolicies:\n  - name: generated\n    resource: object\n    scope: { include: [dev-generated] }\n    objects: { mode: full }\n    rules: [s3-object-sse-kms]\n');
    box.sb.setFaults({ latencyMs: 5 });
    let stderr: string;
    try {
      ({ stderr } = await scan(true, ['--workers', '2', '--concurrency', '2'], 'dev', policy));
    } finally {
      box.sb.setFaults({ latencyMs: 0 });
    }
    const inspected = stderr
      .split('\r\u001b[2K')
      .map((f) => /objects ([\d,]+) inspected/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map((n) => Number(n.replace(/,/g, '')));
    expect(inspected.at(-1)).to.equal(500);
    expect(inspected.some((n) => n > 0 && n < 500), `frames: ${inspected.join(' ')}`).to.equal(true);
  });

  it('nothing of it when stderr is not a terminal, or with --quiet', async () => {
    const piped = await scan(false);
    expect(piped.stderr).to.equal('');
    const quiet = await scan(true, ['--quiet']);
    expect(quiet.stderr).to.equal('');
    expect(quiet.stdout.trim().split('\n')).to.have.length(1);
  });

  it('renders rates and ETAs from the counts (pure)', () => {
    const state = {
      buckets: { bucketsDone: 10, bucketsTotal: 20 },
      objects: { scansDone: 5, scansStarted: 10, listed: 5000, inspected: 4000, skipped: 1000, elapsedMs: 10_000 },
    };
    // 10 scans for 10 buckets so far → 20 expected; 5 done in 10 s → 30 s to go.
    expect(estimateSecondsLeft(state)).to.equal(30);
    expect(renderProgressLine(state)).to.equal('buckets 10/20 · objects 4,000 inspected, 1,000 unchanged · 500/s · ETA ~30s');
    expect(renderProgressLine({ objects: { ...state.objects, scansDone: 0 } })).to.match(/ETA --$/);
    expect([formatDuration(5), formatDuration(75), formatDuration(3725)]).to.deep.equal(['5s', '1m15s', '1h02m']);
    const tty = stream(true);
    let now = 0;
    const line = new ProgressLine(tty, 100, () => now);
    line.objects(state.objects);
    line.objects(state.objects); // within 100 ms: not redrawn
    now = 150;
    line.objects(state.objects);
    expect(tty.text.split('\r\u001b[2K').filter(Boolean)).to.have.length(2);
    line.objects({ ...state.objects, scansDone: 10 }); // the last scan ended: drawn at once
    expect(tty.text.split('\r\u001b[2K').filter(Boolean)).to.have.length(3);
  });
});
