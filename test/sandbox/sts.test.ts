/**
 * STS protocol tests with the real @aws-sdk/client-sts over HTTP against the demo estate.
 */
import { expect } from 'chai';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListAliasesCommand } from '@aws-sdk/client-kms';
import { cliCreds, kmsFor, signedRequest, stsFor, useSandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/errors.js';
import { buildEstate } from '../../src/sandbox/estate.js';

const PROD = '111122223333';
const DEV = '444455556666';


describe('sandbox STS', () => {
  const sandbox = useSandbox();

  describe('GetCallerIdentity', () => {
    it('names each account’s IAM user', async () => {
      const prod = await stsFor(sandbox.sb, 'prod').send(new GetCallerIdentityCommand({}));
      expect(prod).to.include({ Account: PROD, Arn: `arn:aws:iam::${PROD}:user/prod-auditor` });
      expect(prod.UserId).to.match(/^AIDA[A-Z2-7]{17}$/);
      const dev = await stsFor(sandbox.sb, 'dev').send(new GetCallerIdentityCommand({}));
      expect(dev).to.include({ Account: DEV, Arn: `arn:aws:iam::${DEV}:user/dev-auditor` });
      expect(dev.UserId).to.not.equal(prod.UserId);
    });

    it('answers XML in the 2011-06-15 namespace with a RequestId matching x-amzn-RequestId', async () => {
      const res = await signedRequest(sandbox.sb, 'sts', cliCreds(sandbox.sb, 'prod'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.contain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
      const requestId = /<RequestId>([^<]+)<\/RequestId>/.exec(res.body)?.[1];
      expect(requestId).to.be.a('string');
      expect(res.headers['x-amzn-requestid']).to.equal(requestId);
    });
  });

  describe('AssumeRole', () => {
    it('returns temporary credentials that act in the role’s account', async () => {
      const asked = Date.now();
      const out = await stsFor(sandbox.sb, 'prod').send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/S3KmsAuditRole`, RoleSessionName: 'audit-run', DurationSeconds: 900 }),
      );
      const answered = Date.now();
      const c = out.Credentials!;
      expect(c.AccessKeyId).to.match(/^ASIA[A-Z0-9]{16}$/);
      expect(c.SecretAccessKey).to.have.length(40);
      expect(c.SessionToken).to.be.a('string').and.have.length.greaterThan(100);
      // 900 s after the moment STS answered (to the second), however long the call took.
      expect(c.Expiration!.getTime()).to.be.within(Math.floor(asked / 1000) * 1000 + 900_000, answered + 900_000);
      expect(out.AssumedRoleUser!.Arn).to.equal(`arn:aws:sts::${DEV}:assumed-role/S3KmsAuditRole/audit-run`);
      expect(out.AssumedRoleUser!.AssumedRoleId).to.match(/^AROA[A-Z2-7]{17}:audit-run$/);

      const temp = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      const who = await stsFor(sandbox.sb, 'prod', 'us-east-1', { credentials: temp }).send(new GetCallerIdentityCommand({}));
      expect(who).to.include({ Account: DEV, Arn: `arn:aws:sts::${DEV}:assumed-role/S3KmsAuditRole/audit-run`, UserId: out.AssumedRoleUser!.AssumedRoleId });

      // KMS with the role's credentials lists the OTHER (dev) account's aliases.
      const aliases = (await kmsFor(sandbox.sb, 'prod', 'eu-west-1', { credentials: temp }).send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName);
      expect(aliases).to.include('alias/dev-data');
      expect(aliases).to.not.include('alias/prod-eu');
    });

    it('a role chained from a session works too (the session’s account assumes onward)', async () => {
      const first = (await stsFor(sandbox.sb, 'prod').send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/S3KmsAuditRole`, RoleSessionName: 'hop-1' }))).Credentials!;
      const temp = { accessKeyId: first.AccessKeyId!, secretAccessKey: first.SecretAccessKey!, sessionToken: first.SessionToken! };
      const second = await stsFor(sandbox.sb, 'prod', 'us-east-1', { credentials: temp }).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/S3KmsAuditRole`, RoleSessionName: 'hop-2' }),
      );
      expect(second.AssumedRoleUser!.Arn).to.equal(`arn:aws:sts::${PROD}:assumed-role/S3KmsAuditRole/hop-2`);
      // ... but for at most an hour.
      const e = await rejection(
        stsFor(sandbox.sb, 'prod', 'us-east-1', { credentials: temp, maxAttempts: 1 }).send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${PROD}:role/S3KmsAuditRole`, RoleSessionName: 'hop-3', DurationSeconds: 7200 }),
        ),
      );
      expect(e.name).to.equal('ValidationError');
    });

    it('a role that does not exist → 403 AccessDenied naming the caller and the role', async () => {
      const roleArn = `arn:aws:iam::${DEV}:role/NoSuchRole`;
      const e = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' })));
      expect(e.name).to.equal('AccessDenied');
      expect(e.$metadata?.httpStatusCode).to.equal(403);
      expect(e.message).to.equal(`User: arn:aws:iam::${PROD}:user/prod-auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    });

    it('a role in an account outside the estate → AccessDenied', async () => {
      const e = await rejection(
        stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/S3KmsAuditRole', RoleSessionName: 'x1' })),
      );
      expect(e.name).to.equal('AccessDenied');
    });

    it('validates DurationSeconds (900–43200) and RoleSessionName (2–64 chars) → 400 ValidationError', async () => {
      const sts = stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 });
      const roleArn = `arn:aws:iam::${DEV}:role/S3KmsAuditRole`;
      for (const input of [
        { RoleArn: roleArn, RoleSessionName: 'ok-name', DurationSeconds: 899 },
        { RoleArn: roleArn, RoleSessionName: 'ok-name', DurationSeconds: 43201 },
        { RoleArn: roleArn, RoleSessionName: 'x' },
        { RoleArn: roleArn, RoleSessionName: 'has space' },
      ]) {
        const e = await rejection(sts.send(new AssumeRoleCommand(input)));
        expect(e.name, JSON.stringify(input)).to.equal('ValidationError');
        expect(e.$metadata?.httpStatusCode).to.equal(400);
      }
    });
  });

  it('an unknown Action → 400 InvalidAction in an ErrorResponse', async () => {
    const res = await signedRequest(sandbox.sb, 'sts', cliCreds(sandbox.sb, 'prod'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=GetSessionTokenz&Version=2011-06-15',
    });
    expect(res.status).to.equal(400);
    expect(res.body).to.match(/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
    expect(res.body).to.contain('<Type>Sender</Type>');
    expect(res.body).to.contain('<Code>InvalidAction</Code>');
  });
});

describe('sandbox STS: roles with a path', () => {
  const ACCT = '777788889999';
  const estate = buildEstate({
    accounts: [
      // `ops/team/Auditor` is the role Auditor at path /ops/team/; `S3KmsAuditRole` sits at path /.
      { id: ACCT, name: 'paths', accessKeyId: 'AKIAPATHS00000000001', secretAccessKey: 'p'.repeat(40), roles: ['S3KmsAuditRole', 'ops/team/Auditor'] },
    ],
  });
  const sandbox = useSandbox({ estate });
  const assume = (roleArn: string) =>
    stsFor(sandbox.sb, 'paths', 'us-east-1', { maxAttempts: 1 }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'path-test' }));

  it('the estate keeps the path in the role ARN and the name as the last segment', () => {
    expect(estate.accounts.get(ACCT)!.roles).to.deep.equal([
      { name: 'S3KmsAuditRole', arn: `arn:aws:iam::${ACCT}:role/S3KmsAuditRole` },
      { name: 'Auditor', arn: `arn:aws:iam::${ACCT}:role/ops/team/Auditor` },
    ]);
  });

  it('assumes a role by its ARN with the path; the assumed-role ARN carries the name only', async () => {
    const out = await assume(`arn:aws:iam::${ACCT}:role/ops/team/Auditor`);
    expect(out.AssumedRoleUser!.Arn).to.equal(`arn:aws:sts::${ACCT}:assumed-role/Auditor/path-test`);
  });

  for (const wrong of ['role/Auditor', 'role/ops/Auditor', 'role/other/team/Auditor', 'role/ops/S3KmsAuditRole']) {
    it(`refuses ${wrong} (same name, another path) with 403 AccessDenied`, async () => {
      const roleArn = `arn:aws:iam::${ACCT}:${wrong}`;
      const e = await rejection(assume(roleArn));
      expect([e.name, e.$metadata?.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      expect(e.message).to.contain(`on resource: ${roleArn}`);
    });
  }

  it('a role without a path is still found by role/<name>', async () => {
    const out = await assume(`arn:aws:iam::${ACCT}:role/S3KmsAuditRole`);
    expect(out.AssumedRoleUser!.Arn).to.equal(`arn:aws:sts::${ACCT}:assumed-role/S3KmsAuditRole/path-test`);
  });
});
