/**
 * Nightly diffs (`--baseline PREVIOUS.json`): this run against an earlier report, by finding id.
 * Finding ids hash (account, resource ARN, policy, rule), so the same check on the same bucket has
 * the same id in every run. Pure: the CLI reads the baseline file, this module only compares.
 *
 * "Failing" means status `fail`. A finding that is `error` now is not counted as resolved: its state
 * is unknown (docs/architecture.md "Unknown is not compliant"), so it goes to `unknown`, never to `resolved`.
 * The same for a failure that is simply absent now when this run could not have seen it (see
 * absenceMeansFixed): absence counts as resolved only where this run looked and found nothing.
 */
import { STATUSES, type Finding, type Status } from '../domain/finding.js';
import type { AuditReport, DiffEntry, DiffState, ReportDiff } from '../domain/report.js';
import { revealControls } from './escape.js';
import { compareFindings } from './json.js';

/** Ids of the report's `fail` findings: what --fail-on-new compares against. */
export function failingIds(report: Pick<AuditReport, 'findings'>): Set<string> {
  return new Set(report.findings.filter((f) => f.status === 'fail').map((f) => f.id));
}

function entry(f: Finding, before: DiffState, after: DiffState): DiffEntry {
  return { id: f.id, policy: f.policy, rule: f.rule, severity: f.severity, resource: f.resource, before, after };
}


/**
 * A baseline failure has no finding in this run. That means "fixed (or deleted)" only when this run
 * looked: the account was scanned without an account-wide error, and — for an object, whose passing
 * outcomes are counted but never listed — its bucket's objects were all evaluated (not a sample, no
 * limit, listing complete, prefix covering the key) and no non-passing object finding was left out by
 * --max-object-findings. Anywhere else the outcome is unknown.
 */
function absenceMeansFixed(old: Finding, current: AuditReport): boolean {
  const { account, region, bucket, key } = old.resource;
  if (!current.run.accounts.includes(account)) return false;
  if (current.errors.some((e) => e.account === account && e.bucket === undefined && (e.region === undefined || e.region === region))) return false;
  if (old.resource.type !== 'object') return true;
  const objects = current.objects;
  if (!objects || objects.findingsOmitted > 0) return false;
  return objects.buckets.some(
    (scan) =>
      scan.account === account &&
      scan.bucket === bucket &&
      scan.policies.includes(old.policy) &&
      scan.mode !== 'sample' &&
      scan.complete &&
      scan.selected === scan.listed &&
      (scan.prefix === undefined || (key ?? '').startsWith(scan.prefix)),
  );
}

function statusCounts(findings: readonly Finding[]): Record<Status, number> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

export function diffReports(baseline: AuditReport, current: AuditReport): ReportDiff {
  const before = new Map(baseline.findings.map((f) => [f.id, f]));
  const after = new Map(current.findings.map((f) => [f.id, f]));
  const fresh: DiffEntry[] = [];
  const resolved: DiffEntry[] = [];
  let stillFailing = 0;
  let unknown = 0;

  for (const f of current.findings) {
    if (f.status !== 'fail') continue;
    const old = before.get(f.id);
    if (old?.status === 'fail') stillFailing += 1;
    else fresh.push(entry(f, old?.status ?? 'absent', 'fail'));
  }
  for (const old of baseline.findings) {
    if (old.status !== 'fail') continue;
    const now = after.get(old.id);
    if (now?.status === 'fail') continue;
    if (now?.status === 'error' || (!now && !absenceMeansFixed(old, current))) unknown += 1;
    // A bucket that is gone (or out of scope) no longer fails: resolved, and `after: absent` says why.
    else resolved.push(entry(now ?? old, 'fail', now?.status ?? 'absent'));
  }
  return {
    baseline: {
      runId: baseline.run.id,
      start: baseline.run.start,
      policyFileSha256: baseline.run.policyFileSha256,
      samePolicyFile: baseline.run.policyFileSha256 === current.run.policyFileSha256,
      byStatus: statusCounts(baseline.findings),
    },
    new: fresh.sort(compareFindings),
    resolved: resolved.sort(compareFindings),
    stillFailing,
    unknown,
  };
}

/** The report with its `diff` against the baseline (any earlier diff replaced). */
export function withDiff(current: AuditReport, baseline: AuditReport): AuditReport {
  return { ...current, diff: diffReports(baseline, current) };
}

/** How a finding of this run relates to the baseline, for the per-finding marks the formats show. */
export type DiffMark = 'new' | 'still-failing' | 'resolved';

/** A lookup of each finding's mark; always undefined when the report has no diff. */
export function diffMarks(report: AuditReport): (finding: Finding) => DiffMark | undefined {
  const { diff } = report;
  if (!diff) return () => undefined;
  const fresh = new Set(diff.new.map((e) => e.id));
  const resolved = new Set(diff.resolved.map((e) => e.id));
  return (f) => {
    if (f.status === 'fail') return fresh.has(f.id) ? 'new' : 'still-failing';
    return resolved.has(f.id) ? 'resolved' : undefined;
  };
}

/** "2 new failures · 3 resolved · 31 still failing" (plus unknown when some are errors now). */
export function diffCountsText(diff: ReportDiff): string {
  const parts = [
    `${diff.new.length} new failure${diff.new.length === 1 ? '' : 's'}`,
    `${diff.resolved.length} resolved`,
    `${diff.stillFailing} still failing`,
  ];
  if (diff.unknown > 0) parts.push(`${diff.unknown} now unknown (error or not seen)`);
  return parts.join(' · ');
}

/** The console's line about the baseline (the console renderer itself knows nothing of diffs). */
export function baselineLine(diff: ReportDiff): string {
  return `Since the baseline (run ${revealControls(diff.baseline.runId)} at ${revealControls(diff.baseline.start)}): ${diffCountsText(diff)}\n`;
}
