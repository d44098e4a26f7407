/**
 * The lean HeadObject path (src/aws/lean-head.ts) against the sandbox and the independent AWS CLI: a
 * 2xx answer reads the same seven fields as the SDK and as `aws s3api head-object` (keys that need
 * escaping, versions); 403 and 404 are the SDK's own errors, named by headObject() exactly as the SDK
 * path names them, in one request; every other answer — 503 throttling, a wrong-region client — is left
 * to the SDK (undefined), and headObject() then gives exactly what the SDK path gives.
 */
import { expect } from 'chai';
import { HeadObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { headObjectLean, type LeanHeadAnswer } from '../../src/aws/lean-head.js';
import { headObject } from '../../src/aws/s3.js';
import { toFactError } from '../../src/aws/errors.js';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { cliCreds, s3For, useSandbox } from '../helpers/sandbox.js';
import { OBJECTS_ESTATE } from '../collect/objects-helpers.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { leanClientFor } from '../helpers/lean-clients.js';

const FIELDS = ['ServerSideEncryption', 'SSEKMSKeyId', 'BucketKeyEnabled', 'ContentLength', 'LastModified', 'ETag', 'VersionId'] as const;

/** The seven fields as plain values (dates as ISO text), absent fields left out. */
function fields(o: Partial<LeanHeadAnswer>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (o[f] !== undefined) out[f] = o[f] instanceof Date ? (o[f] as Date).toISOString() : o[f];
  return out;
}

/** What the SDK path alone answers (or throws), through headObject's own error naming. */
async function viaSdk(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<unknown> {
  return s3
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}) }))
    .then(fields, (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ error: e.name, status: e.$metadata?.httpStatusCode }));
}

/**
 * headObject()'s error as every caller reads it — name, message, status, attempts, fault, class, and the
 * FactError it becomes — and how many requests the call cost.
 */
async function headError(sb: Sandbox, s3: S3Client, bucket: string, key: string): Promise<{ seen: Record<string, unknown>; requests: number }> {
  const before = sb.requestCount();
  const e = (await headObject(s3, bucket, key, undefined).then(
    () => expect.fail(`${bucket}/${key} answered`),
    (err: unknown) => err,
  )) as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; attempts?: number; totalRetryDelay?: number } };
  const requests = sb.requestCount() - before;
  return {
    seen: {
      name: e.name,
      message: e.message,
      class: e.constructor.name,
      fault: e.$fault,
      status: e.$metadata?.httpStatusCode,
      attempts: e.$metadata?.attempts,
      totalRetryDelay: e.$metadata?.totalRetryDelay,
      fact: toFactError(e, 'HeadObject'),
    },
    requests,
  };
}

