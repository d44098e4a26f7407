/**
 * The HTML report: ONE self-contained file a person opens from a nightly job's artifacts.
 *
 * - No network, ever: inline CSS, inline SVG charts, one inline script, and a Content-Security-Policy
 *   meta tag (`default-src 'none'`, the script allowed only by its SHA-256 hash, computed here) so
 *   that even a value that slipped through escaping could not load or run anything
 *   (hash sources: https://www.w3.org/TR/CSP3/#grammardef-hash-source).
 * - Readable without JavaScript: the table is rendered here, every finding expands with a native
 *   <details> element. The script only adds sorting and filtering (controls stay hidden without it).
 * - Every string from the report goes through escape.ts `html()`; none is ever put inside the script.
 *
 * Pure render(report) → string: same report, same bytes (no clock, no locale, no randomness).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SEVERITIES, STATUSES, type Finding, type Severity, type Status } from '../domain/finding.js';
import type { AuditReport, ObjectBucketScan, RuleInfo, RunError } from '../domain/report.js';
import { diffCountsText, diffMarks, type DiffMark } from './diff.js';
import { html } from './escape.js';
import { accountsHtml } from './accounts.js';
import { renderMatrix } from './html-matrix.js';
import { attrs, STATUS_RANK } from './html-parts.js';
import { scanMode, scanStateNote, scanTotals, unlistedText } from './object-counts.js';
import { plural } from '../domain/text.js';
import { packageRoot } from '../paths.js';

export interface HtmlOptions {
  /** Rows shown in the "by account and region" chart before "+N more" (default 24). */
  maxChartRows?: number;
  /** Buckets in the bucket × rule matrix before it keeps only those with a fail or error (default 500). */
  maxMatrixRows?: number;
}

const STATUS_COLOUR: Record<Status, string> = {
  pass: '#2e7d32',
  fail: '#c62828',
  error: '#7b1fa2',
  skip: '#9e9e9e',
  excepted: '#1565c0',
};

const severityRank = (s: Severity): number => SEVERITIES.length - 1 - SEVERITIES.indexOf(s);
const WORST_FIRST_SEVERITIES = [...SEVERITIES].reverse();

const num = (n: number): string => String(Math.round(n * 100) / 100);

// ---------------------------------------------------------------------------------------------
// The client script (sorting and filtering) and the style sheet live in ./assets as plain .js and
// .css files, so they can be read, linted and diffed as what they are. They are read from the package
// root at run time, as the JSON Schemas are: src/ ships in the package, and tsc (which does not copy
// non-TS files to dist) stays the whole build. Read once, on first render, and cached.
// Both are constants (no report data inside); the script is hashed for the CSP exactly as inserted.

let assets: { script: string; style: string } | undefined;

/** The inline script and style, each as the exact text placed between its tags. */
function reportAssets(): { script: string; style: string } {
  const read = (name: string): string => readFileSync(resolve(packageRoot(), 'src/report/assets', name), 'utf8');
  // The text starts with a newline so the tags sit on their own lines; that newline is part of the
  // hashed script text.
  assets ??= { script: `\n${read('report.js')}`, style: `\n${read('report.css')}` };
  return assets;
}

/** The CSP for this file: nothing from anywhere, except our inline CSS and this exact script. */
export function contentSecurityPolicy(script: string): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

// ---------------------------------------------------------------------------------------------
// Header, gate, totals

