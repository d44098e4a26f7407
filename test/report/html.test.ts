import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { AuditReport } from '../../src/domain/report.js';
import { render } from '../../src/report/html.js';
import { fixedReport, makeFinding } from '../helpers/report-fixtures.js';
import { report as sampleReport } from './sample.js';

const withoutDiff = (r: AuditReport): AuditReport => {
  const { diff: _, ...rest } = r;
  return rest;
};

/** The <tr> of the findings table, as the strings between <tbody> and </tbody>. */
function rows(page: string): string[] {
  const body = page.slice(page.indexOf('<tbody>', page.indexOf('id="findings"')), page.indexOf('</tbody>', page.indexOf('id="findings"')));
  return body.split('\n').filter((l) => l.startsWith('<tr'));
}

describe('report/html', () => {
  const report = fixedReport();
  const page = render(report);

  it('allows exactly its own inline script by hash in a strict CSP meta tag', () => {
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts).to.have.length(1);
    const hash = createHash('sha256').update(scripts[0]![1]!, 'utf8').digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
    expect(csp).to.equal(`default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-${hash}&#39;; img-src data:; base-uri &#39;none&#39;; form-action &#39;none&#39;`);
    // The CSP must come before anything it governs.
    expect(page.indexOf('Content-Security-Policy')).to.be.lessThan(page.indexOf('<style>'));
  });

  it('references nothing outside the file', () => {
    expect(page).to.not.match(/<(script|img|link|iframe|object|embed|source|audio|video)\b[^>]*\b(src|href)=/i);
    expect(page).to.not.match(/url\(|@import/i);
    expect(page).to.not.match(/\bon[a-z]+=/i); // no inline event handlers: CSP would block them anyway
    // The only absolute URL is the SVG namespace identifier, which is never fetched.
    expect([...page.matchAll(/https?:\/\/[^\s"'<)]+/g)].map((m) => m[0])).to.deep.equal(Array(3).fill('http://www.w3.org/2000/svg'));
  });

  it('has the run header: when, accounts, regions, policy file hash, complete or not', () => {
    expect(page).to.contain('<dt>When</dt><dd>2025-06-01T02:00:00.000Z → 2025-06-01T02:00:04.000Z (4.0 s)</dd>');
    expect(page).to.contain('<dt>Accounts</dt><dd>111122223333, 444455556666</dd>');
    expect(page).to.contain('<dt>Regions</dt><dd>eu-west-1, us-east-1</dd>');
    expect(page).to.contain(`<code>${'c0ffee'.padEnd(64, '0')}</code>`);
    expect(page).to.contain('<dt>Complete</dt><dd>no: 2 errors (see Run errors)</dd>');
    expect(page).to.match(/Gate FAILED \(exit 1, fail-on high\)/);
  });

  it('renders one table row per finding with the data the filters and sorting use', () => {
    const trs = rows(page);
    expect(trs).to.have.length(report.findings.length);
    report.findings.forEach((f, i) => {
      expect(trs[i]).to.contain(`data-i="${i}" data-id="${f.id}" data-status="${f.status}"`);
      expect(trs[i]).to.contain(`data-rule="${f.rule}"`);
      expect(trs[i]).to.contain(`data-account="${f.resource.account}"`);
    });
    const object = trs.find((r) => r.includes('exports/2025'))!;
    expect(object).to.contain('data-bucket="prod-data/exports/2025/06/report.csv"');
  });

  it('lets each finding expand to its evidence, cause, exception and the rule text', () => {
    const sse = rows(page).find((r) => r.includes('data-bucket="prod-sse-s3"') && r.includes('data-rule="s3-bucket-sse-kms"'))!;
    expect(sse).to.contain('<details><summary>Bucket prod-sse-s3 (us-east-1) default encryption is AES256; SSE-KMS is required</summary>');
    expect(sse).to.contain('<th><code>bucket.encryption.algorithm</code></th><td><code>&quot;AES256&quot;</code></td>');
    expect(sse).to.contain('<h4>Why it matters</h4><p>New objects must be encrypted');
    expect(sse).to.contain('<h4>How to fix</h4><pre>aws s3api put-bucket-encryption');
    const locked = rows(page).find((r) => r.includes('data-bucket="prod-locked"'))!;
    expect(locked).to.contain('<dt>Cause</dt><dd>AccessDenied on GetBucketEncryption: Access Denied</dd>');
    const logs = rows(page).find((r) => r.includes('data-bucket="prod-logs"') && r.includes('data-status="excepted"'))!;
    expect(logs).to.contain('<dt>Exception</dt><dd>Access log targets only support SSE-S3</dd>');
    const archive = rows(page).find((r) => r.includes('data-bucket="prod-archive"'))!;
    expect(archive).to.contain('<dt>Exception</dt><dd>migration due (expired 2025-05-31)</dd>');
  });

  it('is readable without JavaScript: filters start hidden, sort buttons start disabled, the table is server-rendered', () => {
    expect(page).to.contain('<div id="filters" hidden>');
    expect(page).to.contain('<button type="button" data-sort="statusRank" disabled>Status</button>');
    expect(page.indexOf('<table id="findings">')).to.be.lessThan(page.indexOf('<script>'));
  });

  it('offers filter options for the statuses, severities, rules and accounts present, with counts', () => {
    expect(page).to.contain('<select id="filter-status"><option value="">all</option><option value="pass">pass (3)</option><option value="fail">fail (6)</option><option value="error">error (1)</option><option value="skip">skip (1)</option><option value="excepted">excepted (1)</option></select>');
    expect(page).to.contain('<option value="444455556666">444455556666 (2)</option>');
    expect(page).to.contain('<option value="s3-object-sse-kms">s3-object-sse-kms (1)</option>');
  });

  it('draws the severity and account/region charts, and the trend only with a baseline', () => {
    expect(page).to.contain('<figure id="chart-severity">');
    expect(page).to.contain('<figure id="chart-place">');
    expect(page).to.contain('<figure id="chart-trend">');
    expect(page).to.contain('<title>111122223333 · us-east-1: fail 5</title>');
    expect(render(withoutDiff(report))).to.not.contain('chart-trend');
  });

  it('shows the diff: counts, new and resolved lists, marks in the table', () => {
    expect(page).to.contain('<strong id="diff-counts">3 new failures · 2 resolved · 3 still failing · 1 now unknown (error or not seen)</strong>');
    expect(page).to.contain('<summary>3 new failures</summary>');
    expect(page).to.contain('<summary>2 resolved findings</summary>');
    expect(rows(page).filter((r) => r.includes('<span class="new">NEW</span>'))).to.have.length(3);
    expect(rows(page).filter((r) => r.includes('data-change="resolved"'))).to.have.length(1);
    expect(page).to.not.contain('different policy file');
    const other: AuditReport = { ...report, diff: { ...report.diff!, baseline: { ...report.diff!.baseline, samePolicyFile: false } } };
    expect(render(other)).to.contain('The baseline was produced from a different policy file');
  });

  it('renders a report without rule metadata or findings (an older or empty report)', () => {
    const old = render(sampleReport([makeFinding({ bucket: 'b', rule: 'custom-rule', status: 'fail' })]));
    expect(old).to.contain('data-rule="custom-rule"');
    expect(old).to.not.contain('Why it matters');
    const empty = render(sampleReport([]));
    expect(rows(empty)).to.deep.equal([]);
    expect(empty).to.contain('<h2>Findings (0)</h2>');
  });

  it('escapes values in text and attributes', () => {
    const r = sampleReport([makeFinding({ bucket: 'a"b<c>&d', rule: 'r', status: 'fail', message: '<b>bold</b>' })]);
    const out = render(r);
    expect(out).to.contain('data-bucket="a&quot;b&lt;c&gt;&amp;d"');
    expect(out).to.contain('<summary>&lt;b&gt;bold&lt;/b&gt;</summary>');
    expect(out).to.not.contain('<b>bold');
  });
});