describe('aws/lean-head: HeadObject without the SDK pipeline, the SDK for everything but 2xx, 403 and 404', function () {
  this.timeout(120_000);

  describe('on the object estate', () => {
    const box = useSandbox({ estate: OBJECTS_ESTATE });
    let s3: S3Client;
    before(() => {
      s3 = leanClientFor(box.sb, 'objects');
    });
    after(() => s3.destroy());

    it('2xx: the same fields as the SDK for every object and version, keys that need escaping included', async () => {
      let compared = 0;
      for (const bucket of ['obj-special-keys', 'obj-versioned', 'obj-calm']) {
        const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        for (const v of listing.Versions ?? []) {
          const versionId = v.VersionId && v.VersionId !== 'null' ? v.VersionId : undefined;
          const lean = await headObjectLean(s3, bucket, v.Key!, versionId);
          expect(lean, `${bucket}/${v.Key} ${versionId ?? ''}`).to.not.equal(undefined);
          expect(fields(lean!), `${bucket}/${v.Key}`).to.deep.equal(await viaSdk(s3, bucket, v.Key!, versionId));
          compared++;
        }
      }
      expect(compared).to.be.greaterThan(60);
    });

    it('2xx: the same fields as the independent AWS CLI (s3api head-object)', async function () {
      if (!requireAwsCli(this)) return;
      const targets: [string, string][] = [
        ['obj-special-keys', 'unicodé/数据/😀.bin'],
        ['obj-special-keys', 'plus+sign & percent%20.txt'],
        ['obj-special-keys', 'ok/encrypted.bin'],
        ['obj-versioned', 'a.csv'],
      ];
      for (const [bucket, key] of targets) {
        const lean = fields((await headObjectLean(s3, bucket, key, undefined))!);
        const cli = await awsCli(box.sb.endpoint, cliCreds(box.sb, 'objects'), 'us-east-1', ['s3api', 'head-object', '--bucket', bucket, '--key', key]);
        expect(cli.code, cli.stderr).to.equal(0);
        const out = JSON.parse(cli.stdout) as Record<string, unknown>;
        const fromCli: Record<string, unknown> = {};
        for (const f of FIELDS) if (out[f] !== undefined) fromCli[f] = f === 'LastModified' ? new Date(out[f] as string).toISOString() : out[f];
        expect(lean, `${bucket}/${key}`).to.deep.equal(fromCli);
      }
    });

    it('404: the SDK\'s NotFound, as the SDK path gives it, in one request instead of two', async () => {
      const missing = await headObjectLean(s3, 'obj-calm', 'no/such/key', undefined).catch((e: Error) => e);
      expect(missing).to.be.instanceOf(Error);
      expect((missing as Error).name).to.equal('NotFound');
      const plain = s3For(box.sb, 'objects', 'us-east-1', { maxAttempts: 5 });
      try {
        const lean = await headError(box.sb, s3, 'obj-calm', 'no/such/key');
        const sdk = await headError(box.sb, plain, 'obj-calm', 'no/such/key');
        expect(lean.seen).to.deep.equal(sdk.seen);
        expect(lean.seen).to.include({ name: 'NotFound', status: 404, attempts: 1 });
        expect(lean.requests).to.equal(1);
      } finally {
        plain.destroy();
      }
    });

    it('503 throttling is left to the SDK, which retries it away', async () => {
      // obj-throttled answers SlowDown to its first 12 HeadObject requests: the lean try sees one, the SDK retries the rest away.
      const first = await s3.send(new ListObjectVersionsCommand({ Bucket: 'obj-throttled' }));
      const key = first.Versions![0]!.Key!;
      expect(await headObjectLean(s3, 'obj-throttled', key, undefined)).to.equal(undefined);
      const retried = leanClientFor(box.sb, 'objects', 'us-east-1', 20);
      try {
        const answer = await headObject(retried, 'obj-throttled', key, undefined);
        const calm = await headObject(s3, 'obj-calm', key, undefined);
        expect({ ...answer, etag: undefined, lastModified: undefined }).to.deep.equal({ ...calm, etag: undefined, lastModified: undefined });
      } finally {
        retried.destroy();
      }
    });

    it('a client of the wrong region: the lean try is refused and left to the SDK, which answers as it would alone', async () => {
      const wrong = leanClientFor(box.sb, 'objects', 'eu-west-1');
      try {
        expect(await headObjectLean(wrong, 'obj-calm', 't/0000', undefined)).to.equal(undefined);
        const viaHead = await headObject(wrong, 'obj-calm', 't/0000', undefined).then(
          (a) => ({ sse: a.sse, size: a.size }),
          (e: Error) => ({ error: e.name }),
        );
        const sdk = await viaSdk(wrong, 'obj-calm', 't/0000');
        if ('error' in (sdk as object)) expect(viaHead).to.have.property('error');
        else expect(viaHead).to.deep.equal({ sse: (sdk as Record<string, unknown>).ServerSideEncryption ?? null, size: (sdk as Record<string, unknown>).ContentLength });
      } finally {
        wrong.destroy();
      }
    });
  });

  describe('on the demo estate', () => {
    const box = useSandbox();
    it('403 (HeadObject denied): AccessDenied exactly as the SDK path names it, in one request instead of two', async () => {
      const s3 = leanClientFor(box.sb, 'prod');
      const plain = s3For(box.sb, 'prod', 'us-east-1', { maxAttempts: 5 });
      try {
        const lean = await headError(box.sb, s3, 'prod-objects-mixed', 'restricted/payroll.csv');
        const sdk = await headError(box.sb, plain, 'prod-objects-mixed', 'restricted/payroll.csv');
        expect(lean.seen).to.deep.equal(sdk.seen);
        expect(lean.seen).to.include({ name: 'AccessDenied', status: 403, attempts: 1 });
        expect(lean.requests).to.equal(1);
        expect(sdk.requests).to.equal(1);
        // And an object the same client may read is answered by the lean path.
        expect(await headObjectLean(s3, 'prod-objects-mixed', 'index.html', undefined)).to.include({ ServerSideEncryption: 'AES256' });
      } finally {
        s3.destroy();
        plain.destroy();
      }
    });
  });
});
