/**
 * The console summary: a pure render(report) → string, readable at 100 columns.
 * Header, counts by status and severity, the gate decision, the most severe `fail` and `error`
 * findings grouped by bucket (every one with --verbose), object scans and run errors, then the gate
 * decision again and the report paths.
 *
 * Every string that came from AWS or from user files (bucket names, tag values inside messages,
 * error messages) goes through `escapeControl`, so a bucket tag cannot move the cursor, clear the
 * screen or fake a "Gate: PASSED" line with terminal escape sequences.
 */
import { accountsConsoleLines } from './accounts.js';
import { compareFindings, SEVERITIES, STATUSES, type Finding, type Severity, type Status } from '../domain/finding.js';
import type { AuditReport, RunError } from '../domain/report.js';
import { scanStateNote } from './object-counts.js';
import { escapeControl, plural } from '../domain/text.js';

export interface ConsoleOptions {
  /** ANSI colours; the CLI decides (TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean;
  /** Files the writer produced, listed after the gate line. */
  reportPaths?: string[];
  /** List every fail and error finding (--verbose); otherwise the most severe DEFAULT_LISTED_FINDINGS. */
  verbose?: boolean;
}

/**
 * Fail and error findings listed by default: enough to act on, few enough that the decision and the
 * report paths stay on the first screens of a CI log. Every finding is in the files and with --verbose.
 */
export const DEFAULT_LISTED_FINDINGS = 8;
/** Bucket scans and run errors listed by default, for the same reason. */
const DEFAULT_LISTED_ROWS = 10;

export const WIDTH = 100;

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'magenta' | 'cyan';
const SGR: Record<Style, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', magenta: '35', cyan: '36' };

function painter(color: boolean) {
  return (text: string, ...styles: Style[]): string =>
    color && styles.length > 0 ? `\u001b[${styles.map((s) => SGR[s]).join(';')}m${text}\u001b[0m` : text;
}
type Paint = ReturnType<typeof painter>;

const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ['bold', 'red'],
  high: ['red'],
  medium: ['yellow'],
  low: ['cyan'],
  info: ['dim'],
};
const STATUS_STYLE: Record<Status, Style[]> = {
  pass: ['green'],
  fail: ['red'],
  error: ['magenta'],
  skip: ['dim'],
  excepted: ['cyan'],
};

/** Greedy word wrap; words longer than the width are cut, so no line ever exceeds it. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (rest.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ' ' + rest;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

function header(report: AuditReport, paint: Paint, verbose: boolean): string[] {
  const { run, summary } = report;
  const safe = escapeControl;
  const completeness = run.complete
    ? paint('complete', 'green')
    : paint(`incomplete (${plural(report.errors.length, 'error')})`, 'magenta', 'bold');
  const seconds = (Date.parse(run.end) - Date.parse(run.start)) / 1000;
  const lines = [
    paint(`s3-kms-audit ${safe(report.tool.version)} scan`, 'bold') +
      ` · ${plural(run.accounts.length, 'account')} · ${plural(run.regions.length, 'region')}` +
      ` · ${plural(summary.buckets, 'bucket')} · ${completeness}`,
    // A many-account run counts its accounts (hundreds of ids are no summary) and names those not scanned.
    ...(report.accounts ? accountsConsoleLines(report.accounts, verbose) : [`  accounts  ${safe(run.accounts.join(', ') || '-')}`]),
    `  regions   ${safe(run.regions.join(', ') || '-')}`,
    `  policies  ${safe(run.policyFile)} (sha256 ${safe(run.policyFileSha256.slice(0, 12))})`,
  ];
  if (run.endpoint) lines.push(`  endpoint  ${safe(run.endpoint)}`);
  lines.push(`  run       ${safe(run.start)} · ${Number.isFinite(seconds) ? seconds.toFixed(1) : '?'} s · id ${safe(run.id)}`);
  return lines;
}

function counts(report: AuditReport, paint: Paint): string[] {
  const { summary } = report;
  const statusLine = STATUSES.map((s) => {
    const text = `${s} ${summary.byStatus[s]}`;
    return summary.byStatus[s] > 0 ? paint(text, ...STATUS_STYLE[s]) : text;
  }).join(' · ');
  const col = 9;
  const lines = [`${paint('Findings', 'bold')} ${summary.total}: ${statusLine}`, ''];
  lines.push('  ' + 'severity'.padEnd(10) + STATUSES.map((s) => s.padStart(col)).join(''));
  for (const severity of [...SEVERITIES].reverse()) {
    const row = summary.bySeverity[severity];
    const cells = STATUSES.map((s) => {
      const cell = String(row[s]).padStart(col);
      return row[s] > 0 && (s === 'fail' || s === 'error') ? paint(cell, ...STATUS_STYLE[s]) : cell;
    }).join('');
    lines.push('  ' + paint(severity.padEnd(10), ...SEVERITY_STYLE[severity]) + cells);
  }
  return lines;
}

interface BucketGroup {
  account: string;
  region: string;
  bucket: string;
  findings: Finding[];
}

/** fail and error findings by bucket, buckets in report order (account, bucket). */
function groupByBucket(findings: readonly Finding[]): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
  for (const f of findings) {
    if (f.status !== 'fail' && f.status !== 'error') continue;
    const key = JSON.stringify([f.resource.account, f.resource.bucket]);
    let group = groups.get(key);
    if (!group) {
      group = { account: f.resource.account, region: f.resource.region, bucket: f.resource.bucket, findings: [] };
      groups.set(key, group);
    }
    group.findings.push(f);
  }
  // Within a bucket, the worst first: severity, then fail before error, then rule and policy.
  const order = (f: Finding): number => -SEVERITIES.indexOf(f.severity) * 2 + (f.status === 'fail' ? 0 : 1);
  for (const group of groups.values()) {
    group.findings.sort((a, b) => order(a) - order(b) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
  }
  return [...groups.values()];
}

