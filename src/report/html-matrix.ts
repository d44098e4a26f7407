/**
 * The bucket × rule matrix at the top of the HTML report: what an auditor scans first, before the
 * long findings table. One row per bucket, grouped by account and region (a <tbody> per group with a
 * header row); one column per bucket rule the report's findings name; one cell per (bucket, rule)
 * showing the worst status of the policies that apply the rule there, coloured by a class, with the
 * message(s) in the cell's title (hover) and in visually hidden text (screen readers, copy and paste).
 * An empty cell: no policy applies the rule to the bucket.
 *
 * Object rules are folded into ONE "Objects" column per bucket rather than one column each: the report
 * lists object findings only up to --max-object-findings and never the passing ones, so a per-rule
 * cell would show a fraction; the object scan counts (report.objects) are complete per bucket. Without
 * an objects section (an older report) the column counts the listed object findings.
 *
 * Bounded: past `maxRows` buckets only those with a fail or error are shown (then the first
 * `maxRows` of them), and a note says so. Everything from the report goes through html().
 */
import { STATUSES, type Finding, type Status } from '../domain/finding.js';
import { emptyStatusCounts } from '../domain/counts.js';
import type { AuditReport } from '../domain/report.js';
import { compareText, plural } from '../domain/text.js';
import { html } from './escape.js';
import { attrs, STATUS_RANK } from './html-parts.js';

export const DEFAULT_MAX_MATRIX_ROWS = 500;

/** Column headings longer than this (after the common prefix) are cut with "…"; the full id stays. */
const MAX_HEADING = 20;

interface MatrixRow {
  account: string;
  region: string;
  bucket: string;
  byRule: Map<string, Finding[]>;
  objects?: Record<Status, number>;
}

const worst = (statuses: Iterable<Status>): Status | undefined =>
  [...statuses].reduce<Status | undefined>((w, s) => (w === undefined || STATUS_RANK[s] < STATUS_RANK[w] ? s : w), undefined);

const nonZero = (counts: Record<Status, number>): Status[] => STATUSES.filter((s) => counts[s] > 0);

function matrixRows(report: AuditReport): MatrixRow[] {
  const rows = new Map<string, MatrixRow>();
  const row = (account: string, region: string, bucket: string): MatrixRow => {
    const key = JSON.stringify([account, bucket]);
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { account, region, bucket, byRule: new Map() }));
    return r;
  };
  for (const f of report.findings) {
    const r = row(f.resource.account, f.resource.region, f.resource.bucket);
    if (f.resource.type === 'object') {
      if (report.objects) continue; // counted from the scans below, which include what is not listed
      const counts = (r.objects ??= emptyStatusCounts());
      counts[f.status] += 1;
    } else {
      const list = r.byRule.get(f.rule);
      if (list) list.push(f);
      else r.byRule.set(f.rule, [f]);
    }
  }
  for (const scan of report.objects?.buckets ?? []) {
    const counts = (row(scan.account, scan.region, scan.bucket).objects ??= emptyStatusCounts());
    for (const s of STATUSES) counts[s] += scan.outcomes[s];
  }
  return [...rows.values()].sort((a, b) => compareText(a.account, b.account) || compareText(a.region, b.region) || compareText(a.bucket, b.bucket));
}

const hasProblem = (r: MatrixRow): boolean =>
  [...r.byRule.values()].some((fs) => fs.some((f) => f.status === 'fail' || f.status === 'error')) || (r.objects !== undefined && r.objects.fail + r.objects.error > 0);

/** The hyphen-separated prefix every id shares ("s3-bucket-"), when there are several and none is all prefix. */
function commonPrefix(ids: readonly string[]): string {
  if (ids.length < 2) return '';
  const split = ids.map((id) => id.split('-'));
  const shortest = Math.min(...split.map((parts) => parts.length));
  let n = 0;
  while (n < shortest - 1 && split.every((parts) => parts[n] === split[0]![n])) n += 1;
  return n === 0 ? '' : `${split[0]!.slice(0, n).join('-')}-`;
}

function heading(id: string, prefix: string): string {
  const chars = [...id.slice(prefix.length)];
  const short = chars.length > MAX_HEADING ? `${chars.slice(0, MAX_HEADING - 1).join('')}…` : chars.join('');
  return `<th scope="col"${attrs({ title: id })}><span aria-hidden="true">${html(short)}</span><span class="vh">${html(id)}</span></th>`;
}

function ruleCell(findings: readonly Finding[] | undefined): string {
  if (!findings || findings.length === 0) return '<td></td>';
  const status = worst(findings.map((f) => f.status))!;
  // One policy: its message. Several: one line each, so the reader sees which policy said what.
  const text = findings.length === 1 ? findings[0]!.message : findings.map((f) => `${f.policy}: ${f.status}: ${f.message}`).join('\n');
  return `<td${attrs({ class: `m m-${status}`, title: text })}>${html(status)}<span class="vh"> — ${html(text)}</span></td>`;
}

