/**
 * `scan --organization` end to end on the generated organisation estate: every ACTIVE member account
 * is audited through its role, the suspended account is listed as skipped with its status, the account
 * whose role trust is broken is a run error naming AssumeRole, the throttled account still finishes,
 * and the exit code follows the gate (3 when an account could not be audited, unless
 * --allow-incomplete). Also the selection (OU, exclusion, name glob), `--accounts FILE`, and the usage
 * errors that cost no AWS call.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOrganization } from '../../src/sandbox/estates/generate-organization.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { AuditReport } from '../../src/domain/report.js';
import { cleanEnv, runCli, scanWith } from './run-cli.js';

describe('e2e: scan --organization', function () {
  this.timeout(120_000);
  const org = generateOrganization({ accounts: 7, bucketsPerAccount: 3, seed: 7 });
  let sb: Sandbox;
  let out: string;
  const MGMT = org.managementAccount.id;
  const ORG_FLAGS = ['--organization', '--role-name', org.roleName, '--fail-on', 'none'];

  before(async () => {
    sb = await startSandbox({ estate: org.estate, port: 0 });
    out = mkdtempSync(join(tmpdir(), 's3ka-org-'));
  });
  after(async () => {
    await sb.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const entry = (report: AuditReport, id: string) => report.accounts!.list.find((a) => a.id === id);

  describe('the whole organisation', () => {
    let report: AuditReport;
    let code: number;
    before(async () => {
      const r = await scanWith(sb, out, 'organization.yaml', ORG_FLAGS, MGMT);
      report = r.report;
      code = r.run.code;
    });

    it('audits every active account whose role can be assumed, and every bucket in them', () => {
      expect(report.run.accounts).to.deep.equal([...org.auditable].sort());
      expect(report.summary.buckets).to.equal(org.auditableBuckets);
      expect(report.accounts).to.include({ source: 'organization' });
      expect(report.accounts!.organization).to.deep.equal({ id: org.organizationId, managementAccount: MGMT });
      for (const id of org.auditable.filter((a) => a !== org.listingDenied)) {
        expect(entry(report, id), id).to.include({ result: 'scanned', status: 'ACTIVE', roleArn: `arn:aws:iam::${id}:role/${org.roleName}` });
      }
    });

    it('lists the suspended and the closed account as skipped with their status', () => {
      expect(entry(report, org.suspended)).to.include({ result: 'skipped', status: 'SUSPENDED' });
      // Organizations answers Status SUSPENDED and State CLOSED for a closed account: the finer State is kept.
      expect(entry(report, org.closed!)).to.include({ result: 'skipped', status: 'CLOSED' });
      expect(report.findings.some((f) => f.resource.account === org.suspended)).to.equal(false);
    });

    it('makes the account whose role cannot be assumed a run error with its cause, and finishes the others', () => {
      expect(entry(report, org.brokenTrust)).to.include({ result: 'error', reason: 'AssumeRole: AccessDenied' });
      const error = report.errors.find((e) => e.account === org.brokenTrust);
      expect(error).to.include({ operation: 'AssumeRole', code: 'AccessDenied' });
      expect(error!.message).to.contain(`role/${org.roleName}`);
      // An account whose role may not list its buckets: an error with its cause too.
      expect(entry(report, org.listingDenied!)).to.include({ result: 'error', reason: 'ListBuckets: AccessDenied' });
      expect(report.errors.find((e) => e.account === org.listingDenied)).to.include({ operation: 'ListBuckets', code: 'AccessDenied' });
      // The throttled account's requests were retried to the end.
      expect(report.findings.filter((f) => f.resource.account === org.throttled && f.status === 'error')).to.deep.equal([]);
    });

    it('exits 3: the gate passed nothing at --fail-on none, but the scan is incomplete', () => {
      expect(report.run.complete).to.equal(false);
      expect(code).to.equal(3);
      expect(report.summary.gate.exitCode).to.equal(3);
    });
  });

  it('--allow-incomplete: the same run exits 0', async () => {
    const { run, report } = await scanWith(sb, out, 'organization.yaml', [...ORG_FLAGS, '--allow-incomplete'], MGMT);
    expect(run.code).to.equal(0);
    expect(entry(report, org.brokenTrust)).to.include({ result: 'error' });
  });

  it('gate on findings: a fail at or above --fail-on still wins over incompleteness (exit 1)', async () => {
    const { run } = await scanWith(sb, out, 'organization.yaml', ['--organization', '--role-name', org.roleName, '--fail-on', 'low'], MGMT);
    expect(run.code).to.equal(1);
  });

  it('selection: --ou (nested units included) with --exclude-account; --account-name', async () => {
    const byOu = await scanWith(sb, out, 'organization.yaml', [...ORG_FLAGS, '--ou', org.units.workloads, '--exclude-account', org.brokenTrust, '--exclude-account', org.listingDenied!], MGMT);
    // Under Workloads: its own members and those of the nested Production unit (member i with i % 3 of 0 or 1).
    const expected = org.auditable.filter((id) => id !== MGMT && id !== org.listingDenied && Number(id.slice(-2)) % 3 !== 2).sort();
    expect(byOu.report.run.accounts).to.deep.equal(expected);
    expect(byOu.report.accounts!.list.map((a) => a.id)).to.not.include(org.brokenTrust);
    expect(byOu.report.accounts!.list.some((a) => a.ou === org.units.workloadsProd)).to.equal(true);
    expect(byOu.run.code).to.equal(0);

    const byName = await scanWith(sb, out, 'organization.yaml', [...ORG_FLAGS, '--account-name', 'member-000[45]'], MGMT);
    expect(byName.report.run.accounts).to.deep.equal(['300000000004', '300000000005']);
  });

  it('an account id asked for that the organisation does not have is a run error, not silence', async () => {
    const { run, report } = await scanWith(sb, out, 'organization.yaml', [...ORG_FLAGS, '--account', '300000000004', '--account', '123456789012'], MGMT);
    expect(report.run.accounts).to.deep.equal(['300000000004']);
    expect(report.errors.find((e) => e.account === '123456789012')).to.include({ code: 'AccountNotFound' });
    expect(run.code).to.equal(3);
  });

  it('a member account cannot list the organisation: exit 3 naming the call', async () => {
    const member = sb.accounts.find((a) => a.id === org.auditable[1])!;
    const run = await runCli(
      ['scan', '--policies', 'test/fixtures/e2e/organization.yaml', '--endpoint-url', sb.endpoint, '--out', out, '--format', 'json', ...ORG_FLAGS],
      cleanEnv({ AWS_ACCESS_KEY_ID: member.accessKeyId, AWS_SECRET_ACCESS_KEY: member.secretAccessKey }),
    );
    expect(run.code).to.equal(3);
    expect(run.stderr).to.contain('DescribeOrganization').and.to.contain('AccessDenied');
  });

  it('--accounts FILE (CSV): scans the listed accounts through their roles', async () => {
    const file = join(out, 'accounts.csv');
    const [a, b] = org.auditable.filter((id) => id !== MGMT && id !== org.listingDenied) as [string, string];
    writeFileSync(file, `account_id,role_arn,name\n${a},arn:aws:iam::${a}:role/${org.roleName},first\n${b},arn:aws:iam::${b}:role/${org.roleName},second\n`);
    const { run, report } = await scanWith(sb, out, 'organization.yaml', ['--accounts', file, '--fail-on', 'none'], MGMT);
    expect(run.code).to.equal(0);
    expect(report.accounts).to.deep.include({ source: 'file' });
    expect(report.accounts!.list.map((e) => [e.id, e.name, e.result])).to.deep.equal([
      [a, 'first', 'scanned'],
      [b, 'second', 'scanned'],
    ].sort());
  });

  it('usage errors cost no AWS call (exit 2): no --role-name, a bad accounts file', async () => {
    const before = sb.requestCount();
    const creds = cleanEnv({ AWS_ACCESS_KEY_ID: org.managementAccount.accessKeyId, AWS_SECRET_ACCESS_KEY: org.managementAccount.secretAccessKey });
    const noRole = await runCli(['scan', '--endpoint-url', sb.endpoint, '--out', out, '--organization'], creds);
    expect(noRole.code).to.equal(2);
    expect(noRole.stderr).to.contain('--role-name').and.to.contain('OrganizationAccountAccessRole').and.to.contain('administrator');

    const bad = join(out, 'bad.yaml');
    writeFileSync(bad, 'accounts:\n  - id: 123\n    roleArn: arn:aws:iam::300000000004:role/X\n  - { id: "300000000004", roleArn: nope }\n');
    const badFile = await runCli(['scan', '--policies', 'test/fixtures/e2e/organization.yaml', '--endpoint-url', sb.endpoint, '--out', out, '--accounts', bad], creds);
    expect(badFile.code).to.equal(2);
    expect(badFile.stderr).to.contain(`${bad}:2:9: account id 123 is not 12 digits (quote it: YAML read a number)`);
    expect(badFile.stderr).to.match(new RegExp(`${bad}:4:\\d+: "nope" is not an IAM role ARN`));
    expect(sb.requestCount()).to.equal(before);
  });

  describe('audit roles whose trust policy requires an external id', () => {
    const withId = generateOrganization({ accounts: 5, bucketsPerAccount: 1, seed: 11, externalId: 'nightly-audit' });
    let idSandbox: Sandbox;
    before(async () => {
      idSandbox = await startSandbox({ estate: withId.estate, port: 0 });
    });
    after(async () => {
      await idSandbox.stop();
    });
    const flags = ['--organization', '--role-name', withId.roleName, '--fail-on', 'none', '--allow-incomplete'];

    it('without --external-id every role refuses; with it every auditable account is scanned', async () => {
      const without = await scanWith(idSandbox, out, 'organization.yaml', flags, withId.managementAccount.id);
      expect(without.report.run.accounts).to.deep.equal([]);
      expect(without.report.accounts!.list.filter((a) => a.result === 'error').map((a) => a.id)).to.deep.equal([...withId.auditable, withId.brokenTrust].sort());

      const withFlag = await scanWith(idSandbox, out, 'organization.yaml', [...flags, '--external-id', 'nightly-audit'], withId.managementAccount.id);
      expect(withFlag.report.run.accounts).to.deep.equal([...withId.auditable].sort());
    });
  });
});