function findingText(f: Finding): string {
  const parts = [f.message];
  if (f.resource.type === 'object' && f.resource.key !== undefined) parts.unshift(`${f.resource.key}:`);
  // The engine's messages usually name the cause already; add it only when they do not.
  if (f.status === 'error' && f.cause && !f.message.includes(f.cause.code)) {
    parts.push(`[${f.cause.code} on ${f.cause.operation}: ${f.cause.message}]`);
  }
  if (f.exception?.expired && !f.message.includes('expired')) {
    parts.push(`[exception expired${f.exception.expires ? ` on ${f.exception.expires}` : ''}: ${f.exception.reason}]`);
  }
  return escapeControl(parts.join(' '));
}

/** Where a finding's message starts: under the severity, leaving ~90 columns for AWS-length ARNs. */
const MESSAGE_INDENT = 9;

/** The most severe fail and error findings, at most `limit`: severity first, then fail before error, then report order. */
function mostSevere(findings: readonly Finding[], limit: number): Finding[] {
  const listed = findings.filter((f) => f.status === 'fail' || f.status === 'error');
  if (listed.length <= limit) return listed;
  const rank = (f: Finding): number => -SEVERITIES.indexOf(f.severity) * 2 + (f.status === 'fail' ? 0 : 1);
  const chosen = new Set([...listed].sort((a, b) => rank(a) - rank(b) || compareFindings(a, b)).slice(0, limit));
  return listed.filter((f) => chosen.has(f));
}

