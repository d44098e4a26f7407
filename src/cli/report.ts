/**
 * `s3-kms-audit report RESULT.json`: re-render a saved JSON report in other formats, optionally
 * diffed against an earlier one, without the rule files and without any AWS call. Also home of
 * readReportFile, which `scan --baseline` uses too: a report file is checked against the report
 * schema before anything trusts it, and a bad one is a usage error (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../domain/errors.js';
import type { AuditReport } from '../domain/report.js';
import { render as renderConsole } from '../report/console.js';
import { baselineLine, withDiff } from '../report/diff.js';
import { fileRenderings, FILE_FORMATS } from '../report/formats.js';
import { loadReportSchema } from '../report/json.js';
import { checkReportName, prepareOutDir, writeReports } from '../report/writer.js';
import { validateAgainst } from '../schema/ajv.js';
import { FORMATS, parse, parseFormats, type ReportFormat } from './args.js';
import { EXIT_OK } from './exit.js';
import { useColor, type CliIO } from './terminal.js';

/** Schema problems listed in a usage error before "… and N more". */
const MAX_PROBLEMS = 8;

/**
 * Reads and validates a JSON report. `label` names the argument in messages ("RESULT", "--baseline").
 * Throws UsageError when the file cannot be read, is not JSON, or is not an s3-kms-audit report.
 */
export async function readReportFile(path: string, label: string): Promise<AuditReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : String(err);
    throw new UsageError(`${label}: cannot read "${path}" (${code})`);
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

export interface ReportArgs {
  help: boolean;
  input?: string;
  formats: ReportFormat[];
  out?: string;
  name?: string;
  baseline?: string;
}

const REPORT_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  baseline: { type: 'string' },
} as const;

export const DEFAULT_REPORT_FORMATS = 'html,md,junit,sarif,csv';

export const REPORT_HELP = `Usage: s3-kms-audit report RESULT.json [--format LIST] [--out DIR] [--name NAME]
                          [--baseline PREVIOUS.json]

Re-renders a saved JSON report (from scan --format json) in other formats, with no AWS call and
without the rule files (the report carries the rules' text). The files are byte for byte what
scan would have written for the same result.

Options:
  --format LIST        comma-separated: ${FORMATS.join(', ')}
                       (default ${DEFAULT_REPORT_FORMATS}); each writes
                       <name>.<ext> (${(Object.keys(FILE_FORMATS) as (keyof typeof FILE_FORMATS)[]).map((f) => FILE_FORMATS[f].extension).join(', ')});
                       console prints the summary
  --out DIR            folder to write to (default: the folder of RESULT.json)
  --name NAME          file name without extension (default: RESULT's name without .json)
  --baseline FILE      an earlier JSON report: every format shows new, resolved and still-failing
                       findings (replaces a diff the report already carries)
  -h, --help           show this help

Exit codes: 0 rendered · 2 usage error, or RESULT / the baseline is not a valid JSON report
`;

export function parseReportArgs(argv: string[]): ReportArgs {
  const { values, positionals } = parse('report', argv, REPORT_OPTIONS, true);
  const args: ReportArgs = { help: values.help ?? false, formats: parseFormats(values.format ?? DEFAULT_REPORT_FORMATS) };
  if (args.help) return args;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'report: give the JSON report to render (report RESULT.json)' : `report: unexpected argument "${positionals[1]}"`);
  }
  args.input = positionals[0]!;
  if (values.out !== undefined) {
    if (values.out === '') throw new UsageError('--out: give a path');
    args.out = values.out;
  }
  if (values.name !== undefined) {
    checkReportName(values.name);
    args.name = values.name;
  }
  if (values.baseline !== undefined) {
    if (values.baseline === '') throw new UsageError('--baseline: give the path of an earlier JSON report');
    args.baseline = values.baseline;
  }
  return args;
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

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseReportArgs(argv);
  if (args.help || args.input === undefined) {
    io.stdout.write(REPORT_HELP);
    return EXIT_OK;
  }
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
    io.stdout.write(renderConsole(report, { color: useColor(io.stdout, io.env), reportPaths: paths }));
    if (report.diff) io.stdout.write(baselineLine(report.diff));
  } else {
    io.stdout.write(paths.map((p) => `Report: ${p}\n`).join(''));
  }
  return EXIT_OK;
}
