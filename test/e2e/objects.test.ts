/**
 * End to end: object policies through the compiled CLI (a child process, as a user runs it) against the
 * sandbox over real HTTP. Every object rule and every mode on the demo estate (prod-objects-mixed,
 * dev-generated), HeadObject denied for some keys, incremental runs with objects changed in between by
 * the SDK, state files deleted or corrupted, and the Batch Operations manifest read back.
 */
import { expect } from 'chai';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Finding } from '../../src/domain/finding.js';
import { packageRoot } from '../../src/paths.js';
import { parseCsv } from '../helpers/csv-check.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';
import { DEV, PROD, scanWith, type ScanResult } from './run-cli.js';
import { objectOutcomes } from '../helpers/report-files.js';

const OBJECT_FIXTURES = resolve(packageRoot(), 'test/fixtures/objects');
const policy = (name: string): string => resolve(OBJECT_FIXTURES, name);
const BOTH_ACCOUNTS = ['--assume-role', `arn:aws:iam::${PROD}:role/S3KmsAuditRole`, '--assume-role', `arn:aws:iam::${DEV}:role/S3KmsAuditRole`];

const outcomeLines = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.resource.key} ${f.policy} ${f.rule} ${f.status}`).sort();

/** prod-objects-mixed: each object's outcome for s3-object-sse-kms, -cmk, -allowed-keys [alias/prod-data], -matches-bucket-key. */
const MIXED: Record<string, [string, string, string, string]> = {
  'index.html': ['fail', 'fail', 'fail', 'skip'], // SSE-S3
  'reports/2025/q1.csv': ['pass', 'pass', 'pass', 'pass'], // the bucket default (prod-data)
  'reports/2025/q2.csv': ['pass', 'pass', 'pass', 'pass'],
  'reports/2025/q3.csv': ['pass', 'pass', 'pass', 'pass'], // prod-data without a bucket key
  'uploads/legacy-1.bin': ['fail', 'fail', 'fail', 'skip'],
  'uploads/legacy-2.bin': ['fail', 'fail', 'fail', 'skip'],
  'uploads/managed.json': ['pass', 'fail', 'fail', 'fail'], // aws/s3
  'scratch/tmp-1.txt': ['pass', 'pass', 'fail', 'fail'], // another CMK (alias/scratch)
  'scratch/tmp-2.txt': ['pass', 'pass', 'fail', 'fail'],
  'dsse/ledger.parquet': ['pass', 'pass', 'pass', 'pass'], // DSSE-KMS under prod-data
  'restricted/payroll.csv': ['error', 'error', 'error', 'error'], // HeadObject denied
  'restricted/keys.txt': ['error', 'error', 'error', 'error'],
};
const RULES = ['s3-object-sse-kms', 's3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key'];

describe('e2e: object-level audit (scan with object policies)', function () {
  this.timeout(120_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'e2e-objects-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe('on the demo estate', () => {
    const box = useSandbox();

    it('every object rule on prod-objects-mixed: each object judged on its own encryption; denied objects are errors', async () => {
      const result = await scanWith(box.sb, out, policy('demo-rules.yaml'));
      const { report, run } = result;
      const streamed = await objectOutcomes(result.report);
      expect(streamed).to.have.length(12 * 4);
      const expected = Object.entries(MIXED).flatMap(([key, statuses]) => RULES.map((rule, i) => `${key} mixed-objects ${rule} ${statuses[i]}`));
      expect(outcomeLines(streamed)).to.deep.equal(expected.sort());
      for (const f of streamed.filter((x) => x.status === 'error')) expect(f.cause).to.deep.include({ code: 'AccessDenied', operation: 'HeadObject' });
      // The report lists non-passing object findings and counts every outcome.
      expect(report.findings.every((f) => f.status !== 'pass' && f.status !== 'skip')).to.equal(true);
      expect(report.findings).to.have.length(streamed.filter((f) => ['fail', 'error', 'excepted'].includes(f.status)).length);
      expect(report.summary.total).to.equal(48);
      expect(report.summary.byStatus).to.deep.equal({ pass: 21, fail: 16, error: 8, skip: 3, excepted: 0 });
      expect(report.objects!.buckets).to.have.length(1);
      expect(report.objects!.buckets[0]).to.deep.include({ bucket: 'prod-objects-mixed', mode: 'full', listed: 12, inspected: 10, unreadable: 2, complete: true });
      // Fails at high beat incompleteness: exit 1, with the errors named in the gate's reason.
      expect(run.code, run.stderr).to.equal(1);
      expect(report.summary.gate.reason).to.contain('8 error findings');
      expect(report.run.complete).to.equal(false);
    });

    it('AccessDenied on HeadObject for the only objects in scope: error outcomes with code and operation, exit 3', async () => {
      const { report, run } = await scanWith(box.sb, out, policy('demo-restricted.yaml'));
      expect(run.code, run.stderr).to.equal(3);
      expect(report.findings.map((f) => `${f.resource.key} ${f.rule} ${f.status}`).sort()).to.deep.equal([
        'restricted/keys.txt s3-object-cmk error',
        'restricted/keys.txt s3-object-sse-kms error',
        'restricted/payroll.csv s3-object-cmk error',
        'restricted/payroll.csv s3-object-sse-kms error',
      ]);
      expect(report.errors).to.deep.include({
        account: PROD,
        region: 'us-east-1',
        bucket: 'prod-objects-mixed',
        operation: 'HeadObject',
        code: 'AccessDenied',
        message: report.findings[0]!.cause!.message,
      });
      expect(report.objects!.buckets[0]).to.deep.include({ prefix: 'restricted/', listed: 2, unreadable: 2 });
    });

    it('samples: newest N by LastModified, and seeded random N reproducible from run to run', async () => {
      const first = await scanWith(box.sb, out, policy('demo-sample.yaml'), BOTH_ACCOUNTS);
      const second = await scanWith(box.sb, out, policy('demo-sample.yaml'), BOTH_ACCOUNTS);
      const keysOf = async (r: ScanResult, p: string): Promise<string[]> => (await objectOutcomes(r.report)).filter((f) => f.policy === p).map((f) => f.resource.key!).sort();
      // index.html is the newest (2025-03-01); the rest of the bucket ties at 2025-01-01, broken by key.
      expect(await keysOf(first, 'mixed-newest')).to.deep.equal(['dsse/ledger.parquet', 'index.html', 'reports/2025/q1.csv']);
      const seven = await keysOf(first, 'generated-seed-7');
      expect(seven).to.have.length(25);
      for (const k of seven) expect(k).to.match(/^data\/\d{3}$/);
      expect(await keysOf(second, 'generated-seed-7')).to.deep.equal(seven);
      expect(await keysOf(first, 'generated-seed-8')).to.not.deep.equal(seven);
      const scans = first.report.objects!.buckets.map((b) => `${b.account} ${b.bucket} ${b.policies.join(',')} ${b.listed}/${b.selected}`).sort();
      expect(scans).to.deep.equal([
        `${PROD} prod-objects-mixed mixed-newest 12/3`,
        `${DEV} dev-generated generated-seed-7 500/25`,
        `${DEV} dev-generated generated-seed-8 500/25`,
      ]);
    });

    it('--max-object-findings caps the listed findings; every outcome is still counted and in the JSONL', async () => {
      const capped = await scanWith(box.sb, out, policy('demo-rules.yaml'), ['--max-object-findings', '5']);
      expect(capped.report.findings).to.have.length(5);
      expect(capped.report.objects).to.deep.include({ maxFindings: 5, findingsListed: 5, findingsOmitted: 16 + 8 - 5 });
      expect(capped.report.summary.byStatus).to.deep.equal({ pass: 21, fail: 16, error: 8, skip: 3, excepted: 0 });
      expect(capped.run.code).to.equal(1);
      expect(await objectOutcomes(capped.report)).to.have.length(48);
      // The most severe are kept: high fails first.
      expect(capped.report.findings.every((f) => f.severity === 'high' && f.status === 'fail')).to.equal(true);
      // No error finding is listed, yet the run is incomplete and errors[] names the cause of the unlisted ones.
      expect(capped.report.run.complete).to.equal(false);
      expect(capped.report.errors.map((e) => `${e.bucket} ${e.operation} ${e.code}`)).to.deep.equal(['prod-objects-mixed HeadObject AccessDenied']);
    });
  });

  describe('incremental scans (demo estate; objects changed with the SDK between runs)', () => {
    const box = useSandbox();

    it('inspects only new or changed objects; a deleted or corrupt state means a full scan with the same results', async () => {
      const dir = await mkdtemp(join(out, 'inc-'));
      const stateDir = join(dir, 'state');
      const scan = (file: string): Promise<ScanResult> => scanWith(box.sb, dir, policy(file), ['--state', stateDir], 'dev');
      const scanOf = (r: ScanResult) => r.report.objects!.buckets[0]!;

      const first = await scan('demo-incremental.yaml');
      expect(scanOf(first)).to.deep.include({ listed: 500, inspected: 500, skipped: 0 });
      expect(scanOf(first).state).to.deep.include({ status: 'none' });
      const [stateFile] = await readdir(stateDir);
      expect(stateFile).to.match(new RegExp(`^${DEV}\\.dev-generated\\.[0-9a-f]{16}\\.state\\.gz$`));

      const second = await scan('demo-incremental.yaml');
      expect(scanOf(second)).to.deep.include({ listed: 500, inspected: 0, skipped: 500 });
      expect(scanOf(second).state).to.deep.include({ status: 'used' });
      expect(outcomeLines(await objectOutcomes(second.report))).to.deep.equal(outcomeLines(await objectOutcomes(first.report)));

      // One new object and one overwritten (SSE-S3 → SSE-KMS under the dev CMK).
      const s3 = s3For(box.sb, 'dev');
      await s3.send(new PutObjectCommand({ Bucket: 'dev-generated', Key: 'data/new.bin', Body: 'new', ServerSideEncryption: 'AES256' }));
      const firstSse = (await objectOutcomes(first.report)).filter((f) => f.rule === 's3-object-sse-kms');
      const aes = firstSse.find((f) => f.status === 'fail')!.resource.key!;
      await s3.send(new PutObjectCommand({ Bucket: 'dev-generated', Key: aes, Body: 'now kms', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/dev-us' }));

      const third = await scan('demo-incremental.yaml');
      expect(scanOf(third)).to.deep.include({ listed: 501, inspected: 2, skipped: 499 });
      const full = await scan('demo-full.yaml');
      const fullLines = outcomeLines(await objectOutcomes(full.report));
      expect(outcomeLines(await objectOutcomes(third.report))).to.deep.equal(fullLines);
      expect(fullLines).to.include(`${aes} generated-objects s3-object-sse-kms pass`);
      expect(fullLines).to.include('data/new.bin generated-objects s3-object-sse-kms fail');
      expect(third.report.summary).to.deep.equal({ ...full.report.summary });

      // A deleted state file: a full scan, the same results.
      await rm(join(stateDir, stateFile!));
      const afterDelete = await scan('demo-incremental.yaml');
      expect(scanOf(afterDelete)).to.deep.include({ inspected: 501, skipped: 0 });
      expect(scanOf(afterDelete).state).to.deep.include({ status: 'none' });
      expect(afterDelete.run.stderr).to.contain('note: 444455556666/dev-generated: no state file yet: full scan');
      expect(outcomeLines(await objectOutcomes(afterDelete.report))).to.deep.equal(fullLines);

      // A corrupt one (a byte changed in the middle): a warning, a full scan, the same results.
      const path = join(stateDir, stateFile!);
      const bytes = await readFile(path);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = bytes[middle]! ^ 0xff;
      await writeFile(path, bytes);
      const afterCorrupt = await scan('demo-incremental.yaml');
      expect(scanOf(afterCorrupt)).to.deep.include({ inspected: 501, skipped: 0 });
      expect(scanOf(afterCorrupt).state).to.deep.include({ status: 'invalid' });
      expect(afterCorrupt.run.stderr).to.match(/warning: 444455556666\/dev-generated: state file .*: full scan/);
      expect(outcomeLines(await objectOutcomes(afterCorrupt.report))).to.deep.equal(fullLines);
      // …and it wrote a good state again.
      expect(scanOf(await scan('demo-incremental.yaml'))).to.deep.include({ inspected: 0, skipped: 501 });
    });
  });

  describe('the Batch Operations manifest (test/fixtures/objects/estate.yaml)', () => {
    const box = useSandbox({ estate: resolve(OBJECT_FIXTURES, 'estate.yaml') });

    it('round-trips through an RFC 4180 parser: URL-decoded keys (spaces, commas, quotes, unicode) equal the failing objects', async () => {
      const manifest = join(out, 'failing.csv');
      const result = await scanWith(box.sb, out, policy('special-keys.yaml'), ['--export-manifest', manifest], 'objects');
      const failing = (await objectOutcomes(result.report)).filter((f) => f.status === 'fail');
      const rows = parseCsv(await readFile(manifest, 'utf8'));
      // versions: true in one policy → a VersionId column on every row ("all or none").
      expect(rows.every((r) => r.length === 3)).to.equal(true);
      const decoded = rows.map(([bucket, key, versionId]) => `${bucket} ${decodeURIComponent(key!)} ${versionId}`).sort();
      const expected = [...new Set(failing.map((f) => `${f.resource.bucket} ${f.resource.key} ${f.resource.versionId ?? 'null'}`))].sort();
      expect(decoded).to.deep.equal(expected);
      expect(decoded.filter((d) => d.startsWith('obj-special-keys ')).map((d) => d.split(' ').slice(1, -1).join(' ')).sort()).to.deep.equal(
        ['comma,separated.csv', 'line\nbreak.txt', 'plus+sign & percent%20.txt', 'quote"d "name".txt', 'unicodé/数据/😀.bin', 'with space.txt'].sort(),
      );
      expect(decoded.filter((d) => d.startsWith('obj-versioned '))).to.have.length(1); // a.csv's SSE-S3 version
      expect(result.report.objects!.manifest).to.deep.equal({ path: manifest, objects: rows.length, versionIds: true });
    });
  });
});
