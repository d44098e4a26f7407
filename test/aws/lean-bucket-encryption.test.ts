/**
 * The lean GetBucketEncryption path (src/aws/lean-bucket-encryption.ts) against the sandbox and the
 * independent AWS CLI: for every bucket of the demo estate (every encryption shape, legacy buckets
 * without a configuration, a denied bucket, three regions) its answer is the SDK's; what it does not
 * read (403, a wrong-region 301, throttling) is left to the SDK, and getBucketEncryption() then gives
 * exactly what the SDK path gives. A 200 or a "no configuration" 404 costs one request.
 */
import { expect } from 'chai';
import { GetBucketEncryptionCommand, PutBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
import { getBucketEncryptionLean, NO_ENCRYPTION_CONFIGURATION } from '../../src/aws/lean-bucket-encryption.js';
import { getBucketEncryption, regionFromRedirect } from '../../src/aws/s3.js';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { cliCreds, s3For, useSandbox } from '../helpers/sandbox.js';
import { forEachDemoBucket, leanClientFor } from '../helpers/lean-clients.js';

/** What the SDK alone answers: the configuration, or the error's name and status. */
async function viaSdk(s3: S3Client, bucket: string): Promise<{ config: unknown } | { error: string; status?: number }> {
  return s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })).then(
    (out) => ({ config: out.ServerSideEncryptionConfiguration }),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ error: e.name, status: e.$metadata?.httpStatusCode }),
  );
}

/** getBucketEncryption()'s value, or its error as the collector sees it (name, status, redirect region). */
const outcome = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (value) => ({ value }),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ error: e.name, status: e.$metadata?.httpStatusCode, redirect: regionFromRedirect(e) }),
  );

