/**
 * Nightly diffs end to end: the compiled CLI scans the demo estate (sandbox, both accounts via
 * AssumeRole), a few buckets are fixed directly with the SDK's PutBucketEncryption, the next scan
 * runs with --baseline, and exactly the remediated findings come out as resolved, in every format.
 * Then --fail-on-new: only old failures → exit 0; a bucket broken since the baseline → exit 1.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AuditReport } from '../../src/domain/report.js';
import { packageRoot } from '../../src/paths.js';
import { loadReportSchema } from '../../src/report/json.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';
import { csvObjects } from '../helpers/csv-check.js';
import { checkJunit, childElements } from '../helpers/junit-check.js';
import { checkSarif } from '../helpers/sarif-check.js';
import { accountOf, s3For, useSandbox } from '../helpers/sandbox.js';
import { cleanEnv, runCli, type CliRun } from './run-cli.js';

const ALL_FORMATS = 'json,console,html,md,junit,sarif,csv';

/** The buckets the "night" fixes, each with a key of its own account and region. */
const FIXES = [
  { bucket: 'prod-sse-s3', account: 'prod', region: 'us-east-1', key: 'alias/prod-data' },
  { bucket: 'prod-legacy-eu', account: 'prod', region: 'eu-west-1', key: 'alias/prod-eu' },
  { bucket: 'dev-sse-s3', account: 'dev', region: 'us-east-1', key: 'alias/dev-us' },
];
const BROKEN = 'prod-cmk-by-alias';
/**
 * The fixes and the break write only the default algorithm and key: whether the bucket blocks SSE-C is
 * neither fixed nor broken by them, so that rule's findings stay as they were (still failing).
 */
const ENCRYPTION_RULES = (f: { rule: string }): boolean => f.rule !== 's3-bucket-sse-c-blocked';

function putEncryption(s3: S3Client, bucket: string, rule: { SSEAlgorithm: 'aws:kms' | 'AES256'; KMSMasterKeyID?: string }) {
  return s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: rule, BucketKeyEnabled: rule.SSEAlgorithm === 'aws:kms' }] },
    }),
  );
}

