import { expect } from 'chai';
import { ConfigError, UsageError } from '../../src/domain/errors.js';
import { DEFAULT_CONCURRENCY, parseScanArgs, parseTestArgs, parseTopLevel, parseValidateArgs } from '../../src/cli/args.js';
import { failureFor } from '../../src/cli/exit.js';
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

describe('cli/args', () => {
  describe('scan', () => {
    it('has the documented defaults', () => {
      const a = parseScanArgs([], {});
      expect(a).to.deep.equal({
        help: false,
        policies: 'policies.yaml',
        rules: [],
        out: 'reports',
        formats: ['json', 'console'],
        failOn: 'high',
        allowIncomplete: false,
        concurrency: DEFAULT_CONCURRENCY,
        assumeRoles: [],
        quiet: false,
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
      ['an unknown flag', ['--bogus'], /Unknown option '--bogus'/],
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
    ];
    for (const [what, argv, message] of bad) {
      it(`rejects ${what} with a usage error (exit 2)`, () => {
        expect(usageError(() => parseScanArgs(argv, {})).message).to.match(message);
      });
    }
  });

  describe('validate and test', () => {
    it('validate takes --policies and repeatable --rules, nothing else', () => {
      expect(parseValidateArgs(['--policies', 'x.yaml', '--rules', 'a', '--rules', 'b'])).to.deep.equal({ help: false, policies: 'x.yaml', rules: ['a', 'b'] });
      usageError(() => parseValidateArgs(['--fail-on', 'high']));
      usageError(() => parseValidateArgs(['extra']));
    });

    it('test takes folders as positionals', () => {
      expect(parseTestArgs(['a', 'b'])).to.deep.equal({ help: false, dirs: ['a', 'b'] });
      expect(parseTestArgs(['--help']).help).to.equal(true);
      usageError(() => parseTestArgs(['--verbose']));
    });
  });

  describe('top level', () => {
    it('splits the command from its arguments', () => {
      expect(parseTopLevel(['scan', '--quiet'])).to.deep.equal({ command: 'scan', rest: ['--quiet'], help: false, version: false });
      expect(parseTopLevel(['--version']).version).to.equal(true);
      expect(parseTopLevel([]).help).to.equal(true);
      expect(parseTopLevel(['help', 'scan'])).to.deep.include({ command: 'scan', rest: ['--help'] });
    });

    it('rejects unknown commands and flags before the command', () => {
      expect(usageError(() => parseTopLevel(['scna'])).message).to.contain('unknown command "scna"');
      expect(usageError(() => parseTopLevel(['--quiet', 'scan'])).message).to.contain('unknown option');
      expect(usageError(() => parseTopLevel(['help', 'scna'])).message).to.contain('unknown command "scna"');
      expect(parseTopLevel(['help'])).to.deep.equal({ rest: [], help: true, version: false });
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
