/**
 * The HTML report in a real browser: Debian's chromium (/usr/bin/chromium) driven by playwright-core.
 * The report is a real scan of the demo estate (in-process sandbox, real SDK over HTTP) diffed
 * against an earlier scan with one bucket remediated in between, plus the hostile report.
 *
 * Checks: no console errors (a CSP violation would be one), no request but the file itself, every
 * finding in the table, filters narrow it to exactly the expected rows, sorting orders it, the page
 * works without JavaScript, hostile values stay text, and a screenshot lands in reports/ for people.
 * Chromium's DOMParser doubles as an independent strict XML parser for the JUnit output.
 *
 * Without /usr/bin/chromium the suite is skipped with a message, except in CI (CI=true), where that
 * is a failure: .ci/run installs the Debian package.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadAuditConfig, runAudit } from '../../src/run/audit.js';
import type { AuditReport } from '../../src/domain/report.js';
import { packageRoot } from '../../src/paths.js';
import { withDiff } from '../../src/report/diff.js';
import { revealControls } from '../../src/report/escape.js';
import { render as renderHtml } from '../../src/report/html.js';
import { render as renderJunit } from '../../src/report/junit.js';
import { hostileReport } from '../helpers/report-fixtures.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = resolve(packageRoot(), 'reports/html-report.png');
const FIXED_BUCKET = 'prod-sse-s3';

interface Loaded {
  page: Page;
  consoleProblems: string[];
  requests: string[];
  dialogs: string[];
  url: string;
}

describe('browser: the HTML report in chromium', function () {
  this.timeout(60_000);
  const box = useSandbox();
  let browser: Browser | undefined;
  let dir: string;
  let report: AuditReport;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install the Debian chromium package (.ci/run)`);
      console.log(`      (skipped: ${CHROMIUM} is not installed; apt-get install chromium to run these tests)`);
      this.skip();
    }
    // As main.ts does for the CLI: the SDK's notice about future Node versions is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    dir = await mkdtemp(join(tmpdir(), 's3ka-browser-'));
    // A nightly pair: scan, remediate one bucket with the SDK, scan again, diff.
    const config = loadAuditConfig(resolve(packageRoot(), 'policies.yaml'));
    const prod = box.sb.accounts.find((a) => a.name === 'prod')!;
    const audit = () =>
      runAudit(config, {
        aws: {
          endpoint: box.sb.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey },
          assumeRoles: box.sb.accounts.map((a) => `arn:aws:iam::${a.id}:role/S3KmsAuditRole`),
          maxAttempts: 2,
        },
        concurrency: 8,
        gate: { failOn: 'high', allowIncomplete: false },
      });
    const before = await audit();
    await s3For(box.sb, 'prod').send(
      new PutBucketEncryptionCommand({
        Bucket: FIXED_BUCKET,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-data' }, BucketKeyEnabled: true }] },
      }),
    );
    report = withDiff(await audit(), before);
    expect(report.diff!.resolved.length).to.be.greaterThan(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(html: string, name: string, context?: BrowserContext): Promise<Loaded> {
    const path = join(dir, `${name}.html`);
    await writeFile(path, html, 'utf8');
    const url = pathToFileURL(path).href;
    const page = await (context ?? browser!).newPage({ viewport: { width: 1400, height: 1800 } });
    const loaded: Loaded = { page, consoleProblems: [], requests: [], dialogs: [], url };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') loaded.consoleProblems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => loaded.consoleProblems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => loaded.requests.push(r.url()));
    page.on('dialog', (d) => {
      loaded.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });
    return loaded;
  }

  const visibleRows = (page: Page) =>
    page.$$eval('#findings > tbody > tr', (trs) => trs.filter((tr) => !(tr as HTMLElement).hidden).map((tr) => ({ ...(tr as HTMLElement).dataset })));

  it('loads with no console error, no request but the file, and every finding in the table', async () => {
    const { page, consoleProblems, requests, url } = await open(renderHtml(report), 'demo');
    expect(consoleProblems).to.deep.equal([]);
    expect(requests).to.deep.equal([url]);
    const rows = await visibleRows(page);
    expect(rows.map((r) => r.id)).to.deep.equal(report.findings.map((f) => f.id));
    expect(await page.textContent('#shown-count')).to.equal(`${report.findings.length} of ${report.findings.length} findings shown`);
    expect(await page.isVisible('#filters')).to.equal(true);
    expect(await page.textContent('#diff-counts')).to.contain('resolved');
    await page.close();
  });

  it('opens with the bucket × rule matrix: a row per bucket, a cell per rule, fail cells with their message on hover and for screen readers', async () => {
    const { page, consoleProblems, requests, url } = await open(renderHtml(report), 'matrix');
    expect(await page.isVisible('#bucket-matrix')).to.equal(true);
    // Under the totals, above the charts and the findings table.
    const top = (selector: string) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().top);
    expect(await top('#totals')).to.be.lessThan(await top('#bucket-matrix'));
    expect(await top('#bucket-matrix')).to.be.lessThan(await top('#charts'));
    const bucketFindings = report.findings.filter((f) => f.resource.type === 'bucket');
    const buckets = new Set([...report.findings.map((f) => `${f.resource.account}/${f.resource.bucket}`), ...(report.objects?.buckets ?? []).map((b) => `${b.account}/${b.bucket}`)]);
    const rules = new Set(bucketFindings.map((f) => f.rule));
    const rows = page.locator('#bucket-matrix tbody tr[data-bucket]');
    expect(await rows.count()).to.equal(buckets.size);
    const places = new Set([...buckets].map((b) => report.findings.find((f) => `${f.resource.account}/${f.resource.bucket}` === b)?.resource.region ?? report.objects!.buckets.find((s) => `${s.account}/${s.bucket}` === b)!.region));
    expect(await page.locator('#bucket-matrix tbody tr.group').count()).to.be.at.least(places.size);
    const objectsColumn = report.objects ? 1 : 0;
    for (const n of await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells.length))) expect(n).to.equal(1 + rules.size + objectsColumn);
    // Every bucket outcome is in a cell: the filled cells carry as many messages as there are outcomes.
    const filled = await page.locator('#bucket-matrix td.m').count();
    expect(filled).to.equal(new Set(bucketFindings.map((f) => `${f.resource.account}/${f.resource.bucket}/${f.rule}`)).size + (report.objects?.buckets.length ?? 0));

    const failing = bucketFindings.find((f) => f.status === 'fail' && f.rule === 's3-bucket-sse-kms' && !bucketFindings.some((g) => g !== f && g.resource.bucket === f.resource.bucket && g.rule === f.rule))!;
    const column = [...rules].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).indexOf(failing.rule) + 1;
    const cell = page.locator(`#bucket-matrix tr[data-bucket="${failing.resource.bucket}"] > :nth-child(${column + 1})`);
    expect(await cell.getAttribute('class')).to.equal('m m-fail');
    expect(await cell.getAttribute('title')).to.equal(failing.message);
    expect(await cell.isVisible()).to.equal(true);
    // The accessible name a screen reader announces holds the status and the message.
    expect(await page.getByRole('cell', { name: `fail — ${failing.message}`, exact: true }).count()).to.be.at.least(1);
    expect(await cell.locator('.vh').evaluate((e) => e.getBoundingClientRect().width)).to.be.at.most(1);

    // The account and bucket filters of the findings table narrow the matrix too.
    await page.selectOption('#filter-account', '444455556666');
    const shown = await page.locator('#bucket-matrix tbody tr[data-bucket]:not([hidden])').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.account));
    expect(shown.length).to.equal([...buckets].filter((b) => b.startsWith('444455556666/')).length);
    expect(new Set(shown)).to.deep.equal(new Set(['444455556666']));
    await page.click('#filter-reset');
    expect(await page.locator('#bucket-matrix tbody tr[data-bucket]:not([hidden])').count()).to.equal(buckets.size);

    // The object scan table has the JSON's numbers.
    if (report.objects) {
      const listed = await page.locator('#object-scan-table tfoot td[data-field="listed"]').textContent();
      expect(Number(listed)).to.equal(report.objects.buckets.reduce((n, b) => n + b.listed, 0));
      expect(await page.locator('#object-scan-table tbody tr').count()).to.equal(report.objects.buckets.length);
    }
    expect(consoleProblems).to.deep.equal([]);
    expect(requests).to.deep.equal([url]);
    await page.close();
  });

  it('filters narrow the table to exactly the expected rows, and reset restores it', async () => {
    const { page, consoleProblems } = await open(renderHtml(report), 'filters');
    await page.selectOption('#filter-status', 'fail');
    const fails = report.findings.filter((f) => f.status === 'fail');
    expect((await visibleRows(page)).map((r) => r.id)).to.deep.equal(fails.map((f) => f.id));
    expect(await page.textContent('#shown-count')).to.equal(`${fails.length} of ${report.findings.length} findings shown`);

    await page.fill('#filter-bucket', 'PROD-LEGACY');
    const legacyFails = fails.filter((f) => f.resource.bucket.includes('prod-legacy'));
    expect(legacyFails.length).to.be.greaterThan(0);
    expect((await visibleRows(page)).map((r) => r.id)).to.deep.equal(legacyFails.map((f) => f.id));

    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-account', '444455556666');
    await page.fill('#filter-bucket', '');
    expect((await visibleRows(page)).map((r) => r.id)).to.deep.equal(report.findings.filter((f) => f.resource.account === '444455556666').map((f) => f.id));

    await page.selectOption('#filter-severity', 'critical');
    await page.selectOption('#filter-rule', 's3-bucket-key-usable');
    expect((await visibleRows(page)).map((r) => r.id)).to.deep.equal(
      report.findings.filter((f) => f.resource.account === '444455556666' && f.severity === 'critical' && f.rule === 's3-bucket-key-usable').map((f) => f.id),
    );

    await page.click('#filter-reset');
    expect(await visibleRows(page)).to.have.length(report.findings.length);
    expect(consoleProblems).to.deep.equal([]);
    await page.close();
  });

  it('sorting by a column orders the rows, and a second click reverses it', async () => {
    const { page } = await open(renderHtml(report), 'sort');
    await page.click('th button[data-sort="severityRank"]');
    const ranks = (await visibleRows(page)).map((r) => Number(r.severityRank));
    expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
    expect(ranks[0]).to.equal(0); // critical first
    expect(await page.getAttribute('th:has(button[data-sort="severityRank"])', 'aria-sort')).to.equal('ascending');
    await page.click('th button[data-sort="severityRank"]');
    const reversed = (await visibleRows(page)).map((r) => Number(r.severityRank));
    expect(reversed).to.deep.equal([...reversed].sort((a, b) => b - a));

    await page.click('th button[data-sort="bucket"]');
    const buckets = (await visibleRows(page)).map((r) => r.bucket!);
    expect(buckets).to.deep.equal([...buckets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // Sorting and filtering compose: the filter still applies to the re-ordered rows.
    await page.selectOption('#filter-status', 'error');
    expect((await visibleRows(page)).every((r) => r.status === 'error')).to.equal(true);
    await page.close();
  });

  it('a finding expands to its evidence and the rule fix; a screenshot is written to reports/', async () => {
    const { page } = await open(renderHtml(report), 'details');
    await page.selectOption('#filter-status', 'fail');
    await page.click('th button[data-sort="severityRank"]');
    const row = page.locator('#findings > tbody > tr[data-bucket="prod-legacy-none"][data-rule="s3-bucket-sse-kms"]');
    await row.locator('summary').click();
    expect(await row.locator('details').evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(true);
    expect(await row.locator('table.evidence').isVisible()).to.equal(true);
    expect(await row.locator('pre').textContent()).to.contain('put-bucket-encryption');
    // The picture people look at: header, gate, totals and the bucket × rule matrix, then the charts.
    const first = page.locator('#findings > tbody > tr:not([hidden])').first();
    await first.locator('summary').click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await mkdir(resolve(packageRoot(), 'reports'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(existsSync(SCREENSHOT)).to.equal(true);
    console.log(`      screenshot: ${SCREENSHOT}`);
    await page.close();
  });

  it('is readable without JavaScript: every row shown, details open, filters stay hidden', async () => {
    const context = await browser!.newContext({ javaScriptEnabled: false });
    const { page, requests, url } = await open(renderHtml(report), 'nojs', context);
    expect(await visibleRows(page)).to.have.length(report.findings.length);
    expect(await page.isVisible('#filters')).to.equal(false);
    expect(await page.isVisible('#bucket-matrix')).to.equal(true);
    expect(await page.locator('#bucket-matrix td.m-fail').count()).to.be.greaterThan(0);
    const first = page.locator('#findings > tbody > tr').first();
    await first.locator('summary').click();
    expect(await first.locator('details').evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(true);
    expect(requests).to.deep.equal([url]);
    await context.close();
  });

  it('hostile values stay text: no dialog, no error, no request, exact cell text', async () => {
    const hostile = hostileReport();
    const { page, consoleProblems, requests, dialogs, url } = await open(renderHtml(hostile), 'hostile');
    expect(dialogs).to.deep.equal([]);
    expect(consoleProblems).to.deep.equal([]);
    expect(requests).to.deep.equal([url]);
    expect(await page.$$eval('script', (s) => s.length)).to.equal(1);
    expect(await page.$$eval('img, iframe, object, embed', (s) => s.length)).to.equal(0);
    const cells = await page.$$eval('#findings tbody td.bucket', (tds) => tds.map((td) => td.textContent));
    expect(cells).to.deep.equal(hostile.findings.map((f) => revealControls(`${f.resource.bucket}${f.resource.key !== undefined ? `/${f.resource.key}` : ''}`)));
    // The text filter matches hostile text literally.
    await page.fill('#filter-bucket', '<script>');
    expect((await visibleRows(page)).map((r) => r.id)).to.deep.equal(hostile.findings.filter((f) => `${f.resource.bucket}/${f.resource.key ?? ''}`.includes('<script>')).map((f) => f.id));
    await page.close();
  });

  it("chromium's strict XML parser accepts the JUnit output, hostile values included", async () => {
    const page = await browser!.newPage();
    for (const r of [report, hostileReport()]) {
      const xml = renderJunit(r);
      const result = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        const error = doc.getElementsByTagName('parsererror')[0];
        return { error: error ? error.textContent : null, cases: doc.getElementsByTagName('testcase').length };
      }, xml);
      expect(result.error).to.equal(null);
      expect(result.cases).to.equal(r.findings.length);
    }
    await page.close();
  });
});