describe('e2e: nightly diff across a remediation (demo estate)', function () {
  this.timeout(120_000);
  const box = useSandbox();
  let out: string;

  async function scan(name: string, extra: string[] = []): Promise<{ run: CliRun; report: AuditReport; read: (ext: string) => Promise<string> }> {
    const prod = accountOf(box.sb, 'prod');
    const run = await runCli(
      [
        'scan', '--policies', resolve(packageRoot(), 'policies.yaml'), '--endpoint-url', box.sb.endpoint, '--region', 'us-east-1',
        ...box.sb.accounts.flatMap((a) => ['--assume-role', `arn:aws:iam::${a.id}:role/S3KmsAuditRole`]),
        '--out', out, '--name', name, '--format', ALL_FORMATS, ...extra,
      ],
      cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey }),
    );
    const read = (ext: string) => readFile(join(out, `${name}.${ext}`), 'utf8');
    let report: AuditReport;
    try {
      report = JSON.parse(await read('json')) as AuditReport;
    } catch {
      throw new Error(`scan ${name} wrote no report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
    const problems = validateAgainst(loadReportSchema(), report);
    expect(problems, errorsToText(problems)).to.deep.equal([]);
    return { run, report, read };
  }

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3ka-diff-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  let night1: AuditReport;

  it('the second scan shows exactly the remediated findings as resolved, nothing new, in every format', async () => {
    night1 = (await scan('night1')).report;
    const fixedBuckets = FIXES.map((f) => f.bucket);
    const wasFailing = night1.findings.filter((f) => f.status === 'fail' && fixedBuckets.includes(f.resource.bucket) && ENCRYPTION_RULES(f));
    expect(new Set(wasFailing.map((f) => f.resource.bucket))).to.deep.equal(new Set(fixedBuckets));

    for (const fix of FIXES) await putEncryption(s3For(box.sb, fix.account, fix.region), fix.bucket, { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: fix.key });

    const { run, report, read } = await scan('night2', ['--baseline', join(out, 'night1.json')]);
    expect(run.code, run.stderr).to.equal(1); // the estate still has old high failures
    const diff = report.diff!;
    // Exactly the findings of the fixed buckets that now pass — and every one of them does.
    const nowPassing = report.findings.filter((f) => f.status === 'pass' && fixedBuckets.includes(f.resource.bucket)).map((f) => f.id);
    expect(wasFailing.map((f) => f.id).every((id) => nowPassing.includes(id))).to.equal(true);
    expect(diff.resolved.map((e) => e.id).sort()).to.deep.equal(wasFailing.map((f) => f.id).sort());
    expect(diff.resolved.every((e) => e.before === 'fail' && e.after === 'pass')).to.equal(true);
    expect(diff.new).to.deep.equal([]);
    expect(diff.unknown).to.equal(0);
    const stillFailing = night1.summary.byStatus.fail - wasFailing.length;
    expect(diff.stillFailing).to.equal(stillFailing);
    expect(report.summary.byStatus.fail).to.equal(stillFailing);
    expect(diff.baseline).to.include({ runId: night1.run.id, samePolicyFile: true });
    expect(run.stderr).to.not.contain('warning');

    const resolved = wasFailing.length;
    const counts = `0 new failures · ${resolved} resolved · ${stillFailing} still failing`;
    expect(run.stdout).to.contain(`Since the baseline (run ${night1.run.id} at ${night1.run.start}): ${counts}`);
    expect(await read('md')).to.contain(`): ${counts}`);
    expect(await read('html')).to.contain(`<strong id="diff-counts">${counts}</strong>`);

    const junit = checkJunit(await read('junit.xml'));
    expect(junit.problems).to.deep.equal([]);
    const sum = (name: string) =>
      childElements(junit.root!, 'testsuite')
        .flatMap((s) => childElements(childElements(s, 'properties')[0]!, 'property'))
        .filter((p) => p.attrs.name === name)
        .reduce((n, p) => n + Number(p.attrs.value), 0);
    expect([sum('baseline.new'), sum('baseline.resolved'), sum('baseline.stillFailing')]).to.deep.equal([0, resolved, stillFailing]);

    const sarif = JSON.parse(await read('sarif'));
    expect(checkSarif(sarif)).to.deep.equal([]);
    expect(sarif.runs[0].properties.diff).to.deep.include({ new: 0, resolved, stillFailing, resolvedIds: diff.resolved.map((e) => e.id) });

    const { rows } = csvObjects(await read('csv'));
    const marks = (m: string) => rows.filter((r) => r.baseline === m).length;
    expect([marks('new'), marks('resolved'), marks('still-failing')]).to.deep.equal([0, resolved, stillFailing]);
  });

  it('--fail-on-new passes with only the baseline\'s failures, and fails once a bucket breaks', async () => {
    const baseline = join(out, 'night1.json');
    const old = await scan('night3', ['--baseline', baseline, '--fail-on-new', '--allow-incomplete']);
    expect(old.run.code, old.run.stdout).to.equal(0);
    expect(old.report.summary.gate).to.include({ passed: true, exitCode: 0, failOnNew: true });
    expect(old.report.summary.gate.reason).to.match(/^no new fail finding at or above high \(\d+ already failing in the baseline\)/);

    // Incomplete still exits 3 without --allow-incomplete (the demo estate has an AccessDenied bucket).
    const incomplete = await scan('night3b', ['--baseline', baseline, '--fail-on-new']);
    expect(incomplete.run.code).to.equal(3);

    await putEncryption(s3For(box.sb, 'prod', 'us-east-1'), BROKEN, { SSEAlgorithm: 'AES256' });
    const broken = await scan('night4', ['--baseline', baseline, '--fail-on-new', '--allow-incomplete']);
    expect(broken.run.code, broken.run.stdout).to.equal(1);
    const fresh = broken.report.diff!.new;
    expect(fresh.length).to.be.greaterThan(0);
    expect(new Set(fresh.map((e) => e.resource.bucket))).to.deep.equal(new Set([BROKEN]));
    expect(fresh.map((e) => e.id).sort()).to.deep.equal(
      broken.report.findings.filter((f) => f.resource.bucket === BROKEN && f.status === 'fail' && ENCRYPTION_RULES(f)).map((f) => f.id).sort(),
    );
    expect(broken.report.summary.gate.reason).to.match(/^\d+ new fail findings? at or above high/);
    expect(await broken.read('md')).to.contain('**fail (new)**');
  });

  it('a baseline from another policy file is still compared, with a warning', async () => {
    const prod = accountOf(box.sb, 'prod');
    const name = 'other-policy';
    const run = await runCli(
      ['scan', '--policies', resolve(packageRoot(), 'test/fixtures/e2e/everything.yaml'), '--endpoint-url', box.sb.endpoint, '--out', out, '--name', name, '--format', 'json', '--baseline', join(out, 'night1.json')],
      cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey }),
    );
    expect(run.stderr).to.match(/warning: the baseline \(run [^)]+\) was produced from a different policy file/);
    const report = JSON.parse(await readFile(join(out, `${name}.json`), 'utf8')) as AuditReport;
    expect(report.diff!.baseline.samePolicyFile).to.equal(false);
    expect(report.diff!.baseline.runId).to.equal(night1.run.id);
  });
});
