import { expect } from 'chai';
import { escapeControl } from '../../src/domain/text.js';
import { DEFAULT_LISTED_FINDINGS, render, renderGateLine, wrap, WIDTH } from '../../src/report/console.js';
import { failing, finding, report, withStatus } from './sample.js';

const ANSI = /\u001b\[[0-9;]*m/;
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('report/console', () => {
  const sample = report(
    [
      finding({ bucket: 'alpha', rule: 's3-bucket-sse-kms' }),
      failing('high', { bucket: 'beta', rule: 's3-bucket-sse-kms', message: 'beta uses AES256, not aws:kms' }),
      failing('medium', { bucket: 'alpha', rule: 's3-bucket-key-rotation', message: 'alpha key rotation is off' }),
      withStatus('error', {
        bucket: 'gamma',
        rule: 's3-bucket-cmk',
        severity: 'critical',
        message: 'gamma: cannot evaluate',
        cause: { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' },
      }),
      failing('high', { bucket: 'beta', rule: 's3-bucket-cmk', message: 'beta is not encrypted with a customer managed key' }),
      withStatus('excepted', { bucket: 'delta', message: 'delta is excepted' }),
    ],
    [{ account: '111122223333', region: 'eu-west-1', operation: 'GetBucketLocation', code: 'SlowDown', message: 'please slow down' }],
  );

  it('groups fail and error findings under their bucket, with account and region', () => {
    const text = render(sample, { color: false });
    const lines = text.split('\n');
    const header = (bucket: string) => lines.findIndex((l) => l.startsWith(`${bucket} · account 111122223333 · us-east-1`));
    const alpha = header('alpha');
    const beta = header('beta');
    const gamma = header('gamma');
    expect([alpha, beta, gamma].every((i) => i > 0), text).to.equal(true);
    expect(alpha).to.be.lessThan(beta);
    expect(beta).to.be.lessThan(gamma);
    // both of beta's failures sit between its header and gamma's
    const betaBlock = lines.slice(beta, gamma).join('\n');
    expect(betaBlock).to.contain('FAIL   high     s3-bucket-sse-kms').and.contain('beta uses AES256');
    expect(betaBlock).to.contain('s3-bucket-cmk').and.contain('customer managed key');
    expect(lines.slice(alpha, beta).join('\n')).to.contain('FAIL   medium').and.not.contain('beta');
    // passing and excepted findings are counted, not listed
    expect(header('delta')).to.equal(-1);
    expect(text).to.not.contain('delta is excepted');
  });

  it('does not repeat a cause the error message already names', () => {
    const r = report([withStatus('error', { message: 'x: GetBucketEncryption failed with AccessDenied: denied' })]);
    expect(render(r, { color: false })).to.not.contain('[AccessDenied');
  });

  it('shows the cause of error findings and run errors not tied to a finding', () => {
    const text = render(sample, { color: false });
    expect(text).to.contain('ERROR  critical s3-bucket-cmk');
    expect(text).to.contain('gamma: cannot evaluate [AccessDenied on GetBucketEncryption: Access Denied]');
    expect(text).to.contain('Run errors (1)').and.contain('SlowDown on GetBucketLocation (account 111122223333, eu-west-1)');
    // the AccessDenied error is under gamma already, so it is not repeated as a run error
    expect(text.match(/AccessDenied on\s+GetBucketEncryption/g)).to.have.length(1);
  });

  it('prints counts by status and by severity', () => {
    const text = render(sample, { color: false });
    expect(text).to.contain('Findings 6: pass 1 · fail 3 · error 1 · skip 0 · excepted 1');
    const highRow = text.split('\n').find((l) => l.trimStart().startsWith('high '));
    expect(highRow?.trim().split(/\s+/)).to.deep.equal(['high', '1', '2', '0', '0', '1']);
  });

  it('ends with the gate line and the report paths', () => {
    const text = render(sample, { color: false, reportPaths: ['reports/x.json'] });
    const lines = text.trimEnd().split('\n');
    const gate = lines.findIndex((l) => l.startsWith('Gate: '));
    expect(lines[gate]).to.match(/^Gate: FAILED \(exit 1, fail-on high\) - 2 fail findings at or above high; scan also/);
    expect(lines[gate + 1]).to.match(/^ {6}\S/); // the long reason wraps under the verdict
    expect(lines.at(-1)).to.equal('Report: reports/x.json');
  });

  it('header says whether the scan is complete', () => {
    expect(render(sample, { color: false }).split('\n')[0]).to.contain('incomplete (2 errors)');
    expect(render(report([finding()]), { color: false }).split('\n')[0]).to.match(/1 bucket · complete$/);
  });

  it('has no ANSI codes without colour, and has them with colour', () => {
    expect(render(sample, { color: false })).to.not.match(ANSI);
    expect(renderGateLine(sample, { color: false })).to.not.match(ANSI);
    expect(render(sample, { color: true })).to.match(ANSI);
    expect(stripAnsi(render(sample, { color: true }))).to.equal(render(sample, { color: false }));
  });

  it('keeps every line within 100 columns, wrapping long messages under the severity column', () => {
    const long = report([
      failing('high', { bucket: 'wrap-me', message: 'word '.repeat(60).trim() + ' ' + 'x'.repeat(150) }),
      failing('low', { bucket: 'wrap-me', rule: 'a-custom-rule-with-an-extremely-long-identifier-that-goes-on-and-on-and-on', policy: 'other', message: 'short' }),
    ]);
    const lines = render(long, { color: false }).split('\n');
    for (const line of lines) expect(line.length, line).to.be.at.most(WIDTH);
    const first = lines.findIndex((l) => l.startsWith('  FAIL   high     s3-bucket-sse-kms'));
    expect(lines[first + 1]).to.match(/^ {9}word word/);
    expect(lines[first + 2]).to.match(/^ {9}\S/);
    const longRule = lines.findIndex((l) => l.includes('a-custom-rule-with'));
    expect(lines[longRule + 1]).to.equal('         (policy other) short');
  });

  it('names the policy when findings come from more than one', () => {
    const two = render(report([failing('high', { policy: 'p1' }), failing('high', { policy: 'p2', rule: 'x' })]), { color: false });
    expect(two).to.contain('s3-bucket-sse-kms (policy p1)').and.contain('x (policy p2)');
    expect(render(report([failing('high', { policy: 'p1' })]), { color: false })).to.not.contain('(policy');
  });

  it('escapes control characters from AWS-sourced strings', () => {
    const evil = report([
      failing('high', {
        bucket: 'evil\u001b[2J\u001b[Hbucket',
        message: 'tag value \u001b]0;pwned\u0007 and \r\nGate: PASSED and \u202egnp.exe',
        cause: { code: 'X', operation: 'Y', message: 'z' },
      }),
    ]);
    const text = render(evil, { color: false });
    expect(text).to.not.match(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(text).to.contain('evil\\x1b[2J\\x1b[Hbucket');
    expect(text).to.contain('\\x1b]0;pwned\\x07').and.contain('\\x0d\\x0aGate: PASSED').and.contain('\\u202egnp.exe');
    // the only lines that start with "Gate:" are the real ones (the decision after the totals and at the end)
    const real = renderGateLine(evil, { color: false }).slice(0, 40);
    const gateLines = text.split('\n').filter((l) => l.startsWith('Gate:'));
    expect(gateLines).to.have.length(2);
    for (const line of gateLines) expect(line.startsWith(real), line).to.equal(true);
  });

  it('escapeControl leaves ordinary text alone', () => {
    expect(escapeControl('prod-logs · ümlaut ✓ tab-free')).to.equal('prod-logs · ümlaut ✓ tab-free');
    expect(escapeControl('a\tb')).to.equal('a\\x09b');
  });

  it('wrap never returns a line longer than the width', () => {
    for (const line of wrap('aaa ' + 'b'.repeat(25) + ' cc', 10)) expect(line.length).to.be.at.most(10);
    expect(wrap('one two three', 7)).to.deep.equal(['one two', 'three']);
    expect(wrap('', 7)).to.deep.equal(['']);
  });

  it('gate line for a passed gate', () => {
    expect(renderGateLine(report([finding()]), { color: false })).to.equal('Gate: PASSED (exit 0, fail-on high) - no fail finding at or above high');
  });
});

describe('report/console ordering within a bucket', () => {
  it('lists the most severe first, fail before error at the same severity', () => {
    const r = report([
      failing('low', { bucket: 'b', rule: 'r-low' }),
      withStatus('error', { bucket: 'b', rule: 'r-high-error', severity: 'high' }),
      failing('critical', { bucket: 'b', rule: 'r-critical' }),
      failing('high', { bucket: 'b', rule: 'r-high-fail' }),
    ]);
    const ruleLines = render(r, { color: false })
      .split('\n')
      .filter((l) => /^ {2}(FAIL|ERROR) /.test(l))
      .map((l) => l.trim().split(/\s+/)[2]);
    expect(ruleLines).to.deep.equal(['r-critical', 'r-high-fail', 'r-high-error', 'r-low']);
  });
});

describe('report/console leads and ends with the decision, and stays short', () => {
  const many = report(
    Array.from({ length: 60 }, (_, i) =>
      failing(i % 3 === 0 ? 'critical' : 'low', { bucket: `bucket-${String(i).padStart(2, '0')}`, rule: `rule-${i % 5}`, message: `finding ${i}` }),
    ),
  );

  it('prints the gate right after the totals and again just before the report paths', () => {
    const lines = render(many, { color: false, reportPaths: ['reports/x.json', 'reports/x.html'] }).trimEnd().split('\n');
    const gates = lines.map((l, i) => (l.startsWith('Gate: ') ? i : -1)).filter((i) => i >= 0);
    expect(gates).to.have.length(2);
    const firstFinding = lines.findIndex((l) => /^ {2}(FAIL|ERROR) /.test(l));
    const severityTable = lines.findIndex((l) => l.trimStart().startsWith('info '));
    expect(gates[0]).to.be.greaterThan(severityTable).and.lessThan(firstFinding);
    expect(lines.slice(gates[1]! + 1)).to.deep.equal(['Report: reports/x.json', 'Report: reports/x.html']);
  });

  it('lists only the most severe findings by default and says where the rest are', () => {
    const text = render(many, { color: false, reportPaths: ['reports/x.json', 'reports/x.html'] });
    const listed = text.split('\n').filter((l) => /^ {2}(FAIL|ERROR) /.test(l));
    expect(listed).to.have.length(DEFAULT_LISTED_FINDINGS);
    // 20 critical findings exist (every third of 60): only critical ones are listed
    expect(listed.every((l) => l.includes('critical')), listed.join('\n')).to.equal(true);
    expect(text).to.contain(`Most severe failing and error findings (${DEFAULT_LISTED_FINDINGS} of 60, by bucket)`);
    expect(text).to.contain(`… ${60 - DEFAULT_LISTED_FINDINGS} more fail or error findings in 60 buckets in all: see reports/x.html (or run with --verbose)`);
  });

  it('points to --verbose when no report file was written', () => {
    expect(render(many, { color: false })).to.contain('run with --verbose to list them');
  });

  it('lists every finding with verbose', () => {
    const text = render(many, { color: false, verbose: true });
    expect(text.split('\n').filter((l) => /^ {2}(FAIL|ERROR) /.test(l))).to.have.length(60);
    expect(text).to.not.contain('more fail or error finding');
  });
});

