/**
 * End to end: the compiled CLI, spawned as a user would run it, against the sandbox (demo estate)
 * over real HTTP with the real SDK clients. Credentials reach the CLI only through the standard
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { AuditReport } from '../../src/domain/report.js';
import type { Status } from '../../src/domain/finding.js';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { accountOf, kmsFor, s3For, useSandbox } from '../helpers/sandbox.js';
import { DEV, PROD, cleanEnv, findingOf, fixture, runCli, scanWith, type ScanResult } from './run-cli.js';

const ROLE = (account: string): string => `arn:aws:iam::${account}:role/S3KmsAuditRole`;

const idsAndStatuses = (report: AuditReport): string[] => report.findings.map((f) => `${f.id} ${f.status}`).sort();

// ---------------------------------------------------------------------------------------------

const MATRIX_BUCKETS = [
  'prod-legacy-none', 'prod-legacy-eu', 'prod-sse-s3', 'prod-aws-managed', 'prod-aws-s3-alias', 'prod-cmk-by-id',
  'prod-cmk-by-arn', 'prod-cmk-by-alias', 'prod-cmk-by-alias-arn', 'prod-dsse', 'prod-disabled-key', 'prod-pending-deletion',
  'prod-key-other-region', 'prod-bucket-key-off', 'prod-rotation-off', 'prod-scratch-key', 'prod-missing-key', 'prod-eu-cmk', 'prod-ap-cmk',
];

/** [bucket, rule, expected status] on real demo buckets: each built-in rule's pass, fail and skip. */
const MATRIX: [string, string, Status][] = [
  // s3-bucket-sse-kms: KMS and DSSE pass; SSE-S3 and no configuration fail
  ['prod-cmk-by-alias', 's3-bucket-sse-kms', 'pass'],
  ['prod-dsse', 's3-bucket-sse-kms', 'pass'],
  ['prod-aws-managed', 's3-bucket-sse-kms', 'pass'],
  ['prod-sse-s3', 's3-bucket-sse-kms', 'fail'],
  ['prod-legacy-none', 's3-bucket-sse-kms', 'fail'],
  ['prod-legacy-eu', 's3-bucket-sse-kms', 'fail'],
  // s3-bucket-cmk: customer managed passes; aws/s3 (implicit or by alias), missing key and AES256 fail
  ['prod-cmk-by-alias', 's3-bucket-cmk', 'pass'],
  ['prod-dsse', 's3-bucket-cmk', 'pass'],
  ['prod-aws-managed', 's3-bucket-cmk', 'fail'],
  ['prod-aws-s3-alias', 's3-bucket-cmk', 'fail'],
  ['prod-missing-key', 's3-bucket-cmk', 'fail'],
  ['prod-sse-s3', 's3-bucket-cmk', 'fail'],
  ['prod-legacy-none', 's3-bucket-cmk', 'fail'],
  // s3-bucket-allowed-keys with keys [alias/prod-data]: every spelling of that key passes
  ['prod-cmk-by-id', 's3-bucket-allowed-keys', 'pass'],
  ['prod-cmk-by-arn', 's3-bucket-allowed-keys', 'pass'],
  ['prod-cmk-by-alias', 's3-bucket-allowed-keys', 'pass'],
  ['prod-cmk-by-alias-arn', 's3-bucket-allowed-keys', 'pass'],
  ['prod-dsse', 's3-bucket-allowed-keys', 'pass'],
  ['prod-scratch-key', 's3-bucket-allowed-keys', 'fail'],
  // the approved key by ARN from a eu-west-1 bucket: alias/prod-data there names the eu-west-1 alias, not this key
  ['prod-key-other-region', 's3-bucket-allowed-keys', 'fail'],
  ['prod-aws-managed', 's3-bucket-allowed-keys', 'fail'],
  ['prod-rotation-off', 's3-bucket-allowed-keys', 'fail'],
  // s3-bucket-key-usable
  ['prod-cmk-by-alias', 's3-bucket-key-usable', 'pass'],
  ['prod-eu-cmk', 's3-bucket-key-usable', 'pass'],
  ['prod-ap-cmk', 's3-bucket-key-usable', 'pass'],
  ['prod-aws-managed', 's3-bucket-key-usable', 'pass'],
  ['prod-disabled-key', 's3-bucket-key-usable', 'fail'],
  ['prod-pending-deletion', 's3-bucket-key-usable', 'fail'],
  ['prod-key-other-region', 's3-bucket-key-usable', 'fail'],
  ['prod-missing-key', 's3-bucket-key-usable', 'fail'],
  ['prod-sse-s3', 's3-bucket-key-usable', 'skip'],
  ['prod-legacy-none', 's3-bucket-key-usable', 'skip'],
  // s3-bucket-key-rotation
  ['prod-cmk-by-alias', 's3-bucket-key-rotation', 'pass'],
  ['prod-rotation-off', 's3-bucket-key-rotation', 'fail'],
  ['prod-aws-managed', 's3-bucket-key-rotation', 'skip'],
  ['prod-sse-s3', 's3-bucket-key-rotation', 'skip'],
  // s3-bucket-bucket-key
  ['prod-cmk-by-alias', 's3-bucket-bucket-key', 'pass'],
  ['prod-bucket-key-off', 's3-bucket-bucket-key', 'fail'],
  ['prod-dsse', 's3-bucket-bucket-key', 'skip'],
  ['prod-sse-s3', 's3-bucket-bucket-key', 'skip'],
];

