/**
 * `s3-kms-audit merge PART.json…`: the partial reports of a sharded scan joined into the report an
 * unsharded scan writes (src/run/merge.ts checks and joins them), written in the formats asked, and the
 * gate's exit code. No AWS call.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AuditReport, ObjectsSection } from '../domain/report.js';
import { render, renderGateLine } from '../report/console.js';
import { concatenateFiles } from '../report/concatenate.js';
import { baselineLine, failingIds, withDiff } from '../report/diff.js';
import { fileRenderings } from '../report/formats.js';
import { prepareOutDir, writeReports } from '../report/writer.js';
import { mergeParts, type MergePart } from '../run/merge.js';
import type { MergeArgs } from './commands.js';
import { timestampName } from './interaction.js';
import { policyMismatchWarning, readReportFile } from './report.js';
import { useColor, type CliIO } from './terminal.js';

export async function mergeCommand(args: MergeArgs, io: CliIO): Promise<number> {
  const parts: MergePart[] = [];
  for (const path of args.parts) parts.push({ label: path, report: await readReportFile(path, 'PART') });
  const baseline = args.baseline !== undefined ? await readReportFile(args.baseline, '--baseline') : undefined;
  const gate = {
    ...(args.failOn !== undefined ? { failOn: args.failOn } : {}),
    ...(args.allowIncomplete ? { allowIncomplete: true } : {}),
    ...(args.failOnNew && baseline ? { baselineFailing: failingIds(baseline) } : {}),
  };
  // Checked once without the object files, so a refused merge (exit 2) writes nothing.
  const draft = mergeParts(parts, { gate, newRunId: randomUUID });
  // Without a shared --run-id, parts of two nights with the same policy, rules and N look like one run.
  if (new Set(parts.map((p) => p.report.run.id)).size > 1) {
    io.stderr.write('warning: the parts have different run ids (scanned without --run-id): merge cannot tell whether they come from one run; give every shard the same --run-id\n');
  }
  const mismatch = baseline && policyMismatchWarning(baseline, draft.run.policyFileSha256);
  if (mismatch) io.stderr.write(mismatch);
  if (args.formats.some((f) => f !== 'console')) await prepareOutDir(args.out);

  const name = args.name ?? timestampName('scan', new Date(draft.run.start));
  const objectFiles = draft.objects && args.formats.includes('json') ? await joinObjectOutputs(parts, join(args.out, `${name}.objects.jsonl`), io) : {};
  const merged: AuditReport = { ...draft, ...(draft.objects ? { objects: withFiles(draft.objects, objectFiles) } : {}) };
  const report = baseline ? withDiff(merged, baseline) : merged;

  const renderings = fileRenderings(report, args.formats);
  const paths = renderings.length > 0 ? await writeReports(args.out, name, renderings) : [];
  const color = useColor(io.stdout, io.env);
  if (args.quiet) io.stdout.write(renderGateLine(report, { color }) + '\n');
  else if (args.formats.includes('console')) {
    io.stdout.write(render(report, { color, reportPaths: paths, verbose: args.verbose }));
    if (report.diff) io.stdout.write(baselineLine(report.diff));
  } else io.stdout.write([renderGateLine(report, { color }), ...paths.map((p) => `Report: ${p}`)].join('\n') + '\n');
  return report.summary.gate.exitCode;
}

/** The objects section with the joined files in the places a scan's section has them. */
function withFiles(section: ObjectsSection, files: Pick<ObjectsSection, 'jsonl'>): ObjectsSection {
  const { jsonl: _jsonl, manifest: _manifest, ...counts } = section;
  return { ...(files.jsonl !== undefined ? { jsonl: files.jsonl } : {}), ...counts };
}

/**
 * Each part's `<name>.objects.jsonl`, looked for beside the part (where a CI artifact download puts it),
 * else at the path the part recorded, joined in shard order. When one is missing the merged report has
 * no `objects.jsonl` and a warning says which. Batch Operations manifests (--export-manifest) stay per
 * shard: each is a complete manifest of its shard's objects, and a job can take them one by one.
 */
async function joinObjectOutputs(parts: readonly MergePart[], target: string, io: CliIO): Promise<Pick<ObjectsSection, 'jsonl'>> {
  const ordered = [...parts].sort((a, b) => (a.report.run.shard?.index ?? 0) - (b.report.run.shard?.index ?? 0));
  const sources: string[] = [];
  for (const p of ordered) {
    const recorded = p.report.objects?.jsonl;
    if (recorded === undefined) {
      io.stderr.write(`warning: ${p.label} has no objects JSONL (scanned without --format json?); the merged report lists no objects.jsonl\n`);
      return {};
    }
    const found = [join(dirname(p.label), basename(recorded)), recorded].find((candidate) => existsSync(candidate));
    if (found === undefined) {
      io.stderr.write(`warning: ${basename(recorded)} of ${p.label} is not beside it nor at ${recorded}; the merged report lists no objects.jsonl\n`);
      return {};
    }
    sources.push(found);
  }
  for (const p of ordered) {
    if (p.report.objects?.manifest) io.stderr.write(`note: ${p.label}: its Batch Operations manifest ${p.report.objects.manifest.path} covers that shard only\n`);
  }
  return { jsonl: await concatenateFiles(sources, target) };
}
