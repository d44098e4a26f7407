/**
 * `s3-kms-audit report RESULT.json`: re-render a saved JSON report in other formats, optionally
 * diffed against an earlier one, without the rule files and without any AWS call. Also home of
 * readReportFile, which `scan --baseline` uses too: a report file is checked against the report
 * schema before anything trusts it, and a bad one is a usage error (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UsageError, unreadableFileError } from '../domain/errors.js';
import type { AuditReport } from '../domain/report.js';
import { render as renderConsole } from '../report/console.js';
import { baselineLine, withDiff } from '../report/diff.js';
import { fileRenderings } from '../report/formats.js';
import { loadReportSchema } from '../report/json.js';
import { checkReportName, prepareOutDir, writeReports } from '../report/writer.js';
import { validateAgainst } from '../schema/ajv.js';
import type { ReportArgs } from './commands.js';
import { EXIT_OK } from './exit.js';
import { useColor, type CliIO } from './terminal.js';

/** Schema problems listed in a usage error before "… and N more". */
const MAX_PROBLEMS = 8;

type ReportArgument = 'RESULT' | '--baseline' | 'PART';

/** What to give instead of a file that is missing, per argument. */
const WHAT_TO_GIVE: Record<ReportArgument, string> = {
  RESULT: 'Give a JSON report written by "s3-kms-audit scan" (with --format json; default folder reports/).',
  PART: 'Give the JSON report of each shard (scan --shard I/N --format json).',
  '--baseline': "Give the JSON report of an earlier scan (the .json file in that scan's --out folder), or leave --baseline out on a first run.",
};

/**
 * Reads and validates a JSON report. `label` names the argument in messages ("RESULT", "--baseline").
 * Throws UsageError when the file cannot be read, is not JSON, or is not an s3-kms-audit report.
 */
export async function readReportFile(path: string, label: ReportArgument): Promise<AuditReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadableFileError(label, path, err, WHAT_TO_GIVE[label]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${label}: "${path}" is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const problems = validateAgainst(loadReportSchema(), data);
  if (problems.length > 0) {
    const lines = problems.slice(0, MAX_PROBLEMS).map((e) => `  ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    if (problems.length > MAX_PROBLEMS) lines.push(`  … and ${problems.length - MAX_PROBLEMS} more`);
    throw new UsageError(`${label}: "${path}" is not an s3-kms-audit JSON report (schemaVersion 1):\n${lines.join('\n')}`);
  }
  return data as AuditReport;
}

/** The warning printed when a baseline came from another policy file: compared anyway. */
export function policyMismatchWarning(baseline: AuditReport, policyFileSha256: string): string | undefined {
  if (baseline.run.policyFileSha256 === policyFileSha256) return undefined;
  return (
    `warning: the baseline (run ${baseline.run.id}) was produced from a different policy file ` +
    `(sha256 ${baseline.run.policyFileSha256.slice(0, 12)}… vs ${policyFileSha256.slice(0, 12)}…); ` +
    'findings are compared by id anyway, so policy changes show up as new or resolved findings\n'
  );
}

/** nightly.json → nightly; anything that is not a safe report name falls back to "report". */
function defaultName(input: string): string {
  const name = basename(input).replace(/\.json$/i, '');
  try {
    checkReportName(name);
    return name;
  } catch {
    return 'report';
  }
}

export async function reportCommand(args: ReportArgs, io: CliIO): Promise<number> {
  const saved = await readReportFile(args.input, 'RESULT');
  let report = saved;
  if (args.baseline !== undefined) {
    const baseline = await readReportFile(args.baseline, '--baseline');
    const warning = policyMismatchWarning(baseline, saved.run.policyFileSha256);
    if (warning) io.stderr.write(warning);
    report = withDiff(saved, baseline);
  }

  const out = args.out ?? dirname(args.input);
  const name = args.name ?? defaultName(args.input);
  const renderings = fileRenderings(report, args.formats);
  const target = resolve(out, `${name}.json`);
  if (args.formats.includes('json') && target === resolve(args.input)) {
    throw new UsageError(`report: writing json would overwrite ${args.input}; choose another --name or --out`);
  }
  let paths: string[] = [];
  if (renderings.length > 0) {
    await prepareOutDir(out);
    paths = await writeReports(out, name, renderings);
  }
  if (args.formats.includes('console')) {
    io.stdout.write(renderConsole(report, { color: useColor(io.stdout, io.env), reportPaths: paths, verbose: args.verbose }));
    if (report.diff) io.stdout.write(baselineLine(report.diff));
  } else {
    io.stdout.write(paths.map((p) => `Report: ${p}\n`).join(''));
  }
  return EXIT_OK;
}
