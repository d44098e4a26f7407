/**
 * End to end: ONE sandbox estate, the same buckets audited by the three ways of knowing an object's
 * encryption — `full` (one HeadObject per object), `inventory` (the buckets' S3 Inventory reports, with and
 * without a keyCheck of the SSE-KMS objects) and `metadata` (the S3 Metadata live inventory tables through
 * Athena, one finding per group). Wherever a mode can decide an object's rule, it decides it as `full`
 * does; where it cannot, the report says so and why, and never says `pass`.
 */
import { expect } from 'chai';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Finding } from '../../src/domain/finding.js';
import { packageRoot } from '../../src/paths.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';
import { scanWith, type ScanResult } from './run-cli.js';
import { objectOutcomes } from '../helpers/report-files.js';

const fixture = (name: string): string => resolve(packageRoot(), 'test/fixtures', name);
/** Buckets with a usable inventory report and an ACTIVE metadata table: every mode can read them. */
const READABLE = ['inv-csv', 'inv-hive', 'inv-parquet', 'inv-versions'];
/** Its inventory report is 240 hours old and it has no metadata configuration: only `full` can decide it. */
const STALE = 'inv-stale';
const KEY_RULES = new Set(['s3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key']);

/** "bucket/key rule" → status, one entry per object and rule (per-object modes). */
function perObject(findings: readonly Finding[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    const at = `${f.resource.bucket}/${f.resource.key} ${f.rule}`;
    expect(out.has(at), `duplicate ${at}`).to.equal(false);
    out.set(at, f);
  }
  return out;
}

interface GroupEvidence {
  count: number;
  sampleKeys: string[];
}

/** Metadata findings are per group: expand each to "bucket/key rule" → status through its sample keys (sampleKeys: 1000 holds all). */
function expandGroups(findings: readonly Finding[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    const group = f.evidence.objects as GroupEvidence | undefined;
    if (!group) continue; // a bucket-level error outcome, not a group
    expect(group.sampleKeys, f.id).to.have.length(group.count);
    for (const key of group.sampleKeys) {
      const at = `${f.resource.bucket}/${key} ${f.rule}`;
      expect(out.has(at), `${at} is in two groups`).to.equal(false);
      out.set(at, f);
    }
  }
  return out;
}

