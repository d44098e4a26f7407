/**
 * Object listing: UTF-8 binary order, virtual generated objects merged with explicit ones, and
 * ListObjectsV2 pagination edge cases (max-keys, delimiters, start-after, continuation across
 * explicit and generated keys, encoding-type=url) — unit-level on s3-objects.ts, then through the
 * real SDK over HTTP.
 */
import { expect } from 'chai';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { buildEstate } from '../../src/sandbox/estate.js';
import type { Estate, ObjectGenerator, SandboxBucket } from '../../src/sandbox/model.js';
import { generatedIndex, generatedKey, generatedObject } from '../../src/sandbox/s3/store/generated.js';
import { compareKeys } from '../../src/sandbox/s3/store/key-order.js';
import { listPage } from '../../src/sandbox/s3/store/listing.js';
import { findObject, removeObject, storeObject } from '../../src/sandbox/s3/store/objects.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { cliCreds, s3For, signedRequest, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function generator(count: number, prefix: string, mix: ObjectGenerator['mix'] = [{ sse: 'AES256', weight: 1 }]): ObjectGenerator {
  return { count, prefix, size: 16, mix, seed: 42, lastModified: new Date('2025-01-01T00:00:00Z') };
}

/** A one-account estate with one bucket, built the way estate.ts builds the demo. */
function estateWith(gen?: ObjectGenerator): { estate: Estate; bucket: SandboxBucket } {
  const estate = buildEstate({
    accounts: [
      {
        id: PROD,
        name: 'prod',
        accessKeyId: 'AKIAUNITTEST00000001',
        secretAccessKey: 'unit-test-secret',
        keys: [{ id: '1111aaaa-0000-4000-8000-000000000001', region: 'us-east-1', aliases: ['alias/prod-data'] }],
        buckets: [{ name: 'unit-bucket', region: 'us-east-1' }],
      },
    ],
  });
  const bucket = estate.buckets.get('unit-bucket')!;
  if (gen) bucket.generator = gen;
  return { estate, bucket };
}

const objectStub = (key: string, size = 1) => ({
  key,
  versionId: 'null',
  size,
  etag: '"00000000000000000000000000000000"',
  lastModified: new Date('2025-01-01T00:00:00Z'),
  sse: 'AES256' as const,
  bucketKeyEnabled: false,
});

