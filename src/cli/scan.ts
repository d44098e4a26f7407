/**
 * `s3-kms-audit scan`: validate config (no AWS call), run the audit, write the report files,
 * print the console summary, and return the gate's exit code.
 *
 * SIGINT/SIGTERM: the scan changes nothing outside, so it stops at once — no new request, the ones in
 * flight aborted — removes what it had half written (object outputs, state files of unfinished bucket
 * scans, its temporary files), writes no report and exits 3: an interrupted scan has no verdict
 * (docs/architecture.md "Exit codes" says why 3 and not 130).
 */
import { loadAuditConfig, runAudit } from '../run/audit.js';
import type { CollectProgress } from '../collect/collector.js';
import type { AuditReport } from '../domain/report.js';
import { render, renderGateLine } from '../report/console.js';
import { baselineLine, failingIds, withDiff } from '../report/diff.js';
import { fileRenderings } from '../report/formats.js';
import { prepareOutDir, writeReports } from '../report/writer.js';
import { awsOptionsFrom } from './aws-flags.js';
import { accountSourceFrom } from './account-source.js';
import { adminRoleWarning } from './account-options.js';
import type { ScanArgs } from './commands.js';
import { onStopRequest, timestampName } from './interaction.js';
import { EXIT_INCOMPLETE } from './exit.js';
import { removeTemporaries } from '../paths.js';
import type { ObjectProgress } from '../run/object-audit.js';
import { escapeControl, plural } from '../domain/text.js';
import { policyMismatchWarning, readReportFile } from './report.js';
import { dirname, join } from 'node:path';
import { openObjectOutputs } from '../report/jsonl-writer.js';
import { ProgressLine } from './progress.js';
import { useColor, type CliIO } from './terminal.js';
import { resolveShard } from '../domain/shard.js';

const defaultReportName = (start: Date): string => timestampName('scan', start);

export async function scanCommand(args: ScanArgs, io: CliIO): Promise<number> {
  // `--shard auto/N` with a missing or bad JOB_COMPLETION_INDEX is a usage error (exit 2) before anything else.
  const shard = args.shard !== undefined ? resolveShard(args.shard, io.env) : undefined;
  // Throws ConfigError before any session is opened: a broken policy file never reaches AWS.
  const config = loadAuditConfig(args.policies, args.rules);
  // An accounts file is checked now too (exit 2, no AWS call).
  const accounts = accountSourceFrom(args);
  const adminRole = adminRoleWarning(args.roleName);
  if (adminRole) io.stderr.write(adminRole);
  // The baseline is read and validated before the scan too: a bad file costs no AWS call (exit 2).
  const baseline = args.baseline !== undefined ? await readReportFile(args.baseline, '--baseline') : undefined;
  const mismatch = baseline && policyMismatchWarning(baseline, config.policyFile.sha256);
  if (mismatch) io.stderr.write(mismatch);
  const renderFiles = args.formats.some((f) => f !== 'console');
  if (renderFiles) await prepareOutDir(args.out);

  const stateDir = args.state ?? join(args.out, 'state');
  await removeStaleTemporaries([args.out, stateDir], args.quiet, io);

  const stop = onStopRequest(io, 'scan');
  try {
    const progress = !args.quiet && io.stderr.isTTY === true ? new ProgressLine(io.stderr) : undefined;
    const seen: SeenProgress = {};
    // What was finished is what was done when the signal came: scans aborted after it also end, unfinished.
    let atStop: SeenProgress = {};
    stop.signal.addEventListener('abort', () => (atStop = { ...seen }), { once: true });
    const running = runAudit(config, {
      aws: awsOptionsFrom(args, args.concurrency),
      ...(accounts ? { accounts } : {}),
      ...(args.sessionDuration !== undefined ? { sessionDurationSeconds: args.sessionDuration } : {}),
      concurrency: args.concurrency,
      signal: stop.signal,
      ...(shard ? { shard } : {}),
      ...(args.runId !== undefined ? { runId: args.runId } : {}),
      gate: {
        failOn: args.failOn,
        allowIncomplete: args.allowIncomplete,
        ...(args.failOnNew && baseline ? { baselineFailing: failingIds(baseline) } : {}),
      },
      onProgress: (p: CollectProgress) => {
        seen.buckets = p;
        progress?.buckets(p);
      },
      // Object policies: outcomes stream to <out>/<name>.objects.jsonl beside the JSON report.
      objects: {
        ...(args.maxObjectFindings !== undefined ? { maxFindings: args.maxObjectFindings } : {}),
        ...(args.workers !== undefined ? { workers: args.workers } : {}),
        stateDir,
        openOutputs: (start, groups) =>
          openObjectOutputs({
            ...(args.formats.includes('json') ? { jsonlPath: join(args.out, `${args.name ?? defaultReportName(start)}.objects.jsonl`) } : {}),
            ...(args.exportManifest ? { manifestPath: args.exportManifest, manifestVersionIds: groups.some((g) => g.options.versions) } : {}),
          }),
        onProgress: (p) => {
          seen.objects = p;
          progress?.objects(p);
        },
      },
    });
    // Once the wait for an interrupted run is over, its late failure (the abort itself) is of no interest.
    running.catch(() => undefined);
    let audited: AuditReport | undefined;
    try {
      audited = await Promise.race([running, stop.deadline.then(() => undefined)]);
    } catch (err) {
      if (stop.received === undefined) throw err;
    }
    progress?.clear();
    if (stop.received !== undefined || audited === undefined) {
      stop.finishing('removing the partial files of the interrupted scan');
      const ownFolders = [args.out, stateDir, ...(args.exportManifest ? [dirname(args.exportManifest)] : [])];
      for (const dir of ownFolders) await removeTemporaries(dir, 'own');
      io.stderr.write(interruptedSummary(stop.received ?? 'SIGTERM', atStop));
      return EXIT_INCOMPLETE;
    }
    // The scan is done: a signal now only waits for the few writes left (a report is never left half-written).
    stop.finishing('writing the reports of the finished scan');
    return await reportScan(audited, args, baseline, io);
  } finally {
    stop.dispose();
  }
}