function header(report: AuditReport): string {
  const { run, tool, summary } = report;
  const seconds = (Date.parse(run.end) - Date.parse(run.start)) / 1000;
  const complete = run.complete ? 'yes' : `no: ${plural(report.errors.length, 'error')} (see Run errors)`;
  const rows: [string, string][] = [
    ['When', `${html(run.start)} → ${html(run.end)}${Number.isFinite(seconds) ? ` (${seconds.toFixed(1)} s)` : ''}`],
    ['Accounts', html(run.accounts.join(', ') || '-')],
    ['Regions', html(run.regions.join(', ') || '-')],
    ['Buckets', String(summary.buckets)],
    ['Policy file', `${html(run.policyFile)} <span class="muted">sha256 <code>${html(run.policyFileSha256)}</code></span>`],
    ['Complete', html(complete)],
    ['Run id', `<code>${html(run.id)}</code>`],
    ['Tool', `${html(tool.name)} ${html(tool.version)}`],
  ];
  if (run.endpoint !== undefined) rows.push(['Endpoint', html(run.endpoint)]);
  return [
    '<header>',
    '<h1>S3 KMS encryption audit</h1>',
    `<dl class="run">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

function gateBanner(report: AuditReport): string {
  const { gate } = report.summary;
  const verdict = gate.passed ? 'PASSED' : 'FAILED';
  const threshold = `fail-on ${gate.failOn}${gate.failOnNew ? ', new findings only' : ''}`;
  return `<div class="gate ${gate.passed ? 'passed' : 'failed'}" id="gate">Gate ${verdict} (exit ${gate.exitCode}, ${html(threshold)}) <span class="reason">— ${html(gate.reason)}</span></div>`;
}

function totals(report: AuditReport): string {
  const { summary } = report;
  const card = (label: string, n: number, colour?: string): string =>
    `<div class="card"${colour ? ` style="border-top: 4px solid ${colour}"` : ''}><span class="n">${n}</span>${html(label)}</div>`;
  return [
    '<section id="totals"><h2>Totals</h2><div class="cards">',
    card('findings', summary.total),
    card('buckets', summary.buckets),
    ...STATUSES.map((s) => card(s, summary.byStatus[s], STATUS_COLOUR[s])),
    '</div>',
    unlistedNote(report),
    '</section>',
  ].filter((part) => part !== '').join('\n');
}

/** Next to the counts: the outcomes they include that the findings table does not list. */
function unlistedNote(report: AuditReport): string {
  const note = unlistedText(report);
  if (!note) return '';
  const see =
    note.jsonl !== undefined ? `; every object outcome is in <code>${html(note.jsonl)}</code>` : report.objects ? '; the object scans below count them per bucket' : '';
  const text = `${html(note.counted)}${see}.`;
  return `<p class="note" id="unlisted">${text}</p>`;
}

function diffSection(report: AuditReport): string {
  const { diff } = report;
  if (!diff) return '';
  const list = (entries: typeof diff.new, what: string): string =>
    entries.length === 0
      ? ''
      : `<details><summary>${html(`${plural(entries.length, what)}`)}</summary><ul>${entries
          .map((e) => `<li><span class="sev sev-${html(e.severity)}">${html(e.severity)}</span> ${html(e.rule)} · ${html(e.policy)} · ${html(e.resource.account)} · ${html(bucketText(e.resource))} <span class="muted">(${html(e.before)} → ${html(e.after)})</span></li>`)
          .join('')}</ul></details>`;
  return [
    '<section id="diff"><h2>Since the baseline</h2>',
    `<p>Compared with run <code>${html(diff.baseline.runId)}</code> of ${html(diff.baseline.start)}: <strong id="diff-counts">${html(diffCountsText(diff))}</strong></p>`,
    diff.baseline.samePolicyFile
      ? ''
      : `<p class="note">The baseline was produced from a different policy file (sha256 <code>${html(diff.baseline.policyFileSha256)}</code>); findings were compared by id anyway.</p>`,
    list(diff.new, 'new failure'),
    list(diff.resolved, 'resolved finding'),
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Object scans: how each bucket's objects were read, with the totals the JSON's objects section has

type ScanField = 'listed' | 'inspected' | 'skipped' | 'unreadable' | 'vanished';

const SCAN_COUNTS: [label: string, field: ScanField][] = [
  ['Listed', 'listed'],
  ['Inspected', 'inspected'],
  ['Unchanged (from state)', 'skipped'],
  ['Unreadable', 'unreadable'],
  ['Deleted meanwhile', 'vanished'],
];

function objectScans(report: AuditReport): string {
  const o = report.objects;
  if (!o) return '';
  const num = (field: string, n: number): string => `<td${attrs({ class: 'num', 'data-field': field })}>${n}</td>`;
  const counts = (c: Pick<ObjectBucketScan, 'outcomes' | ScanField>): string =>
    [...SCAN_COUNTS.map(([, field]) => num(field, c[field])), ...STATUSES.map((s) => num(s, c.outcomes[s]))].join('');
  const rows = o.buckets.map((b) => {
    const note = scanStateNote(b);
    const mode = `${html(scanMode(b))}${note !== undefined ? `<br><span class="muted">${html(note)}</span>` : ''}`;
    const complete = b.complete ? 'yes' : '<strong>no</strong>';
    return `<tr${attrs({ 'data-account': b.account, 'data-bucket': b.bucket })}><td class="nowrap">${html(b.account)}</td><td class="nowrap">${html(b.region)}</td><td class="bucket">${html(b.bucket)}</td><td class="mode">${mode}</td>${counts(b)}<td data-field="complete">${complete}</td></tr>`;
  });
  const total = scanTotals(o.buckets);
  const head = ['Account', 'Region', 'Bucket', 'Mode', ...SCAN_COUNTS.map(([label]) => label), ...STATUSES, 'Complete'].map((h) => `<th scope="col">${html(h)}</th>`).join('');
  const notes: string[] = [];
  if (o.findingsOmitted > 0) notes.push(`${plural(o.findingsOmitted, 'non-passing object finding')} beyond --max-object-findings ${o.maxFindings} ${o.findingsOmitted === 1 ? 'is' : 'are'} counted here but not listed in the findings table.`);
  const manifest = o.manifest ? `<p>Manifest of failing objects: <code>${html(o.manifest.path)}</code> (${html(plural(o.manifest.objects, 'object'))})</p>` : '';
  const jsonl = o.jsonl !== undefined ? `<p>Every object outcome, one per line: <code>${html(o.jsonl)}</code></p>` : '';
  return [
    `<section id="object-scans"><h2>Object scans (${o.buckets.length})</h2>`,
    '<p class="muted">How each bucket\'s objects were scanned. Outcomes are counted per object × policy × rule; passing ones are counted, never listed one by one.</p>',
    ...notes.map((n) => `<p class="note">${html(n)}</p>`),
    jsonl,
    manifest,
    `<table id="object-scan-table"><thead><tr>${head}</tr></thead><tbody>`,
    ...rows,
    `</tbody><tfoot><tr><th scope="row" colspan="4">${html(`All ${plural(o.buckets.length, 'scan')}`)}</th>${counts(total)}<td data-field="complete">${total.complete} of ${o.buckets.length}</td></tr></tfoot></table></section>`,
  ]
    .filter((part) => part !== '')
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Charts: inline SVG stacked bars (no library, no image files)

interface BarRow {
  label: string;
  counts: Record<Status, number>;
}

const emptyCounts = (): Record<Status, number> => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;

/** Labels longer than this are cut with "…" (the full text stays in each bar's tooltip). */
const MAX_LABEL = 44;

function stackedBars(id: string, caption: string, rows: BarRow[], more = 0): string {
  // About 7 px per character at 12 px: wide enough for "123456789012 · ap-southeast-2".
  const longest = Math.max(8, ...rows.map((r) => Math.min(MAX_LABEL, [...r.label].length)));
  const labelWidth = Math.min(330, longest * 7 + 16);
  const barWidth = 360;
  const rowHeight = 20;
  const gap = 8;
  const width = labelWidth + barWidth + 60;
  const height = rows.length * (rowHeight + gap) + (more > 0 ? rowHeight : 0) + 4;
  const max = Math.max(1, ...rows.map((r) => STATUSES.reduce((n, s) => n + r.counts[s], 0)));
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const y = i * (rowHeight + gap) + 2;
    const total = STATUSES.reduce((n, s) => n + row.counts[s], 0);
    const chars = [...row.label];
    const label = chars.length > MAX_LABEL ? `${chars.slice(0, MAX_LABEL - 1).join('')}…` : row.label;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end" font-size="12">${html(label)}</text>`);
    let x = labelWidth;
    for (const s of STATUSES) {
      const n = row.counts[s];
      if (n === 0) continue;
      const w = (n / max) * barWidth;
      parts.push(`<rect x="${num(x)}" y="${y}" width="${num(w)}" height="${rowHeight}" fill="${STATUS_COLOUR[s]}"><title>${html(`${row.label}: ${s} ${n}`)}</title></rect>`);
      x += w;
    }
    parts.push(`<text x="${num(x + 6)}" y="${y + 14}" font-size="12" fill="#59636e">${total}</text>`);
  });
  if (more > 0) parts.push(`<text x="${labelWidth - 8}" y="${rows.length * (rowHeight + gap) + 14}" text-anchor="end" font-size="12" fill="#59636e">+${more} more</text>`);
  return [
    `<figure id="${id}"><figcaption>${html(caption)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif"><title>${html(caption)}</title>`,
    ...parts,
    '</svg></figure>',
  ].join('\n');
}

