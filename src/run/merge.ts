/**
 * `merge`: the partial reports of a sharded scan (`scan --shard I/N`) → the report an unsharded scan of
 * the same estate writes. Pure: the caller reads the parts and writes the result.
 *
 * Refused (UsageError, exit 2) unless the parts are exactly shards 1..N of one run: same tool version,
 * policy file, rules, N, accounts, endpoint, gate and object findings cap, and the same run key (which also
 * covers the home region and --run-id); each shard once. The message names what differs, or which
 * shard is missing or given twice. Also refused: a part with findings of a bucket its shard does not
 * audit, or whose summary counts fewer outcomes than its findings list (an edited part).
 *
 * Equal to the unsharded report apart from the run's id and timing because every part of it is
 * recomputed by the same code from what the parts carry:
 * - bucket findings: each bucket is in exactly one part, so the union is the unsharded set;
 * - object findings: each part keeps its most important ones up to the cap in one total order
 *   (keptBefore), so the cap's first findings of the union are the unsharded run's;
 * - counts: the parts' summaries add up (every outcome is counted in exactly one part); the outcomes
 *   not listed are that sum less the listed findings;
 * - errors: run errors met by several shards (an account's ListBuckets) are one error, as in one run
 *   (src/domain/shard.ts); the gate is decided again from the merged findings and run errors.
 */
import { addCounts, countOutcome, emptyOutcomeCounts } from '../domain/counts.js';
import { UsageError } from '../domain/errors.js';
import type { Finding } from '../domain/finding.js';
import type { AccountEntry, AccountResult, AccountsSection } from '../domain/accounts.js';
import type { AuditReport, ObjectBucketScan, ObjectsSection, OutcomeCounts, RunError } from '../domain/report.js';
import { shardOfBucket } from '../domain/shard.js';
import type { GateOptions } from '../engine/gate.js';
import { buildReport, distinctRunErrors } from './report.js';
import { keptBefore } from './tally.js';
import { mergeBucketScans } from './merge-scans.js';

export interface MergePart {
  /** How messages name the part (its path). */
  label: string;
  report: AuditReport;
}

export interface MergeOptions {
  /** The gate: by default the one the parts were scanned with (they must agree). */
  gate?: Partial<GateOptions>;
  /** The merged run's id when the parts do not share one (they do when scanned with --run-id). */
  newRunId: () => string;
  /** The merged objects section's files (the parts' JSONL and manifests joined by the caller), when written. */
  objectFiles?: Pick<ObjectsSection, 'jsonl' | 'manifest'>;
}

type Sharded = MergePart & { report: AuditReport & { run: { shard: NonNullable<AuditReport['run']['shard']> } } };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** What must be equal in every part, with how to show it. */
const RUN_FIELDS: { what: string; value: (r: Sharded['report']) => unknown; show?: (v: unknown) => string }[] = [
  { what: 'tool version', value: (r) => r.tool.version },
  { what: 'policy file (policyFileSha256)', value: (r) => r.run.policyFileSha256, show: (v) => short(String(v)) },
  { what: 'rules (rulesSha256)', value: (r) => r.run.shard.rulesSha256, show: (v) => short(String(v)) },
  { what: 'shard count N', value: (r) => r.run.shard.count },
  { what: 'accounts', value: (r) => r.run.accounts, show: (v) => (v as string[]).join(',') },
  { what: 'endpoint', value: (r) => r.run.endpoint ?? '(AWS)' },
  { what: 'gate --fail-on', value: (r) => r.summary.gate.failOn },
  { what: 'gate --allow-incomplete', value: (r) => r.summary.gate.allowIncomplete },
  { what: 'gate --fail-on-new', value: (r) => r.summary.gate.failOnNew === true },
  { what: '--max-object-findings', value: (r) => r.objects?.maxFindings ?? '(no object policies)' },
  { what: 'run key (home region --region, or --run-id)', value: (r) => r.run.shard.runKey, show: (v) => short(String(v)) },
];

