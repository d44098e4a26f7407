/**
 * The JSON report (docs/architecture.md "Contracts", schemaVersion 1): built from findings and run metadata,
 * rendered as text. Pure (apart from reading its own schema file): the writer (writer.ts) is the only
 * module that puts a report on disk.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SEVERITIES, STATUSES, type Finding, type Severity, type Status } from '../domain/finding.js';
import type { AuditReport, ObjectsSection, OutcomeCounts, RuleInfo, RunError, Summary } from '../domain/report.js';
import type { Rule } from '../domain/rule.js';
import { packageRoot } from '../paths.js';
import { decideGate, type GateOptions } from './gate.js';

export const REPORT_SCHEMA_VERSION = 1;

/** What the orchestrator knows about the run; `complete` is derived here, not given. */
export type RunMetadata = Omit<AuditReport['run'], 'complete'>;

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
   * Object policies (issue 5): `findings` holds only the capped non-passing object findings; `uncounted`
   * counts every object outcome that is not in it (summary and gate include them); `errorCauses` are the
   * distinct causes of object error outcomes, listed in errors[].
   */
  objects?: { section: ObjectsSection; uncounted: OutcomeCounts; errorCauses: readonly RunError[] };
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

const emptyStatusCounts = (): Record<Status, number> =>
  Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;

/**
 * Counts by status, severity, policy and rule, plus the gate. `runErrors` are the run-level errors
 * only (not those derived from `error` findings, which the gate already counts as findings).
 */
export function summarize(findings: readonly Finding[], runErrors: readonly RunError[], gate: GateOptions, uncounted?: OutcomeCounts): Summary {
  const byStatus = emptyStatusCounts();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, emptyStatusCounts()])) as Record<Severity, Record<Status, number>>;
  const byPolicy: Record<string, Record<Status, number>> = {};
  const byRule: Record<string, Record<Status, number>> = {};
  const buckets = new Set<string>();
  for (const f of findings) {
    byStatus[f.status] += 1;
    bySeverity[f.severity][f.status] += 1;
    (byPolicy[f.policy] ??= emptyStatusCounts())[f.status] += 1;
    (byRule[f.rule] ??= emptyStatusCounts())[f.status] += 1;
    buckets.add(`${f.resource.account}/${f.resource.bucket}`);
  }
  if (uncounted) addCounts({ byStatus, bySeverity, byPolicy, byRule }, uncounted);
  return {
    total: findings.length + (uncounted?.total ?? 0),
    byStatus,
    bySeverity,
    byPolicy: sortKeys(byPolicy),
    byRule: sortKeys(byRule),
    buckets: buckets.size,
    gate: decideGate(findings, runErrors, gate, uncounted),
  };
}

/** Adds counted-only outcomes (object passes, and object findings over the cap) to the summary's counts. */
function addCounts(into: Omit<OutcomeCounts, 'total'>, from: OutcomeCounts): void {
  const add = (a: Record<Status, number>, b: Record<Status, number>): void => {
    for (const s of STATUSES) a[s] += b[s] ?? 0;
  };
  add(into.byStatus, from.byStatus);
  for (const s of SEVERITIES) add(into.bySeverity[s], from.bySeverity[s]);
  for (const [k, v] of Object.entries(from.byPolicy)) add((into.byPolicy[k] ??= emptyStatusCounts()), v);
  for (const [k, v] of Object.entries(from.byRule)) add((into.byRule[k] ??= emptyStatusCounts()), v);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

/** Code-unit order, not locale order: the same bytes on every machine. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic order: account, bucket, object key, version, policy, rule (then id as a tie-break). */
export function compareFindings(a: Pick<Finding, 'resource' | 'policy' | 'rule' | 'id'>, b: Pick<Finding, 'resource' | 'policy' | 'rule' | 'id'>): number {
  return (
    compareText(a.resource.account, b.resource.account) ||
    compareText(a.resource.bucket, b.resource.bucket) ||
    compareText(a.resource.key ?? '', b.resource.key ?? '') ||
    compareText(a.resource.versionId ?? '', b.resource.versionId ?? '') ||
    compareText(a.policy, b.policy) ||
    compareText(a.rule, b.rule) ||
    compareText(a.id, b.id)
  );
}

const errorKey = (e: RunError): string =>
  JSON.stringify([e.account ?? '', e.region ?? '', e.bucket ?? '', e.operation, e.code, e.message]);

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
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 's3-kms-audit', version: input.toolVersion },
    run,
    summary: summarize(findings, input.errors, input.gate, input.objects?.uncounted),
    findings,
    errors,
    ...(input.rules ? { rules: input.rules } : {}),
    ...(input.objects ? { objects: input.objects.section } : {}),
  };
}

/** The report as it is written to `<name>.json`. */
export function renderJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Where the report's JSON Schema lives (read from the package, not dist: tsc does not copy it). */
export const reportSchemaPath = (): string => resolve(packageRoot(), 'src/schema/report.schema.json');

let schemaCache: object | undefined;
/** The report's JSON Schema, parsed once; compile it with the shared Ajv instance (src/schema/ajv.ts). */
export function loadReportSchema(): object {
  schemaCache ??= JSON.parse(readFileSync(reportSchemaPath(), 'utf8')) as object;
  return schemaCache;
}