function charts(report: AuditReport, maxRows: number): string {
  const bySeverity: BarRow[] = WORST_FIRST_SEVERITIES.map((s) => ({ label: s, counts: report.summary.bySeverity[s] }));
  const byPlace = new Map<string, Record<Status, number>>();
  for (const f of report.findings) {
    const label = `${f.resource.account} · ${f.resource.region}`;
    let counts = byPlace.get(label);
    if (!counts) byPlace.set(label, (counts = emptyCounts()));
    counts[f.status] += 1;
  }
  const places = [...byPlace.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([label, counts]) => ({ label, counts }));
  const legend = `<div class="legend">${STATUSES.map((s) => `<span><span class="swatch" style="background: ${STATUS_COLOUR[s]}"></span>${s}</span>`).join('')}</div>`;
  const figures = [
    stackedBars('chart-severity', 'Outcomes by severity', bySeverity),
    stackedBars('chart-place', 'Outcomes by account and region', places.slice(0, maxRows), Math.max(0, places.length - maxRows)),
  ];
  if (report.diff) {
    figures.push(
      stackedBars('chart-trend', 'Trend: baseline → this run', [
        { label: `baseline ${report.diff.baseline.start.slice(0, 16).replace('T', ' ')}`, counts: report.diff.baseline.byStatus },
        { label: `this run ${report.run.start.slice(0, 16).replace('T', ' ')}`, counts: report.summary.byStatus },
      ]),
    );
  }
  return ['<section id="charts"><h2>Charts</h2>', legend, '<div class="charts">', ...figures, '</div></section>'].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Findings table

function bucketText(resource: Finding['resource']): string {
  const key = resource.key !== undefined ? `/${resource.key}` : '';
  const version = resource.versionId !== undefined ? ` (version ${resource.versionId})` : '';
  return `${resource.bucket}${key}${version}`;
}

function evidenceTable(evidence: Record<string, unknown>): string {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return '<p class="muted">No evidence recorded.</p>';
  const value = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));
  return `<table class="evidence">${entries.map(([k, v]) => `<tr><th><code>${html(k)}</code></th><td><code>${html(value(v))}</code></td></tr>`).join('')}</table>`;
}

