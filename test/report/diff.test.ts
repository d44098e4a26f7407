import { expect } from 'chai';
import type { Status } from '../../src/domain/finding.js';
import type { AuditReport } from '../../src/domain/report.js';
import { diffMarks, diffReports, failingIds, withDiff } from '../../src/report/diff.js';
import { decideGate } from '../../src/engine/gate.js';
import { loadReportSchema } from '../../src/report/json.js';
import { buildReport } from '../../src/run/report.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';
import { fixedBaseline, fixedReport, makeFinding } from '../helpers/report-fixtures.js';

function reportOf(statuses: Record<string, Status>, sha = 'a'.repeat(64), id = 'run'): AuditReport {
  return buildReport({
    toolVersion: '1.0.0',
    run: { id, start: '2025-01-01T00:00:00.000Z', end: '2025-01-01T00:00:01.000Z', policyFile: 'p.yaml', policyFileSha256: sha, rulesDirs: [], accounts: ['111122223333'], regions: ['us-east-1'] },
    findings: Object.entries(statuses).map(([bucket, status]) => makeFinding({ bucket, rule: 'r', status, ...(status === 'error' ? { cause: { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'x' } } : {}), ...(status === 'excepted' ? { exception: { reason: 'ok', expired: false } } : {}) })),
    errors: [],
    gate: { failOn: 'high', allowIncomplete: false },
  });
}

const buckets = (entries: { resource: { bucket: string } }[]): string[] => entries.map((e) => e.resource.bucket);

describe('report/diff', () => {
  it('classifies every transition of a fail by finding id', () => {
    const before = reportOf({ a: 'fail', b: 'fail', c: 'fail', d: 'fail', e: 'fail', f: 'pass', g: 'excepted', gone: 'fail' });
    const after = reportOf({ a: 'fail', b: 'pass', c: 'skip', d: 'excepted', e: 'error', f: 'fail', g: 'fail', h: 'fail' });
    const diff = diffReports(before, after);
    expect(buckets(diff.new)).to.deep.equal(['f', 'g', 'h']);
    expect(diff.new.map((e) => e.before)).to.deep.equal(['pass', 'excepted', 'absent']);
    expect(buckets(diff.resolved)).to.deep.equal(['b', 'c', 'd', 'gone']);
    expect(diff.resolved.map((e) => e.after)).to.deep.equal(['pass', 'skip', 'excepted', 'absent']);
    expect(diff.stillFailing).to.equal(1); // a
    expect(diff.unknown).to.equal(1); // e: an error is never "resolved"
  });

  it('counts an absent failure as resolved only where this run looked', () => {
    const before = reportOf({ a: 'fail', b: 'fail' });
    const scanned = reportOf({ a: 'pass' });
    expect(buckets(diffReports(before, scanned).resolved)).to.deep.equal(['a', 'b']);
    // The account was not scanned this time: absent b is unknown (a is listed, so it is known).
    const otherAccount = { ...scanned, run: { ...scanned.run, accounts: ['999999999999'] } };
    const o = diffReports(before, otherAccount);
    expect([buckets(o.resolved), o.unknown]).to.deep.equal([['a'], 1]);
    // ListBuckets failed for the account: absent buckets are unknown, listed ones still count.
    const listingFailed = { ...scanned, errors: [{ account: '111122223333', operation: 'ListBuckets', code: 'AccessDenied', message: 'x' }] };
    const d = diffReports(before, listingFailed);
    expect([buckets(d.resolved), d.unknown]).to.deep.equal([['a'], 1]);
  });

  it('an absent object failure is resolved only if its bucket was fully evaluated and nothing was left out', () => {
    const objectFail = makeFinding({ bucket: 'data', key: 'logs/a.csv', policy: 'objects', rule: 's3-object-sse-kms', status: 'fail' });
    const before: AuditReport = { ...reportOf({}), findings: [objectFail] };
    const scan = { account: '111122223333', region: 'us-east-1', bucket: 'data', policies: ['objects'], mode: 'full' as const, versions: false, listed: 10, selected: 10, inspected: 10, skipped: 0, vanished: 0, unreadable: 0, outcomes: { pass: 10, fail: 0, error: 0, skip: 0, excepted: 0 }, complete: true };
    const now = (over: object, section: object = {}): AuditReport => ({ ...reportOf({}), objects: { maxFindings: 1000, findingsListed: 0, findingsOmitted: 0, buckets: [{ ...scan, ...over }], ...section } });
    expect(diffReports(before, now({})).resolved.map((e) => e.after)).to.deep.equal(['absent']);
    expect(diffReports(before, reportOf({})).unknown).to.equal(1); // no object scan at all
    expect(diffReports(before, now({ mode: 'sample' })).unknown).to.equal(1);
    expect(diffReports(before, now({ selected: 5 })).unknown).to.equal(1); // --limit
    expect(diffReports(before, now({ complete: false })).unknown).to.equal(1);
    expect(diffReports(before, now({ prefix: 'other/' })).unknown).to.equal(1);
    expect(diffReports(before, now({}, { findingsOmitted: 3 })).unknown).to.equal(1);
  });

  it('records the baseline run, its counts and whether the policy file was the same', () => {
    const before = reportOf({ a: 'fail', b: 'pass' }, 'a'.repeat(64), 'night-1');
    const same = diffReports(before, reportOf({ a: 'pass' }));
    expect(same.baseline).to.deep.equal({
      runId: 'night-1',
      start: '2025-01-01T00:00:00.000Z',
      policyFileSha256: 'a'.repeat(64),
      samePolicyFile: true,
      byStatus: { pass: 1, fail: 1, error: 0, skip: 0, excepted: 0 },
    });
    expect(diffReports(before, reportOf({ a: 'pass' }, 'b'.repeat(64))).baseline.samePolicyFile).to.equal(false);
  });

  it('an identical run has nothing new and nothing resolved', () => {
    const r = fixedBaseline();
    const diff = diffReports(r, r);
    expect(diff.new).to.deep.equal([]);
    expect(diff.resolved).to.deep.equal([]);
    expect(diff.stillFailing).to.equal(r.summary.byStatus.fail);
  });

  it('withDiff adds a schema-valid diff and leaves the rest of the report alone', () => {
    const current = fixedReport();
    const { diff, ...rest } = current;
    expect(diff).to.not.equal(undefined);
    const { diff: _, ...again } = withDiff(current, fixedBaseline());
    expect(again).to.deep.equal(rest);
    const problems = validateAgainst(loadReportSchema(), current);
    expect(problems, errorsToText(problems)).to.deep.equal([]);
  });

  it('marks each finding new, still failing or resolved, and nothing without a diff', () => {
    const report = fixedReport();
    const mark = diffMarks(report);
    const byBucketRule = (bucket: string, rule: string) => mark(report.findings.find((f) => f.resource.bucket === bucket && f.rule === rule)!);
    expect(byBucketRule('prod-disabled', 's3-bucket-key-usable')).to.equal('new');
    expect(byBucketRule('prod-sse-s3', 's3-bucket-sse-kms')).to.equal('still-failing');
    expect(byBucketRule('prod-data', 's3-bucket-sse-kms')).to.equal('resolved');
    expect(byBucketRule('dev-ok', 's3-bucket-sse-kms')).to.equal(undefined);
    const { diff: _, ...plain } = report;
    expect(report.findings.map(diffMarks(plain as AuditReport)).filter(Boolean)).to.deep.equal([]);
  });
});

