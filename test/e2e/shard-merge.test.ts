/**
 * End to end: a sharded scan (`scan --shard I/N`, the shards as concurrent processes of the compiled CLI)
 * joined by `merge` gives the report of one unsharded scan of the same estate — apart from the run's id
 * and timing — for N = 1, 3 and 7; parts that are not one complete run are refused with exit 2.
 *
 * The estate is the demo estate, both accounts through --assume-role, with the repository's own
 * policies.yaml (bucket and object policies, error outcomes) and a small --max-object-findings, so the
 * object findings kept are a cut across shards and the counts of the outcomes left out must add up.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditReport } from '../../src/domain/report.js';
import { packageRoot } from '../../src/paths.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';
import { DEV, PROD, cleanEnv, fixture, runCli, type CliRun } from './run-cli.js';
import { readReport, sortedLines, withoutRunTiming } from '../helpers/report-files.js';

const POLICIES = resolve(packageRoot(), 'policies.yaml');
const BOTH_ACCOUNTS = ['--assume-role', `arn:aws:iam::${PROD}:role/S3KmsAuditRole`, '--assume-role', `arn:aws:iam::${DEV}:role/S3KmsAuditRole`];
/** Fewer than the estate's non-passing object outcomes, so each shard's cut and the merged cut matter. */
const CAP = ['--max-object-findings', '5'];

