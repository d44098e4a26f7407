/**
 * The lean ListObjectsV2 path (src/aws/lean-list-objects.ts) against the sandbox, the SDK and the
 * independent AWS CLI: the sandbox's own pages of every demo bucket (full and truncated pages, empty
 * buckets, prefixes, delimiters and common prefixes, owners, with and without url encoding) are read as
 * the SDK's deserialiser reads the same bodies; url-encoded keys that need escaping list as the SDK and
 * `aws s3api list-objects-v2` list them; a page costs one request, and what the lean path does not read
 * (a wrong-region 301) is left to the SDK.
 */
import { expect } from 'chai';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listObjectsV2Lean, readListObjectsV2 } from '../../src/aws/lean-list-objects.js';
import { encodeSegment, sendLean } from '../../src/aws/lean-request.js';
import { decodeListedKey, listObjectPages } from '../../src/aws/s3.js';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { cliCreds, s3For, useSandbox } from '../helpers/sandbox.js';
import { cannedS3Client, sdkListObjectsV2 } from '../helpers/sdk-deserialize.js';
import { forEachDemoBucket, leanClientFor } from '../helpers/lean-clients.js';

/** The SDK's ListObjectsV2 output without $metadata, or the error's name. */
const viaSdk = (s3: S3Client, bucket: string, token?: string): Promise<unknown> =>
  s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', MaxKeys: 1000, ...(token ? { ContinuationToken: token } : {}) })).then(
    ({ $metadata: _m, ...out }) => out,
    (e: Error) => ({ error: e.name }),
  );

/** One ListObjectsV2 answer's raw body (the sandbox's own page), when it is a 200. */
async function rawPage(s3: S3Client, bucket: string, params: Record<string, string>): Promise<string | undefined> {
  const query = { 'list-type': '2', ...params };
  const search = '?' + Object.entries(query).map(([k, v]) => `${k}=${encodeSegment(v)}`).join('&');
  const r = await sendLean(s3, { method: 'GET', bucket, subPath: '', query, search });
  return r?.status === 200 ? r.body : undefined;
}

const ODD_KEYS = ['with space.txt', 'plus+sign', 'percent%41', 'amp&lt;<tag>"q\'', '数据/😀 é.csv', 'line\nbreak', 'tab\tchar', 'trailing/', '~tilde*star(1)!'];

