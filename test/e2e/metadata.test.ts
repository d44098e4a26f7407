/**
 * End to end: the `metadata` object mode (S3 Metadata live inventory table through Athena) against the
 * sandbox, through the compiled CLI, compared object for object with `full` mode (one HeadObject per
 * object) on the same bucket. The sandbox's Athena runs the generated SQL on DuckDB over a table built
 * from the estate's objects, so the agreement is between two independent paths to the same facts.
 */
import { expect } from 'chai';
import { CreateBucketCommand, CreateBucketMetadataConfigurationCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/domain/finding.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';
import { scanWith, type ScanResult } from './run-cli.js';
import { objectOutcomes } from '../helpers/report-files.js';

const BUCKET = 'prod-objects-mixed';
const RESULTS = 'prod-athena-results';

interface GroupEvidence {
  count: number;
  sampleKeys: string[];
}
const groupOf = (f: Finding): GroupEvidence => f.evidence.objects as GroupEvidence;

describe('e2e: metadata object mode agrees with full mode', function () {
  this.timeout(180_000);
  const box = useSandbox();
  let out: string;
  let full: ScanResult;
  let meta: ScanResult;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'e2e-metadata-'));
    const s3 = s3For(box.sb, 'prod');
    await s3.send(new CreateBucketCommand({ Bucket: RESULTS }));
    await s3.send(
      new CreateBucketMetadataConfigurationCommand({
        Bucket: BUCKET,
        MetadataConfiguration: { JournalTableConfiguration: { RecordExpiration: { Expiration: 'ENABLED', Days: 7 } }, InventoryTableConfiguration: { ConfigurationState: 'ENABLED' } },
      }),
    );
    s3.destroy();
    // HeadObject is denied on restricted/* in the demo estate; lifted here so full mode decides every object too.
    box.sb.estate.buckets.get(BUCKET)!.faults = [];
    box.sb.estate.buckets.get('prod-dsse')!.metadata = { inventory: { configurationState: 'ENABLED', tableStatus: 'BACKFILLING' } };
    full = await scanWith(box.sb, out, '../metadata/full.yaml', ['--export-manifest', join(out, 'full-manifest.csv')]);
    meta = await scanWith(box.sb, out, '../metadata/metadata.yaml', ['--export-manifest', join(out, 'meta-manifest.csv')]);
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('gives every object the outcome full mode gives it, rule by rule', async () => {
    const perObject = (await objectOutcomes(full.report)).filter((f) => f.resource.bucket === BUCKET);
    expect(perObject.length).to.equal(12 * 4);
    const groups = (await objectOutcomes(meta.report)).filter((f) => f.resource.bucket === BUCKET);
    for (const f of perObject) {
      const holding = groups.filter((g) => g.rule === f.rule && groupOf(g).sampleKeys.includes(f.resource.key!));
      expect(holding, `${f.resource.key} ${f.rule}`).to.have.length(1);
      expect(holding[0]!.status, `${f.resource.key} ${f.rule}`).to.equal(f.status);
    }
  });

  it('counts objects, not groups: per-bucket outcomes and summary counts equal full mode', () => {
    const scanOf = (r: ScanResult) => r.report.objects!.buckets.find((b) => b.bucket === BUCKET)!;
    expect(scanOf(meta).outcomes).to.deep.equal(scanOf(full).outcomes);
    expect(scanOf(meta).listed).to.equal(12);
    expect(scanOf(meta).inspected).to.equal(0);
    for (const rule of ['s3-object-sse-kms', 's3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key']) {
      expect(meta.report.summary.byRule[rule]!.fail, rule).to.equal(full.report.summary.byRule[rule]!.fail);
      expect(meta.report.summary.byRule[rule]!.pass, rule).to.equal(full.report.summary.byRule[rule]!.pass);
    }
    // Failing objects fail the gate in both modes.
    expect(full.run.code).to.equal(1);
    expect(meta.run.code).to.equal(1);
  });

  it('reports the query: the table, the query ids and the bytes Athena scanned', () => {
    const info = meta.report.objects!.buckets.find((b) => b.bucket === BUCKET)!.metadata!;
    expect(info.table).to.equal(`"s3tablescatalog/aws-s3"."b_${BUCKET}"."inventory"`);
    expect(info.queryExecutionIds).to.have.length(2); // the groups, then the UNLOAD of the failing ones
    expect(info.dataScannedBytes).to.be.greaterThan(0);
    expect(info.groups).to.be.greaterThan(1);
    // One listed finding per group and rule: nothing is "omitted" because a group stands for many objects.
    expect(meta.report.objects!.findingsOmitted).to.equal(0);
  });

  it('a bucket without an ACTIVE live inventory table: error outcomes that say why', () => {
    const cases = { 'prod-cmk-by-id': 'NoMetadataConfiguration', 'prod-dsse': 'InventoryTableNotActive' };
    for (const [bucket, code] of Object.entries(cases)) {
      const errors = meta.report.findings.filter((f) => f.resource.bucket === bucket);
      expect(errors, bucket).to.have.length(4);
      for (const f of errors) {
        expect(f.status).to.equal('error');
        expect(f.cause).to.include({ code, operation: 'GetBucketMetadataConfiguration' });
      }
    }
    expect(meta.report.findings.find((f) => f.resource.bucket === 'prod-dsse')!.cause!.message).to.contain('BACKFILLING');
    expect(meta.report.run.complete).to.equal(false);
  });

  it('--export-manifest: Athena UNLOADs the failing objects to S3, the same objects full mode writes locally', async () => {
    const info = meta.report.objects!.buckets.find((b) => b.bucket === BUCKET)!.metadata!;
    const location = info.manifest!.location;
    expect(location).to.match(new RegExp(`^s3://${RESULTS}/queries/s3-kms-audit-manifests/\\d{8}T\\d{6}Z/111122223333/${BUCKET}/$`));
    const prefix = location.slice(`s3://${RESULTS}/`.length);
    const s3 = s3For(box.sb, 'prod');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: RESULTS, Prefix: prefix }));
    const rows: string[] = [];
    for (const o of listed.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: RESULTS, Key: o.Key! }))).Body!.transformToString();
      rows.push(...body.split('\n').filter((l) => l !== ''));
    }
    s3.destroy();
    const localRows = (await readFile(join(out, 'full-manifest.csv'), 'utf8')).split(/\r?\n/).filter((l) => l !== '');
    const decode = (row: string): string => row.split(',').map(decodeURIComponent).join(',');
    expect(rows.map(decode).sort()).to.deep.equal(localRows.map(decode).sort());
    expect(info.manifest!.objects).to.equal(rows.length);
  });
});