function objectsCell(counts: Record<Status, number> | undefined, fromScans: boolean): string {
  if (!counts) return '<td></td>';
  const present = nonZero(counts);
  const status = worst(present);
  if (status === undefined) return `<td${attrs({ class: 'm', title: 'No object outcomes' })}>0<span class="vh"> object outcomes</span></td>`;
  const what = fromScans ? 'Object outcomes' : 'Listed object findings';
  const text = `${what}: ${present.sort((a, b) => STATUS_RANK[a] - STATUS_RANK[b]).map((s) => `${counts[s]} ${s}`).join(' · ')}`;
  return `<td${attrs({ class: `m m-${status}`, title: text })}>${html(`${counts[status]} ${status}`)}<span class="vh"> — ${html(text)}</span></td>`;
}

export function renderMatrix(report: AuditReport, maxRows = DEFAULT_MAX_MATRIX_ROWS): string {
  const all = matrixRows(report);
  if (all.length === 0) return '';
  const rules = [...new Set(report.findings.filter((f) => f.resource.type !== 'object').map((f) => f.rule))].sort(compareText);
  const objectRules = [
    ...new Set([...report.findings.filter((f) => f.resource.type === 'object').map((f) => f.rule), ...Object.entries(report.rules ?? {}).filter(([, r]) => r.resource === 'object').map(([id]) => id)]),
  ].sort(compareText);
  const withObjects = all.some((r) => r.objects !== undefined);
  const columns = 1 + rules.length + (withObjects ? 1 : 0);

  let shown = all;
  const notes: string[] = [];
  if (all.length > maxRows) {
    shown = all.filter(hasProblem);
    notes.push(`${plural(all.length, 'bucket')}: only the ${plural(shown.length, 'bucket')} with a fail or error outcome ${shown.length === 1 ? 'is' : 'are'} shown here; the findings table lists every outcome.`);
    if (shown.length > maxRows) {
      const left = shown.length - maxRows;
      notes.push(`Of those, ${plural(maxRows, 'bucket')} ${maxRows === 1 ? 'is' : 'are'} shown here and ${left} ${left === 1 ? 'is' : 'are'} left out; the findings table lists them.`);
      shown = shown.slice(0, maxRows);
    }
  }

  const prefix = commonPrefix(rules);
  const objectsTitle = objectRules.length > 0 ? `Objects: ${objectRules.join(', ')}` : 'Objects';
  const head = [
    '<th scope="col">Bucket</th>',
    ...rules.map((id) => heading(id, prefix)),
    withObjects ? `<th scope="col"${attrs({ title: objectsTitle })}>Objects<span class="vh">${html(objectsTitle.slice('Objects'.length))}</span></th>` : '',
  ].join('');

  const groups: string[] = [];
  let current = '';
  let group: MatrixRow[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const { account, region } = group[0]!;
    groups.push(
      [
        `<tbody${attrs({ 'data-account': account })}>`,
        `<tr class="group"><th scope="rowgroup"${attrs({ colspan: columns })}>${html(`${account} · ${region}`)} <span class="muted">(${plural(group.length, 'bucket')})</span></th></tr>`,
        ...group.map(
          (r) =>
            `<tr${attrs({ 'data-account': r.account, 'data-region': r.region, 'data-bucket': r.bucket })}><th scope="row">${html(r.bucket)}</th>${rules.map((id) => ruleCell(r.byRule.get(id))).join('')}${withObjects ? objectsCell(r.objects, report.objects !== undefined) : ''}</tr>`,
        ),
        '</tbody>',
      ].join('\n'),
    );
    group = [];
  };
  for (const r of shown) {
    const key = JSON.stringify([r.account, r.region]);
    if (key !== current) flush();
    current = key;
    group.push(r);
  }
  flush();

  const explain = [
    'Each cell is the worst outcome of that rule on that bucket over the policies that apply it; hover over a cell for its message. An empty cell: no policy applies the rule to the bucket.',
    prefix !== '' ? ` Rule ids are shown without their common prefix <code>${html(prefix)}</code>.` : '',
    withObjects ? ' Objects: the object outcomes of the bucket (object × policy × rule), by their worst status.' : '',
  ].join('');
  return [
    `<section id="matrix"><h2>Buckets × rules (${plural(all.length, 'bucket')})</h2>`,
    `<p class="muted">${explain}</p>`,
    ...notes.map((n) => `<p class="note">${html(n)}</p>`),
    `<div class="matrix-scroll"><table id="bucket-matrix"><thead><tr>${head}</tr></thead>`,
    ...groups,
    '</table></div></section>',
  ].join('\n');
}