/** Throws UsageError unless the parts are shards 1..N of one run, each once. */
export function checkParts(parts: readonly MergePart[]): Sharded[] {
  if (parts.length === 0) throw new UsageError('merge: give the partial reports (PART.json…) of every shard');
  for (const p of parts) {
    if (!p.report.run.shard) throw new UsageError(`merge: ${p.label} is not the report of a shard (no run.shard): merge takes the JSON reports of scan --shard I/N`);
  }
  const sharded = parts as Sharded[];
  const first = sharded[0]!;
  for (const field of RUN_FIELDS) {
    const expected = field.value(first.report);
    const other = sharded.find((p) => !same(field.value(p.report), expected));
    if (other) {
      const show = field.show ?? ((v: unknown) => String(v));
      throw new UsageError(
        `merge: the parts are not of the same run: ${field.what} differs: ${first.label} has ${show(expected)}, ${other.label} has ${show(field.value(other.report))}`,
      );
    }
  }
  const count = first.report.run.shard.count;
  const byIndex = new Map<number, string[]>();
  for (const p of sharded) {
    const labels = byIndex.get(p.report.run.shard.index) ?? [];
    labels.push(p.label);
    byIndex.set(p.report.run.shard.index, labels);
  }
  const duplicated = [...byIndex].filter(([, labels]) => labels.length > 1).sort(([a], [b]) => a - b);
  if (duplicated.length > 0) {
    const list = duplicated.map(([i, labels]) => `shard ${i}/${count} (${labels.join(', ')})`).join('; ');
    throw new UsageError(`merge: duplicate shard: ${list} given more than once; give each shard's report once`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UsageError(
      `merge: missing shard${missing.length > 1 ? 's' : ''} ${shardRanges(missing, count)}: got ${byIndex.size} of ${count} parts; run the missing shard${missing.length > 1 ? 's' : ''} (or re-run the whole run) and merge again`,
    );
  }
  for (const p of sharded) {
    checkOwnedBuckets(p);
    checkCountsCoverFindings(p);
  }
  return [...sharded].sort((a, b) => a.report.run.shard.index - b.report.run.shard.index);
}

/** Shard numbers as a short list: runs of three or more as `a/N-b/N` (999 missing shards of 1000 are one range, not 10 kB). */
function shardRanges(indexes: readonly number[], count: number): string {
  const ranges: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    if (j - i >= 2) ranges.push(`${indexes[i]}/${count}-${indexes[j]}/${count}`);
    else for (let k = i; k <= j; k++) ranges.push(`${indexes[k]}/${count}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/**
 * Every finding of a part must be of a bucket its shard audits (the same hash as the scan): a finding of
 * another shard's bucket would be listed twice in the merged report under one finding id, or stand for a
 * bucket the run never assigned to that part — the part was edited, or is not of this run.
 */
function checkOwnedBuckets(part: Sharded): void {
  const { index, count } = part.report.run.shard;
  // The exception: an inventory report split by data file (every shard reads its own data files of
  // every bucket) gives object findings of any bucket; each object's row is in one data file only.
  const splitByDataFile = new Set((part.report.objects?.buckets ?? []).filter((b) => b.inventory?.shard !== undefined).map((b) => `${b.account}\0${b.bucket}`));
  const checked = new Set<string>();
  for (const f of part.report.findings) {
    const { account, bucket } = f.resource;
    const key = `${account}\0${bucket}`;
    if (isObjectFinding(f) && splitByDataFile.has(key)) continue;
    if (checked.has(key)) continue;
    checked.add(key);
    const owner = shardOfBucket(account, bucket, count);
    if (owner !== index) {
      throw new UsageError(
        `merge: ${part.label} (shard ${index}/${count}) has findings of bucket ${bucket} in account ${account}, which shard ${owner}/${count} audits: the part was edited or is not of this run`,
      );
    }
  }
}

const isObjectFinding = (f: Finding): boolean => f.resource.type === 'object';

/**
 * The run errors of all parts, each once. An error of no bucket (an account's ListBuckets, a region's
 * listing) is met by every shard, which in one process is one call and one error: kept once per account,
 * region, operation and code, the first shard's wording (two shards may word one failure differently, e.g.
 * "after 3 attempts" and "after 5 attempts"). An error of a bucket comes from the one shard that owns it.
 */
function accountLevelOnce(errors: readonly RunError[]): RunError[] {
  const seen = new Set<string>();
  const once: RunError[] = [];
  for (const e of distinctRunErrors(errors)) {
    if (e.bucket === undefined) {
      const key = JSON.stringify([e.account ?? '', e.region ?? '', e.operation, e.code]);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    once.push(e);
  }
  return once;
}

/**
 * A part's summary counts every outcome of its shard, listed or not, so no count may be below what its own
 * findings add up to. The merged summary and gate are the parts' counts added up: a part whose counts were
 * lowered by hand would change the merged gate while its findings still list the failures.
 */
function checkCountsCoverFindings(part: Sharded): void {
  const listed = emptyOutcomeCounts();
  for (const f of part.report.findings) countOutcome(listed, f);
  const counted = countsOf(part.report);
  const below: string[] = [];
  const compare = (path: string, have: Record<string, number> | undefined, need: Record<string, number>): void => {
    for (const [status, n] of Object.entries(need)) if ((have?.[status] ?? 0) < n) below.push(`${path}.${status} is ${have?.[status] ?? 0}, its findings list ${n}`);
  };
  if (counted.total < listed.total) below.push(`total is ${counted.total}, its findings list ${listed.total}`);
  compare('byStatus', counted.byStatus, listed.byStatus);
  for (const group of ['bySeverity', 'byPolicy', 'byRule'] as const) {
    const have = counted[group] as Record<string, Record<string, number>>;
    for (const [name, need] of Object.entries(listed[group] as Record<string, Record<string, number>>)) compare(`${group}.${name}`, have[name], need);
  }
  if (below.length > 0) {
    throw new UsageError(`merge: ${part.label}: its summary counts fewer outcomes than its findings list (summary.${below[0]!}): the part was edited`);
  }
}

/** How bad an account's result is: an account that failed in any shard failed in the run. */
const ACCOUNT_RESULT_RANK: Record<AccountResult, number> = { scanned: 0, skipped: 1, error: 2 };

/**
 * The accounts section of the run. Every shard lists and selects the same accounts (the selection is
 * part of the run), so the lists must name the same ids; an account's result may still differ when
 * its role or its listing failed in some shards only, and then the run's result is the worst one
 * (error over skipped over scanned), in the first such shard's wording, as an unsharded run that met
 * the failure would report it.
 */
function mergedAccounts(parts: readonly Sharded[]): AccountsSection {
  const sections = parts.map((p) => {
    if (!p.report.accounts) throw new UsageError(`merge: ${p.label} has no accounts section but ${parts[0]!.label} has: the parts are not of one run`);
    return p.report.accounts;
  });
  const ids = (a: AccountsSection): string => a.list.map((e) => e.id).join(',');
  const first = sections[0]!;
  sections.forEach((section, i) => {
    if (section.source !== first.source || ids(section) !== ids(first)) {
      throw new UsageError(`merge: ${parts[i]!.label} selected other accounts than ${parts[0]!.label}: the parts are not of one run`);
    }
  });
  const list: AccountEntry[] = first.list.map((entry, index) =>
    sections.map((s) => s.list[index]!).reduce((worst, e) => (ACCOUNT_RESULT_RANK[e.result] > ACCOUNT_RESULT_RANK[worst.result] ? e : worst), entry),
  );
  return { ...first, list };
}

/** Summary counts as outcome counts (every outcome of the part, listed or not). */
function countsOf(r: AuditReport): OutcomeCounts {
  const { total, byStatus, bySeverity, byPolicy, byRule } = r.summary;
  return structuredClone({ total, byStatus, bySeverity, byPolicy, byRule });
}

const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** The order of objects.buckets[] in a scan's report (run/object-audit.ts). */
const compareBucketScans = (a: ObjectBucketScan, b: ObjectBucketScan): number =>
  text(a.account, b.account) || text(a.bucket, b.bucket) || text(a.policies.join(','), b.policies.join(','));

export function mergeParts(parts: readonly MergePart[], options: MergeOptions): AuditReport {
  const sorted = checkParts(parts);
  const reports = sorted.map((p) => p.report);
  const first = reports[0]!;

  const bucketFindings = reports.flatMap((r) => r.findings.filter((f) => !isObjectFinding(f)));
  const withObjects = first.objects !== undefined;
  const maxObjectFindings = first.objects?.maxFindings ?? 0;
  const objectFindings = reports
    .flatMap((r) => r.findings.filter(isObjectFinding))
    .sort((a, b) => (keptBefore(a, b) ? -1 : keptBefore(b, a) ? 1 : 0))
    .slice(0, maxObjectFindings);
  const findings = [...bucketFindings, ...objectFindings];

  // The parts carry the baseline's verdict, not its finding ids: a --fail-on-new gate needs the baseline again.
  if (first.summary.gate.failOnNew && !options.gate?.baselineFailing) {
    throw new UsageError('merge: the shards were gated with --fail-on-new: give merge the same --baseline FILE and --fail-on-new (the parts do not carry the baseline)');
  }
  const runErrors = accountLevelOnce(reports.flatMap((r) => r.run.shard.runErrors));
  const gate: GateOptions = {
    failOn: options.gate?.failOn ?? first.summary.gate.failOn,
    allowIncomplete: options.gate?.allowIncomplete ?? first.summary.gate.allowIncomplete,
    ...(options.gate?.baselineFailing ? { baselineFailing: options.gate.baselineFailing } : {}),
  };
  const sharedRunId = reports.every((r) => r.run.id === first.run.id) ? first.run.id : undefined;

  return buildReport({
    toolVersion: first.tool.version,
    run: {
      id: sharedRunId ?? options.newRunId(),
      start: reports.map((r) => r.run.start).sort()[0]!,
      end: reports.map((r) => r.run.end).sort().at(-1)!,
      policyFile: first.run.policyFile,
      policyFileSha256: first.run.policyFileSha256,
      rulesDirs: first.run.rulesDirs,
      accounts: first.run.accounts,
      regions: reports.flatMap((r) => r.run.regions),
      ...(first.run.endpoint !== undefined ? { endpoint: first.run.endpoint } : {}),
    },
    findings,
    errors: runErrors,
    gate,
    ...(first.rules ? { rules: first.rules } : {}),
    ...(first.accounts ? { accounts: mergedAccounts(sorted) } : {}),
    ...(withObjects ? { objects: mergedObjects(reports, findings, objectFindings.length, options.objectFiles ?? {}) } : {}),
  });
}

/** The objects section and what buildReport needs besides it: the outcomes not listed, and every error cause of the parts. */
function mergedObjects(
  reports: readonly AuditReport[],
  findings: readonly Finding[],
  listed: number,
  files: Pick<ObjectsSection, 'jsonl' | 'manifest'>,
): { section: ObjectsSection; uncounted: OutcomeCounts; errorCauses: RunError[] } {
  const all = emptyOutcomeCounts();
  for (const r of reports) addCounts(all, countsOf(r));
  const uncounted = all;
  for (const f of findings) countOutcome(uncounted, f, -1);
  const nonPass = reports.reduce((n, r) => n + (r.objects?.findingsListed ?? 0) + (r.objects?.findingsOmitted ?? 0), 0);
  const section: ObjectsSection = {
    ...(files.jsonl !== undefined ? { jsonl: files.jsonl } : {}),
    maxFindings: reports[0]!.objects!.maxFindings,
    findingsListed: listed,
    findingsOmitted: nonPass - listed,
    // A bucket's inventory report is read in parts, one per shard: its entries are joined into one.
    buckets: mergeBucketScans(reports.flatMap((r) => r.objects?.buckets ?? [])).sort(compareBucketScans),
    ...(files.manifest !== undefined ? { manifest: files.manifest } : {}),
  };
  // Every part's errors[] holds its causes of object error outcomes, with the errors derived from its
  // findings (buildReport finds those again and keeps them once) and its run errors: those of no bucket
  // are left to the run errors above, which keep them once per shard-independent key.
  return { section, uncounted, errorCauses: reports.flatMap((r) => r.errors.filter((e) => e.bucket !== undefined)) };
}
