/**
 * End to end: one bucket's S3 Inventory report audited in parallel by `scan --shard I/N` (each shard reads
 * its own data files of every in-scope report) and joined by `merge` gives the report of one unsharded
 * scan, apart from the run's id and timing: the object outcomes of every data file once, the bucket
 * findings and the report-level problems (a stale report, a fallback listing) once, from the bucket's owner.
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditReport } from '../../src/domain/report.js';
import { packageRoot } from '../../src/paths.js';
import { dataFileHash } from '../../src/collect/inventory/shard.js';
import { newestInventoryDataFiles } from '../helpers/inventory-reports.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';
import { cleanEnv, runCli, type CliRun } from './run-cli.js';
import { readReport, sortedLines, withoutRunTiming } from '../helpers/report-files.js';

const FIXTURES = resolve(packageRoot(), 'test/fixtures/inventory');
const POLICIES = resolve(FIXTURES, 'sharded.yaml');

/** The run's id and timing: the only fields allowed to differ between a merged and an unsharded report. */
describe('e2e: one bucket\'s inventory report split between shards, merged (slow)', function () {
  this.timeout(180_000);
  const box = useSandbox({ estate: resolve(FIXTURES, 'estate.yaml') });
  let work: string;
  let env: Record<string, string>;
  let unsharded: { run: CliRun; report: AuditReport; dir: string };

  const scan = (cwd: string, out: string, extra: string[]): Promise<CliRun> =>
    runCli(['scan', '--policies', POLICIES, '--endpoint-url', box.sb.endpoint, '--out', out, '--name', 'run', '--format', 'json', '--quiet', ...extra], env, cwd);
  const merge = (cwd: string, parts: string[]): Promise<CliRun> => runCli(['merge', ...parts, '--out', 'reports', '--name', 'run', '--format', 'json', '--quiet'], env, cwd);


  before(async () => {
    work = await mkdtemp(join(tmpdir(), 's3ka-inv-shard-'));
    const prod = accountOf(box.sb, 'prod');
    env = cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey });
    const dir = join(work, 'unsharded');
    await mkdir(dir);
    const run = await scan(dir, 'reports', []);
    unsharded = { run, report: await readReport(join(dir, 'reports/run.json')), dir };
    const inv = (b: string) => unsharded.report.objects!.buckets.find((s) => s.bucket === b)!.inventory!;
    // Reports of several data files, a report-level problem, a fallback listing and bucket findings.
    expect(inv('inv-csv').dataFiles).to.equal(3);
    expect(inv('inv-parquet').dataFiles).to.equal(2);
    expect(inv('inv-stale').problem).to.match(/^InventoryReportStale/);
    expect(inv('inv-none').fallback).to.match(/^NoInventoryConfiguration/);
    expect(unsharded.report.findings.filter((f) => f.resource.type === 'bucket').length).to.be.greaterThan(5);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const n of [1, 3]) {
    it(`N = ${n}: each shard reads only its data files; the merged report equals the unsharded one`, async () => {
      const cwd = join(work, `n${n}`);
      await mkdir(cwd);
      // One shard at a time (a shared 2-core machine); a CI matrix runs them side by side.
      const parts: string[] = [];
      for (let i = 1; i <= n; i++) {
        const r = await scan(cwd, `parts/${i}`, ['--shard', `${i}/${n}`]);
        expect([0, 1, 3], r.stderr).to.include(r.code);
        parts.push(`parts/${i}/run.json`);
      }
      const reports = await Promise.all(parts.map((p) => readReport(join(cwd, p))));
      for (const bucket of ['inv-csv', 'inv-parquet']) {
        const read = reports.map((r) => r.objects!.buckets.find((s) => s.bucket === bucket)!.inventory!);
        // Shard I/N reads exactly the data files whose key hashes to I − 1 (mod N), and says which part it read.
        const keys = await newestInventoryDataFiles(box.sb, read[0]!.destination!);
        expect(keys.length, bucket).to.equal(read[0]!.dataFiles).and.to.be.greaterThan(1);
        read.forEach((info, k) => {
          expect(info.dataFilesRead, `${bucket} shard ${k + 1}/${n}`).to.equal(keys.filter((key) => dataFileHash(key) % n === k).length);
          expect(info.shard, `${bucket} shard ${k + 1}/${n}`).to.deep.equal(n > 1 ? { index: k, count: n } : undefined);
        });
        expect(read.reduce((sum, i) => sum + i.rows, 0), bucket).to.equal(unsharded.report.objects!.buckets.find((s) => s.bucket === bucket)!.inventory!.rows);
      }
      // The stale report and the fallback listing are the bucket owner's: in one part only.
      for (const bucket of ['inv-stale', 'inv-none']) {
        expect(reports.filter((r) => r.objects!.buckets.some((s) => s.bucket === bucket)).length, bucket).to.equal(1);
      }
      const staleErrors = reports.flatMap((r) => r.run.shard!.runErrors.filter((e) => e.bucket === 'inv-stale'));
      expect(staleErrors.map((e) => e.code)).to.deep.equal(['InventoryReportStale']);
      // Bucket findings: each in exactly one part.
      const bucketIds = reports.flatMap((r) => r.findings.filter((f) => f.resource.type === 'bucket').map((f) => f.id));
      expect(new Set(bucketIds).size).to.equal(bucketIds.length);

      const merged = await merge(cwd, [...parts].reverse());
      expect(merged.code, merged.stderr).to.equal(unsharded.run.code);
      const report = await readReport(join(cwd, 'reports/run.json'));
      expect(withoutRunTiming(report)).to.deep.equal(withoutRunTiming(unsharded.report));
      expect(await sortedLines(join(cwd, 'reports/run.objects.jsonl'))).to.deep.equal(await sortedLines(join(unsharded.dir, 'reports/run.objects.jsonl')));
    });
  }
});