describe('aws/lean-list-objects: ListObjectsV2 pages without the SDK pipeline, the SDK for what it does not read', function () {
  this.timeout(120_000);
  const box = useSandbox();

  let current = '';
  const oracle = cannedS3Client(() => ({ status: 200, body: current }));
  after(() => oracle.destroy());
  const sdkRead = async (body: string): Promise<unknown> => {
    current = body;
    const r = await sdkListObjectsV2(oracle);
    return 'output' in r ? r.output : 'threw';
  };

  it('every demo bucket: the sandbox pages (full, truncated, by prefix and delimiter, with owners, url-encoded or not) read as the SDK reads them', async () => {
    const variants: Record<string, string>[] = [
      { 'encoding-type': 'url', 'max-keys': '1000' },
      { 'encoding-type': 'url', 'max-keys': '2' },
      { 'max-keys': '3', 'fetch-owner': 'true' },
      { 'encoding-type': 'url', delimiter: '/' },
      { 'encoding-type': 'url', prefix: 'reports/', 'start-after': 'reports/2025/q1.csv' },
      { 'encoding-type': 'url', prefix: 'no-such-prefix/' },
    ];
    let pages = 0;
    let objects = 0;
    let truncated = 0;
    await forEachDemoBucket(box.sb, async (s3, bucket) => {
      for (const params of variants) {
        let token: string | undefined;
        do {
          const body = await rawPage(s3, bucket, { ...params, ...(token ? { 'continuation-token': token } : {}) });
          if (body === undefined) break;
          const lean = readListObjectsV2(body);
          expect(lean, `${bucket} ${JSON.stringify(params)}`).to.not.equal(undefined);
          expect(lean, bucket).to.deep.equal(await sdkRead(body));
          pages++;
          objects += lean!.Contents?.length ?? 0;
          if (lean!.IsTruncated) truncated++;
          token = lean!.IsTruncated ? lean!.NextContinuationToken : undefined;
        } while (token);
      }
      // The whole call, live: the same output as the SDK's own call.
      const lean = await listObjectsV2Lean(s3, { bucket, prefix: '' });
      const sdk = await viaSdk(s3, bucket);
      if (lean === undefined) expect(sdk, bucket).to.have.property('error');
      else expect(lean, bucket).to.deep.equal(sdk);
    });
    expect(pages).to.be.greaterThan(100);
    expect(objects).to.be.greaterThan(50);
    expect(truncated).to.be.greaterThan(5);
  });

  it('keys that need escaping: listed as the SDK lists them, decoded to the stored keys, and as the AWS CLI (s3api list-objects-v2) lists them', async function () {
    const bucket = 'prod-objects-mixed';
    const plain = s3For(box.sb, 'prod');
    const s3 = leanClientFor(box.sb, 'prod');
    try {
      for (const key of ODD_KEYS) await plain.send(new PutObjectCommand({ Bucket: bucket, Key: `odd/${key}`, Body: 'x' }));
      const lean = await listObjectsV2Lean(s3, { bucket, prefix: 'odd/' });
      expect(lean).to.deep.equal(await plain.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'odd/', EncodingType: 'url', MaxKeys: 1000 })).then(({ $metadata: _m, ...out }) => out));
      const listed: string[] = [];
      for await (const page of listObjectPages(s3, bucket, 'odd/')) listed.push(...page.map((o) => o.key));
      expect([...listed].sort()).to.deep.equal(ODD_KEYS.map((k) => `odd/${k}`).sort());
      if (!requireAwsCli(this)) return;
      const cli = await awsCli(box.sb.endpoint, cliCreds(box.sb, 'prod'), 'us-east-1', ['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'odd/']);
      expect(cli.code, cli.stderr).to.equal(0);
      const cliOut = JSON.parse(cli.stdout) as { Contents: { Key: string; Size: number; ETag: string; LastModified: string }[] };
      const fromLean = lean!.Contents!.map((o) => ({ Key: decodeListedKey(o.Key!), Size: o.Size, ETag: o.ETag, LastModified: o.LastModified!.getTime() }));
      const fromCli = cliOut.Contents.map((o) => ({ Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: Date.parse(o.LastModified) }));
      expect(fromLean).to.deep.equal(fromCli);
    } finally {
      plain.destroy();
      s3.destroy();
    }
  });

  it('requests: one per page through the lean path; a wrong-region 301 is left to the SDK (the lean try, then the SDK)', async () => {
    const s3 = leanClientFor(box.sb, 'prod', 'us-east-1', 1);
    try {
      const cost = async (bucket: string): Promise<{ requests: number; objects: number }> => {
        const before = box.sb.requestCount();
        let objects = 0;
        try {
          for await (const page of listObjectPages(s3, bucket, '')) objects += page.length;
        } catch {
          // The SDK's error, as before.
        }
        return { requests: box.sb.requestCount() - before, objects };
      };
      const mixed = await cost('prod-objects-mixed');
      expect(mixed.requests).to.equal(1);
      expect(mixed.objects).to.be.greaterThan(10);
      expect((await cost('prod-eu-cmk')).requests).to.equal(2);
      // And the lean path really read the page: it answers on its own.
      expect(await listObjectsV2Lean(s3, { bucket: 'prod-objects-mixed', prefix: '' })).to.have.property('Contents');
      expect(await listObjectsV2Lean(s3, { bucket: 'prod-eu-cmk', prefix: '' })).to.equal(undefined);
    } finally {
      s3.destroy();
    }
  });
});
