import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { STATUSES } from '../../src/domain/finding.js';
import type { AuditReport } from '../../src/domain/report.js';
import { render } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { fixedReport, makeFinding, objectsReport } from '../helpers/report-fixtures.js';
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

/** The text of an HTML fragment as a browser shows it: tags dropped, the renderer's entities decoded. */
const text = (fragment: string): string =>
  fragment.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39|#13);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#13': '\r' })[e]!);

/** The section with this id, from its opening tag to its </section>. */
const section = (page: string, id: string): string => {
  const start = page.indexOf(`<section id="${id}">`);
  return start < 0 ? '' : page.slice(start, page.indexOf('</section>', start) + '</section>'.length);
};

describe('report/html: the bucket × rule matrix', () => {
  const report = fixedReport();
  const page = render(report);
  const matrix = section(page, 'matrix');
  const bucketRows = [...matrix.matchAll(/<tr data-account="[^"]*" data-region="[^"]*" data-bucket="([^"]*)">(.*)<\/tr>/g)];
  const cells = (row: string): string[] => [...row.matchAll(/<td[^>]*>.*?<\/td>|<td><\/td>/g)].map((m) => m[0]);

  it('sits under the totals, before the diff, the charts and the findings table', () => {
    const at = (s: string): number => page.indexOf(s);
    expect(at('<section id="totals">')).to.be.lessThan(at('<section id="matrix">'));
    expect(at('<section id="matrix">')).to.be.lessThan(at('<section id="diff">'));
    expect(at('<section id="diff">')).to.be.lessThan(at('<section id="charts">'));
    expect(at('<section id="charts">')).to.be.lessThan(at('<section id="findings-section">'));
  });

  it('has one row per bucket, grouped by account and region, and one column per bucket rule plus Objects', () => {
    expect(bucketRows.map((m) => m[1])).to.deep.equal(['prod-archive', 'prod-data', 'prod-disabled', 'prod-locked', 'prod-logs', 'prod-sse-s3', 'dev-ok', 'dev-scratch']);
    expect([...matrix.matchAll(/<th scope="rowgroup" colspan="5">([^<]*)</g)].map((m) => m[1]!.trim())).to.deep.equal(['111122223333 · us-east-1', '444455556666 · eu-west-1']);
    const head = [...matrix.matchAll(/<th scope="col"(?: title="([^"]*)")?>/g)].map((m) => m[1] ?? 'Bucket');
    expect(head).to.deep.equal(['Bucket', 's3-bucket-cmk', 's3-bucket-key-usable', 's3-bucket-sse-kms', 'Objects: s3-object-sse-kms']);
    for (const [, , row] of bucketRows) expect(cells(row!)).to.have.length(4);
    expect(matrix).to.contain('<span aria-hidden="true">key-usable</span><span class="vh">s3-bucket-key-usable</span>');
  });

  it('colours each cell by status, with the message in its title and in visually hidden text; empty where no policy applies', () => {
    const sse = cells(bucketRows.find((m) => m[1] === 'prod-sse-s3')![2]!);
    const message = 'Bucket prod-sse-s3 (us-east-1) default encryption is AES256; SSE-KMS is required';
    expect(sse[2]).to.equal(`<td class="m m-fail" title="${message}">fail<span class="vh"> — ${message}</span></td>`);
    expect(sse[1]).to.equal('<td></td>');
    const statuses = bucketRows.flatMap(([, , row]) => cells(row!).map((c) => /class="m m-(\w+)"/.exec(c)?.[1] ?? ''));
    expect(statuses.filter(Boolean).sort()).to.deep.equal(['error', 'excepted', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'pass', 'pass', 'pass', 'skip']);
    // Object findings fold into the Objects column (without an objects section: the listed ones).
    expect(cells(bucketRows.find((m) => m[1] === 'prod-data')![2]!)[3]).to.equal('<td class="m m-fail" title="Listed object findings: 1 fail">1 fail<span class="vh"> — Listed object findings: 1 fail</span></td>');
  });

  it('shows the worst status when several policies apply the same rule to a bucket, with every message', () => {
    const out = render(
      sampleReport([
        makeFinding({ bucket: 'b', rule: 'r', policy: 'p1', status: 'pass', message: 'fine' }),
        makeFinding({ bucket: 'b', rule: 'r', policy: 'p2', status: 'fail', message: 'not fine' }),
        makeFinding({ bucket: 'b', rule: 'r', policy: 'p3', status: 'excepted', message: 'excused' }),
      ]),
    );
    expect(section(out, 'matrix')).to.contain('<td class="m m-fail" title="p1: pass: fine\np2: fail: not fine\np3: excepted: excused">fail<span class="vh"> — p1: pass: fine\np2: fail: not fine\np3: excepted: excused</span></td>');
  });

  it('past maxMatrixRows buckets keeps the failing and error ones and says so', () => {
    const findings = ['a', 'b', 'c', 'd', 'e'].map((bucket) => makeFinding({ bucket, rule: 'r', status: bucket === 'b' ? 'fail' : bucket === 'd' ? 'error' : 'pass' }));
    const small = section(render(sampleReport(findings), { maxMatrixRows: 3 }), 'matrix');
    expect([...small.matchAll(/data-bucket="([^"]*)"/g)].map((m) => m[1])).to.deep.equal(['b', 'd']);
    expect(small).to.contain('<p class="note">5 buckets: only the 2 buckets with a fail or error outcome are shown here; the findings table lists every outcome.</p>');
    const tiny = section(render(sampleReport(findings), { maxMatrixRows: 1 }), 'matrix');
    expect([...tiny.matchAll(/data-bucket="([^"]*)"/g)].map((m) => m[1])).to.deep.equal(['b']);
    expect(tiny).to.contain('Of those, 1 bucket is shown here and 1 is left out; the findings table lists them.');
    expect(section(render(sampleReport(findings)), 'matrix')).to.not.contain('class="note"');
  });

  it('is left out of a report without findings', () => {
    expect(render(sampleReport([]))).to.not.contain('id="matrix"');
  });
});

describe('report/html: counts agree with the JSON (object outcomes counted, not listed)', () => {
  // Rendered from the JSON report as written, as `s3-kms-audit report` would.
  const report: AuditReport = JSON.parse(renderJson(objectsReport()));
  const page = render(report);

  it('the totals cards are summary.total and summary.byStatus', () => {
    const cards = Object.fromEntries([...section(page, 'totals').matchAll(/<span class="n">(\d+)<\/span>([^<]+)<\/div>/g)].map((m) => [m[2], Number(m[1])]));
    expect(cards).to.deep.equal({ findings: report.summary.total, buckets: report.summary.buckets, ...report.summary.byStatus });
  });

  it('says next to the counts how many are counted but not listed, and where they are', () => {
    const listedPass = report.findings.filter((f) => f.status === 'pass').length;
    const passing = report.summary.byStatus.pass - listedPass;
    expect(passing).to.equal(40);
    expect(text(/<p class="note" id="unlisted">(.*?)<\/p>/.exec(page)![1]!)).to.equal(
      `${passing} passing object outcomes and ${report.objects!.findingsOmitted} non-passing object findings (beyond --max-object-findings 2) are counted in these totals but not listed one by one; every object outcome is in reports/audit.objects.jsonl.`,
    );
    expect(render(fixedReport())).to.not.contain('id="unlisted"');
  });

  it('has the object scan table: one row per scan with the JSON numbers, and their sums', () => {
    const scans = section(page, 'object-scans');
    const field = (row: string, name: string): string => text(new RegExp(`<td(?: class="num")? data-field="${name}">(.*?)</td>`).exec(row)![1]!);
    const rows = [...scans.matchAll(/<tr data-account="[^"]*" data-bucket="([^"]*)">(.*?)<\/tr>/g)];
    expect(rows.map((m) => m[1])).to.deep.equal(report.objects!.buckets.map((b) => b.bucket));
    const numeric = ['listed', 'inspected', 'skipped', 'unreadable', 'vanished'] as const;
    report.objects!.buckets.forEach((b, i) => {
      const row = rows[i]![2]!;
      for (const name of numeric) expect(Number(field(row, name)), name).to.equal(b[name]);
      for (const s of STATUSES) expect(Number(field(row, s)), s).to.equal(b.outcomes[s]);
      expect(field(row, 'complete')).to.equal(b.complete ? 'yes' : 'no');
    });
    expect(rows[1]![2]).to.contain('incremental, prefix data/, versions<br><span class="muted">state: state file is from another policy file</span>');
    const foot = /<tfoot>(.*?)<\/tfoot>/.exec(scans)![1]!;
    for (const name of numeric) expect(Number(field(foot, name)), name).to.equal(report.objects!.buckets.reduce((n, b) => n + b[name], 0));
    // The scans' outcomes plus the bucket findings are the summary's counts.
    const bucketOutcomes = report.findings.filter((f) => f.resource.type === 'bucket');
    for (const s of STATUSES) expect(Number(field(foot, s)) + bucketOutcomes.filter((f) => f.status === s).length, s).to.equal(report.summary.byStatus[s]);
    expect(field(foot, 'complete')).to.equal('1 of 2');
    expect(scans).to.contain('<p class="note">3 non-passing object findings beyond --max-object-findings 2 are counted here but not listed in the findings table.</p>');
  });

  it('folds the scans into the matrix Objects column, passes included', () => {
    expect(section(page, 'matrix')).to.contain('<td class="m m-fail" title="Object outcomes: 2 fail · 1 error · 30 pass">2 fail<span class="vh"> — Object outcomes: 2 fail · 1 error · 30 pass</span></td>');
  });

  it('has no object scan section without object policies', () => {
    expect(render(fixedReport())).to.not.contain('id="object-scans"');
  });
});