describe('sandbox s3-objects.ts', () => {
  describe('compareKeys', () => {
    it('orders keys as UTF-8 bytes, which differs from JavaScript string order above U+FFFF', () => {
      const keys = ['b', 'a', 'a/', 'a/b', 'ab', 'A', ' ', '~', 'é', '\u{FFFD}', '\u{E000}', '😀', '😀a', '中文', 'a😀', 'a\u{FF5E}', ''];
      const expected = [...keys].sort(byUtf8);
      expect([...keys].sort(compareKeys)).to.deep.equal(expected);
      // The case that motivates it: JavaScript puts the emoji (a surrogate pair) before U+FFFD; UTF-8 after.
      expect(['😀', '\u{FFFD}'].sort()).to.deep.equal(['😀', '\u{FFFD}']);
      expect(['😀', '\u{FFFD}'].sort(compareKeys)).to.deep.equal(['\u{FFFD}', '😀']);
    });
  });

  describe('generated keys', () => {
    it('are the prefix plus an index padded to the width of count − 1, so index order is key order', () => {
      expect(generatedKey(generator(500, 'data/'), 0)).to.equal('data/000');
      expect(generatedKey(generator(500, 'data/'), 499)).to.equal('data/499');
      expect(generatedKey(generator(1000, 'x'), 7)).to.equal('x007');
      expect(generatedKey(generator(1001, 'x'), 7)).to.equal('x0007');
      expect(generatedKey(generator(1, ''), 0)).to.equal('0');
      const gen = generator(2500, 'g/');
      const keys = Array.from({ length: gen.count }, (_, i) => generatedKey(gen, i));
      expect([...keys].sort(byUtf8)).to.deep.equal(keys);
    });

    it('map back to their index, and nothing else does', () => {
      const gen = generator(500, 'data/');
      expect(generatedIndex(gen, 'data/042')).to.equal(42);
      for (const other of ['data/42', 'data/0042', 'data/500', 'data/04x', 'other/042', 'data/']) {
        expect(generatedIndex(gen, other), other).to.equal(undefined);
      }
    });

    it('get a deterministic encryption from the weighted mix', () => {
      const { estate, bucket } = estateWith();
      const gen = generator(4000, 'm/', [
        { sse: 'AES256', weight: 1 },
        { sse: 'aws:kms', kmsKeyId: 'alias/prod-data', bucketKeyEnabled: true, weight: 3 },
      ]);
      bucket.generator = gen;
      const objects = Array.from({ length: gen.count }, (_, i) => generatedObject(estate, bucket, gen, i));
      const kms = objects.filter((o) => o.sse === 'aws:kms');
      expect(kms.length / objects.length).to.be.within(0.7, 0.8);
      expect(kms.every((o) => o.kmsKeyArn === `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001` && o.bucketKeyEnabled)).to.equal(true);
      expect(objects.filter((o) => o.sse === 'AES256').every((o) => o.kmsKeyArn === undefined && !o.bucketKeyEnabled)).to.equal(true);
      expect(generatedObject(estate, bucket, gen, 123)).to.deep.equal(objects[123]);
    });
  });

  describe('listPage', () => {
    it('merges explicit and generated keys in order; an explicit key shadows the generated one', () => {
      const { estate, bucket } = estateWith(generator(20, 'g/'));
      for (const key of ['a', 'g/05', 'g/05x', 'g/', 'z']) storeObject(bucket, objectStub(key, 99));
      const page = listPage(estate, bucket, { prefix: '', maxKeys: 1000 });
      const expected = [...new Set([...Array.from({ length: 20 }, (_, i) => `g/${String(i).padStart(2, '0')}`), 'a', 'g/05', 'g/05x', 'g/', 'z'])].sort(byUtf8);
      expect(page.objects.map((o) => o.key)).to.deep.equal(expected);
      expect(page.objects.find((o) => o.key === 'g/05')!.size, 'the explicit object wins').to.equal(99);
      expect(page.isTruncated).to.equal(false);
    });

    it('handles a million generated objects without materialising them, at page cost', () => {
      const gen = generator(1_000_000, 'big/');
      const { estate, bucket } = estateWith(gen);
      storeObject(bucket, objectStub('big/500000x'));
      const first = listPage(estate, bucket, { prefix: '', maxKeys: 1000 });
      const middle = listPage(estate, bucket, { prefix: '', after: 'big/499999', maxKeys: 3 });
      const last = listPage(estate, bucket, { prefix: '', after: 'big/999998', maxKeys: 1000 });
      const byPrefix = listPage(estate, bucket, { prefix: 'big/70', delimiter: '/', maxKeys: 2 });
      const rolledUp = listPage(estate, bucket, { prefix: '', delimiter: '/', maxKeys: 1000 });
      expect(first.objects.map((o) => o.key).slice(0, 2)).to.deep.equal(['big/000000', 'big/000001']);
      expect(first.objects.length).to.equal(1000);
      expect(first.isTruncated).to.equal(true);
      expect(first.last).to.equal('big/000999');
      expect(middle.objects.map((o) => o.key)).to.deep.equal(['big/500000', 'big/500000x', 'big/500001']);
      expect(last.objects.map((o) => o.key)).to.deep.equal(['big/999999']);
      expect(last.isTruncated).to.equal(false);
      expect(byPrefix.objects.map((o) => o.key)).to.deep.equal(['big/700000', 'big/700001']);
      expect(rolledUp.commonPrefixes).to.deep.equal(['big/']);
      expect(rolledUp.objects).to.deep.equal([]);
      expect(bucket.objects.size, 'only the one explicit object is stored').to.equal(1);
    });

    it('resumes after a common prefix without repeating it, and counts prefixes toward maxKeys', () => {
      const { estate, bucket } = estateWith(generator(50, 'd/'));
      for (const key of ['a', 'c/1', 'c/2', 'e']) storeObject(bucket, objectStub(key));
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = listPage(estate, bucket, { prefix: '', delimiter: '/', after, maxKeys: 1 });
        seen.push(...page.objects.map((o) => o.key), ...page.commonPrefixes);
        expect(page.objects.length + page.commonPrefixes.length).to.be.at.most(1);
        if (!page.isTruncated) break;
        after = page.last;
      }
      expect(seen).to.deep.equal(['a', 'c/', 'd/', 'e']);
    });

    it('storeObject / removeObject keep listings and lookups consistent, for generated keys too', () => {
      const { estate, bucket } = estateWith(generator(10, 'k'));
      storeObject(bucket, objectStub('k5a'));
      expect(removeObject(bucket, 'k3')).to.equal(true);
      expect(removeObject(bucket, 'k3')).to.equal(false);
      expect(removeObject(bucket, 'k5a')).to.equal(true);
      storeObject(bucket, objectStub('k7', 7));
      expect(removeObject(bucket, 'k7'), 'removes the explicit object and the generated one it shadowed').to.equal(true);
      const keys = listPage(estate, bucket, { prefix: '', maxKeys: 100 }).objects.map((o) => o.key);
      expect(keys).to.deep.equal(['k0', 'k1', 'k2', 'k4', 'k5', 'k6', 'k8', 'k9']);
      expect(findObject(estate, bucket, 'k3')).to.equal(undefined);
      expect(findObject(estate, bucket, 'k7')).to.equal(undefined);
      expect(findObject(estate, bucket, 'k4')?.key).to.equal('k4');
    });
  });
});

