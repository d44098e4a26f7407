/**
 * Markdown for a pull request comment or a CI job summary ($GITHUB_STEP_SUMMARY): the gate's
 * decision, totals (and what they count that no table lists), the diff against the baseline, the
 * failing and error findings as a table capped at `maxRows` rows ("… and N more"), and the object
 * scans with their sum. Pure render(report) → string.
 *
 * Every value goes through escape.ts (mdText / mdCode): a bucket name cannot open a link, mention
 * someone, break the table with a `|` or a newline, or inject HTML.
 */
import { SEVERITIES, STATUSES, type Finding } from '../domain/finding.js';
import type { AuditReport, DiffEntry } from '../domain/report.js';
import { diffCountsText, diffMarks, type DiffMark } from './diff.js';
import { mdCode, mdText } from './escape.js';
import { accountsMarkdown } from './accounts.js';
import { plural } from '../domain/text.js';
import { scanMode, scanStateNote, scanTotals, unlistedText } from './object-counts.js';

export interface MarkdownOptions {
  /** Most findings listed in the failing table (default 50); the rest are counted. */
  maxRows?: number;
  /** Longest message shown in a cell (default 300 characters), so one finding cannot flood a comment. */
  maxMessage?: number;
}

export const DEFAULT_MAX_ROWS = 50;
const DEFAULT_MAX_MESSAGE = 300;


function clip(text: string, max: number): string {
  const chars = [...text]; // by code point, so an emoji is never cut in half
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
}

function heading(report: AuditReport): string[] {
  const { gate } = report.summary;
  const verdict = gate.passed ? 'PASSED' : 'FAILED';
  return [`## S3 KMS audit: gate ${verdict} (exit ${gate.exitCode})`, '', mdText(gate.reason)];
}

function runLine(report: AuditReport): string {
  const { run, summary } = report;
  const complete = run.complete ? 'complete' : `**incomplete** (${plural(report.errors.length, 'error')})`;
  return [
    `Run ${mdCode(run.id)} at ${mdText(run.start)}`,
    plural(run.accounts.length, 'account'),
    plural(run.regions.length, 'region'),
    plural(summary.buckets, 'bucket'),
    `policy file ${mdCode(run.policyFile)} (sha256 ${mdCode(run.policyFileSha256.slice(0, 12))})`,
    complete,
  ].join(' · ');
}

function totals(report: AuditReport): string[] {
  const { summary } = report;
  return table(
    ['total', ...STATUSES],
    [[String(summary.total), ...STATUSES.map((s) => String(summary.byStatus[s]))]],
    ['r', ...STATUSES.map(() => 'r' as const)],
  );
}

/** Under the totals: the outcomes they count that no table lists (passing object outcomes, capped ones). */
function unlistedLines(report: AuditReport): string[] {
  const note = unlistedText(report);
  if (!note) return [];
  const see = note.jsonl !== undefined ? `; every object outcome is in ${mdCode(note.jsonl)}` : '';
  return ['', `${mdText(note.counted)}${see}.`];
}

/** Per bucket scan: how its objects were read and their outcomes, then the sum of every scan. */
function objectScanTable(report: AuditReport, maxRows: number): string[] {
  const o = report.objects;
  if (!o) return [];
  const shown = o.buckets.slice(0, maxRows);
  const rows = shown.map((b) => {
    const note = scanStateNote(b);
    const mode = mdText(note !== undefined ? `${scanMode(b)} (${note})` : scanMode(b));
    return [mdText(b.bucket), mode, ...[b.listed, b.inspected, b.skipped, b.unreadable, b.vanished].map(String), b.complete ? 'yes' : '**no**', ...STATUSES.map((s) => String(b.outcomes[s]))];
  });
  const t = scanTotals(o.buckets);
  rows.push([`**all ${plural(o.buckets.length, 'scan')}**`, '', ...[t.listed, t.inspected, t.skipped, t.unreadable, t.vanished].map(String), `${t.complete} of ${o.buckets.length}`, ...STATUSES.map((s) => String(t.outcomes[s]))]);
  const header = ['bucket', 'mode', 'listed', 'inspected', 'unchanged', 'unreadable', 'deleted meanwhile', 'complete', ...STATUSES];
  const lines = ['', `### Object scans (${o.buckets.length})`, '', ...table(header, rows, ['l', 'l', ...header.slice(2).map(() => 'r' as const)])];
  if (o.buckets.length > shown.length) lines.push('', `… and ${plural(o.buckets.length - shown.length, 'more bucket scan')} (counted in the last row; see the HTML or JSON report).`);
  if (o.manifest) lines.push('', `Manifest of failing objects: ${mdCode(o.manifest.path)} (${plural(o.manifest.objects, 'object')}).`);
  return lines;
}

