/**
 * Outcome counts: by status, severity, policy and rule. The one place outcomes are counted, for the
 * report's summary (every finding) and for object outcomes that are counted but not listed.
 */
import { SEVERITIES, STATUSES, type Finding, type Severity, type Status } from './finding.js';
import type { OutcomeCounts } from './report.js';

export const emptyStatusCounts = (): Record<Status, number> => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;

export function emptyOutcomeCounts(): OutcomeCounts {
  return {
    total: 0,
    byStatus: emptyStatusCounts(),
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, emptyStatusCounts()])) as Record<Severity, Record<Status, number>>,
    byPolicy: {},
    byRule: {},
  };
}

/**
 * Adds (sign 1) or removes (sign -1) one finding's outcome; a finding that stands for a group of objects
 * (metadata mode) is added once per object (sign = the group's object count).
 */
export function countOutcome(c: OutcomeCounts, f: Pick<Finding, 'status' | 'severity' | 'policy' | 'rule'>, sign = 1): void {
  c.total += sign;
  c.byStatus[f.status] += sign;
  c.bySeverity[f.severity][f.status] += sign;
  (c.byPolicy[f.policy] ??= emptyStatusCounts())[f.status] += sign;
  (c.byRule[f.rule] ??= emptyStatusCounts())[f.status] += sign;
}

/** Adds every count of `from` into `into`. */
export function addCounts(into: OutcomeCounts, from: OutcomeCounts): void {
  const add = (a: Record<Status, number>, b: Record<Status, number>): void => {
    for (const s of STATUSES) a[s] += b[s] ?? 0;
  };
  into.total += from.total;
  add(into.byStatus, from.byStatus);
  for (const s of SEVERITIES) add(into.bySeverity[s], from.bySeverity[s]);
  for (const [k, v] of Object.entries(from.byPolicy)) add((into.byPolicy[k] ??= emptyStatusCounts()), v);
  for (const [k, v] of Object.entries(from.byRule)) add((into.byRule[k] ??= emptyStatusCounts()), v);
}
