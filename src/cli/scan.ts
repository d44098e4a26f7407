/**
 * `s3-kms-audit scan`: validate config (no AWS call), run the audit, write the report files,
 * print the console summary, and return the gate's exit code.
 */
import { loadAuditConfig, runAudit } from '../run/audit.js';
import type { CollectProgress } from '../collect/collector.js';
import type { AuditReport } from '../domain/report.js';
import { render, renderGateLine } from '../report/console.js';
import { baselineLine, failingIds, withDiff } from '../report/diff.js';
import { fileRenderings } from '../report/formats.js';
import { prepareOutDir, writeReports } from '../report/writer.js';
import { awsOptionsFrom } from './aws-flags.js';
import type { ScanArgs } from './commands.js';
import { timestampName } from './interaction.js';
import { policyMismatchWarning, readReportFile } from './report.js';
import { join } from 'node:path';
import { openObjectOutputs } from '../report/jsonl-writer.js';
import { ProgressLine } from './progress.js';
import { useColor, type CliIO } from './terminal.js';

const defaultReportName = (start: Date): string => timestampName('scan', start);

export async function scanCommand(args: ScanArgs, io: CliIO): Promise<number> {
  // Throws ConfigError before any session is opened: a broken policy file never reaches AWS.
  const config = loadAuditConfig(args.policies, args.rules);
  // The baseline is read and validated before the scan too: a bad file costs no AWS call (exit 2).
  const baseline = args.baseline !== undefined ? await readReportFile(args.baseline, '--baseline') : undefined;
  const mismatch = baseline && policyMismatchWarning(baseline, config.policyFile.sha256);
  if (mismatch) io.stderr.write(mismatch);
  const renderFiles = args.formats.some((f) => f !== 'console');
  if (renderFiles) await prepareOutDir(args.out);

  const progress = !args.quiet && io.stderr.isTTY === true ? new ProgressLine(io.stderr) : undefined;
  const audited = await runAudit(config, {
    aws: awsOptionsFrom(args, args.concurrency),
    concurrency: args.concurrency,
    gate: {
      failOn: args.failOn,
      allowIncomplete: args.allowIncomplete,
      ...(args.failOnNew && baseline ? { baselineFailing: failingIds(baseline) } : {}),
    },
    ...(progress ? { onProgress: (p: CollectProgress) => progress.buckets(p) } : {}),
    // Object policies: outcomes stream to <out>/<name>.objects.jsonl beside the JSON report.
    objects: {
      ...(args.maxObjectFindings !== undefined ? { maxFindings: args.maxObjectFindings } : {}),
      stateDir: args.state ?? join(args.out, 'state'),
      openOutputs: (start, groups) =>
        openObjectOutputs({
          ...(args.formats.includes('json') ? { jsonlPath: join(args.out, `${args.name ?? defaultReportName(start)}.objects.jsonl`) } : {}),
          ...(args.exportManifest ? { manifestPath: args.exportManifest, manifestVersionIds: groups.some((g) => g.options.versions) } : {}),
        }),
      ...(progress ? { onProgress: (p) => progress.objects(p) } : {}),
    },
  });
  progress?.clear();
  // Incremental object scans that could not use a state file: a full scan was done instead (never a wrong result).
  for (const b of audited.objects?.buckets ?? []) {
    if (b.state?.status === 'invalid') io.stderr.write(`warning: ${b.account}/${b.bucket}: ${b.state.note ?? 'state file not usable'}\n`);
    else if (b.state?.status === 'none' && !args.quiet) io.stderr.write(`note: ${b.account}/${b.bucket}: ${b.state.note ?? 'no state file'}\n`);
  }
  const report: AuditReport = baseline ? withDiff(audited, baseline) : audited;

  const name = args.name ?? defaultReportName(new Date(report.run.start));
  const renderings = fileRenderings(report, args.formats);
  const paths = renderings.length > 0 ? await writeReports(args.out, name, renderings) : [];

  const color = useColor(io.stdout, io.env);
  if (args.quiet) {
    io.stdout.write(renderGateLine(report, { color }) + '\n');
  } else if (args.formats.includes('console')) {
    io.stdout.write(render(report, { color, reportPaths: paths, verbose: args.verbose }));
    if (report.diff) io.stdout.write(baselineLine(report.diff));
  } else {
    // Without the console format, still say what was decided and where the report is.
    io.stdout.write([renderGateLine(report, { color }), ...paths.map((p) => `Report: ${p}`)].join('\n') + '\n');
  }
  return report.summary.gate.exitCode;
}