describe('report/gate with --fail-on-new', () => {
  const baseline = reportOf({ old: 'fail', other: 'pass' });
  const gate = (statuses: Record<string, Status>, allowIncomplete = false) => {
    const current = reportOf(statuses);
    return decideGate(current.findings, [], { failOn: 'high', allowIncomplete, baselineFailing: failingIds(baseline) });
  };

  it('passes with only failures the baseline already had, and says how many', () => {
    const g = gate({ old: 'fail', other: 'pass' });
    expect(g).to.include({ passed: true, exitCode: 0, failOnNew: true });
    expect(g.reason).to.equal('no new fail finding at or above high (1 already failing in the baseline)');
  });

  it('fails on a failure that is new since the baseline', () => {
    const g = gate({ old: 'fail', other: 'fail' });
    expect(g).to.include({ passed: false, exitCode: 1, failOnNew: true });
    expect(g.reason).to.equal('1 new fail finding at or above high (1 already failing in the baseline)');
  });

  it('still exits 3 on an incomplete scan unless --allow-incomplete', () => {
    expect(gate({ old: 'fail', other: 'error' })).to.include({ passed: false, exitCode: 3 });
    expect(gate({ old: 'fail', other: 'error' }, true)).to.include({ passed: true, exitCode: 0 });
  });

  it('without a baseline set the gate is unchanged (no failOnNew field)', () => {
    const g = decideGate(reportOf({ old: 'fail' }).findings, [], { failOn: 'high', allowIncomplete: false });
    expect(g).to.deep.equal({ failOn: 'high', allowIncomplete: false, passed: false, exitCode: 1, reason: '1 fail finding at or above high' });
  });
});
