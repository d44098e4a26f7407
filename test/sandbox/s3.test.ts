/**
 * The sandbox's S3 API through the real @aws-sdk/client-s3 over HTTP: every operation's success
 * shape and every error code, status and header the handler documents. Runs against the demo
 * estate, using only its contract names (accounts, keys, prod-legacy-none, prod-objects-mixed);
 * most tests create their own buckets.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  type BucketLocationConstraint,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { Sandbox } from '../../src/sandbox/server.js';
import { keyMapKey } from '../../src/sandbox/keys.js';
import type { SandboxBucket, SandboxKey } from '../../src/sandbox/model.js';
import { childNamed, childText, childrenNamed, el, elAttrs, parseXml, renderXml, XmlParseError } from '../../src/sandbox/xml.js';
import { cliCreds, kmsFor, s3For, signedRequest, useSandbox } from '../helpers/sandbox.js';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { rejection, type SdkError } from '../helpers/errors.js';

const PROD = '111122223333';
const DEV = '444455556666';
const keyArn = (n: number, region = 'us-east-1'): string => `arn:aws:kms:${region}:${PROD}:key/1111aaaa-0000-4000-8000-00000000000${n}`;
const PROD_DATA_ARN = keyArn(1);
const PROD_DISABLED_ARN = keyArn(3);
const PROD_RETIRED_ARN = keyArn(4);
const PROD_EU_ARN = keyArn(6, 'eu-west-1');



async function expectError(p: Promise<unknown>, name: string, status: number): Promise<SdkError> {
  const err = await rejection(p);
  expect(err.name, err.message).to.equal(name);
  expect(err.$metadata?.httpStatusCode).to.equal(status);
  return err;
}

const md5Hex = (s: string): string => createHash('md5').update(s).digest('hex');
const md5Base64 = (s: string | Buffer): string => createHash('md5').update(s).digest('base64');

let counter = 0;
/** A fresh, valid bucket name per call so tests never collide. */
const freshName = (tag: string): string => `s3t-${tag}-${process.pid}-${++counter}`;

