/**
 * The report object of a run: findings in their deterministic order, counts and the gate decision
 * (summary), the distinct run errors, whether the run is complete, and the rules' text.
 */
import { addCounts, countOutcome, emptyOutcomeCounts } from '../domain/counts.js';
import { compareFindings, type Finding } from '../domain/finding.js';
import type { AuditReport, ObjectsSection, OutcomeCounts, RuleInfo, RunError, ShardInfo, Summary } from '../domain/report.js';
import type { Rule } from '../domain/rule.js';
import type { AccountsSection } from '../domain/accounts.js';
import { compareText } from '../domain/text.js';
import { decideGate, type GateOptions } from '../engine/gate.js';
import { REPORT_SCHEMA_VERSION } from '../report/json.js';

/** What the orchestrator knows about the run; `complete` is derived here, and a shard's run errors are those given. */
export type RunMetadata = Omit<AuditReport['run'], 'complete' | 'shard'> & { shard?: Omit<ShardInfo, 'runErrors'> };

export interface ReportInput {
  toolVersion: string;
  run: RunMetadata;
  findings: readonly Finding[];
  /** Run-level errors (enumeration, region lookup, …) that are not tied to one finding. */
  errors: readonly RunError[];
  gate: GateOptions;
  /** Rule metadata for the report's `rules` section (see ruleCatalogue). */
  rules?: Record<string, RuleInfo>;
  /**
   * Object policies: `findings` holds only the capped non-passing object findings; `uncounted`
   * counts every object outcome that is not in it (summary and gate include them); `errorCauses` are the
   * distinct causes of object error outcomes, listed in errors[].
   */
  objects?: { section: ObjectsSection; uncounted: OutcomeCounts; errorCauses: readonly RunError[] };
  /** Many-account runs: what became of each selected account. */
  accounts?: AccountsSection;
}

/**
 * The `rules` section: the text of every rule the policies use, keyed by id in code-unit order, so a
 * saved report can be re-rendered (html, sarif, …) without the rule files.
 */
export function ruleCatalogue(ruleIds: Iterable<string>, rules: ReadonlyMap<string, Rule>): Record<string, RuleInfo> {
  const catalogue: Record<string, RuleInfo> = {};
  for (const id of [...new Set(ruleIds)].sort(compareText)) {
    const rule = rules.get(id);
    if (!rule) continue;
    const info: RuleInfo = { title: rule.title, description: rule.description, severity: rule.severity, resource: rule.resource };
    if (rule.fix !== undefined) info.fix = rule.fix;
    if (rule.remediation !== undefined) info.remediation = rule.remediation;
    catalogue[id] = info;
  }
  return catalogue;
}

/**
 * Counts by status, severity, policy and rule, plus the gate. `runErrors` are the run-level errors
 * only (not those derived from `error` findings, which the gate already counts as findings).
 */
export function summarize(findings: readonly Finding[], runErrors: readonly RunError[], gate: GateOptions, uncounted?: OutcomeCounts): Summary {
  const counts = emptyOutcomeCounts();
  const buckets = new Set<string>();
  for (const f of findings) {
    countOutcome(counts, f);
    buckets.add(`${f.resource.account}/${f.resource.bucket}`);
  }
  if (uncounted) addCounts(counts, uncounted);
  return {
    total: counts.total,
    byStatus: counts.byStatus,
    bySeverity: counts.bySeverity,
    byPolicy: sortKeys(counts.byPolicy),
    byRule: sortKeys(counts.byRule),
    buckets: buckets.size,
    gate: decideGate(findings, runErrors, gate, uncounted),
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

export const errorKey = (e: RunError): string =>
  JSON.stringify([e.account ?? '', e.region ?? '', e.bucket ?? '', e.operation, e.code, e.message]);

/** One of each run error (same account, region, bucket, operation, code and message), first seen kept, in input order. */
export function distinctRunErrors(errors: readonly RunError[]): RunError[] {
  const seen = new Map<string, RunError>();
  for (const e of errors) if (!seen.has(errorKey(e))) seen.set(errorKey(e), e);
  return [...seen.values()];
}

/**
 * Run errors plus one entry per distinct fact error behind the `error` findings (several rules of
 * several policies fail on the same unreadable GetBucketEncryption: that is one error, not six).
 */
export function collectErrors(findings: readonly Finding[], runErrors: readonly RunError[]): RunError[] {
  const seen = new Map<string, RunError>();
  for (const e of runErrors) seen.set(errorKey(e), e);
  for (const f of findings) {
    if (f.status !== 'error' || !f.cause) continue;
    const e: RunError = {
      account: f.resource.account,
      region: f.resource.region,
      bucket: f.resource.bucket,
      operation: f.cause.operation,
      code: f.cause.code,
      message: f.cause.message,
    };
    if (!seen.has(errorKey(e))) seen.set(errorKey(e), e);
  }
  return [...seen.values()].sort(
    (a, b) =>
      compareText(a.account ?? '', b.account ?? '') ||
      compareText(a.bucket ?? '', b.bucket ?? '') ||
      compareText(a.region ?? '', b.region ?? '') ||
      compareText(a.operation, b.operation) ||
      compareText(a.code, b.code),
  );
}

export function buildReport(input: ReportInput): AuditReport {
  const findings = [...input.findings].sort(compareFindings);
  const errors = collectErrors(findings, [...input.errors, ...(input.objects?.errorCauses ?? [])]);
  const complete = errors.length === 0 && !findings.some((f) => f.status === 'error') && !(input.objects?.uncounted.byStatus.error ?? 0);
  const run: AuditReport['run'] = {
    id: input.run.id,
    start: input.run.start,
    end: input.run.end,
    policyFile: input.run.policyFile,
    policyFileSha256: input.run.policyFileSha256,
    rulesDirs: [...input.run.rulesDirs],
    accounts: [...new Set(input.run.accounts)].sort(compareText),
    regions: [...new Set(input.run.regions)].sort(compareText),
    complete,
  };
  if (input.run.endpoint !== undefined) run.endpoint = input.run.endpoint;
  // The run-level errors, apart from the causes of error outcomes: merge recomputes the gate from them.
  if (input.run.shard !== undefined) run.shard = { ...input.run.shard, runErrors: distinctRunErrors(input.errors) };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 's3-kms-audit', version: input.toolVersion },
    run,
    summary: summarize(findings, input.errors, input.gate, input.objects?.uncounted),
    findings,
    errors,
    ...(input.rules ? { rules: input.rules } : {}),
    ...(input.objects ? { objects: input.objects.section } : {}),
    ...(input.accounts ? { accounts: input.accounts } : {}),
  };
}
