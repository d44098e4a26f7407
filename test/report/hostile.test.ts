/**
 * Hostile values through EVERY format: bucket names, keys, regions, tag values, key aliases, error
 * messages, exception reasons, rule texts and run metadata carrying <script>, "]]>, formulas,
 * newlines, CR, tabs, pipes, backticks, bidi overrides, emoji, ESC and NUL. Each output must parse
 * with an independent reader and give the values back (escaped for display where the format is for
 * display), and nothing may turn into markup, a formula or a terminal escape.
 */
import { expect } from 'chai';
import type { AuditReport, ObjectBucketScan } from '../../src/domain/report.js';
import { render as renderConsole } from '../../src/report/console.js';
import { render as renderCsv } from '../../src/report/csv.js';
import { revealControls } from '../../src/report/escape.js';
import { render as renderHtml } from '../../src/report/html.js';
import { loadReportSchema, renderJson } from '../../src/report/json.js';
import { render as renderJunit } from '../../src/report/junit.js';
import { render as renderMd } from '../../src/report/md.js';
import { render as renderSarif } from '../../src/report/sarif.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';
import { csvObjects } from '../helpers/csv-check.js';
import { checkJunit } from '../helpers/junit-check.js';
import { HOSTILE, HOSTILE_ALL, hostileReport, makeFinding, PROD } from '../helpers/report-fixtures.js';
import { checkSarif } from '../helpers/sarif-check.js';
import { report as sampleReport } from './sample.js';

/** What a spreadsheet may evaluate: a leading control, or a formula character (ASCII or full-width) after whitespace. */
const FORMULA_LIKE = /^(?:[\t\r\n\u0000]|[\s\u0000]*[=+\-@＝＋－＠])/;

/**
 * Characters no display format may pass through raw: C0 controls (but tab and LF), DEL, C1, bidi
 * controls, the noncharacters U+FFFE/U+FFFF and lone surrogates.
 */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Decodes the five HTML entities the renderer may produce (and nothing else: a stray one would show). */
const decodeHtml = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39|#13);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#13': '\r' })[e]!);

