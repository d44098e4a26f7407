/**
 * The README's commands run as written. Convention (README "The examples in this README"): every
 * ```sh block is runnable from the root of a clone, each command's expected exit code is the `# exit N`
 * (or `# exit 0, 1 or 3`) comment on its line, 0 without one; ```sh placeholder blocks hold names of the
 * reader's own and are not run.
 *
 * Each block runs as one bash script (so `echo "exit code: $?"` sees the command before it) in a scratch
 * folder that looks like a clone (dist/ linked, policies.yaml copied: reports land there, not in the
 * repository), with the sandbox standing in for AWS: AWS_ENDPOINT_URL and the demo estate's keys.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';
import { cleanEnv } from '../e2e/run-cli.js';

/** Commands that are right as written but must not run inside the test suite, and why. */
const NOT_RUN_HERE: Record<string, string> = {
  'npm ci && npm start': 'npm ci reinstalls the node_modules the running tests use; the demo npm start runs is tested by test/e2e/demo.test.ts',
  'npm ci && npm test': 'npm test is the suite this test is part of: it would run itself',
  'npm run test:unit': 'runs part of the suite this test is part of',
  'npm run build': 'deletes and rewrites dist/, which the running tests are loaded from; the suite always runs after a build',
};

interface ReadmeCommand {
  /** The command without its trailing comment. */
  command: string;
  /** The whole line, as in the README. */
  line: string;
  expected: number[];
}

/** The ```sh blocks (not ```sh placeholder), as commands; continued lines (`\`) joined. */
function runnableBlocks(markdown: string): ReadmeCommand[][] {
  const blocks: ReadmeCommand[][] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (current === undefined) {
      if (/^```sh\s*$/.test(line)) current = [];
    } else if (/^```\s*$/.test(line)) {
      blocks.push(commandsOf(current));
      current = undefined;
    } else {
      current.push(line);
    }
  }
  return blocks;
}

function commandsOf(lines: string[]): ReadmeCommand[] {
  const joined: string[] = [];
  for (const line of lines) {
    const previous = joined.at(-1);
    if (previous !== undefined && previous.endsWith('\\')) joined[joined.length - 1] = previous.slice(0, -1) + line.trimStart();
    else joined.push(line);
  }
  return joined
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
    .map((line) => {
      // The comment starts at the first " #" outside quotes; the README's commands keep # out of their arguments.
      const at = line.search(/\s#/);
      const command = (at === -1 ? line : line.slice(0, at)).trim();
      const comment = at === -1 ? '' : line.slice(at);
      const codes = /\bexit ((?:\d+)(?:(?:,\s*|\s+or\s+)\d+)*)/.exec(comment)?.[1];
      return { command, line, expected: codes ? codes.split(/,\s*|\s+or\s+/).map(Number) : [0] };
    });
}

interface BlockRun {
  codes: number[];
  output: string;
}

/** Runs one block's commands as a bash script, recording each one's exit code without changing `$?` for the next. */
function runBlock(commands: string[], cwd: string, env: Record<string, string>): Promise<BlockRun> {
  const status = join(cwd, '.exit-codes');
  rmSync(status, { force: true });
  const script = commands.map((c) => `${c}\n__rc=$?; echo "$__rc" >> ${JSON.stringify(status)}; (exit $__rc)`).join('\n');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      let codes: number[] = [];
      try {
        codes = readFileSync(status, 'utf8').trim().split('\n').filter(Boolean).map(Number);
      } catch {
        // No command ran.
      }
      resolvePromise({ codes, output });
    });
  });
}

describe('README commands', function () {
  this.timeout(120_000);
  const readme = readFileSync(resolve(packageRoot(), 'README.md'), 'utf8');
  const blocks = runnableBlocks(readme);

  it('finds the runnable blocks, and every command left out is listed with its reason', () => {
    expect(blocks.length).to.be.greaterThan(1);
    const all = blocks.flat().map((c) => c.command);
    for (const excluded of Object.keys(NOT_RUN_HERE)) expect(all, `NOT_RUN_HERE lists "${excluded}", which the README no longer has`).to.include(excluded);
    expect(all.filter((c) => !(c in NOT_RUN_HERE))).to.not.be.empty;
  });

  it('reads the convention: placeholders are not run, exit codes come from the comments', () => {
    const sample = runnableBlocks(['```sh placeholder', 'export X=mine', '```', '```sh', 'a   # exit 2', 'b \\', '  c # exit 0, 1 or 3', 'd', '```'].join('\n'));
    expect(sample).to.deep.equal([
      [
        { command: 'a', line: 'a   # exit 2', expected: [2] },
        { command: 'b c', line: 'b c # exit 0, 1 or 3', expected: [0, 1, 3] },
        { command: 'd', line: 'd', expected: [0] },
      ],
    ]);
  });

  describe('run as written (the sandbox standing in for AWS)', () => {
    const box = useSandbox();
    let clone: string;
    before(() => {
      clone = mkdtempSync(join(tmpdir(), 's3ka-readme-'));
      symlinkSync(resolve(packageRoot(), 'dist'), join(clone, 'dist'));
      copyFileSync(resolve(packageRoot(), 'policies.yaml'), join(clone, 'policies.yaml'));
    });
    after(() => rmSync(clone, { recursive: true, force: true }));

    blocks.forEach((block, i) => {
      const run = block.filter((c) => !(c.command in NOT_RUN_HERE));
      if (run.length === 0) return;
      it(`block ${i + 1}: ${run.map((c) => c.command.split(' ').slice(0, 4).join(' ')).join(' · ')}`, async () => {
        const prod = accountOf(box.sb, 'prod');
        const env = cleanEnv({ AWS_ENDPOINT_URL: box.sb.endpoint, AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey });
        const result = await runBlock(
          run.map((c) => c.command),
          clone,
          env,
        );
        expect(result.codes, result.output).to.have.length(run.length);
        run.forEach((c, j) => expect(c.expected, `${c.line}\n(exit ${result.codes[j]})\n${result.output}`).to.include(result.codes[j]));
        // An exit code the README allows is not enough when it could mean "could not even start".
        expect(result.output, 'no command failed to start (usage, credentials, endpoint)').to.not.match(/^error: /m);
      });
    });
  });
});
