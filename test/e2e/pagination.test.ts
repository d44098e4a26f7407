/**
 * End to end: an estate larger than one ListBuckets page (MaxBuckets 1000, the API maximum the
 * collector asks for) is scanned completely.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { generateEstate } from '../../src/sandbox/estate.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';
import { scanWith } from './run-cli.js';

const BUCKETS = 1_250;

describe('e2e: scan of more buckets than one ListBuckets page', function () {
  this.timeout(120_000);
  const box = useSandbox({ estate: generateEstate({ buckets: BUCKETS, objectsPerBucket: 0, regions: ['us-east-1', 'eu-west-1'], seed: 3 }) });
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3ka-e2e-pages-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('precondition: the first page of 1000 is truncated (a ContinuationToken follows)', async () => {
    const s3 = s3For(box.sb, 0);
    try {
      const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 1000 }));
      expect(page.Buckets).to.have.length(1000);
      expect(page.ContinuationToken).to.be.a('string').and.not.equal('');
    } finally {
      s3.destroy();
    }
  });

  it('reports every bucket, once', async () => {
    const { report, run } = await scanWith(box.sb, out, 'everything.yaml', [], 0);
    expect([0, 1], run.stderr).to.include(run.code);
    const names = report.findings.map((f) => f.resource.bucket);
    expect(names).to.have.length(BUCKETS);
    expect(new Set(names).size).to.equal(BUCKETS);
    const expected = Array.from({ length: BUCKETS }, (_, i) => `bench-3-${String(i).padStart(6, '0')}`);
    expect([...names].sort()).to.deep.equal(expected);
    expect(report.summary.buckets).to.equal(BUCKETS);
    expect(report.run.complete).to.equal(true);
    expect(report.run.regions).to.deep.equal(['eu-west-1', 'us-east-1']);
  });
});