function findingsByBucket(report: AuditReport, paint: Paint, options: ConsoleOptions): string[] {
  const all = groupByBucket(report.findings);
  if (all.length === 0) return [];
  const total = all.reduce((n, g) => n + g.findings.length, 0);
  const shown = options.verbose ? report.findings : mostSevere(report.findings, DEFAULT_LISTED_FINDINGS);
  const groups = groupByBucket(shown);
  const shownCount = groups.reduce((n, g) => n + g.findings.length, 0);
  // The same rule can apply through two policies; name the policy only when that could confuse.
  const policies = new Set(report.findings.map((f) => f.policy));
  const title =
    shownCount === total
      ? `Failing and error findings by bucket (${plural(groups.length, 'bucket')})`
      : `Most severe failing and error findings (${shownCount} of ${total}, by bucket)`;
  const lines = ['', paint(title, 'bold')];
  for (const g of groups) {
    lines.push('', `${paint(escapeControl(g.bucket), 'bold')} · account ${escapeControl(g.account)} · ${escapeControl(g.region)}`);
    for (const f of g.findings) {
      const status = paint(f.status.toUpperCase().padEnd(6), ...STATUS_STYLE[f.status]);
      const severity = paint(f.severity.padEnd(9), ...SEVERITY_STYLE[f.severity]);
      const rule = escapeControl(f.rule);
      const policyText = policies.size > 1 ? ` (policy ${escapeControl(f.policy)})` : '';
      // A very long rule id pushes the policy name down to the message rather than past the edge.
      const policyFits = 2 + 7 + 9 + rule.length + policyText.length <= WIDTH;
      lines.push(`  ${status} ${severity}${rule}${policyFits && policyText ? paint(policyText, 'dim') : ''}`);
      const text = policyFits ? findingText(f) : `${policyText.trim()} ${findingText(f)}`;
      for (const line of wrap(text, WIDTH - MESSAGE_INDENT)) lines.push(' '.repeat(MESSAGE_INDENT) + line);
    }
  }
  if (shownCount < total) {
    const rest = total - shownCount;
    lines.push('', ...wrap(`… ${plural(rest, 'more fail or error finding')} in ${plural(all.length, 'bucket')} in all: ${whereToReadMore(options)}`, WIDTH));
  }
  return lines;
}

/** Where a reader finds what the console left out: the HTML or JSON report written, else --verbose. */
function whereToReadMore(options: ConsoleOptions): string {
  const paths = options.reportPaths ?? [];
  const file = paths.find((p) => p.endsWith('.html')) ?? paths.find((p) => p.endsWith('.json'));
  return file ? `see ${escapeControl(file)} (or run with --verbose)` : 'run with --verbose to list them';
}

function runErrorText(e: RunError): string {
  const where = [e.account && `account ${e.account}`, e.region, e.bucket && `bucket ${e.bucket}`].filter(Boolean).join(', ');
  return escapeControl(`${e.code} on ${e.operation}${where ? ` (${where})` : ''}: ${e.message}`);
}

/** Run errors not already shown under a bucket as an `error` finding. */
function runErrors(report: AuditReport, paint: Paint, options: ConsoleOptions): string[] {
  const shownAsFindings = new Set(
    report.findings
      .filter((f) => f.status === 'error' && f.cause)
      .map((f) => JSON.stringify([f.resource.account, f.resource.bucket, f.cause?.operation, f.cause?.code])),
  );
  const rest = report.errors.filter((e) => !shownAsFindings.has(JSON.stringify([e.account, e.bucket, e.operation, e.code])));
  if (rest.length === 0) return [];
  const lines = ['', paint(`Run errors (${rest.length})`, 'bold', 'magenta')];
  const shown = options.verbose ? rest : rest.slice(0, DEFAULT_LISTED_ROWS);
  for (const e of shown) {
    const [first, ...more] = wrap(runErrorText(e), WIDTH - 4);
    lines.push(`  - ${first ?? ''}`, ...more.map((l) => `    ${l}`));
  }
  if (shown.length < rest.length) lines.push(`  … ${plural(rest.length - shown.length, 'more run error')}: ${whereToReadMore(options)}`);
  return lines;
}

/** The one line `--quiet` prints: the gate's decision. */
export function renderGateLine(report: AuditReport, options: ConsoleOptions): string {
  const paint = painter(options.color);
  const { gate } = report.summary;
  const verdict = gate.passed ? paint('PASSED', 'bold', 'green') : paint('FAILED', 'bold', 'red');
  return `Gate: ${verdict} (exit ${gate.exitCode}, fail-on ${gate.failOn}) - ${escapeControl(gate.reason)}`;
}

/** Colours the verdict word of an already wrapped, plain gate line. */
function colourGate(line: string, report: AuditReport, paint: Paint): string {
  const passed = report.summary.gate.passed;
  return line.replace(passed ? 'PASSED' : 'FAILED', passed ? paint('PASSED', 'bold', 'green') : paint('FAILED', 'bold', 'red'));
}

/**
 * Object policies: one line per bucket scan (what was listed, inspected, reused from the state), and how
 * many non-passing object findings are only in the JSONL.
 */
