/**
 * AWS CLI v2 conformance for the sandbox's S3 Inventory configuration API: put, get, list (with pagination) and
 * delete through botocore's own serializers and parsers, then the report the sandbox delivers read back with
 * `s3api get-object` and checked against its manifest (manifest.checksum, each data file's MD5).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { deliverInventoryReport } from '../../src/sandbox/server.js';
import { awsCli, requireAwsCli, type CliResult } from '../helpers/awscli.js';
import { cliCreds, useSandbox } from '../helpers/sandbox.js';

describe('sandbox S3 Inventory with the AWS CLI v2', function () {
  this.timeout(120_000);
  const ctx = useSandbox();
  let dir: string;
  const source = `cli-inv-src-${process.pid}`;
  const dest = `cli-inv-dest-${process.pid}`;

  const run = (args: string[]): Promise<CliResult> => awsCli(ctx.sb.endpoint, cliCreds(ctx.sb, 'prod'), 'us-east-1', args);
  async function ok<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await run(args);
    expect(r.code, `aws ${args.join(' ')} failed:\n${r.stderr}`).to.equal(0);
    return (r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)) as T;
  }
  const config = (id: string, format = 'CSV') => ({
    Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${dest}`, Format: format, Prefix: 'inv' } },
    IsEnabled: true,
    Id: id,
    IncludedObjectVersions: 'Current',
    OptionalFields: ['Size', 'EncryptionStatus', 'BucketKeyStatus'],
    Schedule: { Frequency: 'Daily' },
  });

  before(async function () {
    requireAwsCli(this);
    dir = mkdtempSync(join(tmpdir(), 's3-kms-audit-cli-inv-'));
    await ok(['s3api', 'create-bucket', '--bucket', source]);
    await ok(['s3api', 'create-bucket', '--bucket', dest]);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('put-, get-, list- and delete-bucket-inventory-configuration round-trip; a missing id is NoSuchConfiguration', async () => {
    await ok(['s3api', 'put-bucket-inventory-configuration', '--bucket', source, '--id', 'daily', '--inventory-configuration', JSON.stringify(config('daily'))]);
    const got = await ok<{ InventoryConfiguration: unknown }>(['s3api', 'get-bucket-inventory-configuration', '--bucket', source, '--id', 'daily']);
    expect(got.InventoryConfiguration).to.deep.equal(config('daily'));
    const listed = await ok<{ InventoryConfigurationList: { Id: string }[]; IsTruncated: boolean }>(['s3api', 'list-bucket-inventory-configurations', '--bucket', source]);
    expect(listed.IsTruncated).to.equal(false);
    expect(listed.InventoryConfigurationList.map((c) => c.Id)).to.deep.equal(['daily']);
    const mismatch = await run(['s3api', 'put-bucket-inventory-configuration', '--bucket', source, '--id', 'other', '--inventory-configuration', JSON.stringify(config('daily'))]);
    expect(mismatch.code).to.not.equal(0);
    expect(mismatch.stderr).to.contain('InvalidArgument');
    await ok(['s3api', 'delete-bucket-inventory-configuration', '--bucket', source, '--id', 'daily']);
    const gone = await run(['s3api', 'get-bucket-inventory-configuration', '--bucket', source, '--id', 'daily']);
    expect(gone.code).to.not.equal(0);
    expect(gone.stderr).to.contain('NoSuchConfiguration');
  });

  it('lists more than a page (100) with continuation tokens', async () => {
    const bucket = `${source}-many`;
    await ok(['s3api', 'create-bucket', '--bucket', bucket]);
    // Through the estate directly: 105 CLI runs would take minutes.
    const b = ctx.sb.estate.buckets.get(bucket)!;
    b.inventory = new Map();
    for (let i = 0; i < 105; i++) {
      const id = `c${String(i).padStart(3, '0')}`;
      b.inventory.set(id, { id, enabled: true, destinationBucketArn: `arn:aws:s3:::${dest}`, format: 'CSV', includedVersions: 'Current', optionalFields: [], frequency: 'Daily' });
    }
    const first = await ok<{ InventoryConfigurationList: { Id: string }[]; IsTruncated: boolean; NextContinuationToken: string }>(['s3api', 'list-bucket-inventory-configurations', '--bucket', bucket]);
    expect(first.InventoryConfigurationList).to.have.length(100);
    expect(first.IsTruncated).to.equal(true);
    const second = await ok<{ InventoryConfigurationList: { Id: string }[]; IsTruncated: boolean }>(['s3api', 'list-bucket-inventory-configurations', '--bucket', bucket, '--continuation-token', first.NextContinuationToken]);
    expect(second.InventoryConfigurationList.map((c) => c.Id)).to.deep.equal(['c100', 'c101', 'c102', 'c103', 'c104']);
    expect(second.IsTruncated).to.equal(false);
  });

  it('a delivered report reads back with get-object: manifest.checksum is the MD5 of manifest.json, each data file matches its MD5checksum', async () => {
    await ok(['s3api', 'put-bucket-inventory-configuration', '--bucket', source, '--id', 'report', '--inventory-configuration', JSON.stringify(config('report'))]);
    await ok(['s3api', 'put-object', '--bucket', source, '--key', 'a b.txt', '--server-side-encryption', 'AES256']);
    const delivered = await deliverInventoryReport(ctx.sb.estate, source, 'report', { at: new Date('2026-11-30T01:02:03Z') });
    expect(delivered.manifestKey).to.equal(`inv/${source}/report/2026-11-30T01-02Z/manifest.json`);
    expect(delivered.symlinkKey).to.equal(`inv/${source}/report/hive/dt=2026-11-30-01-02/symlink.txt`);
    const fetch = async (key: string): Promise<Buffer> => {
      const file = join(dir, createHash('md5').update(key).digest('hex'));
      await ok(['s3api', 'get-object', '--bucket', dest, '--key', key, file]);
      return readFileSync(file);
    };
    const manifest = await fetch(delivered.manifestKey);
    const checksum = (await fetch(delivered.manifestKey.replace(/manifest\.json$/, 'manifest.checksum'))).toString('utf8');
    expect(checksum).to.equal(createHash('md5').update(manifest).digest('hex'));
    const doc = JSON.parse(manifest.toString('utf8')) as { fileFormat: string; fileSchema: string; files: { key: string; MD5checksum: string }[] };
    expect(doc.fileFormat).to.equal('CSV');
    expect(doc.fileSchema).to.equal('Bucket, Key, Size, EncryptionStatus, BucketKeyStatus');
    const data = await fetch(doc.files[0]!.key);
    expect(createHash('md5').update(data).digest('hex')).to.equal(doc.files[0]!.MD5checksum);
    expect(gunzipSync(data).toString('utf8')).to.equal(`"${source}","a%20b.txt","0","SSE-S3","DISABLED"\n`);
    const symlink = (await fetch(delivered.symlinkKey)).toString('utf8');
    expect(symlink).to.equal(`s3://${dest}/${doc.files[0]!.key}\n`);
  });
});