describe('e2e: scan against the sandbox (demo estate)', function () {
  this.timeout(120_000);
  const box = useSandbox();
  let out: string;
  let matrix: ScanResult;
  /** Requests one matrix scan makes, to compare with a throttled run. */
  let matrixRequests: number;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3ka-e2e-'));
    const before = box.sb.requestCount();
    matrix = await scanWith(box.sb, out, 'rules-matrix.yaml');
    matrixRequests = box.sb.requestCount() - before;
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe('every built-in rule on real demo buckets', () => {
    for (const [bucket, rule, status] of MATRIX) {
      it(`${rule} on ${bucket} → ${status}`, () => {
        const f = findingOf(matrix.report, bucket, rule, 'matrix');
        expect(f.status, f.message).to.equal(status);
      });
    }

    it('allowed-keys also matches when the approved key is given as its key ARN', () => {
      for (const bucket of ['prod-cmk-by-id', 'prod-cmk-by-arn', 'prod-cmk-by-alias', 'prod-cmk-by-alias-arn']) {
        expect(findingOf(matrix.report, bucket, 's3-bucket-allowed-keys', 'allowed-by-key-arn').status, bucket).to.equal('pass');
      }
      expect(findingOf(matrix.report, 'prod-scratch-key', 's3-bucket-allowed-keys', 'allowed-by-key-arn').status).to.equal('fail');
    });

    it('has one finding per in-scope bucket and rule, none dropped, with account and region', () => {
      expect(matrix.report.findings).to.have.length(MATRIX_BUCKETS.length * 6 + 5);
      expect(new Set(matrix.report.findings.map((f) => f.resource.bucket))).to.deep.equal(new Set(MATRIX_BUCKETS));
      for (const f of matrix.report.findings) {
        expect(f.resource.account).to.equal(PROD);
        expect(f.resource.arn).to.equal(`arn:aws:s3:::${f.resource.bucket}`);
      }
      expect(findingOf(matrix.report, 'prod-legacy-eu', 's3-bucket-sse-kms').resource.region).to.equal('eu-west-1');
      expect(findingOf(matrix.report, 'prod-ap-cmk', 's3-bucket-sse-kms').resource.region).to.equal('ap-southeast-2');
      expect(matrix.report.run.regions).to.deep.equal(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    });

    it('reports a legacy bucket (no default encryption) as not configured, not as an error', () => {
      const f = findingOf(matrix.report, 'prod-legacy-none', 's3-bucket-sse-kms');
      expect(f.status).to.equal('fail');
      expect(f.message).to.contain('not configured');
      expect(matrix.report.errors).to.deep.equal([]);
    });

    it('exits 1 (high failures), complete, with a run header that names the inputs', () => {
      const { report, run } = matrix;
      expect(run.code, run.stderr).to.equal(1);
      expect(report.summary.gate).to.include({ failOn: 'high', passed: false, exitCode: 1 });
      // Named relative to the working directory (the package root here), as reports show paths.
      expect(report.run).to.include({ complete: true, endpoint: box.sb.endpoint, policyFile: relative(packageRoot(), fixture('rules-matrix.yaml')) });
      expect(report.run.policyFileSha256).to.match(/^[0-9a-f]{64}$/);
      expect(report.run.accounts).to.deep.equal([PROD]);
      expect(report.summary.total).to.equal(report.findings.length);
      expect(report.tool.name).to.equal('s3-kms-audit');
      // --format json: stdout still says what was decided and where the report is
      expect(run.stdout).to.match(/^Gate: FAILED \(exit 1, fail-on high\)/);
      expect(run.stdout).to.contain(`Report: ${matrix.path}`);
    });

    it('finding ids are stable across runs (and run ids are not)', async () => {
      const again = await scanWith(box.sb, out, 'rules-matrix.yaml');
      expect(idsAndStatuses(again.report)).to.deep.equal(idsAndStatuses(matrix.report));
      expect(again.report.findings.map((f) => f.id)).to.deep.equal(matrix.report.findings.map((f) => f.id));
      expect(again.report.run.id).to.not.equal(matrix.report.run.id);
      expect(new Set(matrix.report.findings.map((f) => f.id)).size).to.equal(matrix.report.findings.length);
    });
  });

  describe('AccessDenied on GetBucketEncryption', () => {
    it('makes every rule of that bucket an error with the cause, and exits 3', async () => {
      const { report, run } = await scanWith(box.sb, out, 'access-denied.yaml');
      expect(run.code, run.stderr).to.equal(3);
      const denied = report.findings.filter((f) => f.resource.bucket === 'prod-access-denied');
      expect(denied).to.have.length(6);
      for (const f of denied) {
        expect(f.status, f.rule).to.equal('error');
        expect(f.cause).to.include({ code: 'AccessDenied', operation: 'GetBucketEncryption' });
      }
      for (const f of report.findings.filter((x) => x.resource.bucket === 'prod-cmk-by-alias')) expect(f.status, f.rule).to.equal('pass');
      expect(report.run.complete).to.equal(false);
      expect(report.errors).to.deep.equal([
        { account: PROD, region: 'us-east-1', bucket: 'prod-access-denied', operation: 'GetBucketEncryption', code: 'AccessDenied', message: denied[0]!.cause!.message },
      ]);
      expect(report.summary.gate).to.include({ exitCode: 3, passed: false });
      expect(report.summary.byStatus.error).to.equal(6);
    });

    it('exits 0 with --allow-incomplete when nothing else fails', async () => {
      const { report, run } = await scanWith(box.sb, out, 'access-denied.yaml', ['--allow-incomplete']);
      expect(run.code, run.stderr).to.equal(0);
      expect(report.summary.gate).to.include({ passed: true, exitCode: 0, allowIncomplete: true });
      expect(report.summary.gate.reason).to.contain('incomplete scan allowed');
      expect(report.run.complete).to.equal(false);
    });

    it('shows the errors grouped under the bucket in the console summary', async () => {
      const creds = accountOf(box.sb, 'prod');
      const run = await runCli(
        ['scan', '--policies', fixture('access-denied.yaml'), '--endpoint-url', box.sb.endpoint, '--out', out, '--format', 'console'],
        cleanEnv({ AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey }),
      );
      expect(run.code).to.equal(3);
      const lines = run.stdout.split('\n');
      const header = lines.indexOf('prod-access-denied · account 111122223333 · us-east-1');
      expect(header, run.stdout).to.be.greaterThan(0);
      expect(lines[header + 1]).to.match(/^ {2}ERROR {2}critical s3-bucket-key-usable/);
      expect(run.stdout).to.contain('Findings 12: pass 6 · fail 0 · error 6 · skip 0 · excepted 0');
      expect(run.stdout).to.match(/\nGate: FAILED \(exit 3, fail-on high\) - scan incomplete: 6 error findings/);
      expect(run.stdout).to.not.match(/\u001b\[/); // not a TTY: no colour
      for (const line of lines) expect(line.length, line).to.be.at.most(100);
    });

    it('--quiet prints only the gate line', async () => {
      const creds = accountOf(box.sb, 'prod');
      const run = await runCli(
        ['scan', '--policies', fixture('access-denied.yaml'), '--endpoint-url', box.sb.endpoint, '--out', out, '--quiet'],
        cleanEnv({ AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey }),
      );
      expect(run.code).to.equal(3);
      expect(run.stdout.trimEnd().split('\n')).to.have.length(1);
      expect(run.stdout).to.match(/^Gate: FAILED \(exit 3/);
      expect(run.stderr).to.equal('');
    });
  });

  describe('--fail-on thresholds (a medium and a low failure)', () => {
    const cases: [string[], number][] = [
      [[], 0],
      [['--fail-on', 'critical'], 0],
      [['--fail-on', 'high'], 0],
      [['--fail-on', 'medium'], 1],
      [['--fail-on', 'low'], 1],
      [['--fail-on', 'info'], 1],
      [['--fail-on', 'none'], 0],
    ];
    for (const [args, code] of cases) {
      it(`${args.join(' ') || '(default high)'} → exit ${code}`, async () => {
        const { report, run } = await scanWith(box.sb, out, 'thresholds.yaml', args);
        expect(run.code, run.stderr).to.equal(code);
        expect(report.summary.gate.exitCode).to.equal(code);
        expect(report.summary.byStatus.fail).to.equal(2);
        expect(findingOf(report, 'prod-rotation-off', 's3-bucket-key-rotation')).to.include({ status: 'fail', severity: 'medium' });
        expect(findingOf(report, 'prod-bucket-key-off', 's3-bucket-bucket-key')).to.include({ status: 'fail', severity: 'low' });
      });
    }
  });

  describe('exceptions', () => {
    let result: ScanResult;
    before(async () => {
      result = await scanWith(box.sb, out, 'exceptions.yaml');
    });

    it('an active exception turns fail into excepted and keeps the reason', () => {
      const f = findingOf(result.report, 'prod-logs-excepted', 's3-bucket-sse-kms');
      expect(f.status).to.equal('excepted');
      expect(f.exception).to.deep.equal({ reason: 'S3 server access log targets only support SSE-S3', expires: '2999-12-31', expired: false });
    });

    it('an expired exception stays fail and says it expired', () => {
      const f = findingOf(result.report, 'prod-archive-expired', 's3-bucket-sse-kms');
      expect(f.status).to.equal('fail');
      expect(f.exception).to.include({ expired: true, expires: '2024-06-30' });
      expect(f.message).to.match(/expired/);
    });

    it('buckets without an exception are untouched, and the gate counts only real failures', () => {
      const f = findingOf(result.report, 'prod-sse-s3', 's3-bucket-sse-kms');
      expect(f.status).to.equal('fail');
      expect(f).to.not.have.property('exception');
      expect(result.report.summary.byStatus).to.include({ fail: 2, excepted: 1 });
      expect(result.run.code).to.equal(1);
    });
  });

  describe('accounts', () => {
    it('--assume-role into the dev account scans that account, with its id on every finding', async () => {
      const { report, run } = await scanWith(box.sb, out, 'everything.yaml', ['--assume-role', ROLE(DEV)]);
      expect(run.code, run.stderr).to.equal(1);
      expect(report.run.accounts).to.deep.equal([DEV]);
      const buckets = new Set(report.findings.map((f) => f.resource.bucket));
      expect(buckets).to.deep.equal(new Set(['dev-sse-s3', 'dev-cmk', 'dev-aws-managed', 'dev-legacy', 'dev-cross-account-key', 'dev-generated']));
      for (const f of report.findings) expect(f.resource.account).to.equal(DEV);
      expect(findingOf(report, 'dev-cmk', 's3-bucket-sse-kms').resource.region).to.equal('eu-west-1');
    });

    it('several --assume-role flags scan every account; the same bucket ids as scanning each alone', async () => {
      const both = await scanWith(box.sb, out, 'everything.yaml', ['--assume-role', ROLE(PROD), '--assume-role', ROLE(DEV)]);
      expect(both.report.run.accounts).to.deep.equal([PROD, DEV]);
      expect(new Set(both.report.findings.map((f) => f.resource.account))).to.deep.equal(new Set([PROD, DEV]));
      const devOnly = await scanWith(box.sb, out, 'everything.yaml', [], 'dev');
      const devIds = devOnly.report.findings.map((f) => f.id);
      expect(both.report.findings.filter((f) => f.resource.account === DEV).map((f) => f.id)).to.deep.equal(devIds);
    });

    it('a role that cannot be assumed stops the scan before anything is scanned: exit 3, no report', async () => {
      const creds = accountOf(box.sb, 'prod');
      const run = await runCli(
        ['scan', '--policies', fixture('everything.yaml'), '--endpoint-url', box.sb.endpoint, '--out', out, '--name', 'no-role', '--assume-role', `arn:aws:iam::${DEV}:role/NoSuchRole`],
        cleanEnv({ AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey }),
      );
      expect(run.code).to.equal(3);
      expect(run.stderr).to.contain('AssumeRole').and.contain('AccessDenied').and.contain('NoSuchRole');
      expect(existsSync(join(out, 'no-role.json'))).to.equal(false);
    });

    it('wrong credentials: exit 3 naming GetCallerIdentity and the AWS error code, secret never printed', async () => {
      const creds = accountOf(box.sb, 'prod');
      const wrongSecret = 'x'.repeat(40);
      const run = await runCli(
        ['scan', '--policies', fixture('everything.yaml'), '--endpoint-url', box.sb.endpoint, '--out', out, '--name', 'bad-creds'],
        cleanEnv({ AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: wrongSecret }),
      );
      expect(run.code).to.equal(3);
      expect(run.stderr).to.contain('GetCallerIdentity').and.contain('SignatureDoesNotMatch').and.contain('Check the credentials');
      expect(run.stderr + run.stdout).to.not.contain(wrongSecret);
      expect(existsSync(join(out, 'bad-creds.json'))).to.equal(false);
    });
  });

  describe('throttling (a second sandbox answering 30% of requests with SlowDown / ThrottlingException)', () => {
    const throttled = useSandbox({ faults: { throttleRate: 0.3, seed: 42 } });

    it('gives the same findings, ids and statuses, as the unthrottled run', async () => {
      // 10 attempts per call: the chance that one call is throttled 10 times in a row is 0.3^10 ≈ 6e-6.
      const result = await scanWith(throttled.sb, out, 'rules-matrix.yaml', ['--max-attempts', '10']);
      expect(result.run.code, result.run.stderr).to.equal(1);
      expect(result.report.errors).to.deep.equal([]);
      expect(idsAndStatuses(result.report)).to.deep.equal(idsAndStatuses(matrix.report));
      // Proof that throttling happened and was retried: more requests than the same scan without faults.
      expect(throttled.sb.requestCount()).to.be.greaterThan(matrixRequests);
    });
  });
});

describe('e2e: an allow-list entry alias/NAME never approves another account’s key with the same alias name', function () {
  this.timeout(60_000);
  // Its own sandbox: this suite changes the estate.
  const box = useSandbox();
  let out: string;
  let devKeyArn: string;
  const policy = async (keys: string[]): Promise<string> => {
    const file = join(out, `allowed-${keys.length}-${keys[0]!.length}.yaml`);
    const text = [
      'version: 1',
      'policies:',
      '  - name: approved-keys',
      '    resource: bucket',
      '    scope: { include: [prod-scratch-key, prod-cmk-by-alias, prod-key-other-region], accounts: ["111122223333"] }',
      '    rules:',
      '      - id: s3-bucket-allowed-keys',
      `        params: { keys: ${JSON.stringify(keys)} }`,
    ].join('\n');
    await writeFile(file, text + '\n');
    return file;
  };
  const bothRoles = ['--assume-role', `arn:aws:iam::${PROD}:role/S3KmsAuditRole`, '--assume-role', `arn:aws:iam::${DEV}:role/S3KmsAuditRole`];

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3ka-e2e-scope-'));
    // The reviewer's reproduction: in dev, a key aliased alias/prod-data; the prod bucket prod-scratch-key points at it.
    const kms = kmsFor(box.sb, DEV, 'us-east-1');
    const key = await kms.send(new CreateKeyCommand({ Description: 'dev key with a prod-looking alias' }));
    devKeyArn = key.KeyMetadata!.Arn!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/prod-data', TargetKeyId: key.KeyMetadata!.KeyId! }));
    kms.destroy();
    const s3 = s3For(box.sb, PROD, 'us-east-1');
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'prod-scratch-key',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: devKeyArn }, BucketKeyEnabled: true }] },
      }),
    );
    s3.destroy();
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('keys: [alias/prod-data] fails the prod bucket under the dev key (it passed before), with both accounts scanned', async () => {
    const { report, run } = await scanWith(box.sb, out, await policy(['alias/prod-data']), bothRoles);
    expect(run.code, run.stderr).to.equal(1);
    expect(report.run.accounts).to.deep.equal([PROD, DEV]);
    const scratch = findingOf(report, 'prod-scratch-key', 's3-bucket-allowed-keys');
    expect(scratch.status, scratch.message).to.equal('fail');
    expect(scratch.message).to.contain(devKeyArn).and.contain('alias/prod-data');
    expect(findingOf(report, 'prod-cmk-by-alias', 's3-bucket-allowed-keys').status).to.equal('pass');
    expect(findingOf(report, 'prod-key-other-region', 's3-bucket-allowed-keys').status).to.equal('fail');
    expect(report.errors).to.deep.equal([]);
  });

  it('the dev key is approved only when listed by an ARN', async () => {
    const { report } = await scanWith(box.sb, out, await policy([`arn:aws:kms:us-east-1:${DEV}:alias/prod-data`]), bothRoles);
    expect(findingOf(report, 'prod-scratch-key', 's3-bucket-allowed-keys').status).to.equal('pass');
    expect(findingOf(report, 'prod-cmk-by-alias', 's3-bucket-allowed-keys').status).to.equal('fail');
  });
});
