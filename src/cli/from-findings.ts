/**
 * `remediate --objects --from FILE`: the findings of a saved scan instead of a new one — the JSON report
 * (its findings[], checked against the report schema) or the objects JSONL (every object outcome, one
 * finding per line). The plan re-reads each object (HeadObject) and refuses the ones that changed since
 * that scan (changed-since-scan), so an old file cannot make the tool change what it did not judge.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../domain/finding.js';
import { UsageError, unreadableFileError } from '../domain/errors.js';
import type { Policy } from '../domain/policy.js';
import { bucketInScope } from '../engine/scope.js';
import { loadReportSchema } from '../report/json.js';
import { errorsToText, validateAgainst } from '../schema/ajv.js';

export interface SavedFindings {
  findings: Finding[];
  /** The saved scan read everything (a JSONL file knows only its objects: complete when none is an error outcome). */
  complete: boolean;
  /** Non-passing object findings the JSON report counted but did not list (see --max-object-findings). */
  omitted: number;
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
    const findings = text
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
        return v;
      });
    const objects = findings.filter((f) => f.resource.type === 'object');
    // An object the scan could not read made that scan incomplete (its exit 3), as the JSON report's run.complete says.
    return { findings: objects, complete: !objects.some((f) => f.status === 'error'), omitted: 0 };
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
  return { findings: report.findings.filter((f) => f.resource.type === 'object'), complete: report.run.complete, omitted: report.objects?.findingsOmitted ?? 0 };
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
