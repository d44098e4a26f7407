/**
 * UpdateObjectEncryption in the sandbox, through the real SDK over HTTP (SDK-level only: Debian's AWS CLI
 * v2.9.19 predates the operation and has no `s3api update-object-encryption`). No data moves: ETag,
 * LastModified, size and body stay; the key and Bucket Key change; a version id addresses one version;
 * unencrypted, DSSE-KMS and SSE-C sources, non-ARN keys, other accounts' keys and keys S3 cannot use are
 * refused with S3's codes.
 */
import { expect } from 'chai';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UpdateObjectEncryptionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rejection } from '../helpers/errors.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';

const PROD_DATA = 'arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000001';
const PROD_NOROTATE = 'arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000002';
const DEV_US = 'arn:aws:kms:us-east-1:444455556666:key/4444bbbb-0000-4000-8000-000000000002';
const MIXED = 'prod-objects-mixed';

const update = (s3: S3Client, key: string, keyArn: string, bucketKeyEnabled = true, extra: { Bucket?: string; VersionId?: string } = {}) =>
  s3.send(new UpdateObjectEncryptionCommand({ Bucket: MIXED, Key: key, ObjectEncryption: { SSEKMS: { KMSKeyArn: keyArn, BucketKeyEnabled: bucketKeyEnabled } }, ...extra }));

describe('sandbox S3 UpdateObjectEncryption (SDK)', function () {
  this.timeout(60_000);
  const ctx = useSandbox();
  let s3: S3Client;
  before(() => {
    s3 = s3For(ctx.sb, 'prod', 'us-east-1');
  });

  it('SSE-S3 → SSE-KMS keeps ETag, LastModified, size and the bytes; HeadObject answers the new key and Bucket Key', async () => {
    const before = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'index.html' }));
    const bodyBefore = await (await s3.send(new GetObjectCommand({ Bucket: MIXED, Key: 'index.html' }))).Body!.transformToString();
    expect(before.ServerSideEncryption).to.equal('AES256');
    await update(s3, 'index.html', PROD_DATA, true);
    const after = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'index.html' }));
    expect(after).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA, BucketKeyEnabled: true, ETag: before.ETag, ContentLength: before.ContentLength });
    expect(after.LastModified?.getTime()).to.equal(before.LastModified?.getTime());
    const bodyAfter = await (await s3.send(new GetObjectCommand({ Bucket: MIXED, Key: 'index.html' }))).Body!.transformToString();
    expect(bodyAfter).to.equal(bodyBefore);
  });

  it('KMS key → another KMS key and back, with the Bucket Key off (the reversible case)', async () => {
    const before = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'reports/2025/q2.csv' }));
    expect(before.SSEKMSKeyId).to.equal(PROD_DATA);
    await update(s3, 'reports/2025/q2.csv', PROD_NOROTATE, false);
    const moved = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'reports/2025/q2.csv' }));
    expect(moved.SSEKMSKeyId).to.equal(PROD_NOROTATE);
    expect(moved.BucketKeyEnabled).to.equal(undefined);
    await update(s3, 'reports/2025/q2.csv', PROD_DATA, before.BucketKeyEnabled === true);
    const back = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'reports/2025/q2.csv' }));
    expect(back).to.include({ SSEKMSKeyId: PROD_DATA, ETag: before.ETag, BucketKeyEnabled: before.BucketKeyEnabled });
  });

  it('refuses DSSE-KMS and SSE-C sources, an alias instead of a key ARN, and another account\'s key', async () => {
    const dsse = await rejection(update(s3, 'dsse/ledger.parquet', PROD_DATA));
    expect(dsse.name).to.equal('InvalidRequest');
    expect(dsse.message).to.contain('DSSE-KMS or SSE-C');
    const alias = await rejection(update(s3, 'uploads/managed.json', 'alias/prod-data'));
    expect(alias.name).to.equal('InvalidRequest');
    expect(alias.message).to.contain('valid AWS KMS key Amazon Resource Name');
    const foreign = await rejection(update(s3, 'uploads/managed.json', DEV_US));
    expect(foreign.name).to.equal('AccessDenied');
    expect(foreign.$metadata?.httpStatusCode).to.equal(403);
    const missing = await rejection(update(s3, 'no/such/key', PROD_DATA));
    expect(missing.name).to.equal('NoSuchKey');
  });

  it('refuses an unencrypted (pre-2023) source and an SSE-C source with InvalidRequest', async () => {
    const bucket = ctx.sb.estate.buckets.get(MIXED)!;
    const base = { versionId: 'null', size: 3, etag: '"0"', lastModified: new Date('2022-06-01T00:00:00Z'), bucketKeyEnabled: false };
    bucket.objects.set('old/plain.txt', { ...base, key: 'old/plain.txt', sse: null });
    bucket.objects.set('old/customer.bin', { ...base, key: 'old/customer.bin', sse: 'SSE-C', customerKeyMd5: 'x' });
    const plain = await rejection(update(s3, 'old/plain.txt', PROD_DATA));
    expect(plain.name).to.equal('InvalidRequest');
    expect(plain.message).to.contain('unencrypted source objects');
    const customer = await rejection(update(s3, 'old/customer.bin', PROD_DATA));
    expect(customer.name).to.equal('InvalidRequest');
    expect(customer.message).to.contain('DSSE-KMS or SSE-C');
  });

  it('refuses a key S3 cannot use with KMS\'s error', async () => {
    const unknownKey = 'arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-0000000000ff';
    const err = await rejection(update(s3, 'uploads/managed.json', unknownKey));
    expect(err.name).to.equal('KMS.NotFoundException');
  });

  it('a version id addresses one version; the current one is left as it was', async () => {
    const bucket = `uoe-versions-${process.pid}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two' }));
    const out = await update(s3, 'k', PROD_DATA, true, { Bucket: bucket, VersionId: v1.VersionId! });
    expect(out.$metadata.httpStatusCode).to.equal(200);
    const old = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId! }));
    expect(old).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA, ETag: v1.ETag, VersionId: v1.VersionId });
    const current = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(current).to.include({ ServerSideEncryption: 'AES256', VersionId: v2.VersionId });
  });

  it('a generated object is changed too (and only that one)', async () => {
    const dev = s3For(ctx.sb, 'dev', 'us-east-1');
    const bucket = 'dev-generated';
    let aes: string | undefined;
    for (let i = 0; i < 20 && !aes; i++) {
      const key = `data/${String(i).padStart(3, '0')}`;
      const h = await dev.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (h.ServerSideEncryption === 'AES256') aes = key;
    }
    expect(aes, 'an SSE-S3 generated object').to.be.a('string');
    const before = await dev.send(new HeadObjectCommand({ Bucket: bucket, Key: aes! }));
    await dev.send(new UpdateObjectEncryptionCommand({ Bucket: bucket, Key: aes!, ObjectEncryption: { SSEKMS: { KMSKeyArn: DEV_US, BucketKeyEnabled: true } } }));
    const after = await dev.send(new HeadObjectCommand({ Bucket: bucket, Key: aes! }));
    expect(after).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: DEV_US, ETag: before.ETag });
  });
});
