/**
 * The CI gate: turns findings and run errors into the exit code contract of docs/architecture.md
 * (0 passed · 1 findings at or above --fail-on · 3 incomplete scan). Pure.
 *
 * Precedence when a run both has failing findings and is incomplete: exit 1. A `fail` is a
 * definite violation, the stronger signal; the incompleteness is still named in `reason`, and
 * `run.complete` in the report says so too. Only when nothing fails at or above the threshold does
 * an incomplete scan decide the gate (exit 3, unless allowed).
 */
import { severityRank, type Finding, type Severity } from '../domain/finding.js';
import type { GateResult, OutcomeCounts, RunError } from '../domain/report.js';

export type FailOn = Severity | 'none';

export interface GateOptions {
  /** Lowest severity of a `fail` finding that fails the gate; `none` never fails on findings. */
  failOn: FailOn;
  /** When true an incomplete scan (errors) does not fail the gate by itself. */
  allowIncomplete: boolean;
  /**
   * --fail-on-new: the ids of the baseline's `fail` findings. When set, a fail finding whose id is
   * among them (already failing in the baseline) does not fail the gate; only new ones do. Errors
   * still make the scan incomplete (exit 3) exactly as without it.
   */
  baselineFailing?: ReadonlySet<string>;
}

export const DEFAULT_FAIL_ON: FailOn = 'high';

/** true when this finding is a violation that fails the gate at the given threshold. */
export function failsGate(finding: Finding, failOn: FailOn): boolean {
  if (failOn === 'none' || finding.status !== 'fail') return false;
  return severityRank(finding.severity) >= severityRank(failOn);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `errors` are run-level errors (an account or region that could not be listed); `error` findings
 * are counted from `findings`, so do not pass the errors derived from them again.
 */
export function decideGate(
  findings: readonly Finding[],
  errors: readonly RunError[],
  options: GateOptions,
  uncounted?: OutcomeCounts,
): GateResult {
  const { failOn, allowIncomplete, baselineFailing } = options;
  const violations = findings.filter((f) => failsGate(f, failOn));
  // Object outcomes counted but not listed (over --max-object-findings) fail the gate like listed ones. Their
  // ids are not kept, so with --fail-on-new they count as new: a pass must never rest on outcomes unseen.
  const unlisted = uncounted ? uncountedViolations(uncounted, failOn) : 0;
  const failing = (baselineFailing ? violations.filter((f) => !baselineFailing.has(f.id)).length : violations.length) + unlisted;
  const errorFindings = findings.filter((f) => f.status === 'error').length + (uncounted?.byStatus.error ?? 0);
  const incomplete = errorFindings > 0 || errors.length > 0;
  const incompleteText = `${plural(errorFindings, 'error finding')}, ${plural(errors.length, 'run error')}`;
  const base = baselineFailing ? { failOn, allowIncomplete, failOnNew: true } : { failOn, allowIncomplete };
  // With --fail-on-new, say how many violations the baseline already had, so nobody mistakes a pass for "clean".
  const known = baselineFailing ? ` (${violations.length + unlisted - failing} already failing in the baseline)` : '';
  const fails = baselineFailing ? 'new fail finding' : 'fail finding';

  if (failing > 0) {
    const also = incomplete ? `; scan also incomplete (${incompleteText})` : '';
    return {
      ...base,
      passed: false,
      exitCode: 1,
      reason: `${plural(failing, fails)} at or above ${failOn}${known}${also}`,
    };
  }
  if (incomplete && !allowIncomplete) {
    return {
      ...base,
      passed: false,
      exitCode: 3,
      reason: `scan incomplete: ${incompleteText} (--allow-incomplete accepts this)`,
    };
  }
  const threshold = failOn === 'none' ? 'findings never fail with fail-on none' : `no ${fails} at or above ${failOn}${known}`;
  const allowed = incomplete ? `; incomplete scan allowed (${incompleteText})` : '';
  return { ...base, passed: true, exitCode: 0, reason: `${threshold}${allowed}` };
}

/** `fail` outcomes at or above the threshold among counted-only outcomes. */
function uncountedViolations(c: OutcomeCounts, failOn: FailOn): number {
  if (failOn === 'none') return 0;
  let n = 0;
  for (const [severity, byStatus] of Object.entries(c.bySeverity) as [Severity, Record<string, number>][]) {
    if (severityRank(severity) >= severityRank(failOn)) n += byStatus.fail ?? 0;
  }
  return n;
}
