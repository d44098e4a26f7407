/**
 * The command line as the command table (src/cli/commands.ts) declares it: defaults, every flag, each
 * value check's rejection (exit 2), the top level (commands, help, version), and commander's
 * "(Did you mean …?)" for mistyped flags and commands. In process, with fake streams.
 */
import { expect } from 'chai';
import { ConfigError, UsageError } from '../../src/domain/errors.js';
import { COMMANDS, DEFAULT_CONCURRENCY, SCAN } from '../../src/cli/commands.js';
import { failureFor } from '../../src/cli/exit.js';
import { helpText, parseArgsOf, parseCommandLine } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run.js';
import { optionSyntax } from '../../src/cli/spec.js';
import { useColor } from '../../src/cli/terminal.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    expect(failureFor(e).exitCode).to.equal(2);
    return e as UsageError;
  }
  throw new Error('expected a UsageError');
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const parseScanArgs = (argv: string[], env: NodeJS.ProcessEnv) => parseArgsOf('scan', argv, env);

describe('cli/args', () => {
  describe('scan', () => {
    it('has the documented defaults', () => {
      const a = parseScanArgs([], {});
      expect(a).to.deep.equal({
        policies: 'policies.yaml',
        rules: [],
        out: 'reports',
        formats: ['json', 'console'],
        failOn: 'high',
        allowIncomplete: false,
        failOnNew: false,
        concurrency: DEFAULT_CONCURRENCY,
        assumeRoles: [],
        // The many-account options (src/cli/account-options.ts): off, empty selection.
        organization: false,
        includeAccounts: [],
        excludeAccounts: [],
        accountNames: [],
        units: [],
        quiet: false,
        verbose: false,
      });
      expect(DEFAULT_CONCURRENCY).to.equal(16);
    });

    it('parses every flag, repeatable ones included', () => {
      const a = parseScanArgs(
        [
          '--policies', 'p.yaml', '--rules', 'r1', '--rules', 'r2', '--out', 'o', '--format', 'json',
          '--name', 'nightly', '--fail-on', 'none', '--allow-incomplete', '--concurrency', '4',
          '--endpoint-url', 'http://127.0.0.1:4566', '--region', 'eu-west-1', '--profile', 'audit',
          '--assume-role', 'arn:aws:iam::444455556666:role/Audit', '--assume-role', 'arn:aws:iam::111122223333:role/path/Audit',
          '--max-attempts', '9', '--quiet',
        ],
        {},
      );
      expect(a).to.deep.include({
        policies: 'p.yaml', rules: ['r1', 'r2'], out: 'o', formats: ['json'], name: 'nightly', failOn: 'none',
        allowIncomplete: true, concurrency: 4, maxAttempts: 9, endpointUrl: 'http://127.0.0.1:4566', region: 'eu-west-1', profile: 'audit', quiet: true,
      });
      expect(a.assumeRoles).to.deep.equal(['arn:aws:iam::444455556666:role/Audit', 'arn:aws:iam::111122223333:role/path/Audit']);
      expect(parseScanArgs(['-q'], {}).quiet).to.equal(true);
    });

    it('reads AWS_ENDPOINT_URL when --endpoint-url is not given, and the flag wins', () => {
      expect(parseScanArgs([], { AWS_ENDPOINT_URL: 'http://localhost:9' }).endpointUrl).to.equal('http://localhost:9');
      expect(parseScanArgs(['--endpoint-url', 'https://x.example'], { AWS_ENDPOINT_URL: 'http://localhost:9' }).endpointUrl).to.equal('https://x.example');
      expect(usageError(() => parseScanArgs([], { AWS_ENDPOINT_URL: 'nope' })).message).to.contain('AWS_ENDPOINT_URL');
    });

    it('reads AWS_MAX_ATTEMPTS when --max-attempts is not given', () => {
      expect(parseScanArgs([], { AWS_MAX_ATTEMPTS: '7' }).maxAttempts).to.equal(7);
      expect(parseScanArgs(['--max-attempts', '2'], { AWS_MAX_ATTEMPTS: '7' }).maxAttempts).to.equal(2);
      expect(usageError(() => parseScanArgs([], { AWS_MAX_ATTEMPTS: 'lots' })).message).to.contain('AWS_MAX_ATTEMPTS');
    });

    const bad: [string, string[], RegExp][] = [
      ['a zero --max-attempts', ['--max-attempts', '0'], /--max-attempts/],
      ['an unknown flag', ['--bogus'], /scan: unknown option '--bogus'/],
      ['a missing value', ['--fail-on'], /--fail-on/],
      ['a bad --fail-on', ['--fail-on', 'severe'], /--fail-on: "severe" is not one of info, low, medium, high, critical, none/],
      ['a bad --format', ['--format', 'json,xml'], /unknown format "xml"/],
      ['an empty --format', ['--format', ','], /at least one format/],
      ['a zero --concurrency', ['--concurrency', '0'], /--concurrency/],
      ['a non-numeric --concurrency', ['--concurrency', '8x'], /--concurrency/],
      ['a huge --concurrency', ['--concurrency', '100000'], /1 to 256/],
      ['a bad --endpoint-url', ['--endpoint-url', 'localhost:4566'], /--endpoint-url/],
      ['a non-http --endpoint-url', ['--endpoint-url', 'ftp://x'], /http/],
      ['a bad --region', ['--region', 'Mars'], /--region/],
      ['a bad --assume-role', ['--assume-role', 'Audit'], /IAM role ARN/],
      ['a path in --name', ['--name', '../x'], /invalid report name/],
      ['a positional argument', ['policies.yaml'], /unexpected argument "policies.yaml"/],
      ['a boolean flag with a value', ['--quiet=yes'], /--quiet/],
      ['an empty --policies', ['--policies', ''], /--policies: give a path/],
      ['an empty --profile', ['--profile', ''], /--profile: give a profile name/],
      ['a --max-object-findings above a million', ['--max-object-findings', '1000001'], /--max-object-findings/],
    ];
    for (const [what, argv, message] of bad) {
      it(`rejects ${what} with a usage error (exit 2)`, () => {
        expect(usageError(() => parseScanArgs(argv, {})).message).to.match(message);
      });
    }
  });

  describe('validate and test', () => {
    it('validate takes --policies and repeatable --rules, nothing else', () => {
      expect(parseArgsOf('validate', ['--policies', 'x.yaml', '--rules', 'a', '--rules', 'b'])).to.deep.equal({ policies: 'x.yaml', rules: ['a', 'b'] });
      usageError(() => parseArgsOf('validate', ['--fail-on', 'high']));
      usageError(() => parseArgsOf('validate', ['extra']));
    });

    it('test takes folders as positionals', () => {
      expect(parseArgsOf('test', ['a', 'b'])).to.deep.equal({ dirs: ['a', 'b'] });
      expect(parseArgsOf('test', [])).to.deep.equal({ dirs: [] });
      usageError(() => parseArgsOf('test', ['--verbose']));
    });
  });

  describe('top level', () => {
    const silent = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };

    it('splits the command from its arguments', async () => {
      expect(parseCommandLine(['scan', '--quiet'], silent, '0')).to.deep.include({ command: 'scan' });
      expect(parseCommandLine(['scan', '--quiet'], silent, '0')!.args).to.deep.include({ quiet: true });
      const version = await run(['--version']);
      expect(version.code).to.equal(0);
      expect(version.stdout).to.match(/^s3-kms-audit \d+\.\d+\.\d+\n$/);
      expect((await run(['-V'])).stdout).to.equal(version.stdout);
      const main = await run([]);
      expect(main.code).to.equal(0);
      expect(main.stdout).to.equal(helpText());
      expect((await run(['help'])).stdout).to.equal(helpText());
      const scanHelp = await run(['help', 'scan']);
      expect(scanHelp.code).to.equal(0);
      expect(scanHelp.stdout).to.equal(helpText('scan'));
      expect((await run(['scan', '-h'])).stdout).to.equal(helpText('scan'));
    });

    it('rejects unknown commands and flags before the command (exit 2, nothing on stdout)', async () => {
      const scna = await run(['scna']);
      expect(scna.code).to.equal(2);
      expect(scna.stderr).to.contain('unknown command "scna"');
      expect(scna.stdout).to.equal('');
      const before = await run(['--quiet', 'scan']);
      expect(before.code).to.equal(2);
      expect(before.stderr).to.contain("unknown option '--quiet'");
      const helpScna = await run(['help', 'scna']);
      expect(helpScna.code).to.equal(2);
      expect(helpScna.stderr).to.contain('unknown command "scna"');
    });

    it('suggests the command meant: scna → scan', async () => {
      const r = await run(['scna']);
      expect(r.stderr).to.match(/^error: unknown command "scna" \(Did you mean scan\?\)\nRun "s3-kms-audit --help" for usage\.\n$/);
    });

    it('suggests the flag meant, and points to the command\'s own help: scan --polices → --policies', async () => {
      const r = await run(['scan', '--polices', 'x']);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal(`error: scan: unknown option '--polices' (Did you mean --policies?)\nRun "s3-kms-audit scan --help" for usage.\n`);
      expect((await run(['remediate', '--aply'])).stderr).to.contain('(Did you mean --apply?)').and.contain('s3-kms-audit remediate --help');
    });

    it('points a value error to the command\'s help too', async () => {
      const r = await run(['rollback', 'j.jsonl', '--concurrency', '0']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.equal('error: --concurrency: "0" is not a whole number from 1 to 256\nRun "s3-kms-audit rollback --help" for usage.\n');
    });
  });

  describe('help is derived from the command table', () => {
    for (const command of COMMANDS) {
      it(`${command.name} --help lists every option of the table with its help text, and the exit codes`, async () => {
        const r = await run([command.name, '--help']);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^Usage: s3-kms-audit ${command.name} `));
        const flat = r.stdout.replace(/\s+/g, ' ');
        for (const option of Object.values(command.options)) {
          expect(r.stdout, option.flag).to.contain(optionSyntax(option));
          expect(flat, option.flag).to.contain(option.help.replace(/\s+/g, ' '));
        }
        expect(flat).to.contain(`Exit codes: ${command.exitCodes.replace(/\s+/g, ' ')}`);
      });
    }

    it('the main help lists every command with its summary', async () => {
      const flat = (await run(['--help'])).stdout.replace(/\s+/g, ' ');
      for (const command of COMMANDS) expect(flat).to.contain(command.summary);
    });

    it('scan --help shows defaults, repeatable options and the environment variables read', () => {
      const help = helpText('scan').replace(/\s+/g, ' ');
      expect(help).to.contain('--rules DIR extra rules folder (the built-in rules are always loaded), repeatable');
      expect(help).to.contain('(default: $AWS_ENDPOINT_URL, else AWS)');
      expect(help).to.contain('(default: high)');
      expect(Object.keys(SCAN.options)).to.include('exportManifest');
    });
  });
});

describe('cli/exit', () => {
  it('maps ConfigError to 2 and prints every problem as file:line:col', () => {
    const f = failureFor(
      new ConfigError([
        { file: 'p.yaml', line: 3, column: 5, message: 'unknown key "rulez"', suggestion: 'rules' },
        { file: 'p.yaml', line: 9, column: 1, message: 'bad date' },
      ]),
    );
    expect(f.exitCode).to.equal(2);
    expect(f.message.split('\n').slice(0, 2)).to.deep.equal(['p.yaml:3:5: unknown key "rulez" (did you mean rules?)', 'p.yaml:9:1: bad date']);
  });

  it('maps an adapter session error to 3 and names operation and code', () => {
    const err = Object.assign(new Error('GetCallerIdentity failed: InvalidClientTokenId: bad token'), { operation: 'GetCallerIdentity', code: 'InvalidClientTokenId' });
    const f = failureFor(err, {});
    expect(f.exitCode).to.equal(3);
    expect(f.message).to.contain('GetCallerIdentity').and.contain('InvalidClientTokenId').and.contain('Check the credentials');
  });

  it('maps a network error to 3 with a hint about the endpoint', () => {
    const f = failureFor(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), {});
    expect(f.exitCode).to.equal(3);
    expect(f.message).to.contain('ECONNREFUSED').and.contain('--endpoint-url');
  });

  it('says "nothing was scanned" only of a scan: a remediation or rollback that fails may have changed things', () => {
    const denied = (): Error => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(failureFor(denied(), {}, 'scan').message).to.contain('scan incomplete: nothing was scanned');
    for (const command of ['remediate', 'rollback', 'status']) {
      const f = failureFor(denied(), {}, command);
      expect(f.exitCode).to.equal(3);
      expect(f.message).to.contain('AccessDenied').and.contain(`${command} did not finish`).and.not.contain('scan');
      expect(f.message).to.contain(`s3-kms-audit permissions ${command === 'status' ? 'batch' : command}`);
      expect(failureFor(new TypeError('x is undefined'), {}, command).message).to.contain(`${command} did not finish`).and.not.contain('scan incomplete');
    }
  });

  it('maps an unexpected bug to 3, with the stack only when S3_KMS_AUDIT_DEBUG=1', () => {
    const bug = new TypeError('x is undefined');
    expect(failureFor(bug, {}).exitCode).to.equal(3);
    expect(failureFor(bug, {}).message).to.contain('x is undefined').and.not.contain('    at ');
    expect(failureFor(bug, { S3_KMS_AUDIT_DEBUG: '1' }).message).to.contain('    at ');
  });
});

describe('cli/terminal colour decision', () => {
  it('colours a TTY, not a pipe; NO_COLOR always wins; FORCE_COLOR forces', () => {
    expect(useColor({ isTTY: true }, {})).to.equal(true);
    expect(useColor({ isTTY: false }, {})).to.equal(false);
    expect(useColor({}, {})).to.equal(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).to.equal(true);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).to.equal(false);
    expect(useColor({ isTTY: true }, { FORCE_COLOR: '0' })).to.equal(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).to.equal(true);
  });
});
