import { expect } from 'chai';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import { AwsSessionError } from '../../src/aws/errors.js';
import type { AwsOptions } from '../../src/aws/options.js';
import { accountOf, useSandbox, awsOptionsFor } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const DEV_ROLE = `arn:aws:iam::${DEV}:role/S3KmsAuditRole`;

describe('aws/session: openSessions against the sandbox', function () {
  const sandbox = useSandbox();
  const opened: AccountSession[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.destroy();
  });

  const prodOptions = (extra: Partial<AwsOptions> = {}): AwsOptions => awsOptionsFor(sandbox.sb, PROD, extra);
  const open = async (opts: AwsOptions): Promise<AccountSession[]> => {
    const sessions = await openSessions(opts);
    opened.push(...sessions);
    return sessions;
  };
  const bucketNames = async (s: AccountSession): Promise<string[]> =>
    ((await s.s3('us-east-1').send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '');

  it('identifies the caller with GetCallerIdentity when no role is given', async () => {
    const [session, ...rest] = await open(prodOptions());
    expect(rest).to.have.length(0);
    expect(session!.account).to.equal(PROD);
    expect(session!.principalArn).to.match(new RegExp(`^arn:aws:iam::${PROD}:user/`));
    expect(session!.homeRegion).to.equal('us-east-1');
    expect(await bucketNames(session!)).to.include('prod-cmk-by-id').and.not.include('dev-cmk');
  });

  it('assumes a role in the other account and acts there', async () => {
    const sessions = await open(prodOptions({ assumeRoles: [DEV_ROLE] }));
    expect(sessions.map((s) => s.account)).to.deep.equal([DEV]);
    expect(sessions[0]!.principalArn).to.equal(`arn:aws:sts::${DEV}:assumed-role/S3KmsAuditRole/s3-kms-audit`);
    const names = await bucketNames(sessions[0]!);
    expect(names).to.include('dev-cmk').and.not.include('prod-cmk-by-id');
  });

  it('scans exactly the accounts of the roles given, in order', async () => {
    const sessions = await open(prodOptions({ assumeRoles: [DEV_ROLE, `arn:aws:iam::${PROD}:role/S3KmsAuditRole`] }));
    expect(sessions.map((s) => s.account)).to.deep.equal([DEV, PROD]);
  });

  it('opens one session per account when several roles lead to the same account', async () => {
    const sessions = await open(prodOptions({ assumeRoles: [DEV_ROLE, `arn:aws:iam::${PROD}:role/S3KmsAuditRole`, DEV_ROLE, `arn:aws:iam::${PROD}:role/OrganizationAccountAccessRole`] }));
    expect(sessions.map((s) => s.account)).to.deep.equal([DEV, PROD]);
    expect(sessions[1]!.principalArn).to.include('assumed-role/S3KmsAuditRole/');
  });

  it('fails with the operation, code and role when a role does not exist', async () => {
    const missing = `arn:aws:iam::${PROD}:role/NoSuchRole`;
    const err = await openSessions(prodOptions({ assumeRoles: [DEV_ROLE, missing] })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AwsSessionError);
    const e = err as AwsSessionError;
    expect(e.operation).to.equal('AssumeRole');
    expect(e.code).to.equal('AccessDenied');
    expect(e.role).to.equal(missing);
    expect(e.message).to.include('AssumeRole').and.include('AccessDenied').and.include(missing);
  });

  it('fails GetCallerIdentity with the service code for a wrong secret, without leaking it', async () => {
    const prod = accountOf(sandbox.sb, PROD);
    const wrongSecret = 'x'.repeat(40);
    const err = await openSessions(prodOptions({ credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: wrongSecret } })).then(
      () => undefined,
      (e: unknown) => e as AwsSessionError,
    );
    expect(err?.operation).to.equal('GetCallerIdentity');
    expect(err?.code).to.equal('SignatureDoesNotMatch');
    expect(err?.message).to.not.include(wrongSecret).and.not.include(prod.accessKeyId).and.not.include(prod.secretAccessKey);
  });

  it('keeps one client per (account, region) and service', async () => {
    const [s] = await open(prodOptions());
    expect(s!.s3('eu-west-1')).to.equal(s!.s3('eu-west-1'));
    expect(s!.s3('eu-west-1')).to.not.equal(s!.s3('us-east-1'));
    expect(s!.kms('eu-west-1')).to.equal(s!.kms('eu-west-1'));
    expect(s!.kms('eu-west-1')).to.not.equal(s!.kms('ap-southeast-2'));
    expect(await s!.s3('eu-west-1').config.region()).to.equal('eu-west-1');
    expect(await s!.s3('eu-west-1').config.forcePathStyle).to.equal(true);
  });
});
