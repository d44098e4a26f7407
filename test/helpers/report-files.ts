/** Reading what a scan or merge wrote, as the end-to-end tests compare it. */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Finding } from '../../src/domain/finding.js';
import type { AuditReport } from '../../src/domain/report.js';
import { loadReportSchema } from '../../src/report/json.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';

/** The report without what differs from one run of the same estate to the next: the run's id and times. */
export function withoutRunTiming(report: AuditReport): unknown {
  const { id: _id, start: _start, end: _end, ...run } = report.run;
  return { ...report, run };
}

/** A JSON report, checked against the report schema. */
export async function readReport(path: string): Promise<AuditReport> {
  const report = JSON.parse(await readFile(path, 'utf8')) as AuditReport;
  const problems = validateAgainst(loadReportSchema(), report);
  expect(problems, errorsToText(problems)).to.deep.equal([]);
  return report;
}

/** A file's non-empty lines, sorted (object JSONL lines come in the order scans finish). */
export const sortedLines = async (path: string): Promise<string[]> => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '').sort();

/** Every object outcome a report's objects JSONL holds. */
export async function objectOutcomes(report: AuditReport): Promise<Finding[]> {
  const text = await readFile(report.objects!.jsonl!, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Finding);
}
