import { expect } from 'chai';
import { validateAgainst, errorsToText } from '../../src/schema/ajv.js';
import { loadReportSchema, renderJson } from '../../src/report/json.js';
import { buildReport, collectErrors } from '../../src/run/report.js';
import { failing, finding, report, withStatus } from './sample.js';

describe('report/json', () => {
  it('counts by status, severity, policy and rule', () => {
    const r = report([
      finding({ bucket: 'a', rule: 'r1', policy: 'p1', severity: 'high' }),
      failing('high', { bucket: 'a', rule: 'r2', policy: 'p1' }),
      failing('critical', { bucket: 'b', rule: 'r2', policy: 'p2' }),
      withStatus('error', { bucket: 'b', rule: 'r1', policy: 'p2', severity: 'low' }),
      withStatus('skip', { bucket: 'c', rule: 'r3', policy: 'p2', severity: 'low' }),
      withStatus('excepted', { bucket: 'c', rule: 'r2', policy: 'p2', severity: 'high' }),
    ]);
    const s = r.summary;
    expect(s.total).to.equal(6);
    expect(s.byStatus).to.deep.equal({ pass: 1, fail: 2, error: 1, skip: 1, excepted: 1 });
    expect(s.bySeverity.high).to.deep.equal({ pass: 1, fail: 1, error: 0, skip: 0, excepted: 1 });
    expect(s.bySeverity.critical.fail).to.equal(1);
    expect(s.bySeverity.low).to.deep.equal({ pass: 0, fail: 0, error: 1, skip: 1, excepted: 0 });
    expect(s.bySeverity.info).to.deep.equal({ pass: 0, fail: 0, error: 0, skip: 0, excepted: 0 });
    expect(s.byPolicy.p1).to.deep.equal({ pass: 1, fail: 1, error: 0, skip: 0, excepted: 0 });
    expect(s.byPolicy.p2).to.deep.equal({ pass: 0, fail: 1, error: 1, skip: 1, excepted: 1 });
    expect(s.byRule.r2).to.deep.equal({ pass: 0, fail: 2, error: 0, skip: 0, excepted: 1 });
    expect(Object.keys(s.byRule)).to.deep.equal(['r1', 'r2', 'r3']);
    expect(s.buckets).to.equal(3);
  });

  it('sorts findings by account, bucket, policy, rule whatever the input order', () => {
    const input = [
      finding({ account: '222222222222', bucket: 'a', policy: 'p', rule: 'r1' }),
      finding({ account: '111111111111', bucket: 'b', policy: 'p', rule: 'r1' }),
      finding({ account: '111111111111', bucket: 'a', policy: 'q', rule: 'r1' }),
      finding({ account: '111111111111', bucket: 'a', policy: 'p', rule: 'r2' }),
      finding({ account: '111111111111', bucket: 'a', policy: 'p', rule: 'r1' }),
    ];
    const order = (fs: typeof input) => fs.map((f) => `${f.resource.account}/${f.resource.bucket}/${f.policy}/${f.rule}`);
    const expected = ['111111111111/a/p/r1', '111111111111/a/p/r2', '111111111111/a/q/r1', '111111111111/b/p/r1', '222222222222/a/p/r1'];
    expect(order(report(input).findings)).to.deep.equal(expected);
    expect(order(report([...input].reverse()).findings)).to.deep.equal(expected);
  });

  it('run.complete is true only without error findings and run errors', () => {
    expect(report([finding(), failing('high')]).run.complete).to.equal(true);
    expect(report([finding(), withStatus('error')]).run.complete).to.equal(false);
    expect(report([finding()], [{ operation: 'ListBuckets', code: 'AccessDenied', message: 'x' }]).run.complete).to.equal(false);
  });

  it('adds one errors[] entry per distinct fact error, not one per rule', () => {
    const cause = { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' };
    const findings = [
      withStatus('error', { bucket: 'x', rule: 'r1', cause }),
      withStatus('error', { bucket: 'x', rule: 'r2', cause }),
      withStatus('error', { bucket: 'x', rule: 'r3', policy: 'other', cause }),
      withStatus('error', { bucket: 'y', rule: 'r1', cause }),
    ];
    const errors = collectErrors(findings, [{ account: '111122223333', operation: 'ListBuckets', code: 'SlowDown', message: 'slow' }]);
    expect(errors).to.have.length(3);
    expect(errors.filter((e) => e.bucket === 'x')).to.deep.equal([
      { account: '111122223333', region: 'us-east-1', bucket: 'x', operation: 'GetBucketEncryption', code: 'AccessDenied', message: 'Access Denied' },
    ]);
  });

  it('the gate only counts run errors once (fact errors are already error findings)', () => {
    const r = report([withStatus('error')]);
    expect(r.errors).to.have.length(1);
    expect(r.summary.gate.reason).to.contain('1 error finding, 0 run errors');
  });

  it('dedupes and sorts accounts and regions', () => {
    const r = buildReport({
      toolVersion: '1.0.0',
      run: { id: 'x', start: '2025-01-01T00:00:00.000Z', end: '2025-01-01T00:00:01.000Z', policyFile: 'p', policyFileSha256: 'b'.repeat(64), rulesDirs: [], accounts: ['2', '1', '2'], regions: ['us-west-2', 'eu-west-1', 'us-west-2'] },
      findings: [],
      errors: [],
      gate: { failOn: 'high', allowIncomplete: false },
    });
    expect(r.run.accounts).to.deep.equal(['1', '2']);
    expect(r.run.regions).to.deep.equal(['eu-west-1', 'us-west-2']);
    expect(r.run).to.not.have.property('endpoint');
  });

  describe('schema (src/schema/report.schema.json, shared Ajv instance)', () => {
    const schema = loadReportSchema();

    it('accepts a built report with every status, run errors and an endpoint', () => {
      const r = report(
        [finding(), failing('critical'), withStatus('error'), withStatus('skip'), withStatus('excepted'), failing('low', { exception: { reason: 'old', expires: '2020-01-01', expired: true } })],
        [{ account: '111122223333', region: 'eu-west-1', operation: 'GetBucketLocation', code: 'AccessDenied', message: 'no' }],
      );
      r.run.endpoint = 'http://127.0.0.1:4566';
      const errors = validateAgainst(schema, JSON.parse(renderJson(r)));
      expect(errors, errorsToText(errors)).to.deep.equal([]);
    });

    it('rejects a report missing fields or with wrong values (so the schema is not vacuous)', () => {
      const good = report([finding()]);
      const broken = JSON.parse(renderJson(good)) as Record<string, any>;
      delete broken.run.complete;
      broken.findings[0].status = 'maybe';
      broken.summary.gate.exitCode = 2;
      const errors = validateAgainst(schema, broken);
      const text = errorsToText(errors);
      expect(text).to.contain('/run').and.contain('/findings/0/status').and.contain('/summary/gate/exitCode');
    });

    it('requires a cause on error findings and an exception on excepted ones', () => {
      const r = JSON.parse(renderJson(report([withStatus('error'), withStatus('excepted')]))) as Record<string, any>;
      delete r.findings[0].cause;
      delete r.findings[1].exception;
      const text = errorsToText(validateAgainst(schema, r));
      expect(text).to.contain('/findings/0').and.contain('cause');
      expect(text).to.contain('/findings/1').and.contain('exception');
    });
  });

  it('renders JSON that parses back to the same report', () => {
    const r = report([failing('high')]);
    expect(JSON.parse(renderJson(r))).to.deep.equal(r);
    expect(renderJson(r).endsWith('\n')).to.equal(true);
  });
});