describe('e2e: full, inventory and metadata modes agree on one estate', function () {
  this.timeout(180_000);
  const box = useSandbox({ estate: fixture('inventory/estate.yaml') });
  let out: string;
  let full: Map<string, Finding>;
  let fullRun: ScanResult;
  let invKeys: ScanResult;
  let inv: ScanResult;
  let meta: ScanResult;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'e2e-modes-'));
    const s3 = s3For(box.sb, 'prod');
    await s3.send(new CreateBucketCommand({ Bucket: 'modes-athena-results' }));
    s3.destroy();
    for (const b of READABLE) box.sb.estate.buckets.get(b)!.metadata = { inventory: { configurationState: 'ENABLED', tableStatus: 'ACTIVE' } };
    // One scan at a time: the machine is shared, and each is a child process against the same sandbox.
    fullRun = await scanWith(box.sb, out, fixture('modes/full.yaml'));
    invKeys = await scanWith(box.sb, out, fixture('modes/inventory-keys.yaml'));
    inv = await scanWith(box.sb, out, fixture('modes/inventory.yaml'));
    meta = await scanWith(box.sb, out, fixture('modes/metadata.yaml'));
    full = perObject(await objectOutcomes(fullRun.report));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('full decides every object of every bucket, the stale one included', () => {
    // 8 objects in each of three buckets, 2 current objects in inv-versions, 1 in inv-stale; 4 rules each.
    expect(full.size).to.equal((3 * 8 + 2 + 1) * 4);
    expect([...full.values()].filter((f) => f.status === 'error')).to.deep.equal([]);
    expect(fullRun.report.objects!.buckets.map((s) => [s.bucket, s.mode, s.complete])).to.deep.equal(
      [...READABLE, STALE].sort().map((b) => [b, 'full', true]),
    );
  });

  it('inventory with keyCheck covering every SSE-KMS object: the same outcome as full for every object of a readable bucket', async () => {
    const got = perObject(await objectOutcomes(invKeys.report));
    const expected = new Map([...full].filter(([at]) => !at.startsWith(`${STALE}/`)));
    expect([...got.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [at, f] of expected) {
      expect(got.get(at)!.status, at).to.equal(f.status);
      expect(got.get(at)!.id, at).to.equal(f.id); // same object, same finding id in both modes
    }
    for (const s of invKeys.report.objects!.buckets.filter((b) => b.bucket !== STALE)) {
      expect(s.complete, s.bucket).to.equal(true);
      expect(s.inventory!.keyCheck!.notDecided, s.bucket).to.equal(0);
    }
  });

  it('inventory without keyCheck: every key rule of an SSE-KMS object is an error KeyNotInInventory (never pass); the rest equals full', async () => {
    const got = perObject(await objectOutcomes(inv.report));
    let undecided = 0;
    for (const [at, f] of got) {
      const theirs = full.get(at);
      expect(theirs, at).to.not.equal(undefined);
      if (f.status === 'error') {
        undecided++;
        expect(KEY_RULES.has(f.rule), at).to.equal(true);
        expect(f.cause, at).to.deep.include({ code: 'KeyNotInInventory', operation: 'S3Inventory' });
      } else {
        expect(f.status, at).to.equal(theirs!.status);
      }
    }
    // A key rule that full passes needed the object's key, which no report holds: undecided here, never pass.
    const keyPasses = [...full].filter(([at, f]) => !at.startsWith(`${STALE}/`) && KEY_RULES.has(f.rule) && f.status === 'pass');
    expect(keyPasses.length).to.be.greaterThan(5);
    for (const [at] of keyPasses) expect(got.get(at)!.status, at).to.equal('error');
    expect([...got.values()].filter((f) => KEY_RULES.has(f.rule) && f.status === 'pass')).to.deep.equal([]);
    expect(undecided).to.be.greaterThan(10);
    for (const s of inv.report.objects!.buckets) expect(s.inspected, s.bucket).to.equal(0);
    expect(inv.report.run.complete).to.equal(false);
  });

  it('metadata: each object of a readable bucket is in exactly one group per rule, with the outcome full gives it; counts are object counts', async () => {
    const findings = await objectOutcomes(meta.report);
    const got = expandGroups(findings);
    const expected = new Map([...full].filter(([at]) => !at.startsWith(`${STALE}/`)));
    expect([...got.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [at, f] of expected) expect(got.get(at)!.status, at).to.equal(f.status);
    for (const b of READABLE) {
      const scanOf = (r: ScanResult) => r.report.objects!.buckets.find((s) => s.bucket === b)!;
      expect(scanOf(meta).outcomes, b).to.deep.equal(scanOf(fullRun).outcomes);
      expect(scanOf(meta).metadata!.groups, b).to.be.greaterThan(0);
    }
  });

  it('where a mode cannot read a bucket, the report says why: a stale inventory report, no metadata table', async () => {
    // inventory: a run error naming the report's age, and no outcome at all for its object.
    for (const r of [invKeys, inv]) {
      const scan = r.report.objects!.buckets.find((s) => s.bucket === STALE)!;
      expect(scan.complete).to.equal(false);
      expect(scan.inventory!.problem).to.be.a('string');
      expect(r.report.errors.find((e) => e.bucket === STALE)).to.deep.include({ code: 'InventoryReportStale' });
      expect((await objectOutcomes(r.report)).filter((f) => f.resource.bucket === STALE && f.status !== 'error')).to.deep.equal([]);
    }
    // metadata: an error outcome per rule, with the cause; never a pass.
    const stale = meta.report.findings.filter((f) => f.resource.bucket === STALE);
    expect(stale.map((f) => f.rule).sort()).to.deep.equal(['s3-object-allowed-keys', 's3-object-cmk', 's3-object-matches-bucket-key', 's3-object-sse-kms']);
    for (const f of stale) {
      expect(f.status).to.equal('error');
      expect(f.cause).to.include({ code: 'NoMetadataConfiguration', operation: 'GetBucketMetadataConfiguration' });
    }
    expect(meta.report.run.complete).to.equal(false);
    // full read it: the one object is SSE-S3 (the bucket's default), so it fails the KMS rule.
    expect(full.get(`${STALE}/x.txt s3-object-sse-kms`)!.status).to.equal('fail');
  });
});
