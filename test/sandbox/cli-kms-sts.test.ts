/**
 * Conformance with an independent client: the real AWS CLI v2 (/usr/bin/aws, botocore) drives
 * the sandbox's KMS and STS and we check what it prints. Skipped with a message when the CLI is
 * missing, a failure in CI.
 */
import { expect } from 'chai';
import { awsCli, requireAwsCli, type CliCredentials, type CliResult } from '../helpers/awscli.js';
import { cliCreds, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const PROD_DATA_ID = '1111aaaa-0000-4000-8000-000000000001';
const PROD_DATA_ARN = `arn:aws:kms:us-east-1:${PROD}:key/${PROD_DATA_ID}`;

function json(result: CliResult): Record<string, any> {
  expect(result.code, `aws exited ${result.code}: ${result.stderr}`).to.equal(0);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, any>);
}

describe('AWS CLI conformance: KMS and STS', function () {
  this.timeout(180_000);
  const sandbox = useSandbox();
  before(function () {
    requireAwsCli(this);
  });

  const aws = (args: string[], region = 'us-east-1', creds: CliCredentials = cliCreds(sandbox.sb, 'prod')) => awsCli(sandbox.sb.endpoint, creds, region, args);

  /**
   * Independent CLI runs (each a Python start-up) are started together in a `before` hook; each
   * test then awaits the one it checks.
   */
  const results = new Map<string, Promise<CliResult>>();
  const startAll = (runs: Record<string, () => Promise<CliResult>>): void => {
    for (const [label, start] of Object.entries(runs)) results.set(label, start());
  };
  const result = (label: string): Promise<CliResult> => results.get(label) ?? Promise.reject(new Error(`no CLI run '${label}'`));

  describe('read-only', () => {
    before(() =>
      startAll({
        describe: () => aws(['kms', 'describe-key', '--key-id', 'alias/prod-data']),
        'describe-key-arn': () => aws(['kms', 'describe-key', '--key-id', PROD_DATA_ARN]),
        'describe-alias-arn': () => aws(['kms', 'describe-key', '--key-id', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`]),
        'list-keys': () => aws(['kms', 'list-keys']),
        'describe-aws': () => aws(['kms', 'describe-key', '--key-id', 'alias/aws/s3'], 'eu-west-1'),
        aliases: () => aws(['kms', 'list-aliases']),
        'aliases-paged': () => aws(['kms', 'list-aliases', '--page-size', '1']),
        'rotation-on': () => aws(['kms', 'get-key-rotation-status', '--key-id', PROD_DATA_ID]),
        'rotation-off': () => aws(['kms', 'get-key-rotation-status', '--key-id', '1111aaaa-0000-4000-8000-000000000002']),
        whoami: () => aws(['sts', 'get-caller-identity'], 'us-east-1', cliCreds(sandbox.sb, 'dev')),
        // RoleSessionName must be 2–64 characters (STS API reference), so not "t".
        assume: () => aws(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${DEV}:role/S3KmsAuditRole`, '--role-session-name', 'tt']),
      }),
    );

    it('kms describe-key --key-id alias/prod-data', async () => {
      const out = json(await result('describe'));
      expect(out.KeyMetadata).to.include({
        AWSAccountId: PROD,
        KeyId: PROD_DATA_ID,
        Arn: `arn:aws:kms:us-east-1:${PROD}:key/${PROD_DATA_ID}`,
        KeyState: 'Enabled',
        KeyManager: 'CUSTOMER',
        Enabled: true,
        KeySpec: 'SYMMETRIC_DEFAULT',
      });
      // botocore parsed the epoch-seconds CreationDate as a timestamp.
      expect(new Date(out.KeyMetadata.CreationDate).toISOString()).to.equal('2024-01-01T00:00:00.000Z');
    });

    it('kms describe-key by key ARN and by alias ARN finds the same key', async () => {
      const [byKeyArn, byAliasArn] = await Promise.all([result('describe-key-arn'), result('describe-alias-arn')]);
      expect(json(byKeyArn).KeyMetadata).to.include({ KeyId: PROD_DATA_ID, Arn: PROD_DATA_ARN });
      expect(json(byAliasArn).KeyMetadata).to.include({ KeyId: PROD_DATA_ID, Arn: PROD_DATA_ARN });
    });

    it('kms list-keys lists the account’s keys in the region (KeyId and KeyArn), not other regions’', async () => {
      const keys = json(await result('list-keys')).Keys as { KeyId: string; KeyArn: string }[];
      expect(keys).to.deep.include({ KeyId: PROD_DATA_ID, KeyArn: PROD_DATA_ARN });
      expect(keys.map((k) => k.KeyId)).to.include.members(['1111aaaa-0000-4000-8000-000000000003', '1111aaaa-0000-4000-8000-000000000004']);
      expect(keys.every((k) => k.KeyArn === `arn:aws:kms:us-east-1:${PROD}:key/${k.KeyId}`)).to.equal(true);
      expect(keys.map((k) => k.KeyId)).to.not.include('1111aaaa-0000-4000-8000-000000000006'); // eu-west-1
    });

    it('kms describe-key --key-id alias/aws/s3 is the AWS managed key', async () => {
      const out = json(await result('describe-aws'));
      expect(out.KeyMetadata).to.include({ KeyManager: 'AWS', AWSAccountId: PROD });
    });

    it('kms list-aliases, also page by page (--page-size 1 follows NextMarker)', async () => {
      const [whole, paged] = await Promise.all([result('aliases'), result('aliases-paged')]);
      const names = (json(whole).Aliases as { AliasName: string }[]).map((a) => a.AliasName);
      expect(names).to.include.members(['alias/prod-data', 'alias/prod-norotate', 'alias/scratch', 'alias/aws/s3']);
      expect((json(paged).Aliases as { AliasName: string }[]).map((a) => a.AliasName)).to.deep.equal(names);
      const prodData = (json(whole).Aliases as Record<string, string>[]).find((a) => a.AliasName === 'alias/prod-data')!;
      expect(prodData).to.include({ TargetKeyId: PROD_DATA_ID, AliasArn: `arn:aws:kms:us-east-1:${PROD}:alias/prod-data` });
    });

    it('kms get-key-rotation-status', async () => {
      const [on, off] = await Promise.all([result('rotation-on'), result('rotation-off')]);
      expect(json(on).KeyRotationEnabled).to.equal(true);
      expect(json(off).KeyRotationEnabled).to.equal(false);
    });

    it('sts get-caller-identity', async () => {
      const out = json(await result('whoami'));
      expect(out).to.include({ Account: DEV, Arn: `arn:aws:iam::${DEV}:user/dev-auditor` });
    });

    it('sts assume-role, then get-caller-identity with the temporary credentials', async () => {
      const out = json(await result('assume'));
      expect(out.AssumedRoleUser.Arn).to.equal(`arn:aws:sts::${DEV}:assumed-role/S3KmsAuditRole/tt`);
      expect(out.Credentials.AccessKeyId).to.match(/^ASIA/);
      expect(new Date(out.Credentials.Expiration).getTime()).to.be.greaterThan(Date.now());
      const temp = { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken };
      const who = json(await aws(['sts', 'get-caller-identity'], 'us-east-1', temp));
      expect(who).to.include({ Account: DEV, Arn: `arn:aws:sts::${DEV}:assumed-role/S3KmsAuditRole/tt` });
    });
  });

  describe('a key’s life (us-west-2, created here)', () => {
    let keyId = '';

    it('kms create-key', async () => {
      const out = json(await aws(['kms', 'create-key', '--description', 'made by the AWS CLI'], 'us-west-2'));
      expect(out.KeyMetadata).to.include({ KeyState: 'Enabled', KeyManager: 'CUSTOMER', Description: 'made by the AWS CLI', AWSAccountId: PROD });
      keyId = out.KeyMetadata.KeyId;
    });

    it('kms create-alias, then describe-key by that alias', async () => {
      json(await aws(['kms', 'create-alias', '--alias-name', 'alias/cli-made', '--target-key-id', keyId], 'us-west-2'));
      const out = json(await aws(['kms', 'describe-key', '--key-id', 'alias/cli-made'], 'us-west-2'));
      expect(out.KeyMetadata.KeyId).to.equal(keyId);
    });

    it('kms enable-key-rotation, then get-key-rotation-status', async () => {
      json(await aws(['kms', 'enable-key-rotation', '--key-id', keyId], 'us-west-2'));
      expect(json(await aws(['kms', 'get-key-rotation-status', '--key-id', keyId], 'us-west-2')).KeyRotationEnabled).to.equal(true);
    });

    it('kms disable-key', async () => {
      json(await aws(['kms', 'disable-key', '--key-id', keyId], 'us-west-2'));
      expect(json(await aws(['kms', 'describe-key', '--key-id', keyId], 'us-west-2')).KeyMetadata).to.include({ KeyState: 'Disabled', Enabled: false });
    });

    it('kms schedule-key-deletion --pending-window-in-days 7', async () => {
      const out = json(await aws(['kms', 'schedule-key-deletion', '--key-id', keyId, '--pending-window-in-days', '7'], 'us-west-2'));
      expect(out).to.include({ KeyId: `arn:aws:kms:us-west-2:${PROD}:key/${keyId}`, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
      expect(new Date(out.DeletionDate).getTime()).to.be.greaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    });

    it('kms cancel-key-deletion leaves the key Disabled', async () => {
      const out = json(await aws(['kms', 'cancel-key-deletion', '--key-id', keyId], 'us-west-2'));
      expect(out.KeyId).to.equal(`arn:aws:kms:us-west-2:${PROD}:key/${keyId}`);
      expect(json(await aws(['kms', 'describe-key', '--key-id', keyId], 'us-west-2')).KeyMetadata.KeyState).to.equal('Disabled');
    });

    it('kms enable-key, then kms disable-key-rotation (both print nothing), then describe-key and get-key-rotation-status', async () => {
      // In this order: rotation changes on a Disabled key are refused (DisabledException).
      expect(json(await aws(['kms', 'enable-key', '--key-id', keyId], 'us-west-2'))).to.deep.equal({});
      expect(json(await aws(['kms', 'disable-key-rotation', '--key-id', keyId], 'us-west-2'))).to.deep.equal({});
      const [described, rotation] = await Promise.all([
        aws(['kms', 'describe-key', '--key-id', keyId], 'us-west-2'),
        aws(['kms', 'get-key-rotation-status', '--key-id', keyId], 'us-west-2'),
      ]);
      expect(json(described).KeyMetadata).to.include({ KeyState: 'Enabled', Enabled: true });
      expect(json(rotation).KeyRotationEnabled).to.equal(false);
    });
  });

  describe('errors reach the CLI with AWS’s codes', () => {
    const wrong = (): CliCredentials => ({ accessKeyId: cliCreds(sandbox.sb, 'prod').accessKeyId, secretAccessKey: 'y'.repeat(40) });
    before(() =>
      startAll({
        'not-found': () => aws(['kms', 'describe-key', '--key-id', 'alias/does-not-exist']),
        'six-days': () => aws(['kms', 'schedule-key-deletion', '--key-id', '1111aaaa-0000-4000-8000-000000000005', '--pending-window-in-days', '6']),
        'no-role': () => aws(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${DEV}:role/Missing`, '--role-session-name', 'nope']),
        'kms-wrong-secret': () => aws(['kms', 'list-keys'], 'us-east-1', wrong()),
        'sts-wrong-secret': () => aws(['sts', 'get-caller-identity'], 'us-east-1', wrong()),
      }),
    );

    it('NotFoundException for an unknown alias', async () => {
      const r = await result('not-found');
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.contain('NotFoundException');
      expect(r.stderr).to.contain(`Alias arn:aws:kms:us-east-1:${PROD}:alias/does-not-exist is not found.`);
    });

    it('ValidationException for a 6-day deletion window', async () => {
      const r = await result('six-days');
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.contain('ValidationException');
    });

    it('AccessDenied for a role that does not exist', async () => {
      const r = await result('no-role');
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.contain('AccessDenied');
    });

    it('InvalidSignatureException / SignatureDoesNotMatch for a wrong secret', async () => {
      const [kms, sts] = await Promise.all([result('kms-wrong-secret'), result('sts-wrong-secret')]);
      expect(kms.stderr).to.contain('InvalidSignatureException');
      expect(sts.stderr).to.contain('SignatureDoesNotMatch');
    });
  });
});