function findingDetails(f: Finding, rule: RuleInfo | undefined, mark: DiffMark | undefined): string {
  const facts: [string, string][] = [
    ['Rule', `${html(f.rule)}${rule ? ` — ${html(rule.title)}` : ''}`],
    ['Policy', html(f.policy)],
    ['Resource', `<code>${html(f.resource.arn)}</code>`],
    ['Finding id', `<code>${html(f.id)}</code>`],
  ];
  if (mark) facts.push(['Since baseline', html(mark)]);
  if (f.cause) facts.push(['Cause', html(`${f.cause.code} on ${f.cause.operation}: ${f.cause.message}`)]);
  if (f.exception) {
    const until = f.exception.expires !== undefined ? ` (${f.exception.expired ? 'expired' : 'expires'} ${f.exception.expires})` : '';
    facts.push(['Exception', html(`${f.exception.reason}${until}`)]);
  }
  const parts = [
    `<details><summary>${html(f.message)}</summary>`,
    `<dl class="kv">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    '<h4>Evidence</h4>',
    evidenceTable(f.evidence),
  ];
  if (rule) {
    parts.push('<h4>Why it matters</h4>', `<p>${html(rule.description)}</p>`);
    if (rule.fix !== undefined) parts.push('<h4>How to fix</h4>', `<pre>${html(rule.fix)}</pre>`);
  }
  parts.push('</details>');
  return parts.join('');
}

function options(values: Iterable<string>, counts: Map<string, number>): string {
  return [...values].map((v) => `<option${attrs({ value: v })}>${html(`${v} (${counts.get(v) ?? 0})`)}</option>`).join('');
}

function countBy(findings: readonly Finding[], key: (f: Finding) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  return counts;
}

const sortedKeys = (m: Map<string, number>): string[] => [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function filters(report: AuditReport): string {
  const { findings } = report;
  const byStatus = countBy(findings, (f) => f.status);
  const bySeverity = countBy(findings, (f) => f.severity);
  const byRule = countBy(findings, (f) => f.rule);
  const byAccount = countBy(findings, (f) => f.resource.account);
  const select = (name: string, label: string, opts: string): string =>
    `<label>${label}<select id="filter-${name}"><option value="">all</option>${opts}</select></label>`;
  return [
    '<div id="filters" hidden>',
    select('status', 'Status', options(STATUSES.filter((s) => byStatus.has(s)), byStatus)),
    select('severity', 'Severity', options(WORST_FIRST_SEVERITIES.filter((s) => bySeverity.has(s)), bySeverity)),
    select('rule', 'Rule', options(sortedKeys(byRule), byRule)),
    select('account', 'Account', options(sortedKeys(byAccount), byAccount)),
    '<label>Bucket contains<input id="filter-bucket" type="search" placeholder="text in the bucket name"></label>',
    '<button type="button" id="filter-reset">Reset</button>',
    '<span id="shown-count" class="muted" aria-live="polite"></span>',
    '</div>',
  ].join('\n');
}

const COLUMNS: [label: string, sortKey: string][] = [
  ['Status', 'statusRank'],
  ['Severity', 'severityRank'],
  ['Rule', 'rule'],
  ['Policy', 'policy'],
  ['Account', 'account'],
  ['Region', 'region'],
  ['Bucket', 'bucket'],
  ['Finding', ''],
];

function findingRow(f: Finding, index: number, rule: RuleInfo | undefined, mark: DiffMark | undefined): string {
  const data = attrs({
    'data-i': index,
    'data-id': f.id,
    'data-status': f.status,
    'data-status-rank': STATUS_RANK[f.status] ?? 9,
    'data-severity': f.severity,
    'data-severity-rank': severityRank(f.severity),
    'data-rule': f.rule,
    'data-policy': f.policy,
    'data-account': f.resource.account,
    'data-region': f.resource.region,
    'data-bucket': bucketText(f.resource),
    'data-change': mark,
  });
  const badge = mark === 'new' ? '<span class="new">NEW</span>' : mark === 'resolved' ? '<span class="resolved">RESOLVED</span>' : '';
  return [
    `<tr${data}>`,
    `<td><span class="badge" style="background: ${STATUS_COLOUR[f.status] ?? '#000'}">${html(f.status)}</span>${badge}</td>`,
    `<td><span class="sev sev-${html(f.severity)}">${html(f.severity)}</span></td>`,
    `<td class="nowrap">${html(f.rule)}</td>`,
    `<td>${html(f.policy)}</td>`,
    `<td class="nowrap">${html(f.resource.account)}</td>`,
    `<td class="nowrap">${html(f.resource.region)}</td>`,
    `<td class="bucket">${html(bucketText(f.resource))}</td>`,
    `<td class="message">${findingDetails(f, rule, mark)}</td>`,
    '</tr>',
  ].join('');
}

function findingsSection(report: AuditReport): string {
  const mark = diffMarks(report);
  const rules = report.rules ?? {};
  const head = COLUMNS.map(([label, key]) =>
    key ? `<th scope="col"><button type="button" data-sort="${key}" disabled>${label}</button></th>` : `<th scope="col">${label}</th>`,
  ).join('');
  return [
    `<section id="findings-section"><h2>Findings (${report.findings.length})</h2>`,
    `<p class="muted">Every outcome of every rule on every bucket${unlistedText(report) ? '; object outcomes only as the note under Totals says' : ''}. Open a finding for its evidence and the rule's fix. With JavaScript, the column headings sort and the controls below filter (account and bucket filter the matrix too).</p>`,
    filters(report),
    `<table id="findings"><thead><tr>${head}</tr></thead><tbody>`,
    ...report.findings.map((f, i) => findingRow(f, i, Object.hasOwn(rules, f.rule) ? rules[f.rule] : undefined, mark(f))),
    '</tbody></table></section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Run errors and rules

function runErrors(errors: readonly RunError[]): string {
  if (errors.length === 0) return '';
  const cell = (v: string | undefined): string => `<td>${html(v ?? '')}</td>`;
  return [
    `<section id="run-errors"><h2>Run errors (${errors.length})</h2>`,
    '<p class="muted">Calls that failed: the outcomes that needed them are <code>error</code>, never pass or fail.</p>',
    '<table><thead><tr><th>Account</th><th>Region</th><th>Bucket</th><th>Operation</th><th>Code</th><th>Message</th></tr></thead><tbody>',
    ...errors.map((e) => `<tr>${cell(e.account)}${cell(e.region)}${cell(e.bucket)}${cell(e.operation)}${cell(e.code)}${cell(e.message)}</tr>`),
    '</tbody></table></section>',
  ].join('\n');
}

function rulesSection(report: AuditReport): string {
  const entries = Object.entries(report.rules ?? {});
  if (entries.length === 0) return '';
  return [
    `<section id="rules"><h2>Rules (${entries.length})</h2>`,
    ...entries.map(([id, r]) =>
      [
        `<details${attrs({ id: `rule-${id}` })}><summary><span class="sev sev-${html(r.severity)}">${html(r.severity)}</span> <strong>${html(id)}</strong> — ${html(r.title)}</summary>`,
        `<p>${html(r.description)}</p>`,
        r.fix !== undefined ? `<h4>How to fix</h4><pre>${html(r.fix)}</pre>` : '',
        '</details>',
      ].join(''),
    ),
    '</section>',
  ].join('\n');
}

export function render(report: AuditReport, opts: HtmlOptions = {}): string {
  const { gate } = report.summary;
  const { script, style } = reportAssets();
  const title = `S3 KMS audit ${gate.passed ? 'PASSED' : 'FAILED'} · ${report.run.start}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy"${attrs({ content: contentSecurityPolicy(script) })}>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${html(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    header(report),
    gateBanner(report),
    totals(report),
    renderMatrix(report, opts.maxMatrixRows),
    diffSection(report),
    charts(report, opts.maxChartRows ?? 24),
    objectScans(report),
    accountsHtml(report),
    findingsSection(report),
    runErrors(report.errors),
    rulesSection(report),
    `<footer>Generated by ${html(report.tool.name)} ${html(report.tool.version)} from run ${html(report.run.id)}. Self-contained: this file loads nothing from the network.</footer>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
  ]
    .filter((part) => part !== '')
    .join('\n') + '\n';
}
