/**
 * `remediate --objects --from FILE`: the findings of a saved scan instead of a new one — the JSON report
 * (its findings[], checked against the report schema) or the objects JSONL (every object outcome, one
 * finding per line). The plan re-reads each object (HeadObject) and refuses the ones that changed since
 * that scan (changed-since-scan), so an old file cannot make the tool change what it did not judge.
 * A finding that no longer says what the scan wrote (checkSavedFindings) makes the whole file bad input:
 * an edit must not take an object out of the plan unseen, nor put one in.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../domain/finding.js';
import { UsageError, unreadableFileError } from '../domain/errors.js';
import type { Policy } from '../domain/policy.js';
import type { RuleSet } from '../domain/rule.js';
import { escapeControl } from '../domain/text.js';
import { savedFindingProblem } from '../engine/saved-finding.js';
import { bucketInScope } from '../engine/scope.js';
import { loadReportSchema } from '../report/json.js';
import { errorsToText, validateAgainst } from '../schema/ajv.js';

export interface SavedFindings {
  findings: Finding[];
  /** The saved scan read everything (a JSONL file knows only its objects: complete when none is an error outcome). */
  complete: boolean;
  /** Non-passing object findings the JSON report counted but did not list (see --max-object-findings). */
  omitted: number;
  /** Every finding of the file (of buckets too) with where it is: "FILE:LINE", or "FILE findings[I]". */
  read: readonly { finding: Finding; where: string }[];
}

const isFinding = (v: unknown): v is Finding => {
  const f = v as Partial<Finding> | null;
  return typeof f === 'object' && f !== null && typeof f.rule === 'string' && typeof f.policy === 'string' && typeof f.status === 'string' && typeof f.resource?.bucket === 'string';
};

export async function readSavedFindings(path: string): Promise<SavedFindings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadableFileError('--from', path, err, 'Give the .json report or the .objects.jsonl file a scan wrote.');
  }
  if (path.endsWith('.jsonl')) {
    const read = text
      .split('\n')
      .map((line, i) => ({ line, number: i + 1 }))
      .filter(({ line }) => line.trim() !== '')
      .map(({ line, number }) => {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          throw new UsageError(`${path}:${number}: not JSON`);
        }
        if (!isFinding(v)) throw new UsageError(`${path}:${number}: not a finding (an objects JSONL line of scan)`);
        return { finding: v, where: `${path}:${number}` };
      });
    const objects = read.map((r) => r.finding).filter((f) => f.resource.type === 'object');
    // An object the scan could not read made that scan incomplete (its exit 3), as the JSON report's run.complete says.
    return { findings: objects, complete: !objects.some((f) => f.status === 'error'), omitted: 0, read };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const problems = validateAgainst(loadReportSchema(), data);
  if (problems.length > 0) throw new UsageError(`${path} is not a valid scan report:\n${errorsToText(problems)}`);
  const report = data as { findings: Finding[]; run: { complete: boolean }; objects?: { findingsOmitted?: number } };
  return {
    findings: report.findings.filter((f) => f.resource.type === 'object'),
    complete: report.run.complete,
    omitted: report.objects?.findingsOmitted ?? 0,
    read: report.findings.map((finding, i) => ({ finding, where: `${path} findings[${i}]` })),
  };
}

/** How many problems the message lists (the count says how many more). */
const SHOWN_PROBLEMS = 10;

/**
 * Every saved finding must still say what the scan wrote (src/engine/saved-finding.ts), judged with the
 * rules loaded for this run; otherwise the whole file is refused (UsageError, exit 2, before any AWS call),
 * naming each finding by line and id.
 */
export function checkSavedFindings(path: string, saved: Pick<SavedFindings, 'read'>, rules: RuleSet): void {
  const problems = saved.read.flatMap(({ finding: f, where }) => {
    // Statuses are judged for object findings only, the ones a plan is made from; a bucket finding's identity is still checked.
    const problem = savedFindingProblem(f, f.resource.type === 'object' ? rules.get(f.rule) : undefined);
    const what = `${f.policy}/${f.rule} ${f.resource.type === 'object' ? `s3://${f.resource.bucket}/${f.resource.key ?? ''}` : f.resource.bucket}`;
    return problem === undefined ? [] : [escapeControl(`${where}: finding ${f.id} (${what}): ${problem}`)];
  });
  if (problems.length === 0) return;
  const more = problems.length > SHOWN_PROBLEMS ? `\n  … and ${problems.length - SHOWN_PROBLEMS} more` : '';
  throw new UsageError(
    `${escapeControl(path)}: ${problems.length} saved finding${problems.length === 1 ? ' does' : 's do'} not say what the scan wrote (edited?), so no plan is made from it; scan again, or plan from the file as the scan wrote it:\n` +
      problems.slice(0, SHOWN_PROBLEMS).map((p) => `  ${p}`).join('\n') +
      more,
  );
}

/**
 * The saved findings this policy file could have produced: of one of its object policies, a rule of that
 * policy, and a bucket in its scope (bucket-name globs, regions, accounts; a tag condition cannot be
 * checked without reading the bucket's tags, so it is not). The policy file given to this run decides what
 * may be changed, never the saved file: an edited or foreign report must not reach an object no policy covers.
 */
export function withinPolicies(findings: readonly Finding[], policies: readonly Policy[]): { kept: Finding[]; outside: Finding[] } {
  const kept: Finding[] = [];
  const outside: Finding[] = [];
  for (const f of findings) {
    const policy = policies.find((p) => p.name === f.policy && p.resource === 'object');
    const covered =
      policy !== undefined &&
      policy.rules.some((r) => r.id === f.rule) &&
      bucketInScope({ ...policy.scope, tags: undefined }, { name: f.resource.bucket, region: f.resource.region, account: f.resource.account, tags: {}, errors: {} }) === true;
    (covered ? kept : outside).push(f);
  }
  return { kept, outside };
}