/** The run's id and timing: the only fields allowed to differ between a merged and an unsharded report. */
describe('e2e: sharded scan + merge (slow)', function () {
  this.timeout(300_000);
  const box = useSandbox();
  let work: string;
  let env: Record<string, string>;
  let unsharded: { run: CliRun; report: AuditReport; dir: string };

  /** `scan` in `cwd` with the shared arguments, writing <cwd>/<out>/run.json. */
  const scan = (cwd: string, out: string, extra: string[], policies = POLICIES): Promise<CliRun> =>
    runCli(['scan', '--policies', policies, '--endpoint-url', box.sb.endpoint, ...BOTH_ACCOUNTS, ...CAP, '--out', out, '--name', 'run', '--format', 'json', '--quiet', ...extra], env, cwd);

  /** Shards 1..n of one run as concurrent processes; returns the part paths (relative to cwd). */
  async function shards(cwd: string, n: number, extra: string[] = []): Promise<string[]> {
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => scan(cwd, `parts/${i + 1}`, ['--shard', `${i + 1}/${n}`, ...extra])));
    for (const r of runs) expect([0, 1, 3], r.stderr).to.include(r.code);
    return runs.map((_, i) => `parts/${i + 1}/run.json`);
  }

  const merge = (cwd: string, parts: string[], extra: string[] = []): Promise<CliRun> =>
    runCli(['merge', ...parts, '--out', 'reports', '--name', 'run', '--format', 'json,sarif,junit', '--quiet', ...extra], env, cwd);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 's3ka-shard-'));
    const prod = accountOf(box.sb, 'prod');
    env = cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey });
    const dir = join(work, 'unsharded');
    await mkdir(dir);
    // The same relative --out as the merges, so objects.jsonl (a path under --out) reads the same.
    const run = await scan(dir, 'reports', []);
    unsharded = { run, report: await readReport(join(dir, 'reports/run.json')), dir };
    // The estate has what makes the merge non-trivial: findings of both accounts, error outcomes, object findings cut by the cap.
    expect(unsharded.report.run.accounts).to.deep.equal([PROD, DEV].sort());
    expect(unsharded.report.summary.byStatus.error).to.be.greaterThan(0);
    expect(unsharded.report.objects?.findingsOmitted).to.be.greaterThan(0);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const n of [1, 3, 7]) {
    it(`N = ${n}: the merged report equals the unsharded one (apart from run id and timing), and so does its exit code`, async () => {
      const cwd = join(work, `n${n}`);
      await mkdir(cwd);
      const parts = await shards(cwd, n);
      const partReports = await Promise.all(parts.map((p) => readReport(join(cwd, p))));
      expect(partReports.map((r) => r.run.shard && `${r.run.shard.index}/${r.run.shard.count}`)).to.deep.equal(parts.map((_, i) => `${i + 1}/${n}`));
      // Every bucket finding is in exactly one part.
      const bucketIds = partReports.flatMap((r) => r.findings.filter((f) => f.resource.type === 'bucket').map((f) => f.id));
      expect(new Set(bucketIds).size).to.equal(bucketIds.length);

      // Parts given in any order.
      const merged = await merge(cwd, [...parts].reverse());
      expect(merged.code, merged.stderr).to.equal(unsharded.run.code);
      // Scanned without --run-id: merge cannot tell parts of two runs apart, and says so (one part: one id).
      if (n > 1) expect(merged.stderr).to.contain('warning: the parts have different run ids (scanned without --run-id)');
      else expect(merged.stderr).to.not.contain('different run ids');
      const report = await readReport(join(cwd, 'reports/run.json'));
      expect(report.run.shard).to.equal(undefined);
      expect(withoutRunTiming(report)).to.deep.equal(withoutRunTiming(unsharded.report));
      // The same object outcomes, every one, in the joined JSONL.
      expect(await sortedLines(join(cwd, 'reports/run.objects.jsonl'))).to.deep.equal(await sortedLines(join(unsharded.dir, 'reports/run.objects.jsonl')));
      for (const file of ['run.sarif', 'run.junit.xml']) expect((await readFile(join(cwd, 'reports', file), 'utf8')).length).to.be.greaterThan(0);
    });
  }

  describe('parts that are not one complete run are refused (exit 2, nothing written)', () => {
    let cwd: string;
    let parts: string[];
    before(async () => {
      cwd = join(work, 'refusals');
      await mkdir(cwd);
      parts = await shards(cwd, 3, ['--run-id', 'ci-42']);
    });

    it('the three parts of a --run-id run merge, and the merged report keeps that run id', async () => {
      const merged = await merge(cwd, parts);
      expect(merged.code, merged.stderr).to.equal(unsharded.run.code);
      expect((await readReport(join(cwd, 'reports/run.json'))).run.id).to.equal('ci-42');
      expect(merged.stderr).to.not.contain('different run ids');
    });

    it('a missing shard: the message names it', async () => {
      const run = await merge(cwd, [parts[0]!, parts[2]!], ['--out', 'refused']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('missing shard 2/3');
      expect(existsSync(join(cwd, 'refused')), 'a refused merge writes nothing').to.equal(false);
    });

    it('a duplicated shard: the message names it and both files', async () => {
      const run = await merge(cwd, [parts[0]!, parts[1]!, parts[2]!, parts[2]!], ['--out', 'refused']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain(`duplicate shard: shard 3/3 (${parts[2]}, ${parts[2]})`);
    });

    it('a part scanned with other policies: refused, naming the policy file', async () => {
      const other = await scan(cwd, 'other', ['--shard', '2/3', '--run-id', 'ci-42'], fixture('everything.yaml'));
      expect([0, 1, 3]).to.include(other.code);
      const run = await merge(cwd, [parts[0]!, 'other/run.json', parts[2]!], ['--out', 'refused']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/not of the same run: policy file \(policyFileSha256\) differs: parts\/1\/run\.json has [0-9a-f]{12}…, other\/run\.json has [0-9a-f]{12}…/);
    });

    it('a part of another run (another --run-id): refused, naming the run key', async () => {
      const other = await scan(cwd, 'other-run', ['--shard', '2/3', '--run-id', 'ci-43']);
      expect([0, 1, 3]).to.include(other.code);
      const run = await merge(cwd, [parts[0]!, 'other-run/run.json', parts[2]!], ['--out', 'refused']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('run key');
    });

    it('a report of an unsharded scan is not a part', async () => {
      const run = await merge(cwd, [join(unsharded.dir, 'reports/run.json')], ['--out', 'refused']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('is not the report of a shard');
    });

    it('--shard auto/N reads JOB_COMPLETION_INDEX only, and a bad one is exit 2 before any AWS call', async () => {
      const bad = await runCli(['scan', '--policies', POLICIES, '--endpoint-url', 'http://127.0.0.1:9', '--shard', 'auto/3', '--out', 'refused'], { ...env, JOB_COMPLETION_INDEX: '3' }, cwd);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('JOB_COMPLETION_INDEX="3" is not an index 0..2');
      const auto = await runCli(
        ['scan', '--policies', POLICIES, '--endpoint-url', box.sb.endpoint, ...BOTH_ACCOUNTS, ...CAP, '--shard', 'auto/3', '--out', 'auto', '--name', 'run', '--format', 'json', '-q'],
        { ...env, JOB_COMPLETION_INDEX: '1' },
        cwd,
      );
      expect([0, 1, 3], auto.stderr).to.include(auto.code);
      const shard = (await readReport(join(cwd, 'auto/run.json'))).run.shard;
      expect(shard && [shard.index, shard.count]).to.deep.equal([2, 3]);
    });
  });
});
