/**
 * `s3-kms-audit scan`: validate config (no AWS call), run the audit, write the report files,
 * print the console summary, and return the gate's exit code.
 */
import { defaultReportName, loadAuditConfig, runAudit } from '../audit.js';
import type { AwsOptions } from '../aws/options.js';
import type { CollectProgress } from '../collect/collector.js';
import type { AuditReport } from '../domain/report.js';
import { render, renderGateLine } from '../report/console.js';
import { renderJson } from '../report/json.js';
import { prepareOutDir, writeReports, type Rendering } from '../report/writer.js';
import { SCAN_HELP, parseScanArgs, type ScanArgs } from './args.js';
import { EXIT_OK } from './exit.js';
import { useColor, type CliIO } from './terminal.js';

export function awsOptionsFrom(args: ScanArgs): AwsOptions {
  const aws: AwsOptions = {};
  if (args.endpointUrl) aws.endpoint = args.endpointUrl;
  if (args.region) aws.region = args.region;
  if (args.profile) aws.profile = args.profile;
  if (args.assumeRoles.length > 0) aws.assumeRoles = args.assumeRoles;
  if (args.maxAttempts !== undefined) aws.maxAttempts = args.maxAttempts;
  return aws;
}

/** The files to write for the chosen formats (console goes to stdout, not to a file). */
function fileRenderings(report: AuditReport, args: ScanArgs): Rendering[] {
  const out: Rendering[] = [];
  if (args.formats.includes('json')) out.push({ extension: 'json', content: renderJson(report) });
  return out;
}

export async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseScanArgs(argv, io.env);
  if (args.help) {
    io.stdout.write(SCAN_HELP);
    return EXIT_OK;
  }
  // Throws ConfigError before any session is opened: a broken policy file never reaches AWS.
  const config = loadAuditConfig(args.policies, args.rules);
  const renderFiles = args.formats.some((f) => f !== 'console');
  if (renderFiles) await prepareOutDir(args.out);

  const showProgress = !args.quiet && io.stderr.isTTY === true;
  const report = await runAudit(config, {
    aws: awsOptionsFrom(args),
    concurrency: args.concurrency,
    gate: { failOn: args.failOn, allowIncomplete: args.allowIncomplete },
    ...(showProgress
      ? { onProgress: (p: CollectProgress) => io.stderr.write(`\r\u001b[2Kscanned ${p.bucketsDone}/${p.bucketsTotal} buckets`) }
      : {}),
  });
  if (showProgress) io.stderr.write('\r\u001b[2K');

  const name = args.name ?? defaultReportName(new Date(report.run.start));
  const renderings = fileRenderings(report, args);
  const paths = renderings.length > 0 ? await writeReports(args.out, name, renderings) : [];

  const color = useColor(io.stdout, io.env);
  if (args.quiet) {
    io.stdout.write(renderGateLine(report, { color }) + '\n');
  } else if (args.formats.includes('console')) {
    io.stdout.write(render(report, { color, reportPaths: paths }));
  } else {
    // Without the console format, still say what was decided and where the report is.
    io.stdout.write([renderGateLine(report, { color }), ...paths.map((p) => `Report: ${p}`)].join('\n') + '\n');
  }
  return report.summary.gate.exitCode;
}
