/**
 * Object outcomes counted, not kept: every outcome adds to counts by status, severity, policy and rule,
 * while only the most important non-passing findings (up to --max-object-findings) stay in memory for the
 * JSON report's findings[]. The rest are in the JSONL. Which findings are kept does not depend on the
 * order objects complete in: highest severity first, then fail before error before excepted, then the
 * report's own order (account, bucket, key, version, policy, rule, id).
 */
import { countOutcome, emptyOutcomeCounts } from '../domain/counts.js';
import { compareFindings, severityRank, type Finding, type Status } from '../domain/finding.js';
import type { OutcomeCounts, RunError } from '../domain/report.js';
import { TopN } from '../collect/objects-select.js';

export const DEFAULT_MAX_OBJECT_FINDINGS = 1000;

/** Outcomes listed one by one in the report; pass and skip are only counted. */
export const LISTED_STATUSES: ReadonlySet<Status> = new Set<Status>(['fail', 'error', 'excepted']);

const STATUS_RANK: Record<Status, number> = { fail: 0, error: 1, excepted: 2, skip: 3, pass: 4 };

/** true when finding a is kept before b. */
export function keptBefore(a: Finding, b: Finding): boolean {
  const c =
    severityRank(b.severity) - severityRank(a.severity) ||
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    compareFindings(a, b);
  return c < 0;
}

/** Distinct causes behind object `error` outcomes, at most this many (a run of a million denied objects names its cause once per bucket). */
const MAX_ERROR_CAUSES = 1000;

export class ObjectTally {
  /** Every object outcome. */
  readonly all = emptyOutcomeCounts();
  private readonly kept: TopN<Finding>;
  private readonly causes = new Map<string, RunError>();
  /** Non-passing findings offered for findings[] (a group finding is one, whatever its object count). */
  private nonPassFindings = 0;

  constructor(readonly maxFindings: number) {
    this.kept = new TopN<Finding>(maxFindings, keptBefore);
  }

  /** One outcome, or `objects` of them: a metadata-mode group finding is listed once and counted once per object. */
  add(f: Finding, objects = 1): void {
    countOutcome(this.all, f, objects);
    if (!LISTED_STATUSES.has(f.status)) return;
    this.nonPassFindings++;
    this.kept.offer(f);
    if (f.status === 'error' && f.cause && this.causes.size < MAX_ERROR_CAUSES) {
      const e: RunError = { account: f.resource.account, region: f.resource.region, bucket: f.resource.bucket, ...f.cause };
      const k = JSON.stringify([e.account, e.bucket, e.operation, e.code, e.message]);
      if (!this.causes.has(k)) this.causes.set(k, e);
    }
  }

  /** `n` pass or skip outcomes of one (policy, rule, severity, status): counted, never listed. */
  count(outcome: Pick<Finding, 'status' | 'severity' | 'policy' | 'rule'>, n: number): void {
    if (LISTED_STATUSES.has(outcome.status)) throw new Error(`a ${outcome.status} outcome must be added whole`);
    countOutcome(this.all, outcome, n);
  }

  /** The non-passing findings kept for findings[], and the counts of every outcome that is not among them. */
  result(): { findings: Finding[]; omitted: OutcomeCounts; listedNonPass: number; omittedNonPass: number; errorCauses: RunError[] } {
    const findings = this.kept.sorted();
    const omitted: OutcomeCounts = structuredClone(this.all);
    for (const f of findings) countOutcome(omitted, f, -1);
    return { findings, omitted, listedNonPass: findings.length, omittedNonPass: this.nonPassFindings - findings.length, errorCauses: [...this.causes.values()] };
  }
}