function diffLines(report: AuditReport): string[] {
  const { diff } = report;
  if (!diff) return [];
  const lines = ['', `**Since the baseline** (run ${mdCode(diff.baseline.runId)} at ${mdText(diff.baseline.start)}): ${mdText(diffCountsText(diff))}`];
  if (!diff.baseline.samePolicyFile) {
    lines.push('', `> **Note:** the baseline was produced from a different policy file (sha256 ${mdCode(diff.baseline.policyFileSha256.slice(0, 12))}); findings were compared by id anyway.`);
  }
  return lines;
}

/** New failures first, then by severity (worst first), fail before error, then the report's order. */
function worstFirst(findings: Finding[], mark: (f: Finding) => DiffMark | undefined): Finding[] {
  const rank = (f: Finding): number =>
    (mark(f) === 'new' ? 0 : 1) * 100 + (SEVERITIES.length - SEVERITIES.indexOf(f.severity)) * 2 + (f.status === 'fail' ? 0 : 1);
  return findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
}

function where(resource: Finding['resource']): string {
  const key = resource.key !== undefined ? `/${resource.key}` : '';
  return `${resource.bucket}${key}`;
}

function failingTable(report: AuditReport, maxRows: number, maxMessage: number): string[] {
  const mark = diffMarks(report);
  const listed = worstFirst(report.findings.filter((f) => f.status === 'fail' || f.status === 'error'), mark);
  if (listed.length === 0) return ['', 'No failing or error findings.'];
  const shown = listed.slice(0, maxRows);
  const rows = shown.map((f) => {
    const m = mark(f);
    const status = m === 'new' ? `**${mdText(f.status)} (new)**` : mdText(f.status);
    const message = f.status === 'error' && f.cause && !f.message.includes(f.cause.code)
      ? `${f.message} [${f.cause.code} on ${f.cause.operation}]`
      : f.message;
    return [status, mdText(f.severity), mdText(f.rule), mdText(f.policy), mdText(f.resource.account), mdText(where(f.resource)), mdText(clip(message, maxMessage))];
  });
  const lines = ['', `### Failing and error findings (${listed.length})`, '', ...table(['status', 'severity', 'rule', 'policy', 'account', 'bucket', 'message'], rows, ['l', 'l', 'l', 'l', 'l', 'l', 'l'])];
  if (listed.length > shown.length) lines.push('', `… and ${listed.length - shown.length} more (see the HTML, CSV or JSON report).`);
  return lines;
}

function resolvedTable(report: AuditReport, maxRows: number): string[] {
  const resolved: DiffEntry[] = report.diff?.resolved ?? [];
  if (resolved.length === 0) return [];
  const shown = resolved.slice(0, maxRows);
  const rows = shown.map((e) => [mdText(e.after), mdText(e.severity), mdText(e.rule), mdText(e.policy), mdText(e.resource.account), mdText(where(e.resource))]);
  const lines = ['', `### Resolved since the baseline (${resolved.length})`, '', ...table(['now', 'severity', 'rule', 'policy', 'account', 'bucket'], rows, ['l', 'l', 'l', 'l', 'l', 'l'])];
  if (resolved.length > shown.length) lines.push('', `… and ${resolved.length - shown.length} more.`);
  return lines;
}

export function render(report: AuditReport, options: MarkdownOptions = {}): string {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const maxMessage = options.maxMessage ?? DEFAULT_MAX_MESSAGE;
  const lines = [
    ...heading(report),
    '',
    runLine(report),
    '',
    ...totals(report),
    ...unlistedLines(report),
    ...diffLines(report),
    ...failingTable(report, maxRows, maxMessage),
    ...resolvedTable(report, maxRows),
    ...objectScanTable(report, maxRows),
    ...accountsMarkdown(report),
  ];
  return lines.join('\n') + '\n';
}
