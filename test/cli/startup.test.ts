/**
 * `--version`, `--help` and a usage error must stay fast: they load no handler, so never the AWS SDK,
 * ajv or yaml; `--version` and plain help requests not even the command table and commander. The compiled CLI runs as a child process with a module resolve
 * hook (node:module register) that logs every URL it resolves, so the check sees exactly what loaded.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMMANDS, type CommandName } from '../../src/cli/commands.js';
import { helpText } from '../../src/cli/program.js';
import { packageRoot } from '../../src/paths.js';
import { CLI } from '../e2e/run-cli.js';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.S3KA_IMPORT_LOG, resolved.url + '\\n');
  return resolved;
}
`;

const HEAVY = /\/node_modules\/(@aws-sdk|@smithy|ajv|yaml)\//;

describe('cli start-up: help and version load no handler', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 's3ka-startup-'));
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The URLs resolved while running the CLI with `args`. */
  function loaded(args: string[], expectedCode: number): string[] {
    return run(args, expectedCode).urls;
  }

  /** The CLI run with `args` (stdout a pipe): the URLs it resolved and what it printed. */
  function run(args: string[], expectedCode: number): { urls: string[]; stdout: string } {
    const log = join(dir, `${args.join('_').replace(/\W/g, '')}.log`);
    writeFileSync(log, '');
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', S3KA_IMPORT_LOG: log },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).to.equal(expectedCode);
    return { urls: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout: run.stdout };
  }

  for (const [args, code] of [[['--version'], 0], [['--help'], 0], [['scan', '--help'], 0], [['scan', '--polices', 'x'], 2]] as const) {
    it(`${args.join(' ')} loads neither the AWS SDK nor ajv nor yaml`, () => {
      const urls = loaded([...args], code);
      // The hook saw the CLI's own modules, so an empty list cannot pass for a clean one.
      const own = args[0] === '--version' ? '/dist/src/paths.js' : (args as readonly string[]).includes('--help') ? '/dist/src/cli/prebuilt-help.js' : '/dist/src/cli/commands.js';
      expect(urls.some((u) => u.endsWith(own))).to.equal(true);
      expect(urls.filter((u) => HEAVY.test(u))).to.deep.equal([]);
    });
  }

  it('--version loads not even the command table or commander', () => {
    const urls = loaded(['--version'], 0);
    expect(urls.filter((u) => u.endsWith('/dist/src/cli/commands.js') || /\/node_modules\/commander\//.test(u))).to.deep.equal([]);
  });

  it('help (main and per command, every plain form) loads neither the command table nor commander, and prints what commander prints', () => {
    const forms: [string[], CommandName | undefined][] = [
      [['--help'], undefined],
      [['-h'], undefined],
      [['help'], undefined],
      [[], undefined],
      ...COMMANDS.map((c): [string[], CommandName] => [[c.name, '--help'], c.name]),
      [['help', 'scan'], 'scan'],
      [['remediate', '-h'], 'remediate'],
    ];
    for (const [args, command] of forms) {
      const { urls, stdout } = run(args, 0);
      expect(urls.some((u) => u.endsWith('/dist/src/cli/prebuilt-help.js')), args.join(' ')).to.equal(true);
      expect(urls.filter((u) => u.endsWith('/dist/src/cli/commands.js') || /\/node_modules\/commander\//.test(u)), args.join(' ')).to.deep.equal([]);
      // Commander wraps to 80 columns when stdout is not a terminal, as here.
      expect(stdout, args.join(' ')).to.equal(helpText(command, 80));
    }
  });

  it('a help request with more on the command line still goes through commander (the check can fail)', () => {
    const { urls, stdout } = run(['scan', '--quiet', '--help'], 0);
    expect(urls.some((u) => /\/node_modules\/commander\//.test(u))).to.equal(true);
    expect(stdout).to.equal(helpText('scan', 80));
  });

  it('the hook does see them when a command needs them (the check can fail)', () => {
    const urls = loaded(['validate', '--policies', join(packageRoot(), 'policies.yaml')], 0);
    expect(urls.some((u) => u.endsWith('/dist/src/cli/validate.js'))).to.equal(true);
    expect(urls.some((u) => HEAVY.test(u))).to.equal(true);
  });
});
