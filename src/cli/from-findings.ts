/**
 * `remediate --objects --from FILE`: the findings of a saved scan instead of a new one — the JSON report
 * (its findings[], checked against the report schema) or the objects JSONL (every object outcome, one
 * finding per line). The plan re-reads each object (HeadObject) and refuses the ones that changed since
 * that scan (changed-since-scan), so an old file cannot make the tool change what it did not judge.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../domain/finding.js';
import { UsageError, unreadableFileError } from '../domain/errors.js';
import { loadReportSchema } from '../report/json.js';
import { errorsToText, validateAgainst } from '../schema/ajv.js';

export interface SavedFindings {
  findings: Finding[];
  /** The saved scan read everything (a JSONL file says nothing about it: taken as complete). */
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
      .filter((l) => l.trim() !== '')
      .map((line, i) => {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          throw new UsageError(`${path}:${i + 1}: not JSON`);
        }
        if (!isFinding(v)) throw new UsageError(`${path}:${i + 1}: not a finding (an objects JSONL line of scan)`);
        return v;
      });
    return { findings: findings.filter((f) => f.resource.type === 'object'), complete: true, omitted: 0 };
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