describe('sandbox S3 API (SDK over HTTP)', () => {
  const ctx = useSandbox();
  let s3: S3Client;
  let s3Eu: S3Client;
  let s3Dev: S3Client;
  const sb = (): Sandbox => ctx.sb;
  const bucketOf = (name: string): SandboxBucket => {
    const b = sb().estate.buckets.get(name);
    if (!b) throw new Error(`no bucket ${name}`);
    return b;
  };
  const prodKey = (id: string): SandboxKey => sb().estate.accounts.get(PROD)!.keys.get(keyMapKey('us-east-1', id))!;

  async function createBucket(tag: string, client: S3Client = s3, region?: string): Promise<string> {
    const name = freshName(tag);
    await client.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
      }),
    );
    return name;
  }

  before(() => {
    s3 = s3For(sb(), 'prod', 'us-east-1');
    s3Eu = s3For(sb(), 'prod', 'eu-west-1');
    s3Dev = s3For(sb(), 'dev', 'us-east-1');
  });

  describe('ListBuckets', () => {
    it("lists only the caller's buckets, sorted, with creation date and owner", async () => {
      const out = await s3.send(new ListBucketsCommand({}));
      const names = out.Buckets!.map((b) => b.Name!);
      expect(names).to.include('prod-legacy-none').and.to.include('prod-objects-mixed');
      expect(names.some((n) => n.startsWith('dev-'))).to.equal(false);
      expect(names).to.deep.equal([...names].sort());
      const eu = out.Buckets!.find((b) => b.Name === 'prod-eu-cmk')!;
      expect(eu.CreationDate).to.be.instanceOf(Date);
      expect(out.Owner?.ID).to.match(/^[0-9a-f]{64}$/);
      expect(out.ContinuationToken, 'an unpaginated request gets everything').to.equal(undefined);
    });

    // "If the request contains at least one valid parameter, it [BucketRegion] is included in the response."
    it('answers BucketRegion only when the request has a parameter (MaxBuckets, Prefix, …), as the collector sends', async () => {
      const bare = await s3.send(new ListBucketsCommand({}));
      expect(bare.Buckets!.length).to.be.greaterThan(0);
      expect(bare.Buckets!.filter((b) => b.BucketRegion !== undefined)).to.deep.equal([]);
      const withMax = await s3.send(new ListBucketsCommand({ MaxBuckets: 1000 }));
      expect(withMax.Buckets!.find((b) => b.Name === 'prod-eu-cmk')!.BucketRegion).to.equal('eu-west-1');
      expect(withMax.Buckets!.every((b) => typeof b.BucketRegion === 'string')).to.equal(true);
      const withPrefix = await s3.send(new ListBucketsCommand({ Prefix: 'prod-eu-' }));
      expect(withPrefix.Buckets!.find((b) => b.Name === 'prod-eu-cmk')!.BucketRegion).to.equal('eu-west-1');
    });

    it('the AWS CLI’s s3api list-buckets (no parameters) gets no BucketRegion on the wire', async function () {
      if (!requireAwsCli(this)) return;
      // botocore 2.9.19's model has no ListBuckets input and no Bucket.BucketRegion, so what the CLI
      // prints cannot show the element either way: read the response body its --debug log records.
      const r = await awsCli(sb().endpoint, cliCreds(sb(), 'prod'), 'us-east-1', ['--debug', 's3api', 'list-buckets']);
      expect(r.code, r.stderr.slice(-2000)).to.equal(0);
      expect(r.stderr).to.match(/"GET \/ HTTP\/1\.1" 200/);
      const body = /Response body:\s*\nb'(<\?xml[^\n]*<ListAllMyBucketsResult[^\n]*)'/.exec(r.stderr)?.[1];
      expect(body, 'the CLI logged the ListBuckets response body').to.be.a('string');
      expect(body).to.contain('<Name>prod-eu-cmk</Name>');
      expect(body).to.not.contain('BucketRegion');
      expect(JSON.parse(r.stdout).Buckets.map((b: { Name: string }) => b.Name)).to.include('prod-eu-cmk');
    });

    it('pages with MaxBuckets 1 and 2: every bucket once, in order, no token on the last page', async () => {
      const all = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!);
      for (const max of [1, 2]) {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await s3.send(new ListBucketsCommand({ MaxBuckets: max, ContinuationToken: token }));
          expect(page.Buckets!.length).to.be.at.most(max);
          seen.push(...page.Buckets!.map((b) => b.Name!));
          token = page.ContinuationToken;
          pages++;
        } while (token);
        expect(seen).to.deep.equal(all);
        expect(pages).to.equal(Math.ceil(all.length / max));
      }
    });

    it('MaxBuckets equal to the count returns one page without a ContinuationToken', async () => {
      const all = (await s3.send(new ListBucketsCommand({}))).Buckets!;
      const page = await s3.send(new ListBucketsCommand({ MaxBuckets: all.length }));
      expect(page.Buckets!.length).to.equal(all.length);
      expect(page.ContinuationToken).to.equal(undefined);
      const short = await s3.send(new ListBucketsCommand({ MaxBuckets: all.length - 1 }));
      expect(short.ContinuationToken).to.be.a('string');
    });

    it('filters by Prefix (echoed) and by BucketRegion', async () => {
      const byPrefix = await s3.send(new ListBucketsCommand({ Prefix: 'prod-cmk-' }));
      expect(byPrefix.Prefix).to.equal('prod-cmk-');
      expect(byPrefix.Buckets!.map((b) => b.Name)).to.include.members(['prod-cmk-by-alias', 'prod-cmk-by-id']);
      expect(byPrefix.Buckets!.every((b) => b.Name!.startsWith('prod-cmk-'))).to.equal(true);
      const eu = await s3Eu.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));
      expect(eu.Buckets!.length).to.be.greaterThan(0);
      expect(eu.Buckets!.every((b) => b.BucketRegion === 'eu-west-1')).to.equal(true);
      expect(eu.Buckets!.map((b) => b.Name)).to.include('prod-eu-cmk');
    });

    it('refuses a BucketRegion other than the endpoint’s region with 400 InvalidArgument (versity/versitygw#1930)', async () => {
      const e = await expectError(s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' })), 'InvalidArgument', 400);
      expect(e.message).to.equal('Requests with bucket-region specified must be made to the corresponding regional endpoint');
    });

    it('rejects MaxBuckets outside 1–10000 and a forged token with 400 InvalidArgument', async () => {
      await expectError(s3.send(new ListBucketsCommand({ MaxBuckets: 0 })), 'InvalidArgument', 400);
      await expectError(s3.send(new ListBucketsCommand({ MaxBuckets: 10001 })), 'InvalidArgument', 400);
      await expectError(s3.send(new ListBucketsCommand({ MaxBuckets: 5, ContinuationToken: 'not-a-token' })), 'InvalidArgument', 400);
    });
  });

  describe('CreateBucket, HeadBucket, GetBucketLocation, DeleteBucket', () => {
    it('creates a us-east-1 bucket with SSE-S3 default encryption, SSE-C blocked (since April 2026) and a null location', async () => {
      const name = await createBucket('plain');
      const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
      expect(enc.ServerSideEncryptionConfiguration?.Rules).to.deep.equal([
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } },
      ]);
      const loc = await s3.send(new GetBucketLocationCommand({ Bucket: name }));
      expect(loc.LocationConstraint).to.equal(undefined);
      const head = await s3.send(new HeadBucketCommand({ Bucket: name }));
      expect(head.BucketRegion).to.equal('us-east-1');
    });

    it('creates a bucket in the signing region named by LocationConstraint', async () => {
      const name = await createBucket('eu', s3Eu, 'eu-west-1');
      expect((await s3Eu.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).to.equal('eu-west-1');
      // GetBucketLocation answers from any region: that is how clients find a bucket's region.
      expect((await s3.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).to.equal('eu-west-1');
      const listed = (await s3.send(new ListBucketsCommand({ Prefix: name }))).Buckets!;
      expect(listed.map((b) => [b.Name, b.BucketRegion])).to.deep.equal([[name, 'eu-west-1']]);
    });

    it('keeps the legacy EU constraint for GetBucketLocation', async () => {
      const name = await createBucket('legacy-eu', s3Eu, 'EU');
      expect((await s3Eu.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).to.equal('EU');
      expect((await s3Eu.send(new HeadBucketCommand({ Bucket: name }))).BucketRegion).to.equal('eu-west-1');
    });

    it('answers IllegalLocationConstraintException when constraint and endpoint disagree', async () => {
      // The SDK adds its own region as LocationConstraint when none is given, so this one goes raw.
      const noConstraint = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { method: 'PUT', path: `/${freshName('x')}` }, 'eu-west-1');
      expect(noConstraint.status).to.equal(400);
      expect(noConstraint.body).to.contain('<Code>IllegalLocationConstraintException</Code>').and.to.contain('The unspecified location constraint is incompatible');
      const other = await expectError(
        s3Eu.send(new CreateBucketCommand({ Bucket: freshName('x'), CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
        'IllegalLocationConstraintException',
        400,
      );
      expect(other.message).to.contain('us-west-2 location constraint is incompatible');
      // The us-east-1 endpoint still creates buckets in regions opened before 2019, not in newer ones.
      await expectError(
        s3.send(new CreateBucketCommand({ Bucket: freshName('x'), CreateBucketConfiguration: { LocationConstraint: 'af-south-1' } })),
        'IllegalLocationConstraintException',
        400,
      );
      const viaGlobal = await createBucket('via-global', s3, 'eu-west-2');
      expect(bucketOf(viaGlobal).region).to.equal('eu-west-2');
    });

    it('refuses an explicit us-east-1 constraint with InvalidLocationConstraint', async () => {
      await expectError(
        s3.send(new CreateBucketCommand({ Bucket: freshName('x'), CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as BucketLocationConstraint } })),
        'InvalidLocationConstraint',
        400,
      );
    });

    it('answers BucketAlreadyOwnedByYou / BucketAlreadyExists (409), and 200 for a us-east-1 re-create', async () => {
      const usName = await createBucket('again');
      const again = await s3.send(new CreateBucketCommand({ Bucket: usName }));
      expect(again.$metadata.httpStatusCode).to.equal(200);
      const euName = await createBucket('again-eu', s3Eu, 'eu-west-1');
      const owned = await expectError(
        s3Eu.send(new CreateBucketCommand({ Bucket: euName, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
        'BucketAlreadyOwnedByYou',
        409,
      );
      expect(owned.message).to.contain('already own it');
      await expectError(s3Dev.send(new CreateBucketCommand({ Bucket: usName })), 'BucketAlreadyExists', 409);
    });

    it('rejects an invalid bucket name with InvalidBucketName', async () => {
      for (const bad of ['ab', 'Has-Capitals', 'double..dot', '192.168.1.1', 'xn--punycode', 'ends-with-']) {
        const res = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { method: 'PUT', path: `/${bad}` });
        expect(res.status, bad).to.equal(400);
        expect(res.body, bad).to.contain('<Code>InvalidBucketName</Code>').and.to.contain(`<BucketName>${bad}</BucketName>`);
      }
    });

    it('DeleteBucket refuses a non-empty bucket (409 BucketNotEmpty), then deletes it (204)', async () => {
      const name = await createBucket('del');
      await s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'v' }));
      await expectError(s3.send(new DeleteBucketCommand({ Bucket: name })), 'BucketNotEmpty', 409);
      await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' }));
      const del = await s3.send(new DeleteBucketCommand({ Bucket: name }));
      expect(del.$metadata.httpStatusCode).to.equal(204);
      await expectError(s3.send(new HeadBucketCommand({ Bucket: name })), 'NotFound', 404);
      expect(sb().estate.buckets.has(name)).to.equal(false);
    });

    it('answers NoSuchBucket (404, BucketName) for a missing bucket', async () => {
      await expectError(s3.send(new GetBucketEncryptionCommand({ Bucket: 'no-such-bucket-here' })), 'NoSuchBucket', 404);
      const res = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { path: '/no-such-bucket-here', query: { tagging: '' } });
      expect(res.status).to.equal(404);
      expect(res.body).to.contain('<Code>NoSuchBucket</Code>').and.to.contain('<BucketName>no-such-bucket-here</BucketName>');
    });

    it("denies another account's bucket with 403 AccessDenied (HeadBucket: 403 with the region header)", async () => {
      const name = await createBucket('mine');
      await expectError(s3Dev.send(new GetBucketEncryptionCommand({ Bucket: name })), 'AccessDenied', 403);
      await expectError(s3Dev.send(new PutObjectCommand({ Bucket: name, Key: 'x', Body: 'y' })), 'AccessDenied', 403);
      // A HEAD error has no body, so the SDK cannot name it; the status and header are what a caller gets.
      const head = await rejection(s3Dev.send(new HeadBucketCommand({ Bucket: name })));
      expect(head.$metadata?.httpStatusCode).to.equal(403);
      expect(head.$response?.headers['x-amz-bucket-region']).to.equal('us-east-1');
      await expectError(s3.send(new GetBucketTaggingCommand({ Bucket: name, ExpectedBucketOwner: DEV })), 'AccessDenied', 403);
    });
  });

  describe('wrong region', () => {
    it('answers 301 PermanentRedirect with the endpoint, bucket and x-amz-bucket-region', async () => {
      const err = await expectError(s3Eu.send(new GetBucketEncryptionCommand({ Bucket: 'prod-legacy-none' })), 'PermanentRedirect', 301);
      expect(err.$response?.headers['x-amz-bucket-region']).to.equal('us-east-1');
      const res = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { path: '/prod-eu-cmk', query: { encryption: '' } }, 'us-east-1');
      expect(res.status).to.equal(301);
      expect(res.headers['x-amz-bucket-region']).to.equal('eu-west-1');
      expect(res.body).to.contain('<Code>PermanentRedirect</Code>').and.to.contain('<Endpoint>s3.eu-west-1.amazonaws.com</Endpoint>').and.to.contain('<Bucket>prod-eu-cmk</Bucket>');
    });

    it('HeadBucket and object operations get the 301 too; GetBucketLocation does not', async () => {
      const head = await rejection(s3.send(new HeadBucketCommand({ Bucket: 'prod-eu-cmk' })));
      expect(head.$metadata?.httpStatusCode).to.equal(301);
      expect(head.$response?.headers['x-amz-bucket-region']).to.equal('eu-west-1');
      await expectError(s3.send(new PutObjectCommand({ Bucket: 'prod-eu-cmk', Key: 'k', Body: 'b' })), 'PermanentRedirect', 301);
      expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'prod-eu-cmk' }))).LocationConstraint).to.equal('eu-west-1');
    });
  });

  describe('bucket default encryption', () => {
    it('answers 404 ServerSideEncryptionConfigurationNotFoundError with BucketName for a legacy bucket', async () => {
      const err = await expectError(
        s3.send(new GetBucketEncryptionCommand({ Bucket: 'prod-legacy-none' })),
        'ServerSideEncryptionConfigurationNotFoundError',
        404,
      );
      expect(err.message).to.equal('The server side encryption configuration was not found');
      const res = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { path: '/prod-legacy-none', query: { encryption: '' } });
      expect(res.body).to.contain('<BucketName>prod-legacy-none</BucketName>');
    });

    it('stores an SSE-KMS configuration verbatim, without validating the key', async () => {
      const name = await createBucket('enc');
      for (const keyId of ['alias/prod-data', 'alias/does-not-exist', PROD_DISABLED_ARN]) {
        await s3.send(
          new PutBucketEncryptionCommand({
            Bucket: name,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: true }] },
          }),
        );
        const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
        expect(got.ServerSideEncryptionConfiguration?.Rules).to.deep.equal([
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: true },
        ]);
      }
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: name,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' } }] },
        }),
      );
      expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: name }))).ServerSideEncryptionConfiguration?.Rules).to.deep.equal([
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' }, BucketKeyEnabled: false },
      ]);
    });

    it('DeleteBucketEncryption (204) resets to SSE-S3, which GetBucketEncryption then reports', async () => {
      const name = await createBucket('enc-del');
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: name,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-data' }, BucketKeyEnabled: true }] },
        }),
      );
      const del = await s3.send(new DeleteBucketEncryptionCommand({ Bucket: name }));
      expect(del.$metadata.httpStatusCode).to.equal(204);
      expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: name }))).ServerSideEncryptionConfiguration?.Rules).to.deep.equal([
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
      ]);
    });

    it('rejects an unknown algorithm (MalformedXML) and a key id with AES256 (InvalidArgument)', async () => {
      const name = await createBucket('enc-bad');
      await expectError(
        s3.send(new PutBucketEncryptionCommand({ Bucket: name, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES512' as ServerSideEncryption } }] } })),
        'MalformedXML',
        400,
      );
      await expectError(s3.send(new PutBucketEncryptionCommand({ Bucket: name, ServerSideEncryptionConfiguration: { Rules: [] } })), 'MalformedXML', 400);
      const err = await expectError(
        s3.send(
          new PutBucketEncryptionCommand({
            Bucket: name,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'alias/prod-data' } }] },
          }),
        ),
        'InvalidArgument',
        400,
      );
      expect(err.message).to.contain('KMSMasterKeyID is not applicable');
      // Nothing was stored by the failed requests.
      expect(bucketOf(name).encryption).to.deep.equal({ algorithm: 'AES256', bucketKeyEnabled: false, blockedEncryptionTypes: ['SSE-C'] });
    });

    it('on the wire: malformed XML, a missing Content-MD5 and a wrong Content-MD5', async () => {
      const name = await createBucket('enc-wire');
      const creds = cliCreds(sb(), 'prod');
      const put = (body: string, headers: Record<string, string>) => signedRequest(sb(), 's3', creds, { method: 'PUT', path: `/${name}`, query: { encryption: '' }, headers, body });
      const broken = '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></Rule>';
      const malformed = await put(broken, { 'content-md5': md5Base64(broken) });
      expect(malformed.status).to.equal(400);
      expect(malformed.body).to.contain('<Code>MalformedXML</Code>');

      const good =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault>' +
        '<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/prod-data</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
      const missing = await put(good, {});
      expect(missing.status).to.equal(400);
      expect(missing.body).to.contain('<Code>InvalidRequest</Code>').and.to.contain('Missing required header for this request: Content-MD5');
      const wrong = await put(good, { 'content-md5': md5Base64('something else') });
      expect(wrong.status).to.equal(400);
      expect(wrong.body).to.contain('<Code>BadDigest</Code>');
      const ok = await put(good, { 'content-md5': md5Base64(good) });
      expect(ok.status).to.equal(200);
      expect(bucketOf(name).encryption).to.deep.equal({ algorithm: 'aws:kms', kmsKeyId: 'alias/prod-data', bucketKeyEnabled: true });
    });
  });

  describe('bucket tagging and policy', () => {
    it('NoSuchTagSet until tagged; Put (204) / Get round trip; Delete returns to NoSuchTagSet', async () => {
      const name = await createBucket('tags');
      await expectError(s3.send(new GetBucketTaggingCommand({ Bucket: name })), 'NoSuchTagSet', 404);
      const put = await s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'a & b <c>' }] } }));
      expect(put.$metadata.httpStatusCode).to.equal(204);
      const got = await s3.send(new GetBucketTaggingCommand({ Bucket: name }));
      expect(got.TagSet).to.deep.equal([{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'a & b <c>' }]);
      await s3.send(new DeleteBucketTaggingCommand({ Bucket: name }));
      await expectError(s3.send(new GetBucketTaggingCommand({ Bucket: name })), 'NoSuchTagSet', 404);
    });

    it('rejects duplicate keys and aws: keys with InvalidTag', async () => {
      const name = await createBucket('tags-bad');
      await expectError(
        s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })),
        'InvalidTag',
        400,
      );
      await expectError(s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: [{ Key: 'aws:x', Value: '1' }] } })), 'InvalidTag', 400);
      expect(bucketOf(name).tags).to.equal(null);
    });

    it('NoSuchBucketPolicy until set; MalformedPolicy for bad JSON; Put / Get / Delete', async () => {
      const name = await createBucket('policy');
      await expectError(s3.send(new GetBucketPolicyCommand({ Bucket: name })), 'NoSuchBucketPolicy', 404);
      await expectError(s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: '{"Version": "2012-10-17", ' })), 'MalformedPolicy', 400);
      await expectError(s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: '{"Version": "2012-10-17"}' })), 'MalformedPolicy', 400);
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${name}/*` }] });
      const put = await s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: policy }));
      expect(put.$metadata.httpStatusCode).to.equal(204);
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy).to.equal(policy);
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: name }));
      await expectError(s3.send(new GetBucketPolicyCommand({ Bucket: name })), 'NoSuchBucketPolicy', 404);
    });
  });

  describe('PutObject, HeadObject, GetObject: server-side encryption', () => {
    let bucket: string;
    before(async () => {
      bucket = await createBucket('objects');
    });

    it('SSE-S3: ETag is the MD5 of the body; Head and Get report AES256 and no key', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain.txt', Body: 'hello', ServerSideEncryption: 'AES256' }));
      expect(put.ETag).to.equal(`"${md5Hex('hello')}"`);
      expect(put.ServerSideEncryption).to.equal('AES256');
      expect(put.SSEKMSKeyId).to.equal(undefined);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plain.txt' }));
      expect(head).to.include({ ServerSideEncryption: 'AES256', ContentLength: 5, ETag: put.ETag, ContentType: 'binary/octet-stream' });
      expect(head.LastModified).to.be.instanceOf(Date);
      expect(head.SSEKMSKeyId).to.equal(undefined);
      expect(head.BucketKeyEnabled).to.equal(undefined);
      const get = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain.txt' }));
      expect(await get.Body!.transformToString()).to.equal('hello');
      expect(get.ServerSideEncryption).to.equal('AES256');
    });

    it('SSE-KMS with an alias: the key is reported as its full ARN, with the bucket key when asked', async () => {
      const put = await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'cmk.txt', Body: 'secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/prod-data', BucketKeyEnabled: true }),
      );
      expect(put).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true });
      // SSE-KMS ETags are not the MD5 of the data.
      expect(put.ETag).to.match(/^"[0-9a-f]{32}"$/).and.not.equal(`"${md5Hex('secret')}"`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cmk.txt' }));
      expect(head).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true, ETag: put.ETag });
      const get = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cmk.txt' }));
      expect(get).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true });
      expect(await get.Body!.transformToString()).to.equal('secret');
    });

    it('SSE-KMS by key id and key ARN report the same ARN; without a key id, the AWS managed aws/s3 key', async () => {
      const byId = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-id', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: '1111aaaa-0000-4000-8000-000000000001' }));
      expect(byId.SSEKMSKeyId).to.equal(PROD_DATA_ARN);
      expect(byId.BucketKeyEnabled, 'the header is left out when the bucket key is off').to.equal(undefined);
      const byArn = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-arn', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN }));
      expect(byArn.SSEKMSKeyId).to.equal(PROD_DATA_ARN);
      const managed = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'managed', Body: 'x', ServerSideEncryption: 'aws:kms' }));
      const awsS3 = await kmsFor(sb(), 'prod', 'us-east-1').send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
      expect(managed.SSEKMSKeyId).to.equal(awsS3.KeyMetadata?.Arn);
      expect(awsS3.KeyMetadata?.KeyManager).to.equal('AWS');
    });

    it('DSSE-KMS never reports a bucket key', async () => {
      const put = await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'dsse', Body: 'x', ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: 'alias/prod-data', BucketKeyEnabled: true }),
      );
      expect(put).to.include({ ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: PROD_DATA_ARN });
      expect(put.BucketKeyEnabled).to.equal(undefined);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dsse' }));
      expect(head.ServerSideEncryption).to.equal('aws:kms:dsse');
      expect(head.BucketKeyEnabled).to.equal(undefined);
    });

    it("applies the bucket's default when no SSE header is sent (key and bucket key included)", async () => {
      const name = await createBucket('default');
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: name,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-data' }, BucketKeyEnabled: true }] },
        }),
      );
      const put = await s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'v' }));
      expect(put).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true });
      // aws:kms in the request without a key id means aws/s3, but the bucket key setting still follows the bucket.
      const managed = await s3.send(new PutObjectCommand({ Bucket: name, Key: 'm', Body: 'v', ServerSideEncryption: 'aws:kms' }));
      expect(managed.SSEKMSKeyId).to.not.equal(PROD_DATA_ARN);
      expect(managed.BucketKeyEnabled).to.equal(true);
    });

    it('a bucket without default encryption still encrypts new objects with SSE-S3', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: 'prod-legacy-none', Key: `fresh-${process.pid}`, Body: 'v' }));
      expect(put.ServerSideEncryption).to.equal('AES256');
      await s3.send(new DeleteObjectCommand({ Bucket: 'prod-legacy-none', Key: `fresh-${process.pid}` }));
    });

    it('rejects unknown, disabled, pending-deletion and other-region keys with the KMS.* errors (400)', async () => {
      const put = (key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'rejected', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key }));
      const unknownAlias = await expectError(put('alias/no-such-key'), 'KMS.NotFoundException', 400);
      expect(unknownAlias.message).to.contain('alias/no-such-key');
      const unknownId = await expectError(put('0000ffff-0000-4000-8000-000000000000'), 'KMS.NotFoundException', 400);
      expect(unknownId.message).to.equal(`Key 'arn:aws:kms:us-east-1:${PROD}:key/0000ffff-0000-4000-8000-000000000000' does not exist`);
      expect((await expectError(put('not-a-key'), 'KMS.NotFoundException', 400)).message).to.equal("Invalid keyId 'not-a-key'");
      expect((await expectError(put('alias/prod-disabled'), 'KMS.DisabledException', 400)).message).to.equal(`${PROD_DISABLED_ARN} is disabled.`);
      expect((await expectError(put('alias/prod-retired'), 'KMS.KMSInvalidStateException', 400)).message).to.equal(`${PROD_RETIRED_ARN} is pending deletion.`);
      expect((await expectError(put(PROD_EU_ARN), 'KMS.NotFoundException', 400)).message).to.equal('Invalid arn eu-west-1');
      await expectError(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'rejected' })), 'NotFound', 404);
    });

    it("fails uploads under a bucket default that names a disabled key, though PutBucketEncryption accepted it", async () => {
      const name = await createBucket('default-disabled');
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: name,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-disabled' } }] },
        }),
      );
      await expectError(s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'v' })), 'KMS.DisabledException', 400);
      // An explicit SSE header overrides the broken default.
      const ok = await s3.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'v', ServerSideEncryption: 'AES256' }));
      expect(ok.ServerSideEncryption).to.equal('AES256');
    });

    it('rejects a key id without aws:kms, and an unknown SSE value, with InvalidArgument', async () => {
      const noAlgorithm = await expectError(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x', SSEKMSKeyId: 'alias/prod-data' })), 'InvalidArgument', 400);
      expect(noAlgorithm.message).to.contain('requires HTTP header x-amz-server-side-encryption : aws:kms');
      await expectError(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x', ServerSideEncryption: 'AES256', SSEKMSKeyId: 'alias/prod-data' })),
        'InvalidArgument',
        400,
      );
      await expectError(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x', ServerSideEncryption: 'aes:kms' as ServerSideEncryption })), 'InvalidArgument', 400);
    });

    it('GetObject of an object whose KMS key became disabled fails with KMS.DisabledException; HeadObject still answers', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'scratch.txt', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/scratch' }));
      const scratch = prodKey('1111aaaa-0000-4000-8000-000000000005');
      scratch.state = 'Disabled';
      try {
        await expectError(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'scratch.txt' })), 'KMS.DisabledException', 400);
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'scratch.txt' }));
        expect(head.SSEKMSKeyId).to.equal(scratch.arn);
        scratch.state = 'PendingDeletion';
        await expectError(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'scratch.txt' })), 'KMS.KMSInvalidStateException', 400);
      } finally {
        scratch.state = 'Enabled';
      }
      expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'scratch.txt' }))).Body!.transformToString()).to.equal('x');
    });

    it('missing keys: GetObject 404 NoSuchKey, HeadObject a bare 404', async () => {
      const err = await expectError(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })), 'NoSuchKey', 404);
      expect(err.message).to.equal('The specified key does not exist.');
      await expectError(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'nope' })), 'NotFound', 404);
    });

    it('serves byte ranges with 206 and Content-Range', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'range.txt', Body: '0123456789' }));
      const part = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=2-5' }));
      expect(part.$metadata.httpStatusCode).to.equal(206);
      expect(part.ContentRange).to.equal('bytes 2-5/10');
      expect(await part.Body!.transformToString()).to.equal('2345');
      const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=-3' }));
      expect(await tail.Body!.transformToString()).to.equal('789');
      await expectError(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=20-30' })), 'InvalidRange', 416);
    });

    it('keys with spaces, "+", unicode and slashes round-trip', async () => {
      const key = 'dir one/a+b ü €/😀.txt';
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'odd' }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()).to.equal('odd');
      expect(bucketOf(bucket).objects.has(key)).to.equal(true);
    });
  });

  describe('CopyObject and DeleteObject', () => {
    let bucket: string;
    before(async () => {
      bucket = await createBucket('copy');
    });

    it('re-encrypts in place when SSE headers are given, and reports the new encryption', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doc', Body: 'payload', ServerSideEncryption: 'AES256' }));
      const copy = await s3.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'doc', CopySource: `${bucket}/doc`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/prod-data', BucketKeyEnabled: true }),
      );
      expect(copy).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true });
      expect(copy.CopyObjectResult?.ETag).to.match(/^"[0-9a-f]{32}"$/);
      expect(copy.CopyObjectResult?.LastModified).to.be.instanceOf(Date);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc' }));
      expect(head).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true, ETag: copy.CopyObjectResult?.ETag });
      expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc' }))).Body!.transformToString()).to.equal('payload');
      // Naming the same encryption again still counts as a change.
      const again = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'doc', CopySource: `${bucket}/doc`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/prod-data', BucketKeyEnabled: true }));
      expect(again.SSEKMSKeyId).to.equal(PROD_DATA_ARN);
    });

    it('refuses an in-place copy that changes nothing (400 InvalidRequest)', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'same', Body: 'x' }));
      const err = await expectError(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'same', CopySource: `${bucket}/same` })), 'InvalidRequest', 400);
      expect(err.message).to.contain('This copy request is illegal because it is trying to copy an object to itself');
      const replaced = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'same', CopySource: `${bucket}/same`, MetadataDirective: 'REPLACE' }));
      expect(replaced.ServerSideEncryption).to.equal('AES256');
    });

    it('an in-place copy without headers takes a changed bucket default', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'old', Body: 'x' }));
      const name = bucket;
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: name,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-data' }, BucketKeyEnabled: false }] },
        }),
      );
      try {
        const copy = await s3.send(new CopyObjectCommand({ Bucket: name, Key: 'old', CopySource: `${name}/old` }));
        expect(copy).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN });
      } finally {
        await s3.send(new DeleteBucketEncryptionCommand({ Bucket: name }));
      }
    });

    it('copies to another key and bucket with the destination default, from a URL-encoded source', async () => {
      const key = 'src dir/a+b.txt';
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'copy me', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/prod-data' }));
      const dest = await createBucket('copy-dest');
      const copy = await s3.send(new CopyObjectCommand({ Bucket: dest, Key: 'copied', CopySource: encodeURIComponent(`${bucket}/${key}`) }));
      expect(copy.ServerSideEncryption).to.equal('AES256');
      expect(copy.CopyObjectResult?.ETag).to.equal(`"${md5Hex('copy me')}"`);
      expect(await (await s3.send(new GetObjectCommand({ Bucket: dest, Key: 'copied' }))).Body!.transformToString()).to.equal('copy me');
    });

    it('answers NoSuchKey for a missing source and a KMS error for an unreadable one', async () => {
      await expectError(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/missing` })), 'NoSuchKey', 404);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'locked', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/scratch' }));
      const scratch = prodKey('1111aaaa-0000-4000-8000-000000000005');
      scratch.state = 'Disabled';
      try {
        await expectError(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'unlocked', CopySource: `${bucket}/locked`, ServerSideEncryption: 'AES256' })), 'KMS.DisabledException', 400);
      } finally {
        scratch.state = 'Enabled';
      }
    });

    it('DeleteObject answers 204 whether or not the key exists', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'gone', Body: 'x' }));
      expect((await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }))).$metadata.httpStatusCode).to.equal(204);
      await expectError(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'gone' })), 'NotFound', 404);
      expect((await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'never-was' }))).$metadata.httpStatusCode).to.equal(204);
    });
  });

  describe('ListObjectsV2 and ListObjectVersions shapes', () => {
    it('lists Contents with Key, LastModified, ETag, Size, StorageClass, and Owner on fetch-owner', async () => {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: 'prod-objects-mixed', Prefix: 'reports/', FetchOwner: true }));
      expect(list).to.include({ Name: 'prod-objects-mixed', Prefix: 'reports/', KeyCount: 3, MaxKeys: 1000, IsTruncated: false });
      expect(list.Contents!.map((c) => c.Key)).to.deep.equal(['reports/2025/q1.csv', 'reports/2025/q2.csv', 'reports/2025/q3.csv']);
      const first = list.Contents![0]!;
      expect(first).to.include({ Size: 1200, StorageClass: 'STANDARD' });
      expect(first.ETag).to.match(/^"[0-9a-f]{32}"$/);
      expect(first.LastModified).to.be.instanceOf(Date);
      expect(first.Owner?.ID).to.match(/^[0-9a-f]{64}$/);
      const withoutOwner = await s3.send(new ListObjectsV2Command({ Bucket: 'prod-objects-mixed', Prefix: 'reports/' }));
      expect(withoutOwner.Contents![0]!.Owner).to.equal(undefined);
    });

    it('ListObjectVersions lists each object once as the latest "null" version, paginated by key marker', async () => {
      const first = await s3.send(new ListObjectVersionsCommand({ Bucket: 'prod-objects-mixed', MaxKeys: 5 }));
      expect(first.IsTruncated).to.equal(true);
      expect(first.Versions!.length).to.equal(5);
      expect(first.Versions!.every((v) => v.VersionId === 'null' && v.IsLatest === true)).to.equal(true);
      expect(first.NextKeyMarker).to.equal(first.Versions![4]!.Key);
      expect(first.NextVersionIdMarker).to.equal('null');
      const rest = await s3.send(
        new ListObjectVersionsCommand({ Bucket: 'prod-objects-mixed', KeyMarker: first.NextKeyMarker, VersionIdMarker: first.NextVersionIdMarker }),
      );
      expect(rest.IsTruncated).to.equal(false);
      const all = [...first.Versions!, ...rest.Versions!].map((v) => v.Key!);
      const listed = (await s3.send(new ListObjectsV2Command({ Bucket: 'prod-objects-mixed' }))).Contents!.map((c) => c.Key!);
      expect(all).to.deep.equal(listed);
    });
  });

  describe('per-bucket faults', () => {
    it('AccessDenied on one operation leaves the others working', async () => {
      const name = await createBucket('fault-ad');
      bucketOf(name).faults.push({ operation: 'GetBucketEncryption', error: 'AccessDenied' });
      const err = await expectError(s3.send(new GetBucketEncryptionCommand({ Bucket: name })), 'AccessDenied', 403);
      expect(err.message).to.equal('Access Denied');
      await expectError(s3.send(new GetBucketEncryptionCommand({ Bucket: name })), 'AccessDenied', 403);
      expect((await s3.send(new GetBucketLocationCommand({ Bucket: name }))).$metadata.httpStatusCode).to.equal(200);
      expect((await s3.send(new HeadBucketCommand({ Bucket: name }))).$metadata.httpStatusCode).to.equal(200);
    });

    it('object faults match the key glob only (demo: HeadObject on restricted/* in prod-objects-mixed)', async () => {
      const denied = await rejection(s3.send(new HeadObjectCommand({ Bucket: 'prod-objects-mixed', Key: 'restricted/payroll.csv' })));
      expect(denied.$metadata?.httpStatusCode).to.equal(403);
      const ok = await s3.send(new HeadObjectCommand({ Bucket: 'prod-objects-mixed', Key: 'reports/2025/q2.csv' }));
      expect(ok).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN });
      // GetObject is another operation: the HeadObject fault does not apply to it.
      expect((await s3.send(new GetObjectCommand({ Bucket: 'prod-objects-mixed', Key: 'restricted/keys.txt' }))).$metadata.httpStatusCode).to.equal(200);
    });

    it('`times: 2` SlowDown on GetBucketEncryption: the SDK default retries succeed on the third attempt', async () => {
      const name = await createBucket('fault-slow');
      const fault = { operation: 'GetBucketEncryption', error: 'SlowDown', times: 2 };
      bucketOf(name).faults.push(fault);
      const retrying = s3For(sb(), 'prod', 'us-east-1', { maxAttempts: 3 });
      const out = await retrying.send(new GetBucketEncryptionCommand({ Bucket: name }));
      expect(out.$metadata.attempts).to.equal(3);
      expect(out.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).to.equal('AES256');
      expect(fault.times).to.equal(0);
    });

    it('SlowDown is a 503 and InternalError a 500 to a client without retries; `*` matches every operation', async () => {
      const name = await createBucket('fault-5xx');
      const noRetry = s3For(sb(), 'prod', 'us-east-1', { maxAttempts: 1 });
      bucketOf(name).faults.push({ operation: 'GetBucketTagging', error: 'SlowDown', times: 1 });
      await expectError(noRetry.send(new GetBucketTaggingCommand({ Bucket: name })), 'SlowDown', 503);
      bucketOf(name).faults.push({ operation: '*', error: 'InternalError', times: 2 });
      await expectError(noRetry.send(new GetBucketLocationCommand({ Bucket: name })), 'InternalError', 500);
      await expectError(noRetry.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'v' })), 'InternalError', 500);
      expect((await noRetry.send(new GetBucketLocationCommand({ Bucket: name }))).$metadata.httpStatusCode).to.equal(200);
    });

    it('Reset drops the connection without an answer', async () => {
      const name = await createBucket('fault-reset');
      bucketOf(name).faults.push({ operation: 'ListObjectsV2', error: 'Reset', times: 1 });
      const noRetry = s3For(sb(), 'prod', 'us-east-1', { maxAttempts: 1 });
      const err = await rejection(noRetry.send(new ListObjectsV2Command({ Bucket: name })));
      expect(err.$metadata?.httpStatusCode).to.equal(undefined);
      expect(`${err.name} ${err.message} ${(err as { code?: string }).code ?? ''}`).to.match(/ECONNRESET|socket hang up|TimeoutError/i);
      expect((await noRetry.send(new ListObjectsV2Command({ Bucket: name }))).KeyCount).to.equal(0);
    });
  });

  it('answers 501 NotImplemented, naming the operation, for what the sandbox does not model', async () => {
    const name = await createBucket('unmodelled');
    // (GetBucketVersioning is modelled since the object audit's versions support; lifecycle is not.)
    const err = await expectError(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name })), 'NotImplemented', 501);
    expect(err.message).to.contain('GetBucketLifecycle');
    const multipart = await expectError(s3.send(new CreateMultipartUploadCommand({ Bucket: name, Key: 'big' })), 'NotImplemented', 501);
    expect(multipart.message).to.contain('CreateMultipartUpload');
    const v1 = await signedRequest(sb(), 's3', cliCreds(sb(), 'prod'), { path: `/${name}` });
    expect(v1.status).to.equal(501);
    expect(v1.body).to.contain('ListObjects');
  });
});

describe('sandbox xml.ts', () => {
  it('renders escaped text, empty elements, dates, booleans and skips null children', () => {
    const doc = renderXml(
      elAttrs('Root', { xmlns: 'urn:x' }, el('A', 'x & <y> "q"'), el('Empty'), el('When', new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), el('Flag', false), null, [el('N', 3)]),
    );
    expect(doc).to.equal(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Root xmlns="urn:x"><A>x &amp; &lt;y&gt; &quot;q&quot;</A><Empty/><When>2025-01-02T03:04:05.000Z</When><Flag>false</Flag><N>3</N></Root>',
    );
  });

  it('round-trips text through render and parse, including control characters and astral code points', () => {
    const text = 'a\r\nb & c < d > "e" \'f\' 😀';
    const parsed = parseXml(renderXml(el('T', el('V', text))));
    expect(childNamed(parsed, 'V')!.text).to.equal(text);
  });

  it('parses tolerantly: declaration, comments, namespaces, prefixes, CDATA, entities, whitespace', () => {
    const root = parseXml(
      '<?xml version="1.0"?>\n<!-- c --><s3:Tagging xmlns:s3="urn:s3"><s3:TagSet>\n <Tag><Key>k&amp;1</Key><Value><![CDATA[<v>]]></Value></Tag>' +
        '<Tag><Key>&#107;2</Key><Value>&#x76;2</Value></Tag><Tag><Key>e</Key><Value/></Tag></s3:TagSet></s3:Tagging>',
    );
    expect(root.name).to.equal('Tagging');
    const tags = childrenNamed(childNamed(root, 'TagSet')!, 'Tag').map((t) => [childText(t, 'Key'), childNamed(t, 'Value')!.text]);
    expect(tags).to.deep.equal([
      ['k&1', '<v>'],
      ['k2', 'v2'],
      ['e', ''],
    ]);
  });

  it('throws XmlParseError for documents that are not well-formed', () => {
    for (const bad of ['', 'text', '<a>', '<a></b>', '<a/><b/>', '<a>&nbsp;</a>', '<a>x & y</a>', '<a><b></a></b>', '<a', '<a><!-- x</a>']) {
      expect(() => parseXml(bad), JSON.stringify(bad)).to.throw(XmlParseError);
    }
  });
});