async function reportScan(audited: AuditReport, args: ScanArgs, baseline: AuditReport | undefined, io: CliIO): Promise<number> {
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
  const shard = report.run.shard;
  if (shard && !args.quiet) {
    io.stderr.write(`note: partial report of shard ${shard.index}/${shard.count} (run key ${shard.runKey.slice(0, 12)}…); join the ${shard.count} parts with: s3-kms-audit merge PART.json…\n`);
  }
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

/** What the scan had done when it was interrupted, from its last progress reports. */
interface SeenProgress {
  buckets?: CollectProgress;
  objects?: ObjectProgress;
}

/**
 * A scan killed before it could clean up (SIGKILL, a power cut, a CI job cancelled hard) leaves its
 * temporary files in --out and the state folder; they are this tool's own, so the next run removes them.
 */
async function removeStaleTemporaries(folders: readonly string[], quiet: boolean, io: CliIO): Promise<void> {
  const removed: string[] = [];
  for (const dir of folders) removed.push(...(await removeTemporaries(dir, 'stale')));
  if (removed.length > 0 && !quiet) {
    io.stderr.write(`note: removed ${plural(removed.length, 'temporary file')} left by an earlier run that was stopped: ${removed.map(escapeControl).join(', ')}\n`);
  }
}

/** What was and was not finished, and the exit code: the last lines an interrupted scan prints. */
function interruptedSummary(signal: NodeJS.Signals, seen: SeenProgress): string {
  const lines = [`Scan interrupted by ${signal}.`];
  const b = seen.buckets;
  lines.push(b && b.bucketsDone > 0 ? `Finished: ${b.bucketsDone} of ${b.bucketsTotal} buckets read.` : 'Finished: no bucket was read.');
  const o = seen.objects;
  if (o) {
    lines.push(
      `Object scans: ${o.scansDone} of ${o.scansStarted} finished before the signal (about ${o.listed} objects listed, ${o.inspected} inspected); ` +
        'an incremental scan that finished saved its state, the others keep their previous state.',
    );
  }
  lines.push('Not written: no report (an interrupted scan has no verdict); partial files were removed.');
  lines.push(`scan incomplete: interrupted (exit ${EXIT_INCOMPLETE})`);
  return lines.join('\n') + '\n';
}
