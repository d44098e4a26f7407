/**
 * The CLI as CI runs it: every broken policy file fails `validate` with exit 2 and its position, and
 * a summary larger than a pipe's buffer reaches the reader whole (the gate line is its last line).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { generateEstate } from '../../src/sandbox/estate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runCli as runCliInProcess } from '../../src/cli/run.js';
import { CLI, cleanEnv } from '../e2e/run-cli.js';

const brokenDir = resolve(packageRoot(), 'test/fixtures/policies/broken');

/** Each broken file notes where its problem is: `# expect: LINE:COL text`. */
function expectation(file: string): { line: number; column: number } {
  const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
  const m = /^# expect: (\d+):(\d+)/.exec(first);
  if (!m) throw new Error(`${file} has no "# expect: LINE:COL" header`);
  return { line: Number(m[1]), column: Number(m[2]) };
}

describe('cli: every broken policy file through `validate`', function () {
  this.timeout(120_000);
  const files = readdirSync(brokenDir).filter((f) => f.endsWith('.yaml')).sort();

  it('covers at least 10 broken files', () => expect(files.length).to.be.at.least(10));

  it('each exits 2 and names the file, line and column of its problem', async () => {
    // In-process through the same dispatcher main.ts uses (test/cli/cli.test.ts spawns the real
    // executable for a few of them); 29 Node start-ups would cost half a minute on two cores.
    const results: { name: string; code: number; stderr: string }[] = [];
    for (const name of files) {
      let stderr = '';
      const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
      const code = await runCliInProcess(['validate', '--policies', join(brokenDir, name)], io);
      results.push({ name, code, stderr });
    }
    for (const { name, code, stderr } of results) {
      const { line, column } = expectation(join(brokenDir, name));
      expect(code, `${name}: ${stderr}`).to.equal(2);
      expect(stderr, name).to.include(`${join(brokenDir, name)}:${line}:${column}: `);
      expect(stderr, name).to.match(/no AWS call was made/);
    }
  });
});

describe('cli: a summary larger than a pipe buffer is not cut off', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let out: string;

  before(async () => {
    sandbox = await startSandbox({ estate: generateEstate({ buckets: 1500, objectsPerBucket: 0, seed: 3 }), port: 0 });
    out = mkdtempSync(join(tmpdir(), 's3-kms-audit-output-'));
    writeFileSync(join(out, 'policies.yaml'), 'version: 1\npolicies:\n  - name: all\n    resource: bucket\n    rules: [s3-bucket-sse-kms, s3-bucket-bucket-key, s3-bucket-key-rotation]\n');
  });
  after(async () => {
    await sandbox.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('prints the whole console summary through a pipe, ending with the gate line', async () => {
    const account = sandbox.accounts[0]!;
    const args = ['scan', '--policies', join(out, 'policies.yaml'), '--endpoint-url', sandbox.endpoint, '--out', out, '--name', 'big', '--format', 'json,console', '--verbose'];
    // Through `| cat`: a real pipe, as in a CI job's log capture (Node's own child stdio is a
    // socket pair with a larger buffer, which would hide the truncation).
    const run = await new Promise<{ code: number; stdout: string }>((resolvePromise, reject) => {
      const child = spawn('/bin/bash', ['-c', 'set -o pipefail; "$0" "$@" | cat', process.execPath, CLI, ...args], {
        env: cleanEnv({ AWS_ACCESS_KEY_ID: account.accessKeyId, AWS_SECRET_ACCESS_KEY: account.secretAccessKey }),
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout }));
    });
    expect(Buffer.byteLength(run.stdout), 'the summary must be larger than a 64 KiB pipe buffer to test anything').to.be.above(65_536);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.some((l) => l.startsWith('Gate: ')), run.stdout.slice(-500)).to.equal(true);
    expect(lines.at(-1)).to.match(/^Report: /);
    expect(run.code).to.equal(1);
  });
});
