/**
 * KMS protocol tests with the real @aws-sdk/client-kms over HTTP against the demo estate.
 * Read-only checks use the demo keys; anything that changes state works on keys created here in
 * us-west-2, a region the demo estate leaves empty, so tests do not depend on each other's order.
 */
import { expect } from 'chai';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  type AliasListEntry,
  type KeyListEntry,
} from '@aws-sdk/client-kms';
import { cliCreds, kmsFor, signedRequest, useSandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/errors.js';

const PROD = '111122223333';
const DEV = '444455556666';
const PROD_DATA_ID = '1111aaaa-0000-4000-8000-000000000001';
const PROD_DATA_ARN = `arn:aws:kms:us-east-1:${PROD}:key/${PROD_DATA_ID}`;
const DAY_MS = 24 * 60 * 60 * 1000;

async function expectError(p: Promise<unknown>, name: string, status = 400, message?: string | RegExp): Promise<void> {
  const e = await rejection(p);
  expect(e.name, e.message).to.equal(name);
  expect(e.$metadata?.httpStatusCode).to.equal(status);
  if (typeof message === 'string') expect(e.message).to.equal(message);
  else if (message) expect(e.message).to.match(message);
}

describe('sandbox KMS', () => {
  const sandbox = useSandbox();
  let prod: KMSClient;
  let dev: KMSClient;
  let lab: KMSClient; // prod account, us-west-2: scratch space for state changes
  before(() => {
    prod = kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 });
    dev = kmsFor(sandbox.sb, 'dev', 'us-east-1', { maxAttempts: 1 });
    lab = kmsFor(sandbox.sb, 'prod', 'us-west-2', { maxAttempts: 1 });
  });

  async function newKey(description = 'test key'): Promise<string> {
    const out = await lab.send(new CreateKeyCommand({ Description: description }));
    return out.KeyMetadata!.KeyId!;
  }

  describe('DescribeKey', () => {
    it('returns the full KeyMetadata of a customer managed key', async () => {
      const { KeyMetadata: m } = await prod.send(new DescribeKeyCommand({ KeyId: PROD_DATA_ID }));
      expect(m).to.include({
        AWSAccountId: PROD,
        KeyId: PROD_DATA_ID,
        Arn: PROD_DATA_ARN,
        Enabled: true,
        Description: 'Production data key (approved)',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        KeySpec: 'SYMMETRIC_DEFAULT',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        MultiRegion: false,
      });
      expect(m!.EncryptionAlgorithms).to.deep.equal(['SYMMETRIC_DEFAULT']);
      expect(m!.CreationDate).to.be.instanceOf(Date);
      expect(m!.CreationDate!.toISOString()).to.equal('2024-01-01T00:00:00.000Z');
      expect(m!.DeletionDate).to.equal(undefined);
    });

    for (const [spelling, keyId] of [
      ['key ARN', PROD_DATA_ARN],
      ['alias name', 'alias/prod-data'],
      ['alias ARN', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`],
    ]) {
      it(`accepts the ${spelling}`, async () => {
        const { KeyMetadata: m } = await prod.send(new DescribeKeyCommand({ KeyId: keyId }));
        expect(m?.KeyId).to.equal(PROD_DATA_ID);
        expect(m?.Arn).to.equal(PROD_DATA_ARN);
      });
    }

    it('resolves alias/aws/s3 to the AWS managed key, with the same id every time', async () => {
      const first = (await prod.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
      expect(first.KeyManager).to.equal('AWS');
      expect(first.KeyState).to.equal('Enabled');
      expect(first.Description).to.equal('Default key that protects my S3 objects when no other key is defined');
      expect(first.Arn).to.equal(`arn:aws:kms:us-east-1:${PROD}:key/${first.KeyId}`);
      const again = (await prod.send(new DescribeKeyCommand({ KeyId: first.KeyId! }))).KeyMetadata!;
      expect(again.KeyId).to.equal(first.KeyId);
      // Another account or region has its own AWS managed key.
      const devKey = (await dev.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
      expect(devKey.KeyId).to.not.equal(first.KeyId);
      expect(devKey.AWSAccountId).to.equal(DEV);
    });

    it('reports Disabled and PendingDeletion keys with their state (and the deletion date)', async () => {
      const disabled = (await prod.send(new DescribeKeyCommand({ KeyId: 'alias/prod-disabled' }))).KeyMetadata!;
      expect(disabled).to.include({ Enabled: false, KeyState: 'Disabled' });
      const retired = (await prod.send(new DescribeKeyCommand({ KeyId: 'alias/prod-retired' }))).KeyMetadata!;
      expect(retired).to.include({ Enabled: false, KeyState: 'PendingDeletion' });
      expect(retired.DeletionDate).to.be.instanceOf(Date);
      expect(retired.DeletionDate!.getTime()).to.be.greaterThan(Date.now());
    });

    it('unknown key id → 400 NotFoundException naming the key ARN', async () => {
      const id = '1111aaaa-0000-4000-8000-000000000099';
      await expectError(prod.send(new DescribeKeyCommand({ KeyId: id })), 'NotFoundException', 400, `Key 'arn:aws:kms:us-east-1:${PROD}:key/${id}' does not exist`);
    });

    it('unknown alias → 400 NotFoundException naming the alias ARN', async () => {
      await expectError(prod.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), 'NotFoundException', 400, `Alias arn:aws:kms:us-east-1:${PROD}:alias/nope is not found.`);
    });

    it('a key ARN of another region is not found at this regional endpoint', async () => {
      const eu = kmsFor(sandbox.sb, 'prod', 'eu-west-1', { maxAttempts: 1 });
      await expectError(eu.send(new DescribeKeyCommand({ KeyId: PROD_DATA_ARN })), 'NotFoundException', 400, 'Invalid arn');
    });

    it('reads a key of another estate account by key ARN, but alias names stay in the caller’s account', async () => {
      const { KeyMetadata: m } = await dev.send(new DescribeKeyCommand({ KeyId: PROD_DATA_ARN }));
      expect(m).to.include({ AWSAccountId: PROD, KeyId: PROD_DATA_ID, KeyManager: 'CUSTOMER' });
      await expectError(dev.send(new DescribeKeyCommand({ KeyId: 'alias/prod-data' })), 'NotFoundException', 400, `Alias arn:aws:kms:us-east-1:${DEV}:alias/prod-data is not found.`);
    });

    it('no KeyId → 400 ValidationException', async () => {
      await expectError(prod.send(new DescribeKeyCommand({} as never)), 'ValidationException', 400, /keyId/);
    });
  });

  describe('ListKeys', () => {
    it('pages with Limit 1 through every key of the account and region, ending with Truncated false', async () => {
      const all = (await prod.send(new ListKeysCommand({}))).Keys!;
      expect(all.map((k) => k.KeyId)).to.include.members([PROD_DATA_ID, '1111aaaa-0000-4000-8000-000000000005']);
      expect(all.every((k) => k.KeyArn === `arn:aws:kms:us-east-1:${PROD}:key/${k.KeyId}`)).to.equal(true);
      // Keys of other regions are not listed here.
      expect(all.map((k) => k.KeyId)).to.not.include('1111aaaa-0000-4000-8000-000000000006');

      const paged: KeyListEntry[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const out = await prod.send(new ListKeysCommand({ Limit: 1, Marker: marker }));
        expect(out.Keys).to.have.length(1);
        paged.push(...out.Keys!);
        marker = out.NextMarker;
        expect(out.Truncated).to.equal(marker !== undefined);
        pages++;
      } while (marker);
      expect(pages).to.equal(all.length);
      expect(paged.map((k) => k.KeyId)).to.deep.equal(all.map((k) => k.KeyId));
    });

    it('rejects a bad marker (InvalidMarkerException) and Limit 0 (ValidationException)', async () => {
      await expectError(prod.send(new ListKeysCommand({ Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidMarkerException');
      await expectError(prod.send(new ListKeysCommand({ Limit: 0 })), 'ValidationException');
    });
  });

  describe('ListAliases', () => {
    it('lists every alias with its ARN and target, and pages with Limit 1', async () => {
      const all = (await prod.send(new ListAliasesCommand({}))).Aliases!;
      const names = all.map((a) => a.AliasName);
      expect(names).to.include.members(['alias/prod-data', 'alias/prod-norotate', 'alias/prod-disabled', 'alias/prod-retired', 'alias/scratch', 'alias/aws/s3']);
      expect(names).to.not.include('alias/prod-eu');
      const prodData = all.find((a) => a.AliasName === 'alias/prod-data')!;
      expect(prodData).to.include({ AliasArn: `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`, TargetKeyId: PROD_DATA_ID });

      const paged: AliasListEntry[] = [];
      let marker: string | undefined;
      do {
        const out = await prod.send(new ListAliasesCommand({ Limit: 1, Marker: marker }));
        expect(out.Aliases).to.have.length(1);
        paged.push(...out.Aliases!);
        marker = out.NextMarker;
        expect(out.Truncated).to.equal(marker !== undefined);
      } while (marker);
      expect(paged.map((a) => a.AliasName)).to.deep.equal(names);
    });

    it('filters by KeyId', async () => {
      const out = await prod.send(new ListAliasesCommand({ KeyId: PROD_DATA_ID }));
      expect(out.Aliases!.map((a) => a.AliasName)).to.deep.equal(['alias/prod-data']);
    });

    it('shows alias/aws/s3 without a target until the AWS managed key is first used', async () => {
      const fresh = kmsFor(sandbox.sb, 'dev', 'ca-central-1', { maxAttempts: 1 });
      const before = (await fresh.send(new ListAliasesCommand({}))).Aliases!;
      expect(before).to.have.length(1);
      expect(before[0]).to.include({ AliasName: 'alias/aws/s3', AliasArn: `arn:aws:kms:ca-central-1:${DEV}:alias/aws/s3` });
      expect(before[0]!.TargetKeyId).to.equal(undefined);
      const key = (await fresh.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
      const after = (await fresh.send(new ListAliasesCommand({}))).Aliases!;
      expect(after[0]!.TargetKeyId).to.equal(key.KeyId);
    });
  });

  describe('CreateKey and CreateAlias', () => {
    it('creates an enabled customer managed key that DescribeKey and ListKeys then show', async () => {
      const asked = Date.now();
      const out = await lab.send(
        new CreateKeyCommand({ Description: 'created by a test', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', Tags: [{ TagKey: 'env', TagValue: 'test' }] }),
      );
      const answered = Date.now();
      const m = out.KeyMetadata!;
      expect(m).to.include({ AWSAccountId: PROD, Enabled: true, KeyState: 'Enabled', KeyManager: 'CUSTOMER', Description: 'created by a test', KeySpec: 'SYMMETRIC_DEFAULT' });
      expect(m.KeyId).to.match(/^[0-9a-f-]{36}$/);
      expect(m.Arn).to.equal(`arn:aws:kms:us-west-2:${PROD}:key/${m.KeyId}`);
      // Created while the call was in flight (KMS dates are epoch seconds), however long it took.
      expect(m.CreationDate!.getTime()).to.be.within(Math.floor(asked / 1000) * 1000, answered);
      expect((await lab.send(new DescribeKeyCommand({ KeyId: m.Arn! }))).KeyMetadata!.Description).to.equal('created by a test');
      expect((await lab.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).to.include(m.KeyId);
      expect((await lab.send(new GetKeyRotationStatusCommand({ KeyId: m.KeyId! }))).KeyRotationEnabled).to.equal(false);
    });

    it('rejects an unknown KeySpec with ValidationException', async () => {
      await expectError(lab.send(new CreateKeyCommand({ KeySpec: 'AES_512' as never })), 'ValidationException');
    });

    it('creates an alias that resolves, and refuses a duplicate, a reserved or unprefixed name, and an unknown target', async () => {
      const keyId = await newKey();
      await lab.send(new CreateAliasCommand({ AliasName: 'alias/test-alias', TargetKeyId: keyId }));
      expect((await lab.send(new DescribeKeyCommand({ KeyId: 'alias/test-alias' }))).KeyMetadata!.KeyId).to.equal(keyId);
      expect((await lab.send(new ListAliasesCommand({ KeyId: keyId }))).Aliases!.map((a) => a.AliasName)).to.deep.equal(['alias/test-alias']);

      await expectError(lab.send(new CreateAliasCommand({ AliasName: 'alias/test-alias', TargetKeyId: keyId })), 'AlreadyExistsException', 400, /alias\/test-alias already exists/);
      await expectError(lab.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: keyId })), 'NotAuthorizedException');
      await expectError(lab.send(new CreateAliasCommand({ AliasName: 'test-alias', TargetKeyId: keyId })), 'ValidationException', 400, /must start with the prefix "alias\/"/);
      await expectError(lab.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: '1111aaaa-0000-4000-8000-0000000000ff' })), 'NotFoundException');
    });
  });

  describe('rotation', () => {
    it('GetKeyRotationStatus reports the demo keys as documented', async () => {
      const status = async (client: KMSClient, keyId: string) => (await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled;
      expect(await status(prod, PROD_DATA_ID)).to.equal(true);
      expect(await status(prod, '1111aaaa-0000-4000-8000-000000000002')).to.equal(false); // prod-norotate
      // Disabled keys keep their rotation status.
      expect(await status(prod, '1111aaaa-0000-4000-8000-000000000003')).to.equal(true);
      // "While a KMS key is pending deletion, its key rotation status is false" (API reference).
      expect(await status(prod, '1111aaaa-0000-4000-8000-000000000004')).to.equal(false);
      // AWS managed keys always rotate.
      const awsKey = (await prod.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.KeyId!;
      expect(await status(prod, awsKey)).to.equal(true);
      // Cross-account by key ARN.
      expect(await status(dev, PROD_DATA_ARN)).to.equal(true);
    });

    it('GetKeyRotationStatus takes a key id or ARN, not an alias', async () => {
      await expectError(prod.send(new GetKeyRotationStatusCommand({ KeyId: 'alias/prod-data' })), 'NotFoundException');
    });

    it('Enable/DisableKeyRotation switch rotation of a customer managed key', async () => {
      const keyId = await newKey();
      await lab.send(new EnableKeyRotationCommand({ KeyId: keyId }));
      expect((await lab.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).to.equal(true);
      await lab.send(new DisableKeyRotationCommand({ KeyId: keyId }));
      expect((await lab.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).to.equal(false);
    });

    it('refuses rotation changes on a Disabled key (DisabledException) and a key pending deletion (KMSInvalidStateException)', async () => {
      const keyId = await newKey();
      await lab.send(new DisableKeyCommand({ KeyId: keyId }));
      await expectError(lab.send(new EnableKeyRotationCommand({ KeyId: keyId })), 'DisabledException', 400, /is disabled\.$/);
      await expectError(lab.send(new DisableKeyRotationCommand({ KeyId: keyId })), 'DisabledException');
      await lab.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      await expectError(lab.send(new EnableKeyRotationCommand({ KeyId: keyId })), 'KMSInvalidStateException', 400, /is pending deletion\.$/);
    });

    it('rotation is for symmetric encryption keys only: UnsupportedOperationException for an RSA key, whose status reads false', async () => {
      const rsa = (await lab.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
      expect(rsa.EncryptionAlgorithms).to.deep.equal(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
      await expectError(lab.send(new EnableKeyRotationCommand({ KeyId: rsa.KeyId! })), 'UnsupportedOperationException');
      expect((await lab.send(new GetKeyRotationStatusCommand({ KeyId: rsa.KeyId! }))).KeyRotationEnabled).to.equal(false);
    });

    it('refuses to manage an AWS managed key (its key policy allows only Describe/Get/List)', async () => {
      const awsKey = (await lab.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.KeyId!;
      await expectError(lab.send(new DisableKeyRotationCommand({ KeyId: awsKey })), 'AccessDeniedException', 400, /kms:DisableKeyRotation/);
      await expectError(lab.send(new DisableKeyCommand({ KeyId: awsKey })), 'AccessDeniedException');
      await expectError(lab.send(new ScheduleKeyDeletionCommand({ KeyId: awsKey })), 'AccessDeniedException');
    });
  });

  describe('key state transitions', () => {
    it('DisableKey → Disabled, EnableKey → Enabled', async () => {
      const keyId = await newKey();
      await lab.send(new DisableKeyCommand({ KeyId: keyId }));
      expect((await lab.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).to.include({ KeyState: 'Disabled', Enabled: false });
      await lab.send(new EnableKeyCommand({ KeyId: keyId }));
      expect((await lab.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).to.include({ KeyState: 'Enabled', Enabled: true });
    });

    it('ScheduleKeyDeletion: 7–30 days only, then PendingDeletion; CancelKeyDeletion leaves the key Disabled', async () => {
      const keyId = await newKey();
      const arn = `arn:aws:kms:us-west-2:${PROD}:key/${keyId}`;
      await expectError(lab.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 6 })), 'ValidationException', 400, /greater than or equal to 7/);
      await expectError(lab.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 31 })), 'ValidationException', 400, /less than or equal to 30/);

      const asked = Date.now();
      const scheduled = await lab.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      const answered = Date.now();
      expect(scheduled).to.include({ KeyId: arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
      // Seven days after the moment KMS answered (to the second), however long the call took.
      expect(scheduled.DeletionDate!.getTime()).to.be.within(Math.floor(asked / 1000) * 1000 + 7 * DAY_MS, answered + 7 * DAY_MS);
      const described = (await lab.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
      expect(described.KeyState).to.equal('PendingDeletion');
      expect(described.DeletionDate!.getTime()).to.equal(scheduled.DeletionDate!.getTime());

      await expectError(lab.send(new ScheduleKeyDeletionCommand({ KeyId: keyId })), 'KMSInvalidStateException');
      await expectError(lab.send(new EnableKeyCommand({ KeyId: keyId })), 'KMSInvalidStateException');
      await expectError(lab.send(new DisableKeyCommand({ KeyId: keyId })), 'KMSInvalidStateException');

      expect((await lab.send(new CancelKeyDeletionCommand({ KeyId: keyId }))).KeyId).to.equal(arn);
      const after = (await lab.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
      expect(after).to.include({ KeyState: 'Disabled', Enabled: false });
      expect(after.DeletionDate).to.equal(undefined);
      await expectError(lab.send(new CancelKeyDeletionCommand({ KeyId: keyId })), 'KMSInvalidStateException', 400, /is not pending deletion/);
    });

    it('ScheduleKeyDeletion defaults to a 30-day window', async () => {
      const keyId = await newKey();
      expect((await lab.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }))).PendingWindowInDays).to.equal(30);
    });

    it('refuses to change another account’s key, even by key ARN', async () => {
      await expectError(dev.send(new DisableKeyCommand({ KeyId: PROD_DATA_ARN })), 'AccessDeniedException', 400, /kms:DisableKey/);
      expect((await prod.send(new DescribeKeyCommand({ KeyId: PROD_DATA_ID }))).KeyMetadata!.KeyState).to.equal('Enabled');
    });
  });

  describe('wire errors', () => {
    it('an unknown X-Amz-Target → 400 UnknownOperationException', async () => {
      const res = await signedRequest(sandbox.sb, 'kms', cliCreds(sandbox.sb, 'prod'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.MakeCoffee' },
        body: '{}',
      });
      expect(res.status).to.equal(400);
      expect(res.headers['content-type']).to.equal('application/x-amz-json-1.1');
      expect(JSON.parse(res.body).__type).to.equal('UnknownOperationException');
    });

    it('a body that is not JSON → 400 SerializationException', async () => {
      const res = await signedRequest(sandbox.sb, 'kms', cliCreds(sandbox.sb, 'prod'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
        body: '{"KeyId":',
      });
      expect(res.status).to.equal(400);
      expect(JSON.parse(res.body).__type).to.equal('SerializationException');
    });
  });
});