function objectScans(report: AuditReport, paint: Paint, options: ConsoleOptions): string[] {
  const o = report.objects;
  if (!o) return [];
  const lines = ['', paint(`Objects (${plural(o.buckets.length, 'bucket scan')})`, 'bold')];
  // By default the scans with the most failing and error outcomes (then report order) stand for the rest.
  const bad = (b: (typeof o.buckets)[number]): number => b.outcomes.fail + b.outcomes.error + (b.complete ? 0 : 1);
  const shown = options.verbose ? o.buckets : [...o.buckets].map((b, i) => ({ b, i })).sort((x, y) => bad(y.b) - bad(x.b) || x.i - y.i).slice(0, DEFAULT_LISTED_ROWS).sort((x, y) => x.i - y.i).map((x) => x.b);
  for (const b of shown) {
    const parts = [`${b.listed} listed`, `${b.inspected} inspected`];
    if (b.skipped > 0) parts.push(`${b.skipped} unchanged (from state)`);
    if (b.unreadable > 0) parts.push(paint(`${b.unreadable} unreadable`, 'magenta'));
    if (b.vanished > 0) parts.push(`${b.vanished} deleted meanwhile`);
    const report = b.inventory?.reportDate ? `report of ${b.inventory.reportDate.slice(0, 16)}Z` : '';
    const how = [b.mode, b.prefix ? `prefix ${b.prefix}` : '', b.versions ? 'versions' : '', report, b.complete ? '' : paint('incomplete', 'magenta')].filter(Boolean).join(', ');
    lines.push(`  ${escapeControl(b.bucket)} (${how}): ${parts.join(' · ')} → ${STATUSES.filter((s) => b.outcomes[s] > 0).map((s) => `${s} ${b.outcomes[s]}`).join(' · ') || 'no outcomes'}`);
    if (b.state && b.state.status !== 'used') lines.push(`    state: ${escapeControl(b.state.note ?? b.state.status)}`);
    if (b.metadata) {
      const m = b.metadata;
      const manifest = m.manifest ? `; manifest ${escapeControl(m.manifest.location)} (${plural(m.manifest.objects, 'failing object')})` : '';
      lines.push(`    Athena: ${plural(m.groups, 'group')} from ${escapeControl(m.table)}, ${m.dataScannedBytes} bytes scanned in ${m.queryExecutionIds.length} ${m.queryExecutionIds.length === 1 ? 'query' : 'queries'}${manifest}`);
    }
    const inventoryNote = b.inventory ? scanStateNote(b) : undefined;
    if (inventoryNote) lines.push(`    ${escapeControl(inventoryNote)}`);
  }
  if (shown.length < o.buckets.length) lines.push(`  … ${plural(o.buckets.length - shown.length, 'more bucket scan')}: ${whereToReadMore(options)}`);
  if (o.findingsOmitted > 0) {
    const where = o.jsonl ? ` (see ${escapeControl(o.jsonl)})` : '';
    lines.push(`  ${o.findingsOmitted} more non-passing object findings are counted above but not listed (--max-object-findings ${o.maxFindings})${where}`);
  }
  if (o.manifest) lines.push(`  Manifest: ${escapeControl(o.manifest.path)} (${plural(o.manifest.objects, 'failing object')})`);
  return lines;
}

/**
 * The summary, decision first and last: header, totals, the gate with its reason, the most severe
 * findings (all with --verbose), object scans and run errors, then the gate again and the report
 * paths, so both the top of the output and the tail of a CI log show the decision.
 */
export function render(report: AuditReport, options: ConsoleOptions): string {
  const paint = painter(options.color);
  // Wrapped here (not in --quiet, where one line suits CI logs), continuation indented under the verdict.
  const gate = wrap(renderGateLine(report, { color: false }), WIDTH - 6).map((line, i) => (i === 0 ? colourGate(line, report, paint) : '      ' + line));
  const lines = [
    ...header(report, paint, options.verbose === true),
    '',
    ...counts(report, paint),
    '',
    ...gate,
    ...findingsByBucket(report, paint, options),
    ...objectScans(report, paint, options),
    ...runErrors(report, paint, options),
    '',
    ...gate,
  ];
  for (const path of options.reportPaths ?? []) lines.push(`Report: ${escapeControl(path)}`);
  return lines.join('\n') + '\n';
}
