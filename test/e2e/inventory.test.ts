/**
 * End to end: mode `inventory` through the compiled CLI against the sandbox, which delivers S3 Inventory reports
 * (CSV.gz, Parquet, hive-only, all versions) into a destination bucket at startup. The same buckets audited in
 * mode full and mode inventory agree object for object wherever a report can decide; where it cannot (the KMS
 * key of an SSE-KMS object not under keyCheck) the outcome is `error`, never `pass`; unusable reports (stale,
 * corrupt, ORC, never delivered, none configured) are errors with their cause, or a listing with fallback: list.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Finding } from '../../src/domain/finding.js';
import { packageRoot } from '../../src/paths.js';
import { useSandbox } from '../helpers/sandbox.js';
import { scanWith, type ScanResult } from './run-cli.js';
import { objectOutcomes } from '../helpers/report-files.js';

const FIXTURES = resolve(packageRoot(), 'test/fixtures/inventory');
const policy = (name: string): string => resolve(FIXTURES, name);

/** finding id → status (ids are account, ARN with version, policy and rule: the same object gets the same id in every mode). */
const statuses = (findings: readonly Finding[]): Map<string, string> => new Map(findings.map((f) => [f.id, `${f.resource.bucket}/${f.resource.key}${f.resource.versionId ? `?${f.resource.versionId}` : ''} ${f.rule} ${f.status}`]));
const KEY_RULES = new Set(['s3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key']);

describe('e2e: objects from S3 Inventory reports (mode inventory)', function () {
  this.timeout(180_000);
  const box = useSandbox({ estate: policy('estate.yaml') });
  let out: string;
  let full: ScanResult;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'e2e-inventory-'));
    full = await scanWith(box.sb, out, policy('full.yaml'), ['--allow-incomplete']);
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('with keyCheck covering every SSE-KMS object, inventory equals full object for object (CSV, Parquet, hive, all versions)', async () => {
    const inv = await scanWith(box.sb, out, policy('inventory-keys.yaml'), ['--allow-incomplete']);
    const a = statuses(await objectOutcomes(full.report));
    const b = statuses(await objectOutcomes(inv.report));
    expect(a.size).to.be.greaterThan(90);
    expect([...b.values()].sort()).to.deep.equal([...a.values()].sort());
    expect([...b.keys()].sort()).to.deep.equal([...a.keys()].sort());
    expect(inv.report.summary.byStatus).to.deep.equal(full.report.summary.byStatus);
    const scans = inv.report.objects!.buckets;
    expect(scans.map((s) => [s.bucket, s.mode, s.inventory?.format, s.inventory?.layout, s.complete])).to.deep.equal([
      ['inv-csv', 'inventory', 'CSV', 'manifest', true],
      ['inv-hive', 'inventory', 'CSV', 'hive', true],
      ['inv-parquet', 'inventory', 'Parquet', 'manifest', true],
      ['inv-versions', 'inventory', 'CSV', 'manifest', true],
    ]);
    const csv = scans[0]!.inventory!;
    // The newest of two reports (6 hours old, not 30), three rows per data file.
    expect(csv.ageHours).to.be.within(5.9, 6.1);
    expect(csv.dataFiles).to.equal(3);
    expect(csv.rows).to.equal(8);
    expect(csv.keyCheck).to.deep.equal({ sample: 100, headed: 5, notDecided: 0 });
    expect(inv.report.objects!.buckets.find((s) => s.bucket === 'inv-parquet')!.inventory!.ageHours).to.be.within(99.9, 100.1);
  });

  it('without keyCheck: no request per object; the key rules of SSE-KMS objects are errors (not evaluated), everything else equals full', async () => {
    const inv = await scanWith(box.sb, out, policy('inventory.yaml'));
    const fullById = statuses(await objectOutcomes(full.report));
    const findings = await objectOutcomes(inv.report);
    expect(findings.length).to.equal(fullById.size);
    let undecided = 0;
    for (const f of findings) {
      const theirs = fullById.get(f.id);
      expect(theirs, f.id).to.not.equal(undefined);
      if (f.status === 'error') {
        undecided++;
        expect(KEY_RULES.has(f.rule), `${f.rule} ${f.resource.key}`).to.equal(true);
        expect(f.cause).to.deep.include({ code: 'KeyNotInInventory', operation: 'S3Inventory' });
      } else {
        expect(`${f.resource.bucket}/${f.resource.key}${f.resource.versionId ? `?${f.resource.versionId}` : ''} ${f.rule} ${f.status}`).to.equal(theirs);
      }
    }
    expect(undecided).to.be.greaterThan(0);
    for (const s of inv.report.objects!.buckets) {
      expect(s.inspected, s.bucket).to.equal(0);
      expect(s.inventory!.keyCheck!.headed).to.equal(0);
    }
    // Errors make the scan incomplete (exit 3 unless a fail outranks them: here SSE-S3 objects fail at high → 1).
    expect(inv.run.code, inv.run.stderr).to.equal(1);
    expect(inv.report.run.complete).to.equal(false);
  });

  it('stale, corrupt, ORC, never-delivered and unconfigured inventories are run errors naming the cause; the scan is incomplete', async () => {
    const r = await scanWith(box.sb, out, policy('unusable.yaml'));
    expect(r.run.code, r.run.stderr).to.equal(3);
    const byBucket = new Map(r.report.errors.filter((e) => e.bucket).map((e) => [e.bucket!, e] as const));
    expect(byBucket.get('inv-stale')).to.deep.include({ code: 'InventoryReportStale' });
    expect(byBucket.get('inv-stale')!.message).to.match(/older than maxAge 8d/);
    expect(byBucket.get('inv-corrupt')).to.deep.include({ code: 'InventoryChecksumMismatch' });
    expect(byBucket.get('inv-corrupt')!.message).to.match(/data file .* has MD5/);
    expect(byBucket.get('inv-corrupt-manifest')).to.deep.include({ code: 'InventoryChecksumMismatch' });
    expect(byBucket.get('inv-corrupt-manifest')!.message).to.match(/manifest\.checksum/);
    expect(byBucket.get('inv-orc')).to.deep.include({ code: 'InventoryFormatUnsupported' });
    expect(byBucket.get('inv-orc')!.message).to.match(/configure .* CSV or Parquet/);
    expect(byBucket.get('inv-missing')).to.deep.include({ code: 'NoInventoryReport' });
    expect(byBucket.get('inv-none')).to.deep.include({ code: 'NoInventoryConfiguration' });
    for (const s of r.report.objects!.buckets) {
      expect(s.complete, s.bucket).to.equal(false);
      expect(s.inventory!.problem, s.bucket).to.be.a('string');
    }
    expect(r.report.objects!.buckets.find((s) => s.bucket === 'inv-stale')!.inventory!.reportDate).to.match(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('fallback: list audits a bucket without a usable report by listing it, and says why', async () => {
    const r = await scanWith(box.sb, out, policy('fallback.yaml'));
    const scans = r.report.objects!.buckets;
    expect(scans.map((s) => [s.bucket, s.complete, s.inspected])).to.deep.equal([
      ['inv-none', true, 1],
      ['inv-stale', true, 1],
    ]);
    expect(scans[0]!.inventory!.fallback).to.match(/^NoInventoryConfiguration/);
    expect(scans[1]!.inventory!.fallback).to.match(/^InventoryReportStale/);
    // Both objects are SSE-S3 (the buckets' default): the listing decided them.
    expect(r.report.summary.byStatus).to.deep.include({ pass: 0, fail: 2, error: 0 });
  });
});
