/**
 * The numbers the HTML and Markdown reports show next to the JSON's, computed from the report itself
 * so they cannot disagree with it: the outcomes counted in summary.byStatus but not listed in
 * findings[] (passing object outcomes are never listed; non-passing ones beyond --max-object-findings
 * are not either), and the per-bucket object scan counts summed over all scans.
 */
import { STATUSES, type Status } from '../domain/finding.js';
import { emptyStatusCounts } from '../domain/counts.js';
import type { AuditReport, ObjectBucketScan } from '../domain/report.js';
import { plural } from '../domain/text.js';

export interface Unlisted {
  /** Counted in summary.byStatus, not in findings[], by status. */
  byStatus: Record<Status, number>;
  passing: number;
  nonPassing: number;
}

export function unlistedOutcomes(report: AuditReport): Unlisted {
  const byStatus = { ...report.summary.byStatus };
  for (const f of report.findings) byStatus[f.status] -= 1;
  const nonPassing = STATUSES.filter((s) => s !== 'pass').reduce((n, s) => n + byStatus[s], 0);
  return { byStatus, passing: byStatus.pass, nonPassing };
}

/**
 * What to say next to the totals, or undefined when every counted outcome is listed: `counted` is a
 * clause ("12 passing object outcomes are counted in these totals but not listed one by one"), `jsonl`
 * the file that holds every object outcome when it was written; each format joins them in its syntax.
 */
export function unlistedText(report: AuditReport): { counted: string; jsonl?: string } | undefined {
  const u = unlistedOutcomes(report);
  if (u.passing + u.nonPassing <= 0) return undefined;
  const parts: string[] = [];
  if (u.passing > 0) parts.push(plural(u.passing, 'passing object outcome'));
  if (u.nonPassing > 0) {
    const cap = report.objects ? ` (beyond --max-object-findings ${report.objects.maxFindings})` : '';
    parts.push(`${plural(u.nonPassing, 'non-passing object finding')}${cap}`);
  }
  const verb = u.passing + u.nonPassing === 1 ? 'is' : 'are';
  const counted = `${parts.join(' and ')} ${verb} counted in these totals but not listed one by one`;
  return report.objects?.jsonl !== undefined ? { counted, jsonl: report.objects.jsonl } : { counted };
}

export type ScanCounts = Pick<ObjectBucketScan, 'listed' | 'inspected' | 'skipped' | 'unreadable' | 'vanished' | 'outcomes'> & { complete: number };

/** Every scan's counts added up (complete: how many scans listed to the end). */
export function scanTotals(scans: readonly ObjectBucketScan[]): ScanCounts {
  const t: ScanCounts = { listed: 0, inspected: 0, skipped: 0, unreadable: 0, vanished: 0, complete: 0, outcomes: emptyStatusCounts() };
  for (const b of scans) {
    t.listed += b.listed;
    t.inspected += b.inspected;
    t.skipped += b.skipped;
    t.unreadable += b.unreadable;
    t.vanished += b.vanished;
    t.complete += b.complete ? 1 : 0;
    for (const s of STATUSES) t.outcomes[s] += b.outcomes[s];
  }
  return t;
}

/** How a scan ran, in words: "sample, prefix logs/, versions". */
export function scanMode(b: ObjectBucketScan): string {
  // Inventory scans name the report they read: its date is part of the verdict.
  const report = b.inventory?.reportDate ? `report of ${b.inventory.reportDate.slice(0, 16)}Z` : '';
  return [b.mode, b.prefix ? `prefix ${b.prefix}` : '', b.versions ? 'versions' : '', report].filter(Boolean).join(', ');
}

/**
 * The note of a scan that could not do all it was asked: an incremental scan that could not use its state, an
 * inventory scan whose report was unusable, listed instead, or left SSE-KMS objects' keys unread; else undefined.
 */
export function scanStateNote(b: ObjectBucketScan): string | undefined {
  if (b.inventory?.problem) return `inventory not usable: ${b.inventory.problem}`;
  if (b.inventory?.fallback) return `listed instead: ${b.inventory.fallback}`;
  if (b.inventory?.keyCheck && b.inventory.keyCheck.notDecided > 0) return `KMS key not read for ${plural(b.inventory.keyCheck.notDecided, 'SSE-KMS object')} (keyCheck sample ${b.inventory.keyCheck.sample})`;
  return b.state && b.state.status !== 'used' ? `state: ${b.state.note ?? b.state.status}` : undefined;
}