/** GFM's table-row split: a backslash protects the next character, every other `|` separates cells. */
function gfmCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length - 1; i++) {
    if (line[i] === '\\') {
      cell += line[i]! + (line[i + 1] ?? '');
      i += 1;
    } else if (line[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += line[i];
  }
  cells.push(cell.trim());
  return cells;
}

describe('hostile values through every format', () => {
  const report: AuditReport = hostileReport();

  it('the hostile report is itself a valid JSON report (so `s3-kms-audit report` would accept it)', () => {
    const problems = validateAgainst(loadReportSchema(), JSON.parse(renderJson(report)));
    expect(problems, errorsToText(problems)).to.deep.equal([]);
  });

  it('json: parses back to exactly the same values', () => {
    // JSON is data: values stay exact (JSON.stringify escapes C0 controls and lone surrogates itself).
    expect(JSON.parse(renderJson(report))).to.deep.equal(JSON.parse(JSON.stringify(report)));
    expect(renderJson(report)).to.not.match(/[\u0000-\u0009\u000b-\u001f]/);
  });

  describe('html', () => {
    const page = renderHtml(report);
    const tags = [...page.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9-]*)([^>]*)>/g)];

    it('holds exactly one <script>: ours', () => {
      expect(page.match(/<script/gi)).to.have.length(1);
      expect(page.match(/<\/script/gi)).to.have.length(1);
      expect(page.lastIndexOf('<script>')).to.be.greaterThan(page.indexOf('</footer>'));
    });

    it('every tag and attribute is one the renderer writes; no event handler, no URL-bearing attribute', () => {
      const allowed = new Set('html head meta title style body header h1 h2 h4 dl dt dd div span section p strong code pre details summary ul li figure figcaption svg text rect table thead tbody tfoot tr th td br button label select option input footer script'.split(' '));
      for (const [, , name, attributes] of tags) {
        expect(allowed.has(name!.toLowerCase()), `unexpected <${name}>`).to.equal(true);
        for (const [, attr] of attributes!.matchAll(/\s([^\s=]+)(?:="[^"]*")?/g)) {
          expect(attr!, `attribute ${attr} on <${name}>`).to.match(/^(id|class|style|lang|charset|name|content|http-equiv|hidden|disabled|type|value|placeholder|scope|role|title|aria-hidden|colspan|xmlns|width|height|viewBox|font-family|font-size|x|y|text-anchor|fill|aria-live|data-[a-z-]+)$/);
        }
      }
    });

    it('shows each hostile value as text, controls made visible', () => {
      for (const value of HOSTILE.filter((v) => v.includes('<'))) expect(page).to.not.contain(value);
      const buckets = [...page.matchAll(/<tr data-i="\d+"[^>]* data-bucket="([^"]*)"/g)].map((m) => decodeHtml(m[1]!));
      expect(buckets).to.deep.equal(report.findings.map((f) => revealControls(`${f.resource.bucket}${f.resource.key !== undefined ? `/${f.resource.key}` : ''}`)));
      const table = page.slice(page.indexOf('<table id="findings">'), page.indexOf('</table></section>', page.indexOf('<table id="findings">')));
      const summaries = [...table.matchAll(/<details><summary>([^<]*)<\/summary>/g)].map((m) => decodeHtml(m[1]!));
      expect(summaries).to.deep.equal(report.findings.map((f) => revealControls(f.message)));
      expect(page).to.not.match(RAW_CONTROL);
    });

    it('the bucket × rule matrix shows hostile buckets, rules and messages as text, in cells, titles and hidden text alike', () => {
      const matrix = page.slice(page.indexOf('<section id="matrix">'), page.indexOf('</section>', page.indexOf('<section id="matrix">')));
      const rows = [...matrix.matchAll(/<tr data-account="\d+" data-region="([^"]*)" data-bucket="([^"]*)"><th scope="row">([^<]*)<\/th>(.*)<\/tr>/g)];
      const buckets = new Set(report.findings.map((f) => revealControls(f.resource.bucket)));
      expect(rows.map((m) => decodeHtml(m[2]!)).sort()).to.deep.equal([...buckets].sort());
      for (const m of rows) expect(decodeHtml(m[3]!)).to.equal(decodeHtml(m[2]!));
      // Every bucket finding's message is in exactly one cell, as its title and as its hidden text.
      const cells = rows.flatMap((m) => [...m[4]!.matchAll(/<td class="m m-(\w+)" title="([^"]*)">(\w+)<span class="vh"> — ([^<]*)<\/span><\/td>/g)]);
      const bucketFindings = report.findings.filter((f) => f.resource.type === 'bucket');
      expect(cells.map((c) => decodeHtml(c[2]!)).sort()).to.deep.equal(bucketFindings.map((f) => revealControls(f.message)).sort());
      for (const c of cells) {
        expect(decodeHtml(c[4]!)).to.equal(decodeHtml(c[2]!));
        expect(c[3]).to.equal(c[1]);
      }
      const headings = [...matrix.matchAll(/<th scope="col" title="([^"]*)"><span aria-hidden="true">[^<]*<\/span><span class="vh">([^<]*)<\/span><\/th>/g)];
      expect(headings.map((h) => decodeHtml(h[1]!)).sort()).to.deep.equal([...new Set(bucketFindings.map((f) => revealControls(f.rule)))].sort());
      for (const h of headings) expect(decodeHtml(h[2]!)).to.equal(decodeHtml(h[1]!));
    });

    it('the object scans table and the counted-not-listed note show hostile values as text', () => {
      const scans: ObjectBucketScan[] = HOSTILE.map((value, i) => ({
        account: PROD, region: value, bucket: value, policies: [value], mode: 'incremental', prefix: value, versions: i % 2 === 0,
        listed: i, selected: i, inspected: i, skipped: 0, vanished: 0, unreadable: 0, outcomes: { pass: 1000, fail: 0, error: 0, skip: 0, excepted: 0 }, complete: i % 3 !== 0,
        state: { status: 'invalid', path: value, note: value },
      }));
      const withObjects: AuditReport = {
        ...report,
        summary: { ...report.summary, total: report.summary.total + 1000, byStatus: { ...report.summary.byStatus, pass: report.summary.byStatus.pass + 1000 } },
        objects: { jsonl: HOSTILE_ALL, maxFindings: 10, findingsListed: 0, findingsOmitted: 0, manifest: { path: HOSTILE_ALL, objects: 3, versionIds: true }, buckets: scans },
      };
      const out = renderHtml(withObjects);
      for (const value of HOSTILE.filter((v) => v.includes('<'))) expect(out).to.not.contain(value);
      expect(out).to.not.match(RAW_CONTROL);
      expect(out.match(/<script/gi)).to.have.length(1);
      const table = out.slice(out.indexOf('<table id="object-scan-table">'), out.indexOf('</table>', out.indexOf('<table id="object-scan-table">')));
      const rows = [...table.matchAll(/<tr data-account="\d+" data-bucket="([^"]*)"><td class="nowrap">\d+<\/td><td class="nowrap">([^<]*)<\/td><td class="bucket">([^<]*)<\/td><td class="mode">([^<]*)<br><span class="muted">([^<]*)<\/span><\/td>/g)];
      expect(rows.map((m) => decodeHtml(m[3]!))).to.deep.equal(HOSTILE.map(revealControls));
      rows.forEach((m, i) => {
        expect(decodeHtml(m[1]!)).to.equal(revealControls(HOSTILE[i]!));
        expect(decodeHtml(m[2]!)).to.equal(revealControls(HOSTILE[i]!));
        expect(decodeHtml(m[4]!)).to.match(/^incremental, prefix /);
        expect(decodeHtml(m[5]!)).to.equal(`state: ${revealControls(HOSTILE[i]!)}`);
      });
      const note = /<p class="note" id="unlisted">([\s\S]*?)<\/p>/.exec(out)![1]!;
      expect(note).to.match(/^1000 passing object outcomes are counted in these totals but not listed one by one; every object outcome is in <code>([^<]*)<\/code>\.$/);
      expect(decodeHtml(/<code>([^<]*)<\/code>/.exec(note)![1]!)).to.equal(revealControls(HOSTILE_ALL));

      const md = renderMd(withObjects, { maxRows: 100 });
      expect(md).to.not.match(RAW_CONTROL);
      // CommonMark code spans: a backtick run not escaped by an odd number of backslashes, up to a run of the same length.
      const outsideCode = md.replace(/(?<!(?<!\\)(?:\\\\)*\\)(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
      expect(outsideCode.replace(/<br>/g, '')).to.not.contain('<');
      expect(outsideCode.replace(/^#+ /gm, '')).to.not.match(/(?<!\\)[[@#]/);
      const lines = md.split('\n');
      const start = lines.indexOf(`### Object scans (${HOSTILE.length})`);
      const tableRows = lines.slice(start + 2, start + 4 + HOSTILE.length + 1);
      expect(tableRows).to.have.length(HOSTILE.length + 3);
      for (const row of tableRows) expect(gfmCells(row), row).to.have.length(13);
    });
  });

  it('md: every table row keeps its cell count, with no raw HTML, link, mention or control character', () => {
    const md = renderMd(report, { maxRows: 100 });
    expect(md).to.not.match(RAW_CONTROL);
    const outsideCode = md.replace(/(`+)[\s\S]*?\1/g, '');
    expect(outsideCode.replace(/<br>/g, '')).to.not.contain('<');
    // Headings are ours; anywhere else [, @ and # must be escaped (links, mentions, issue references).
    expect(outsideCode.replace(/^#+ /gm, '')).to.not.match(/(?<!\\)[[@#]/);
    expect(outsideCode).to.not.match(/(?<!\\)(?:\\\\)*https?:\/\//);
    const lines = md.split('\n');
    const failing = lines.slice(lines.findIndex((l) => l.startsWith('### Failing')) + 2);
    const rows = failing.slice(0, failing.findIndex((l) => l === '')).filter((l) => l.startsWith('|'));
    expect(rows.length).to.be.greaterThan(2);
    for (const row of rows) expect(gfmCells(row), row).to.have.length(7);
    const resolved = lines.slice(lines.findIndex((l) => l.startsWith('### Resolved')) + 2).filter((l) => l.startsWith('|'));
    for (const row of resolved) expect(gfmCells(row), row).to.have.length(6);
  });

  it('junit: well-formed XML 1.0 with correct counts, and the values come back (controls made visible)', () => {
    const xml = renderJunit(report);
    const { problems, cases } = checkJunit(xml);
    expect(problems).to.deep.equal([]);
    expect(cases).to.have.length(report.findings.length);
    expect(new Set(cases.map((c) => c.classname))).to.deep.equal(new Set(report.findings.map((f) => revealControls(f.policy))));
    for (const f of report.findings.filter((x) => x.status === 'error')) {
      const c = cases.find((x) => x.name === revealControls(`${f.rule} ${f.resource.account}/${f.resource.bucket}${f.resource.key !== undefined ? `/${f.resource.key}` : ''}`))!;
      expect(c.outcome).to.equal('error');
      expect(c.detail!.attrs.message).to.equal(revealControls(f.message));
      expect(c.detail!.attrs.type).to.equal(revealControls(f.cause!.code));
    }
    expect(xml).to.not.contain('<script>');
    expect(xml).to.not.contain(']]>');
  });

  it('sarif: parses, passes the structural checks, and keeps ARNs exact and messages visible', () => {
    const log = JSON.parse(renderSarif(report));
    expect(checkSarif(log)).to.deep.equal([]);
    const results = log.runs[0].results as { message: { text: string }; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[];
    const arns = new Set(report.findings.map((f) => f.resource.arn));
    for (const r of results) {
      expect(arns.has(r.locations[0]!.logicalLocations[0]!.fullyQualifiedName)).to.equal(true);
      expect(r.message.text).to.not.match(RAW_CONTROL);
    }
  });

  it('csv: parses back to exactly the original values, except a leading quote before formula characters', () => {
    const { header, rows } = csvObjects(renderCsv(report));
    expect(header[0]).to.equal('id');
    expect(rows).to.have.length(report.findings.length);
    const unneutralise = (cell: string): string => (/^'(?:[\t\r\n\u0000]|[\s\u0000]*[=+\-@＝＋－＠])/.test(cell) ? cell.slice(1) : cell);
    // The one other change: a lone surrogate (unencodable in UTF-8) becomes U+FFFD.
    const utf8 = (v: string): string => v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
    rows.forEach((row, i) => {
      const f = report.findings[i]!;
      for (const cell of Object.values(row)) expect(cell, 'a formula survived').to.not.match(FORMULA_LIKE);
      expect(unneutralise(row.bucket!)).to.equal(utf8(f.resource.bucket));
      expect(unneutralise(row.key!)).to.equal(utf8(f.resource.key ?? ''));
      expect(unneutralise(row.region!)).to.equal(utf8(f.resource.region));
      expect(unneutralise(row.policy!)).to.equal(utf8(f.policy));
      expect(unneutralise(row.message!)).to.equal(utf8(f.message));
      expect(unneutralise(row.cause_message!)).to.equal(utf8(f.cause?.message ?? ''));
      expect(unneutralise(row.exception_reason!)).to.equal(utf8(f.exception?.reason ?? ''));
      expect(JSON.parse(row.evidence!)).to.deep.equal(f.evidence);
    });
    // Values that start with a formula character are exactly the ones that gained the quote.
    const starts = rows.map((r) => r.bucket!);
    HOSTILE.forEach((value, i) => expect(starts[report.findings.findIndex((f) => f.resource.bucket === value)]).to.equal(FORMULA_LIKE.test(value) ? `'${utf8(value)}` : utf8(value), `bucket #${i}`));
  });

  it('csv: formulas disguised by leading whitespace or full-width characters are neutralised in every column, and parse back', () => {
    const disguised = [' =HYPERLINK("http://evil.example","x")', '\u00a0\u3000+cmd', ' \t@SUM(1+1)', '＝HYPERLINK("http://evil.example")', '＋cmd', '－2', '＠SUM(1)', ' ＝1'];
    const findings = disguised.map((value) => makeFinding({ bucket: value, key: value, rule: value, status: 'fail', message: value }));
    const { rows } = csvObjects(renderCsv(sampleReport(findings)));
    // The report may order findings its own way: match rows by value, not position.
    expect(rows.map((r) => r.bucket).sort()).to.deep.equal(disguised.map((v) => `'${v}`).sort());
    for (const row of rows) {
      for (const column of ['key', 'rule', 'message'] as const) expect(row[column], column).to.equal(row.bucket);
      for (const cell of Object.values(row)) expect(cell, 'a formula survived').to.not.match(FORMULA_LIKE);
    }
  });

  it('console: no control or bidi character reaches the terminal', () => {
    const text = renderConsole(report, { color: false });
    // What a terminal acts on; noncharacters and lone surrogates are shown as U+FFFD by Node's encoder.
    expect(text).to.not.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });
});
