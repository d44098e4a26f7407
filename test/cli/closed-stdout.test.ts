/**
 * A reader that closes stdout early (`s3-kms-audit sandbox | head -1`): the CLI ends quietly — no EPIPE
 * stack trace on stderr — with its documented exit code (the sandbox stops as on SIGTERM: 0).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { packageRoot } from '../../src/paths.js';
import { CLI, cleanEnv } from '../e2e/run-cli.js';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the CLI with a stdout whose reader is gone before the first line (the pipe is closed at once). */
function runWithClosedStdout(args: string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: packageRoot(), env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    // A CLI that did not stop would hang the suite: end it, and let the assertions say so.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('cli: stdout closed by its reader', function () {
  this.timeout(60_000);

  it('sandbox: stops with exit 0, no stack trace', async () => {
    const r = await runWithClosedStdout(['sandbox', '--port', '0']);
    expect(r.stderr).to.not.match(/EPIPE|Unhandled 'error' event|^\s+at /m);
    expect(r.signal, 'ended on its own, not killed').to.equal(null);
    expect(r.code).to.equal(0);
  });

  it('a command that only prints (permissions batch): its own exit code, no stack trace', async () => {
    const r = await runWithClosedStdout(['permissions', 'batch']);
    expect(r.stderr).to.not.match(/EPIPE|Unhandled 'error' event|^\s+at /m);
    expect(r.code).to.equal(0);
  });
});
