/**
 * SSE-C in the sandbox, through the real SDK and the real AWS CLI v2: new buckets block SSE-C (403
 * AccessDenied), a bucket that allows it stores SSE-C objects, HeadObject/GetObject without the key are
 * refused (a bare 400 for HEAD, 400 InvalidRequest for GET), with the right key they answer the customer
 * algorithm and key MD5, a wrong key is 403, ListObjectsV2 lists the object, and the headers are validated.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { rejection } from '../helpers/errors.js';
import { parseEstate } from '../../src/sandbox/estate.js';
import { cliCreds, s3For, signedRequest, useSandbox } from '../helpers/sandbox.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 9);
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
const sseC = (key: Buffer = KEY) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: md5(key) });
const ALLOW_SSE_C = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const }, BlockedEncryptionTypes: { EncryptionType: ['NONE' as const] } }] };

describe('sandbox S3 SSE-C (customer-provided keys)', function () {
  this.timeout(60_000);
  const ctx = useSandbox();
  let s3: S3Client;
  let n = 0;
  const fresh = async (allow: boolean): Promise<string> => {
    const name = `ssec-${process.pid}-${++n}`;
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    if (allow) await s3.send(new PutBucketEncryptionCommand({ Bucket: name, ServerSideEncryptionConfiguration: ALLOW_SSE_C }));
    return name;
  };
  before(() => {
    s3 = s3For(ctx.sb, 'prod', 'us-east-1');
  });

  it('a new bucket blocks SSE-C: PutObject and CopyObject with SSE-C are 403 AccessDenied, other writes succeed', async () => {
    const bucket = await fresh(false);
    const put = await rejection(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x', ...sseC() })));
    expect(put.name).to.equal('AccessDenied');
    expect(put.$metadata?.httpStatusCode).to.equal(403);
    expect(put.message).to.contain('this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C)');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'x' }));
    const copy = await rejection(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'b', CopySource: `${bucket}/plain`, ...sseC() })));
    expect(copy.name).to.equal('AccessDenied');
    expect(copy.message).to.contain('s3:CopyObject');
  });

  it('stores an SSE-C object where allowed; HEAD/GET need the key, the right one answers its MD5, a wrong one is 403', async () => {
    const bucket = await fresh(true);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'locked.bin', Body: 'secret', ...sseC() }));
    expect(put).to.include({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5(KEY) });
    expect(put.ServerSideEncryption).to.equal(undefined);
    expect(ctx.sb.estate.buckets.get(bucket)!.objects.get('locked.bin')).to.include({ sse: 'SSE-C', customerKeyMd5: md5(KEY) });

    // HEAD without the key: a 400 with no body, so the SDK knows only the status.
    const head = await rejection(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'locked.bin' })));
    expect(head.$metadata?.httpStatusCode).to.equal(400);
    const get = await rejection(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'locked.bin' })));
    expect(get.name).to.equal('InvalidRequest');
    expect(get.message).to.equal('The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');

    const withKey = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'locked.bin', ...sseC() }));
    expect(withKey).to.include({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5(KEY), ContentLength: 6 });
    expect(withKey.ServerSideEncryption).to.equal(undefined);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'locked.bin', ...sseC() }))).Body!.transformToString()).to.equal('secret');
    const wrong = await rejection(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'locked.bin', ...sseC(OTHER_KEY) })));
    expect([wrong.name, wrong.$metadata?.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);

    // Listing does not need the key, and says nothing about encryption.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key)).to.deep.equal(['locked.bin']);
    // A key on an object that is not SSE-C is refused.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'x' }));
    const notApplicable = await rejection(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain', ...sseC() })));
    expect(notApplicable.name).to.equal('InvalidRequest');
    expect(notApplicable.message).to.contain('not applicable to this object');
  });

  it('copies an SSE-C source only with its key in the copy-source headers', async () => {
    const bucket = await fresh(true);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'data', ...sseC() }));
    const noKey = await rejection(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src` })));
    expect(noKey.name).to.equal('InvalidRequest');
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'dst',
        CopySource: `${bucket}/src`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: KEY.toString('base64'),
        CopySourceSSECustomerKeyMD5: md5(KEY),
      }),
    );
    // Without SSE-C headers for the destination the copy takes the bucket default.
    expect(copy.ServerSideEncryption).to.equal('AES256');
  });

  it('validates the SSE-C headers as S3 does', async () => {
    const bucket = await fresh(true);
    const put = (headers: Record<string, string>) =>
      signedRequest(ctx.sb, 's3', cliCreds(ctx.sb, 'prod'), { method: 'PUT', path: `/${bucket}/k`, headers, body: 'x' });
    const b64 = KEY.toString('base64');
    const cases: [Record<string, string>, number, string, string][] = [
      [{ 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': b64, 'x-amz-server-side-encryption': 'AES256' }, 400, 'InvalidArgument', 'incompatible with the encryption method specified'],
      [{ 'x-amz-server-side-encryption-customer-algorithm': 'AES128', 'x-amz-server-side-encryption-customer-key': b64 }, 400, 'InvalidEncryptionAlgorithmError', 'Supported value: AES256.'],
      [{ 'x-amz-server-side-encryption-customer-key': b64 }, 400, 'InvalidArgument', 'must provide a valid encryption algorithm'],
      [{ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }, 400, 'InvalidArgument', 'must provide an appropriate secret key'],
      [{ 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': b64, 'x-amz-server-side-encryption-customer-key-MD5': md5(OTHER_KEY) }, 400, 'InvalidArgument', 'did not match the hash that was provided'],
      [{ 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': Buffer.alloc(24, 1).toString('base64') }, 400, 'InvalidArgument', 'The secret key was invalid for the specified algorithm.'],
    ];
    for (const [headers, status, code, message] of cases) {
      const res = await put(headers);
      expect([res.status, res.body], JSON.stringify(headers)).to.satisfy(([s, b]: [number, string]) => s === status && b.includes(`<Code>${code}</Code>`) && b.includes(message));
    }
    expect(ctx.sb.estate.buckets.get(bucket)!.objects.has('k')).to.equal(false);
  });

  describe('with the AWS CLI v2', () => {
    // The Debian CLI (2.9) predates BlockedEncryptionTypes (November 2025): its put-bucket-encryption cannot
    // send it, so the bucket is opened for SSE-C through the SDK; put-object and head-object are the CLI's own.
    const cliKey = 'k'.repeat(32); // the CLI takes the raw key, base64-encodes it and computes the MD5
    const run = (args: string[]) => awsCli(ctx.sb.endpoint, cliCreds(ctx.sb, 'prod'), 'us-east-1', args);

    it('put-object with --sse-customer-key, then head-object with and without the key', async function () {
      if (!requireAwsCli(this)) return;
      const blocked = await fresh(false);
      const refused = await run(['s3api', 'put-object', '--bucket', blocked, '--key', 'c', '--sse-customer-algorithm', 'AES256', '--sse-customer-key', cliKey]);
      expect(refused.code).to.not.equal(0);
      expect(refused.stderr).to.contain('AccessDenied');

      const bucket = await fresh(true);
      const put = await run(['s3api', 'put-object', '--bucket', bucket, '--key', 'c', '--sse-customer-algorithm', 'AES256', '--sse-customer-key', cliKey]);
      expect(put.code, put.stderr).to.equal(0);
      expect(JSON.parse(put.stdout)).to.include({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5(Buffer.from(cliKey)) });

      const bare = await run(['s3api', 'head-object', '--bucket', bucket, '--key', 'c']);
      expect(bare.code).to.not.equal(0);
      expect(bare.stderr).to.contain('(400)');
      const keyed = await run(['s3api', 'head-object', '--bucket', bucket, '--key', 'c', '--sse-customer-algorithm', 'AES256', '--sse-customer-key', cliKey]);
      expect(keyed.code, keyed.stderr).to.equal(0);
      expect(JSON.parse(keyed.stdout)).to.include({ SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5(Buffer.from(cliKey)), ContentLength: 0 });
    });
  });
});

describe('estates: SSE-C objects, objects stored unencrypted, delete markers', () => {
  const estateWith = (objects: string, versioning = ''): string =>
    `accounts:\n  - id: "123456789012"\n    name: a\n    accessKeyId: AKIAESTATETEST000001\n    secretAccessKey: ${'s'.repeat(40)}\n    buckets:\n      - name: est-b1\n        region: us-east-1\n${versioning}        objects:\n${objects}`;
  const problems = (text: string): string => {
    try {
      parseEstate(text, 'e.yaml');
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('accepts them, keeping only the MD5 of the customer key', () => {
    const estate = parseEstate(
      estateWith(
        `          - { key: old, sse: none, lastModified: 2022-01-01T00:00:00Z }\n          - { key: c, sse: SSE-C, customerKey: "${KEY.toString('base64')}" }\n          - { key: d, deleteMarker: true, versions: [ { sse: AES256 } ] }\n`,
        '        versioning: Enabled\n',
      ),
      'e.yaml',
    );
    const b = estate.buckets.get('est-b1')!;
    expect(b.objects.get('old')).to.include({ sse: null });
    expect(b.objects.get('c')).to.include({ sse: 'SSE-C', customerKeyMd5: md5(KEY) });
    expect(b.objects.has('d')).to.equal(false);
    expect(b.noncurrent!.get('d')!.map((v) => v.deleteMarker === true)).to.deep.equal([true, false]);
  });

  it('refuses what S3 could not hold', () => {
    expect(problems(estateWith('          - { key: new, sse: none }\n'))).to.contain('must have been stored before 2023-01-05');
    expect(problems(estateWith('          - { key: c, sse: SSE-C }\n'))).to.contain('needs its customerKey');
    expect(problems(estateWith('          - { key: c, sse: SSE-C, customerKey: "' + KEY.toString('base64') + '", kmsKeyId: alias/x }\n'))).to.contain('kmsKeyId applies only');
    expect(problems(estateWith('          - { key: d, deleteMarker: true, size: 3 }\n', '        versioning: Enabled\n'))).to.contain('a delete marker has no data');
    expect(problems(estateWith('          - { key: d, deleteMarker: true }\n'))).to.contain('need a versioned bucket');
  });
});