describe('sandbox ListObjectsV2 over HTTP (SDK)', () => {
  const ctx = useSandbox();
  let s3: S3Client;
  const sb = (): Sandbox => ctx.sb;
  let counter = 0;

  async function newBucket(tag: string, keys: string[] = [], gen?: ObjectGenerator): Promise<string> {
    const name = `s3o-${tag}-${process.pid}-${++counter}`;
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    if (gen) sb().estate.buckets.get(name)!.generator = gen;
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: name, Key: key, Body: key }));
    return name;
  }

  /** Every page of a listing, checking each page's own invariants on the way. */
  async function allPages(input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput[]> {
    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ ...input, ContinuationToken: token }));
      const entries = (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0);
      expect(page.KeyCount).to.equal(entries);
      expect(entries).to.be.at.most(Math.min(input.MaxKeys ?? 1000, 1000));
      expect(page.IsTruncated).to.equal(page.NextContinuationToken !== undefined);
      if (token) expect(page.ContinuationToken).to.equal(token);
      pages.push(page);
      token = page.NextContinuationToken;
    } while (token);
    return pages;
  }
  const keysOf = (pages: ListObjectsV2CommandOutput[]): string[] => pages.flatMap((p) => (p.Contents ?? []).map((c) => c.Key!));

  before(() => {
    s3 = s3For(sb(), 'prod', 'us-east-1');
  });

  describe('continuation across 2,500 generated and a few explicit objects', () => {
    let bucket: string;
    let expected: string[];
    const explicit = ['0-before', 'gen/', 'gen/0100', 'gen/0100a', 'gen/1500/nested', 'gen/9', 'gen/ü', 'zzz-after'];

    before(async () => {
      const gen = generator(2500, 'gen/');
      bucket = await newBucket('merge', explicit, gen);
      const generated = Array.from({ length: 2500 }, (_, i) => generatedKey(gen, i));
      expected = [...new Set([...generated, ...explicit])].sort(byUtf8);
    });

    for (const maxKeys of [1000, 777, 1]) {
      it(`MaxKeys ${maxKeys}: the union of all pages is the sorted set, without duplicates`, async function () {
        if (maxKeys === 1) this.timeout(120_000);
        const input: ListObjectsV2CommandInput = maxKeys === 1 ? { Bucket: bucket, MaxKeys: 1, Prefix: 'gen/00' } : { Bucket: bucket, MaxKeys: maxKeys };
        const pages = await allPages(input);
        const keys = keysOf(pages);
        const want = maxKeys === 1 ? expected.filter((k) => k.startsWith('gen/00')) : expected;
        expect(keys).to.deep.equal(want);
        expect(new Set(keys).size).to.equal(keys.length);
        expect(pages.length).to.equal(Math.ceil(want.length / maxKeys));
        expect(pages[pages.length - 1]!.IsTruncated).to.equal(false);
      });
    }

    it('the explicit object shadows the generated one with the same key', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'gen/0100' }));
      expect(page.Contents!.map((c) => [c.Key, c.Size])).to.deep.equal([
        ['gen/0100', 'gen/0100'.length],
        ['gen/0100a', 'gen/0100a'.length],
      ]);
    });

    it('StartAfter begins after the given key (and is echoed)', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'gen/1499', MaxKeys: 3 }));
      expect(page.StartAfter).to.equal('gen/1499');
      expect(page.Contents!.map((c) => c.Key)).to.deep.equal(['gen/1500', 'gen/1500/nested', 'gen/1501']);
      const beyond = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'zzz-after' }));
      expect(beyond.KeyCount).to.equal(0);
      expect(beyond.IsTruncated).to.equal(false);
    });

    it('a delimiter rolls 2,500 generated keys into one common prefix, also when paging one entry at a time', async () => {
      const pages = await allPages({ Bucket: bucket, Delimiter: '/', MaxKeys: 1 });
      const entries = pages.flatMap((p) => [...(p.Contents ?? []).map((c) => c.Key!), ...(p.CommonPrefixes ?? []).map((c) => c.Prefix!)]);
      expect(entries).to.deep.equal(['0-before', 'gen/', 'zzz-after']);
      const nested = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', Prefix: 'gen/15' }));
      expect(nested.CommonPrefixes!.map((c) => c.Prefix)).to.deep.equal(['gen/1500/']);
      expect(nested.Contents!.map((c) => c.Key)).to.deep.equal(Array.from({ length: 100 }, (_, i) => `gen/${1500 + i}`));
      expect(nested.Delimiter).to.equal('/');
    });

    it('MaxKeys above 1000 still returns at most 1000 keys per page', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5000 }));
      expect(page.Contents!.length).to.equal(1000);
      expect(page.IsTruncated).to.equal(true);
    });

    it('ListObjectVersions pages through the same set by key marker', async () => {
      const keys: string[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 900, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        keys.push(...page.Versions!.map((v) => v.Key!));
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
      expect(keys).to.deep.equal(expected);
    });
  });

  describe('delimiters and prefixes over explicit keys', () => {
    it('MaxKeys 2 with a delimiter: prefixes and keys in order, each once, across pages', async () => {
      const bucket = await newBucket('delim', ['a/1', 'a/2', 'b/1', 'c', 'd/x/y', 'd/z', 'e']);
      const pages = await allPages({ Bucket: bucket, Delimiter: '/', MaxKeys: 2 });
      expect(pages.length).to.equal(3);
      const entries = pages.flatMap((p) => [...(p.CommonPrefixes ?? []).map((c) => c.Prefix!), ...(p.Contents ?? []).map((c) => c.Key!)].sort(byUtf8));
      expect(entries).to.deep.equal(['a/', 'b/', 'c', 'd/', 'e']);
      const inD = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', Prefix: 'd/' }));
      expect(inD.CommonPrefixes!.map((c) => c.Prefix)).to.deep.equal(['d/x/']);
      expect(inD.Contents!.map((c) => c.Key)).to.deep.equal(['d/z']);
      expect(inD.Prefix).to.equal('d/');
    });

    it('a multi-character delimiter works like a single one', async () => {
      const bucket = await newBucket('delim2', ['x--1', 'x--2', 'y', 'z--q--r']);
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '--' }));
      expect(page.CommonPrefixes!.map((c) => c.Prefix)).to.deep.equal(['x--', 'z--']);
      expect(page.Contents!.map((c) => c.Key)).to.deep.equal(['y']);
    });
  });

  describe('encoding-type=url', () => {
    const odd = ['sp ace.txt', 'plus+sign.txt', 'ünï/cödé.txt', '100%.csv', 'a&b<c>.txt', 'tab\there'];
    let bucket: string;
    before(async () => {
      bucket = await newBucket('enc', odd);
    });

    it('encodes keys as S3 does: space as "+", "+" as %2B, UTF-8 percent-escapes, "/" kept', async () => {
      const res = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { path: `/${bucket}`, query: { 'list-type': '2', 'encoding-type': 'url' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.contain('<EncodingType>url</EncodingType>');
      for (const encoded of ['sp+ace.txt', 'plus%2Bsign.txt', '%C3%BCn%C3%AF/c%C3%B6d%C3%A9.txt', '100%25.csv', 'a%26b%3Cc%3E.txt', 'tab%09here']) {
        expect(res.body).to.contain(`<Key>${encoded}</Key>`);
      }
    });

    it('the SDK gets encoded keys that decode (form-style) to the originals, in UTF-8 order', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url' }));
      expect(page.EncodingType).to.equal('url');
      const decoded = page.Contents!.map((c) => decodeURIComponent(c.Key!.replace(/\+/g, ' ')));
      expect(decoded).to.deep.equal([...odd].sort(byUtf8));
      const prefixed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', Prefix: 'ünï/', Delimiter: '/' }));
      expect(prefixed.Prefix).to.equal('%C3%BCn%C3%AF/');
      const rolled = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', Delimiter: '/' }));
      expect(rolled.CommonPrefixes!.map((c) => c.Prefix)).to.deep.equal(['%C3%BCn%C3%AF/']);
    });

    it('without encoding-type the XML escapes the keys and the SDK returns them unchanged', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(page.EncodingType).to.equal(undefined);
      expect(page.Contents!.map((c) => c.Key)).to.deep.equal([...odd].sort(byUtf8));
    });
  });

  describe('argument errors', () => {
    it('rejects a forged continuation token, a bad max-keys and an unknown encoding with 400 InvalidArgument', async () => {
      const bucket = await newBucket('args', ['k']);
      const err = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'bm90LWEtdG9rZW4=' })).then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
      );
      expect(err?.name).to.equal('InvalidArgument');
      expect(err?.$metadata?.httpStatusCode).to.equal(400);
      const creds = cliCreds(sb(), 'prod');
      for (const query of [{ 'max-keys': 'abc' }, { 'max-keys': '-1' }, { 'encoding-type': 'base64' }] as Record<string, string>[]) {
        const res = await signedRequest(sb(), 's3', creds, { path: `/${bucket}`, query: { 'list-type': '2', ...query } });
        expect(res.status, JSON.stringify(query)).to.equal(400);
        expect(res.body).to.contain('<Code>InvalidArgument</Code>');
      }
    });
  });

  describe('generated objects through the object API', () => {
    it('HeadObject and GetObject serve a generated object with the encryption its mix gives it', async () => {
      const gen = generator(100, 'v/', [{ sse: 'aws:kms', kmsKeyId: 'alias/prod-data', bucketKeyEnabled: true, weight: 1 }]);
      const bucket = await newBucket('gen-obj', [], gen);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'v/42' }));
      expect(head).to.include({
        ContentLength: 16,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`,
        BucketKeyEnabled: true,
      });
      const get = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'v/42' }));
      expect(await get.Body!.transformToString()).to.equal('x'.repeat(16));
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'v/99' }));
      for (const missing of ['v/100', 'v/042', 'v/4']) {
        const status = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: missing })).then(
          () => 200,
          (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
        );
        expect(status, missing).to.equal(404);
      }
    });

    it('DeleteObject removes a generated object; PutObject replaces one', async () => {
      const bucket = await newBucket('gen-mut', [], generator(10, 'w/'));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'w/3' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'w/5', Body: 'replaced', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/prod-data' }));
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(page.Contents!.map((c) => c.Key)).to.deep.equal(['w/0', 'w/1', 'w/2', 'w/4', 'w/5', 'w/6', 'w/7', 'w/8', 'w/9']);
      expect(page.Contents!.find((c) => c.Key === 'w/5')!.Size).to.equal('replaced'.length);
      const status = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'w/3' })).then(
        () => 200,
        (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
      );
      expect(status).to.equal(404);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'w/5' }))).ServerSideEncryption).to.equal('aws:kms');
    });

    it('the demo dev-generated bucket lists its 500 generated objects under data/', async () => {
      const dev = s3For(sb(), 'dev', 'us-east-1');
      const page = await dev.send(new ListObjectsV2Command({ Bucket: 'dev-generated', Prefix: 'data/' }));
      expect(page.KeyCount).to.equal(500);
      expect(page.IsTruncated).to.equal(false);
      expect(page.Contents!.map((c) => c.Key)).to.deep.equal(Array.from({ length: 500 }, (_, i) => `data/${String(i).padStart(3, '0')}`));
      const sses = new Set<string>();
      for (const key of ['data/000', 'data/001', 'data/002', 'data/003', 'data/004', 'data/005', 'data/006', 'data/007']) {
        sses.add((await dev.send(new HeadObjectCommand({ Bucket: 'dev-generated', Key: key }))).ServerSideEncryption!);
      }
      expect([...sses].every((s) => s === 'AES256' || s === 'aws:kms')).to.equal(true);
    });
  });
});
