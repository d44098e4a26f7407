/**
 * The compiled CLI as a child process: validate, test, usage errors, and proof that a broken
 * policy file stops a scan before any network call.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { packageRoot, toolVersion } from '../../src/paths.js';
import { cleanEnv, fixture, runCli } from '../e2e/run-cli.js';
import { BUILTIN_RULE_COUNT } from '../helpers/builtin-rules.js';

const FAKE_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE000000000', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40), AWS_REGION: 'us-east-1' };

describe('cli (compiled, as a child process)', function () {
  this.timeout(60_000);

  describe('top level', () => {
    it('--version prints the package version', async () => {
      const run = await runCli(['--version']);
      expect(run.code).to.equal(0);
      expect(run.stdout.trim()).to.equal(`s3-kms-audit ${toolVersion()}`);
    });

    it('--help and each command --help exit 0 with usage', async () => {
      for (const args of [['--help'], ['scan', '--help'], ['validate', '--help'], ['test', '--help'], ['help', 'scan']]) {
        const run = await runCli(args);
        expect(run.code, args.join(' ')).to.equal(0);
        expect(run.stdout, args.join(' ')).to.match(/^Usage: s3-kms-audit/);
      }
      expect((await runCli(['scan', '--help'])).stdout).to.contain('--fail-on').and.contain('--allow-incomplete');
    });

    it('an unknown command exits 2', async () => {
      const run = await runCli(['scna']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('unknown command "scna"');
      expect(run.stdout).to.equal('');
    });

    it('an unknown flag or a bad value exits 2 before anything else', async () => {
      for (const args of [['scan', '--bogus'], ['scan', '--fail-on', 'severe'], ['validate', '--fail-on', 'high'], ['test', '--verbose']]) {
        const run = await runCli(args);
        expect(run.code, args.join(' ')).to.equal(2);
        expect(run.stderr, args.join(' ')).to.match(/^error: /);
      }
    });
  });

  describe('validate', () => {
    it("accepts the repo's policies.yaml with the built-in rules", async () => {
      const policies = resolve(packageRoot(), 'policies.yaml');
      const run = await runCli(['validate', '--policies', existsSync(policies) ? policies : fixture('rules-matrix.yaml')]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(new RegExp(`^OK: \\d+ polic(y|ies), ${BUILTIN_RULE_COUNT} rules \\(`));
    });

    it('--rules with the built-in rules folder: a note, no duplicate definitions, exit 0', async () => {
      const run = await runCli(['validate', '--policies', fixture('everything.yaml'), '--rules', 'rules', '--rules', fixture('user-rules')]);
      expect(run.code, run.stderr).to.equal(0);
      // The built-in rules once, plus the user folder's one.
      expect(run.stdout).to.match(new RegExp(`^OK: 1 policy, ${BUILTIN_RULE_COUNT + 1} rules \\(`));
      expect(run.stderr).to.equal('note: --rules: "rules" is the built-in rules folder, which is always loaded; not loading it twice (give only folders of your own rules)\n');
    });

    it('accepts extra --rules folders and counts their rules', async () => {
      const run = await runCli(['validate', '--policies', fixture('everything.yaml'), '--rules', fixture('user-rules')]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(new RegExp(`^OK: 1 policy, ${BUILTIN_RULE_COUNT + 1} rules`));
    });

    const broken: [string, RegExp][] = [
      ['unknown-rule.yaml', /unknown-rule\.yaml:8:\d+: unknown rule "s3-bucket-sse-kmss" \(did you mean s3-bucket-sse-kms\?\)/],
      ['unknown-key.yaml', /unknown-key\.yaml:6:\d+: .*"rulez".*\(did you mean rules\?\)/],
      ['yaml-syntax.yaml', /yaml-syntax\.yaml:\d+:\d+: YAML syntax error/],
    ];
    for (const [file, message] of broken) {
      it(`rejects broken/${file}: exit 2, file:line:col on stderr`, async () => {
        const run = await runCli(['validate', '--policies', fixture(`broken/${file}`)]);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(message);
        expect(run.stdout).to.equal('');
      });
    }

    it('a missing policy file exits 2', async () => {
      const run = await runCli(['validate', '--policies', fixture('does-not-exist.yaml')]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('does-not-exist.yaml');
    });

    it('a broken rule in a --rules folder exits 2 with its position', async () => {
      const run = await runCli(['validate', '--policies', fixture('everything.yaml'), '--rules', fixture('user-rules-broken')]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/s3-bucket-bad-operator\.yaml:7:\d+: unknown key "equals".*\(did you mean eq\?\)/);
    });

    it('a rule naming an unknown remediation action exits 2 with its position and a suggestion, before any AWS call', async () => {
      const rules = resolve(packageRoot(), 'test/fixtures/rules/actions/unknown');
      const policies = resolve(packageRoot(), 'test/fixtures/remediate/minimal.yaml');
      const run = await runCli(['validate', '--policies', policies, '--rules', rules]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/user-typo\.yaml:10:14: unknown remediation action "put-bucket-encryptoin".*\(did you mean put-bucket-encryption\?\)/);
      // remediate loads the same configuration first: exit 2 although the endpoint does not answer.
      const remediate = await runCli(['remediate', '--policies', policies, '--rules', rules, '--endpoint-url', 'http://127.0.0.1:9', '--out', mkdtempSync(join(tmpdir(), 'kms-actions-'))]);
      expect(remediate.code, remediate.stderr).to.equal(2);
      expect(remediate.stderr).to.contain('user-typo.yaml:10:14');
    });
  });

  describe('scan with a broken policy file makes no network call', () => {
    let server: Server;
    let endpoint: string;
    let requests = 0;
    before(async () => {
      server = createServer((req, res) => {
        requests += 1;
        res.writeHead(500).end();
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise((done) => server.close(done));
    });

    it('exits 2 with the config message and the endpoint never hears from it', async () => {
      const out = mkdtempSync(join(tmpdir(), 's3ka-cli-'));
      try {
        const run = await runCli(
          ['scan', '--policies', fixture('broken/unknown-rule.yaml'), '--endpoint-url', endpoint, '--out', out],
          cleanEnv(FAKE_KEYS),
        );
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(/unknown-rule\.yaml:8:\d+: unknown rule/);
        expect(requests).to.equal(0);
        expect(readdirSync(out)).to.deep.equal([]); // no report either
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it('an --out that cannot be written is a usage error found before scanning', async () => {
      const dir = mkdtempSync(join(tmpdir(), 's3ka-cli-'));
      try {
        writeFileSync(join(dir, 'file'), 'x');
        const run = await runCli(['scan', '--policies', fixture('everything.yaml'), '--endpoint-url', endpoint, '--out', join(dir, 'file', 'reports')], cleanEnv(FAKE_KEYS));
        expect(run.code).to.equal(2);
        expect(run.stderr).to.contain('--out: cannot write reports');
        expect(requests).to.equal(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('an --out under /proc fails at once with a usage error instead of hanging in mkdir', async function () {
      if (process.platform !== 'linux') this.skip();
      const run = await runCli(['scan', '--policies', fixture('everything.yaml'), '--endpoint-url', endpoint, '--out', '/proc/s3ka-no-such/reports'], cleanEnv(FAKE_KEYS));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('--out: cannot write reports to "/proc/s3ka-no-such/reports"');
      expect(requests).to.equal(0);
    });

    it('the same with an unreachable endpoint: a config error, not a connection error', async () => {
      const run = await runCli(['scan', '--policies', fixture('broken/unknown-key.yaml'), '--endpoint-url', 'http://127.0.0.1:1'], cleanEnv(FAKE_KEYS));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('unknown-key.yaml:6:').and.not.contain('ECONNREFUSED');
    });

    it('and a good policy file against an unreachable endpoint is an incomplete scan (exit 3), not a usage error', async () => {
      const run = await runCli(
        ['scan', '--policies', fixture('everything.yaml'), '--endpoint-url', 'http://127.0.0.1:1', '--max-attempts', '1'],
        cleanEnv(FAKE_KEYS),
      );
      expect(run.code).to.equal(3);
      expect(run.stderr).to.contain('GetCallerIdentity').and.contain('ECONNREFUSED');
    });
  });

  describe('test (rule fixtures)', () => {
    it('runs every built-in fixture and ends with "N passed, 0 failed"', async () => {
      const run = await runCli(['test']);
      expect(run.code, run.stdout).to.equal(0);
      const lines = run.stdout.trimEnd().split('\n');
      const last = lines.at(-1)!;
      expect(last).to.match(/^\d+ passed, 0 failed$/);
      const passed = Number(last.split(' ')[0]);
      expect(passed).to.be.greaterThan(11); // at least a pass and a fail fixture for each of the six rules
      // not a TTY: plain PASS lines, one per fixture
      expect(lines.slice(0, -1).filter((l) => l.startsWith('PASS '))).to.have.length(passed);
    });

    it('adds the fixtures of rules in the given folders', async () => {
      const builtIn = Number((await runCli(['test'])).stdout.trimEnd().split('\n').at(-1)!.split(' ')[0]);
      const run = await runCli(['test', fixture('user-rules')]);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.contain('PASS s3-bucket-owner-tag › untagged bucket fails');
      expect(run.stdout.trimEnd().split('\n').at(-1)).to.equal(`${builtIn + 2} passed, 0 failed`);
    });

    it('a failing user fixture exits 1 and says why', async () => {
      const run = await runCli(['test', fixture('user-rules-failing')]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain('FAIL s3-bucket-owner-tag › a deliberately wrong expectation');
      expect(run.stdout).to.contain('expected pass, got fail');
      expect(run.stdout.trimEnd().split('\n').at(-1)).to.match(/^\d+ passed, 1 failed$/);
    });

    it('the built-in rules folder given as a DIR (relative, absolute with a slash, through a symlink) is recognised and not loaded twice', async () => {
      const builtIn = (await runCli(['test'])).stdout.trimEnd().split('\n').at(-1)!;
      const link = mkdtempSync(join(tmpdir(), 's3ka-rules-link-'));
      try {
        symlinkSync(resolve(packageRoot(), 'rules'), join(link, 'rules'));
        const given = ['rules', `${resolve(packageRoot(), 'rules')}/`, join(link, 'rules')];
        const run = await runCli(['test', ...given, fixture('user-rules')]);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout.trimEnd().split('\n').at(-1)).to.equal(`${Number(builtIn.split(' ')[0]) + 2} passed, 0 failed`);
        for (const folder of given) {
          expect(run.stderr).to.contain(`note: test: "${folder}" is the built-in rules folder, which is always loaded; not loading it twice (give only folders of your own rules)`);
        }
        expect(run.stderr).to.not.contain('already');
      } finally {
        rmSync(link, { recursive: true, force: true });
      }
    });

    it('an invalid rule file exits 2', async () => {
      const run = await runCli(['test', fixture('user-rules-broken')]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('s3-bucket-bad-operator.yaml:7:');
    });
  });
});