describe('aws/lean-bucket-encryption: GetBucketEncryption without the SDK pipeline, the SDK for what it does not read', function () {
  this.timeout(120_000);
  const box = useSandbox();

  it('every demo bucket, in its own region: the same configuration as the SDK, "none" for a 404, the SDK for the rest', async () => {
    const seen = { configured: 0, none: 0, leftToSdk: 0 };
    await forEachDemoBucket(box.sb, async (s3, bucket, account, region) => {
      const lean = await getBucketEncryptionLean(s3, bucket);
      const sdk = await viaSdk(s3, bucket);
      if ('config' in sdk) {
        expect(lean, bucket).to.deep.equal({ ServerSideEncryptionConfiguration: sdk.config });
        seen.configured++;
      } else if (sdk.error === 'ServerSideEncryptionConfigurationNotFoundError') {
        expect(lean, bucket).to.equal(NO_ENCRYPTION_CONFIGURATION);
        seen.none++;
      } else {
        expect(lean, `${bucket} (${sdk.error})`).to.equal(undefined);
        seen.leftToSdk++;
      }
      // And what the collector gets is the same either way: the SDK-only path is a plain client's.
      const plain = s3For(box.sb, account, region, { maxAttempts: 5 });
      try {
        expect(await outcome(getBucketEncryption(s3, bucket)), bucket).to.deep.equal(await outcome(getBucketEncryption(plain, bucket)));
      } finally {
        plain.destroy();
      }
    });
    expect(seen.configured).to.be.greaterThan(20);
    expect(seen.none).to.be.greaterThan(0);
    expect(seen.leftToSdk).to.be.greaterThan(0); // prod-access-denied
  });

  it('a client of the wrong region: the 301 is left to the SDK, and the redirect region is read from its error as before', async () => {
    const home = leanClientFor(box.sb, 'prod');
    const plain = s3For(box.sb, 'prod', 'us-east-1', { maxAttempts: 5 });
    try {
      expect(await getBucketEncryptionLean(home, 'prod-eu-cmk')).to.equal(undefined);
      const lean = await outcome(getBucketEncryption(home, 'prod-eu-cmk'));
      expect(lean).to.deep.equal(await outcome(getBucketEncryption(plain, 'prod-eu-cmk')));
      expect(lean).to.have.property('redirect', 'eu-west-1');
    } finally {
      home.destroy();
      plain.destroy();
    }
  });

  it('key ids that need escaping: the same as the SDK and as the independent AWS CLI (s3api get-bucket-encryption)', async function () {
    const s3 = leanClientFor(box.sb, 'prod');
    const plain = s3For(box.sb, 'prod');
    try {
      // S3 does not check the key id on PutBucketEncryption; the sandbox stores it verbatim and escapes it in XML.
      const keyIds = [`alias/a&b<c>"d'e`, 'alias/数据-😀', 'arn:aws:kms:us-east-1:111122223333:alias/x&amp;y'];
      for (const [i, keyId] of keyIds.entries()) {
        const bucket = 'prod-scratch-key';
        await plain.send(
          new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: i % 2 === 0 }] },
          }),
        );
        const lean = await getBucketEncryptionLean(s3, bucket);
        expect(lean, keyId).to.deep.equal({ ServerSideEncryptionConfiguration: (await viaSdk(s3, bucket) as { config: unknown }).config });
        expect((lean as { ServerSideEncryptionConfiguration: { Rules: { ApplyServerSideEncryptionByDefault: { KMSMasterKeyID: string } }[] } }).ServerSideEncryptionConfiguration.Rules[0]!.ApplyServerSideEncryptionByDefault.KMSMasterKeyID).to.equal(keyId);
        if (!requireAwsCli(this)) continue;
        const cli = await awsCli(box.sb.endpoint, cliCreds(box.sb, 'prod'), 'us-east-1', ['s3api', 'get-bucket-encryption', '--bucket', bucket]);
        expect(cli.code, cli.stderr).to.equal(0);
        expect(lean).to.deep.equal(JSON.parse(cli.stdout));
      }
    } finally {
      s3.destroy();
      plain.destroy();
    }
  });

  it('requests: one for a configured bucket and for one without a configuration, two for a denied one (the lean try, then the SDK)', async () => {
    const s3 = leanClientFor(box.sb, 'prod', 'us-east-1', 1);
    try {
      const cost = async (bucket: string): Promise<number> => {
        const before = box.sb.requestCount();
        await getBucketEncryption(s3, bucket).catch(() => undefined);
        return box.sb.requestCount() - before;
      };
      expect(await cost('prod-cmk-by-alias')).to.equal(1);
      expect(await cost('prod-legacy-none')).to.equal(1);
      expect(await cost('prod-access-denied')).to.equal(2);
    } finally {
      s3.destroy();
    }
  });

  it('503 throttling is left to the SDK, which retries it away', async () => {
    const s3 = leanClientFor(box.sb, 'prod', 'us-east-1', 20);
    try {
      box.sb.setFaults({ throttleRate: 0.5 });
      let leftToSdk = 0;
      for (let i = 0; i < 20; i++) {
        const lean = await getBucketEncryptionLean(s3, 'prod-cmk-by-alias');
        if (lean === undefined) leftToSdk++;
        else expect(lean).to.have.nested.property('ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID', 'alias/prod-data');
      }
      expect(leftToSdk).to.be.greaterThan(0);
      expect(await getBucketEncryption(s3, 'prod-cmk-by-alias')).to.include({ algorithm: 'aws:kms', kmsKeyId: 'alias/prod-data' });
    } finally {
      box.sb.setFaults({ throttleRate: 0 });
      s3.destroy();
    }
  });

  it('a stop signal aborts a lean request in flight: the lean path gives up, returning undefined (the SDK call then sees the aborted signal), and the client goes on', async () => {
    const s3 = leanClientFor(box.sb, 'prod');
    const controller = new AbortController();
    try {
      box.sb.setFaults({ latencyMs: 5_000 });
      const pending = getBucketEncryptionLean(s3, 'prod-cmk-by-alias', controller.signal);
      setTimeout(() => controller.abort(), 100);
      expect(await pending).to.equal(undefined);
      expect(await getBucketEncryptionLean(s3, 'prod-cmk-by-alias', controller.signal)).to.equal(undefined);
      box.sb.setFaults({ latencyMs: 0 });
      expect(await getBucketEncryptionLean(s3, 'prod-cmk-by-alias')).to.have.property('ServerSideEncryptionConfiguration');
    } finally {
      box.sb.setFaults({ latencyMs: 0 });
      s3.destroy();
    }
  });
});
