/**
 * AWS CLI v2 conformance for the sandbox's S3 API: an independent client (botocore's parsers,
 * checksums, pagination and region redirects, none of it written here) drives every S3 operation
 * the sandbox models, and the test checks what the CLI prints. Skipped with a message where
 * /usr/bin/aws is missing or not v2, a failure in CI (see test/helpers/awscli.ts).
 *
 * Not covered here: ListBuckets pagination. The Debian CLI (2.9.19) predates it — its botocore
 * model gives ListBuckets no input at all (no MaxBuckets, ContinuationToken, Prefix or
 * BucketRegion, so neither `--max-buckets` nor `--cli-input-json '{"MaxBuckets":1}'` exists) and
 * no Bucket.BucketRegion in the output. The SDK tests in s3.test.ts cover it, and s3.test.ts reads
 * the CLI's --debug log to check that its bare list-buckets gets no BucketRegion on the wire.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, requireAwsCli, type CliResult } from '../helpers/awscli.js';
import { cliCreds, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const PROD_DATA_ARN = `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`;

describe('sandbox S3 with the AWS CLI v2', function () {
  // Each CLI run starts a Python interpreter (~1 s); the suite runs what it can in parallel.
  this.timeout(120_000);
  const ctx = useSandbox();
  let dir: string;
  let counter = 0;
  const fresh = (tag: string): string => `cli-${tag}-${process.pid}-${++counter}`;

  /** One bucket the tests below share (each uses its own keys or sub-resource), to keep CLI runs few. */
  let shared: string;

  before(async function () {
    requireAwsCli(this);
    dir = mkdtempSync(join(tmpdir(), 's3-kms-audit-cli-'));
    shared = fresh('shared');
    await ok(['s3api', 'create-bucket', '--bucket', shared]);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], region = 'us-east-1', account = 'prod'): Promise<CliResult> => awsCli(ctx.sb.endpoint, cliCreds(ctx.sb, account), region, args);

  /** Runs a command that must succeed and returns its parsed JSON output (undefined when it prints nothing). */
  async function ok<T = Record<string, unknown>>(args: string[], region?: string): Promise<T> {
    const r = await run(args, region);
    expect(r.code, `aws ${args.join(' ')} failed:\n${r.stderr}`).to.equal(0);
    return (r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)) as T;
  }

  /** Runs a high-level `aws s3` command that must succeed; returns what it printed. */
  async function okText(args: string[], region?: string): Promise<string> {
    const r = await run(args, region);
    expect(r.code, `aws ${args.join(' ')} failed:\n${r.stderr}`).to.equal(0);
    return r.stdout;
  }

  /** Runs a command that must fail with this S3 error code in its message. */
  async function fails(args: string[], code: string, region?: string): Promise<CliResult> {
    const r = await run(args, region);
    expect(r.code, `aws ${args.join(' ')} should have failed:\n${r.stdout}`).to.not.equal(0);
    expect(r.stderr).to.contain(code);
    return r;
  }

  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return path;
  };

  it('s3api list-buckets lists the account’s buckets with their owner', async () => {
    const out = await ok<{ Buckets: { Name: string; CreationDate: string }[]; Owner: { ID: string } }>(['s3api', 'list-buckets']);
    const names = out.Buckets.map((b) => b.Name);
    expect(names).to.include.members(['prod-legacy-none', 'prod-sse-s3', 'prod-cmk-by-alias', 'prod-eu-cmk', 'prod-objects-mixed']);
    expect(names.filter((n) => n.startsWith('dev-'))).to.deep.equal([]);
    expect(out.Owner.ID).to.match(/^[0-9a-f]{64}$/);
    expect(Date.parse(out.Buckets[0]!.CreationDate)).to.not.be.NaN;
  });

  it('create-bucket in us-east-1 and in eu-west-1, then get-bucket-location', async () => {
    const us = fresh('us');
    const eu = fresh('eu');
    const [createdUs, createdEu] = await Promise.all([
      ok<{ Location: string }>(['s3api', 'create-bucket', '--bucket', us]),
      ok<{ Location: string }>(['s3api', 'create-bucket', '--bucket', eu, '--create-bucket-configuration', 'LocationConstraint=eu-west-1'], 'eu-west-1'),
    ]);
    expect(createdUs.Location).to.equal(`/${us}`);
    expect(createdEu.Location).to.contain(eu);
    const [locUs, locEu] = await Promise.all([
      ok<{ LocationConstraint: string | null }>(['s3api', 'get-bucket-location', '--bucket', us]),
      ok<{ LocationConstraint: string | null }>(['s3api', 'get-bucket-location', '--bucket', eu]),
    ]);
    expect(locUs.LocationConstraint).to.equal(null);
    expect(locEu.LocationConstraint).to.equal('eu-west-1');
    const wrongRegion = await fails(['s3api', 'create-bucket', '--bucket', fresh('bad'), '--create-bucket-configuration', 'LocationConstraint=us-west-2'], 'IllegalLocationConstraintException', 'eu-west-1');
    expect(wrongRegion.stderr).to.contain('CreateBucket');
  });

  it('put-bucket-encryption (aws:kms, alias, bucket key), get-bucket-encryption, delete-bucket-encryption', async () => {
    const bucket = shared;
    const config = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-data' }, BucketKeyEnabled: true }] };
    expect(await ok(['s3api', 'put-bucket-encryption', '--bucket', bucket, '--server-side-encryption-configuration', JSON.stringify(config)])).to.equal(undefined);
    expect(await ok(['s3api', 'get-bucket-encryption', '--bucket', bucket])).to.deep.equal({ ServerSideEncryptionConfiguration: config });
    expect(await ok(['s3api', 'delete-bucket-encryption', '--bucket', bucket])).to.equal(undefined);
    // DeleteBucketEncryption resets the default to SSE-S3.
    expect(await ok(['s3api', 'get-bucket-encryption', '--bucket', bucket])).to.deep.equal({
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
    });
  });

  it('get-bucket-encryption on a legacy bucket exits non-zero with ServerSideEncryptionConfigurationNotFoundError', async () => {
    const r = await fails(['s3api', 'get-bucket-encryption', '--bucket', 'prod-legacy-none'], 'ServerSideEncryptionConfigurationNotFoundError');
    expect(r.stderr).to.contain('The server side encryption configuration was not found');
    expect(r.stdout).to.equal('');
  });

  it('put-bucket-tagging / get-bucket-tagging and put-bucket-policy / get-bucket-policy', async () => {
    const bucket = shared;
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'DenyHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    await Promise.all([
      fails(['s3api', 'get-bucket-tagging', '--bucket', bucket], 'NoSuchTagSet'),
      fails(['s3api', 'get-bucket-policy', '--bucket', bucket], 'NoSuchBucketPolicy'),
    ]);
    await Promise.all([
      ok(['s3api', 'put-bucket-tagging', '--bucket', bucket, '--tagging', 'TagSet=[{Key=env,Value=prod},{Key=owner,Value=data team}]']),
      ok(['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', JSON.stringify(policy)]),
    ]);
    const [tags, got] = await Promise.all([
      ok<{ TagSet: { Key: string; Value: string }[] }>(['s3api', 'get-bucket-tagging', '--bucket', bucket]),
      ok<{ Policy: string }>(['s3api', 'get-bucket-policy', '--bucket', bucket]),
    ]);
    expect(tags.TagSet).to.deep.equal([
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'data team' },
    ]);
    expect(JSON.parse(got.Policy)).to.deep.equal(policy);
  });

  describe('objects', () => {
    let bucket: string;
    before(() => {
      bucket = shared;
    });

    it('put-object with SSE-KMS by alias, then head-object shows the key ARN and the bucket key', async () => {
      const body = file('report.csv', 'id,amount\n1,100\n');
      const put = await ok<Record<string, unknown>>([
        's3api', 'put-object', '--bucket', bucket, '--key', 'reports/report.csv', '--body', body,
        '--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'alias/prod-data', '--bucket-key-enabled',
      ]);
      expect(put).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true });
      const head = await ok<Record<string, unknown>>(['s3api', 'head-object', '--bucket', bucket, '--key', 'reports/report.csv']);
      expect(head).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, BucketKeyEnabled: true, ContentLength: 16, ETag: put.ETag });
    });

    it('put-object with a disabled key fails with KMS.DisabledException', async () => {
      const body = file('x.txt', 'x');
      const r = await fails(['s3api', 'put-object', '--bucket', bucket, '--key', 'x', '--body', body, '--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'alias/prod-disabled'], 'KMS.DisabledException');
      expect(r.stderr).to.contain('is disabled');
    });

    it('list-objects-v2 with --max-items pages through the keys', async () => {
      for (const name of ['a.txt', 'b.txt', 'c d.txt']) file(`list/${name}`, 'small');
      await okText(['s3', 'cp', join(dir, 'list'), `s3://${bucket}/list/`, '--recursive']);
      const first = await ok<{ Contents: { Key: string }[]; NextToken: string }>(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'list/', '--max-items', '2']);
      expect(first.Contents.map((c) => c.Key)).to.deep.equal(['list/a.txt', 'list/b.txt']);
      expect(first.NextToken).to.be.a('string');
      const rest = await ok<{ Contents: { Key: string }[]; NextToken?: string }>([
        's3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'list/', '--max-items', '2', '--starting-token', first.NextToken,
      ]);
      // The CLI sends encoding-type=url and decodes the keys, so the space comes back intact.
      expect(rest.Contents.map((c) => c.Key)).to.deep.equal(['list/c d.txt']);
      expect(rest.NextToken).to.equal(undefined);
    });

    it('copy-object re-encrypts in place, refuses a copy that changes nothing, and delete-object removes', async () => {
      const body = file('doc.txt', 'document');
      await ok(['s3api', 'put-object', '--bucket', bucket, '--key', 'doc.txt', '--body', body]);
      // Same bucket default, no SSE header, no metadata change: S3 calls this copy illegal.
      await fails(['s3api', 'copy-object', '--bucket', bucket, '--key', 'doc.txt', '--copy-source', `${bucket}/doc.txt`], 'InvalidRequest');
      const copy = await ok<Record<string, unknown> & { CopyObjectResult: { ETag: string } }>([
        's3api', 'copy-object', '--bucket', bucket, '--key', 'doc.txt', '--copy-source', `${bucket}/doc.txt`,
        '--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'alias/prod-data',
      ]);
      expect(copy).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN });
      const head = await ok<Record<string, unknown>>(['s3api', 'head-object', '--bucket', bucket, '--key', 'doc.txt']);
      expect(head).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, ETag: copy.CopyObjectResult.ETag });
      expect(await ok(['s3api', 'delete-object', '--bucket', bucket, '--key', 'doc.txt'])).to.equal(undefined);
      const gone = await run(['s3api', 'head-object', '--bucket', bucket, '--key', 'doc.txt']);
      expect(gone.code).to.not.equal(0);
      expect(gone.stderr).to.contain('404');
    });

    it('aws s3 cp uploads (with --sse aws:kms) and downloads; aws s3 ls lists buckets and keys', async () => {
      const up = file('up load.txt', 'high-level upload\n');
      await okText(['s3', 'cp', up, `s3://${bucket}/hl/up load.txt`, '--sse', 'aws:kms', '--sse-kms-key-id', 'alias/prod-data']);
      const down = join(dir, 'downloaded.txt');
      const [, head, buckets, keys, files] = await Promise.all([
        okText(['s3', 'cp', `s3://${bucket}/hl/up load.txt`, down]),
        ok<Record<string, unknown>>(['s3api', 'head-object', '--bucket', bucket, '--key', 'hl/up load.txt']),
        okText(['s3', 'ls']),
        okText(['s3', 'ls', `s3://${bucket}/`]),
        okText(['s3', 'ls', `s3://${bucket}/hl/`]),
      ]);
      expect(readFileSync(down, 'utf8')).to.equal('high-level upload\n');
      expect(head).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN });
      expect(buckets).to.contain(bucket).and.to.contain('prod-objects-mixed');
      expect(keys).to.match(/PRE hl\//).and.to.match(/PRE list\//);
      expect(files).to.match(/\s18 up load\.txt/);
    });
  });

  it('s3api follows a wrong-region 301 to the bucket’s region via x-amz-bucket-region', async () => {
    // botocore's S3 region redirector reads the header, re-signs for eu-west-1 and retries.
    const enc = await ok<{ ServerSideEncryptionConfiguration: { Rules: { ApplyServerSideEncryptionByDefault: { KMSMasterKeyID: string } }[] } }>(
      ['s3api', 'get-bucket-encryption', '--bucket', 'prod-eu-cmk'],
      'us-east-1',
    );
    expect(enc.ServerSideEncryptionConfiguration.Rules[0]!.ApplyServerSideEncryptionByDefault.KMSMasterKeyID).to.equal('alias/prod-eu');
  });

  it('an AccessDenied fault and another account’s bucket are refused', async () => {
    await Promise.all([
      fails(['s3api', 'get-bucket-encryption', '--bucket', 'prod-access-denied'], 'AccessDenied'),
      run(['s3api', 'get-bucket-encryption', '--bucket', 'dev-sse-s3']).then((r) => {
        expect(r.code).to.not.equal(0);
        expect(r.stderr).to.contain('AccessDenied');
      }),
    ]);
  });

  describe('read-only calls on the demo estate (run in parallel)', () => {
    const runs = new Map<string, Promise<CliResult>>();
    const result = (label: string): Promise<CliResult> => runs.get(label) ?? Promise.reject(new Error(`no CLI run '${label}'`));
    /** The parsed JSON of a run that must have succeeded (undefined when it printed nothing). */
    const parsed = async <T = Record<string, any>>(label: string): Promise<T> => {
      const r = await result(label);
      expect(r.code, `${label} failed:\n${r.stderr}`).to.equal(0);
      return (r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)) as T;
    };
    const failed = async (label: string, code: string): Promise<CliResult> => {
      const r = await result(label);
      expect(r.code, `${label} should have failed:\n${r.stdout}`).to.not.equal(0);
      expect(r.stderr).to.contain(code);
      return r;
    };
    const mixed = 'prod-objects-mixed';
    const bogusSse = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'bogus' } }] };

    before(() => {
      const start: Record<string, () => Promise<CliResult>> = {
        delimiter: () => run(['s3api', 'list-objects-v2', '--bucket', mixed, '--delimiter', '/']),
        'start-after': () => run(['s3api', 'list-objects-v2', '--bucket', mixed, '--prefix', 'reports/2025/', '--start-after', 'reports/2025/q1.csv']),
        'location-eu': () => run(['s3api', 'get-bucket-location', '--bucket', 'prod-legacy-eu']),
        'head-bucket': () => run(['s3api', 'head-bucket', '--bucket', 'prod-sse-s3']),
        'no-tags': () => run(['s3api', 'get-bucket-tagging', '--bucket', 'prod-legacy-eu'], 'eu-west-1'),
        'no-policy': () => run(['s3api', 'get-bucket-policy', '--bucket', 'prod-legacy-eu'], 'eu-west-1'),
        'bogus-sse': () => run(['s3api', 'put-bucket-encryption', '--bucket', 'prod-sse-s3', '--server-side-encryption-configuration', JSON.stringify(bogusSse)]),
        'get-aes': () => run(['s3api', 'get-object', '--bucket', mixed, '--key', 'index.html', join(dir, 'got-index.html')]),
        'get-kms': () => run(['s3api', 'get-object', '--bucket', mixed, '--key', 'reports/2025/q3.csv', join(dir, 'got-q3.csv')]),
      };
      for (const [label, go] of Object.entries(start)) runs.set(label, go());
    });

    it('list-objects-v2 --delimiter / rolls keys up into CommonPrefixes', async () => {
      const out = await parsed<{ Contents: { Key: string }[]; CommonPrefixes: { Prefix: string }[] }>('delimiter');
      expect(out.Contents.map((c) => c.Key)).to.deep.equal(['index.html']);
      expect(out.CommonPrefixes.map((p) => p.Prefix)).to.deep.equal(['dsse/', 'reports/', 'restricted/', 'scratch/', 'uploads/']);
    });

    it('list-objects-v2 --prefix --start-after lists only the keys after it', async () => {
      const out = await parsed<{ Contents: { Key: string; Size: number }[]; StartAfter: string }>('start-after');
      expect(out.Contents.map((c) => [c.Key, c.Size])).to.deep.equal([
        ['reports/2025/q2.csv', 1300],
        ['reports/2025/q3.csv', 1400],
      ]);
    });

    it('get-bucket-location answers the legacy "EU" constraint for prod-legacy-eu', async () => {
      expect(await parsed('location-eu')).to.deep.equal({ LocationConstraint: 'EU' });
    });

    it('head-bucket on an own bucket succeeds (a missing one is a 404: see delete-bucket below)', async () => {
      const r = await result('head-bucket');
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
    });

    it('get-bucket-tagging on an untagged bucket → NoSuchTagSet; get-bucket-policy without one → NoSuchBucketPolicy', async () => {
      const tags = await failed('no-tags', 'NoSuchTagSet');
      expect(tags.stderr).to.contain('The TagSet does not exist');
      const policy = await failed('no-policy', 'NoSuchBucketPolicy');
      expect(policy.stderr).to.contain('GetBucketPolicy');
    });

    it('put-bucket-encryption with SSEAlgorithm "bogus" (botocore does not check enums) → MalformedXML, nothing changed', async () => {
      const r = await failed('bogus-sse', 'MalformedXML');
      expect(r.stderr).to.contain('PutBucketEncryption');
      expect(ctx.sb.estate.buckets.get('prod-sse-s3')!.encryption?.algorithm).to.equal('AES256');
    });

    it('get-object to a file: the body lands in the file and the SSE headers are printed', async () => {
      const aes = await parsed('get-aes');
      expect(aes).to.include({ ServerSideEncryption: 'AES256', ContentLength: 32 });
      expect(aes).to.not.have.property('SSEKMSKeyId');
      expect(readFileSync(join(dir, 'got-index.html'), 'utf8')).to.equal('<html><body>mixed</body></html>\n');
      const kms = await parsed('get-kms');
      expect(kms).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA_ARN, ContentLength: 1400 });
      expect(kms.BucketKeyEnabled ?? false).to.equal(false);
      expect(readFileSync(join(dir, 'got-q3.csv')).length).to.equal(1400);
    });
  });

  it('delete-bucket refuses a non-empty bucket, then deletes an empty one', async () => {
    const bucket = fresh('del');
    await ok(['s3api', 'create-bucket', '--bucket', bucket]);
    await ok(['s3api', 'put-object', '--bucket', bucket, '--key', 'k', '--body', file('k.txt', 'k')]);
    await fails(['s3api', 'delete-bucket', '--bucket', bucket], 'BucketNotEmpty');
    await ok(['s3api', 'delete-object', '--bucket', bucket, '--key', 'k']);
    expect(await ok(['s3api', 'delete-bucket', '--bucket', bucket])).to.equal(undefined);
    const head = await run(['s3api', 'head-bucket', '--bucket', bucket]);
    expect(head.code).to.not.equal(0);
    expect(head.stderr).to.contain('404');
  });
});
