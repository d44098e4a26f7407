import { expect } from 'chai';
import { STATUSES } from '../../src/domain/finding.js';
import type { AuditReport, ObjectBucketScan } from '../../src/domain/report.js';
import { mdCode, mdFence, mdText } from '../../src/report/escape.js';
import { renderJson } from '../../src/report/json.js';
import { render } from '../../src/report/md.js';
import { fixedReport, makeFinding, objectsReport } from '../helpers/report-fixtures.js';
import { report as sampleReport } from './sample.js';

/** Splits a GFM table row into cells at pipes that are not backslash-escaped. */
function tableCells(line: string): string[] {
  expect(line.startsWith('| ') && line.endsWith(' |'), line).to.equal(true);
  return line.slice(2, -2).split(/(?<!\\) \| /);
}

describe('report/md', () => {
  const report = fixedReport();
  const md = render(report);
  const lines = md.split('\n');

  it('leads with the gate decision and its reason', () => {
    expect(lines.slice(0, 3)).to.deep.equal([
      '## S3 KMS audit: gate FAILED (exit 1)',
      '',
      '4 fail findings at or above high; scan also incomplete (1 error finding, 1 run error)',
    ]);
  });

  it('shows the run line and the totals table', () => {
    expect(md).to.contain('Run `run-2025-06-01` at 2025-06-01T02:00:00.000Z · 2 accounts · 2 regions · 8 buckets · policy file `policies.yaml` (sha256 `c0ffee000000`) · **incomplete** (2 errors)');
    expect(md).to.contain('| total | pass | fail | error | skip | excepted |\n|---:|---:|---:|---:|---:|---:|\n| 12 | 3 | 6 | 1 | 1 | 1 |');
  });

  it('shows the baseline diff counts and the resolved findings', () => {
    expect(md).to.contain('**Since the baseline** (run `run-2025-05-31` at 2025-05-31T02:00:00.000Z): 3 new failures · 2 resolved · 3 still failing · 1 now unknown (error or not seen)');
    expect(md).to.contain('### Resolved since the baseline (2)');
    expect(md).to.contain('| absent | high | s3-bucket-sse-kms | kms-baseline | 111122223333 | prod-gone |');
  });

  it('lists fail and error findings, new ones first, then worst severity first', () => {
    const start = lines.indexOf('### Failing and error findings (7)');
    const table = lines.slice(start + 2, start + 11).filter((l) => l.startsWith('| ')).slice(1);
    expect(table.map((l) => tableCells(l).slice(0, 2).join(' '))).to.deep.equal([
      '**fail (new)** critical',
      '**fail (new)** high',
      '**fail (new)** medium',
      'fail high',
      'fail high',
      'error high',
      'fail low',
    ]);
    expect(table.every((l) => tableCells(l).length === 7)).to.equal(true);
  });

  it('caps the table with "and N more"', () => {
    const capped = render(report, { maxRows: 2 });
    expect(capped).to.contain('… and 5 more (see the HTML, CSV or JSON report).');
    expect(capped.split('\n').filter((l) => l.startsWith('| **fail') || l.startsWith('| fail') || l.startsWith('| error'))).to.have.length(2);
  });

  it('says so when nothing fails, and omits the diff without a baseline', () => {
    const clean = render(sampleReport([makeFinding({ bucket: 'b', rule: 'r', status: 'pass' })]));
    expect(clean).to.contain('## S3 KMS audit: gate PASSED (exit 0)');
    expect(clean).to.contain('No failing or error findings.');
    expect(clean).to.not.contain('baseline');
  });

  it('warns when the baseline used another policy file', () => {
    const other: AuditReport = { ...report, diff: { ...report.diff!, baseline: { ...report.diff!.baseline, samePolicyFile: false } } };
    expect(render(other)).to.contain('> **Note:** the baseline was produced from a different policy file');
  });

  it('clips long messages by code point', () => {
    const long = render(sampleReport([makeFinding({ bucket: 'b', rule: 'r', status: 'fail', message: '🔐'.repeat(400) })]), { maxMessage: 10 });
    expect(long).to.contain(`| ${'🔐'.repeat(9)}… |`);
  });

  describe('escaping', () => {
    it('keeps a table cell one cell: pipes escaped, line breaks as <br>', () => {
      expect(mdText('a | b\nc\r\nd\re')).to.equal('a \\| b<br>c<br>d<br>e');
    });

    it('leaves no markup, raw HTML, link, autolink or mention', () => {
      expect(mdText('<script>alert(1)</script>')).to.equal('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mdText('[x](http://evil) ![i](y) *em* _u_ ~s~ `c` #1 @someone www.example.com mailto:a')).to.equal(
        '\\[x\\](http\\://evil) \\!\\[i\\](y) \\*em\\* \\_u\\_ \\~s\\~ \\`c\\` \\#1 \\@someone www\\.example.com mailto\\:a',
      );
      expect(mdText('a\\b &amp;')).to.equal('a\\\\b &amp;amp;');
    });

    it('shows control and bidi characters instead of passing them on', () => {
      expect(mdText('\u001b[31m \u202e \u0000')).to.equal('\\\\x1b\\[31m \\\\u202e \\\\x00');
    });

    it('code spans and fences outrun any backticks inside', () => {
      expect(mdCode('a`b')).to.equal('``a`b``');
      expect(mdCode('`x`')).to.equal('`` `x` ``');
      expect(mdCode('two\nlines')).to.equal('`two lines`');
      expect(mdFence('x ```` y')).to.equal('`````text\nx ```` y\n`````');
    });
  });
});

describe('report/md: counts agree with the JSON (object outcomes counted, not listed)', () => {
  // Rendered from the JSON report as written, as `s3-kms-audit report` would.
  const report: AuditReport = JSON.parse(renderJson(objectsReport()));
  const lines = render(report).split('\n');
  const numbers = (line: string): number[] => tableCells(line).map((c) => Number(c));

  it('the totals row is summary.total and summary.byStatus', () => {
    const header = lines.indexOf('| total | pass | fail | error | skip | excepted |');
    expect(numbers(lines[header + 2]!)).to.deep.equal([report.summary.total, ...STATUSES.map((s) => report.summary.byStatus[s])]);
  });

  it('says under the totals how many are counted but not listed, and where they are', () => {
    const header = lines.indexOf('| total | pass | fail | error | skip | excepted |');
    const passing = report.summary.byStatus.pass - report.findings.filter((f) => f.status === 'pass').length;
    expect(lines.slice(header + 3, header + 5)).to.deep.equal([
      '',
      `${passing} passing object outcomes and ${report.objects!.findingsOmitted} non-passing object findings (beyond --max-object-findings 2) are counted in these totals but not listed one by one; every object outcome is in \`reports/audit.objects.jsonl\`.`,
    ]);
    expect(render(fixedReport())).to.not.contain('counted in these totals');
  });

  it('has the object scan table with the JSON numbers per scan and their sums', () => {
    const start = lines.indexOf('### Object scans (2)');
    expect(start).to.be.greaterThan(0);
    expect(tableCells(lines[start + 2]!)).to.deep.equal(['bucket', 'mode', 'listed', 'inspected', 'unchanged', 'unreadable', 'deleted meanwhile', 'complete', ...STATUSES]);
    const rows = lines.slice(start + 4, start + 7).map(tableCells);
    const counts = (b: Pick<ObjectBucketScan, 'listed' | 'inspected' | 'skipped' | 'unreadable' | 'vanished' | 'outcomes'>): string[] =>
      [...[b.listed, b.inspected, b.skipped, b.unreadable, b.vanished].map(String), ...STATUSES.map((s) => String(b.outcomes[s]))];
    report.objects!.buckets.forEach((b, i) => {
      const row = rows[i]!;
      expect(row[0]).to.equal(b.bucket);
      expect([...row.slice(2, 7), ...row.slice(8)]).to.deep.equal(counts(b));
    });
    expect(rows[1]!.slice(1, 2)).to.deep.equal(['incremental, prefix data/, versions (state: state file is from another policy file)']);
    expect(rows[1]![7]).to.equal('**no**');
    const sum = rows[2]!;
    expect(sum[0]).to.equal('**all 2 scans**');
    const all = report.objects!.buckets;
    const add = (pick: (b: ObjectBucketScan) => number): string => String(all.reduce((n, b) => n + pick(b), 0));
    expect([...sum.slice(2, 7), ...sum.slice(8)]).to.deep.equal([
      add((b) => b.listed), add((b) => b.inspected), add((b) => b.skipped), add((b) => b.unreadable), add((b) => b.vanished),
      ...STATUSES.map((s) => add((b) => b.outcomes[s])),
    ]);
    expect(sum[7]).to.equal('1 of 2');
  });

  it('caps the scan rows at maxRows, the sum row still counting every scan', () => {
    const capped = render(report, { maxRows: 1 }).split('\n');
    const start = capped.indexOf('### Object scans (2)');
    expect(tableCells(capped[start + 5]!)[0]).to.equal('**all 2 scans**');
    expect(capped).to.include('… and 1 more bucket scan (counted in the last row; see the HTML or JSON report).');
  });

  it('has no object scan table without object policies', () => {
    expect(render(fixedReport())).to.not.contain('Object scans');
  });
});
