/**
 * `s3-kms-audit status BATCH`: the S3 Batch Operations jobs a `remediate --apply --objects --batch` run
 * submitted — DescribeJob's progress, and for ended jobs the completion report's failures (with S3's HTTP
 * status and result code) and a HeadObject check of a sample of the succeeded objects.
 *
 * Exit codes: 0 every job complete, no failed task, the sample verified · 1 a failed task, a failed or
 * cancelled job, or a sampled object not as planned · 2 usage error or unreadable batch record · 3 some job
 * has not ended yet (run status again later).
 */
import { openSessions } from '../aws/session.js';
import { escapeControl } from '../domain/text.js';
import { batchStatus, readBatchRecord } from '../remediate/actions/update-object-encryption/batch.js';
import { awsOptionsFrom } from './aws-flags.js';
import type { StatusArgs } from './commands.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK } from './exit.js';
import type { PromptIO } from './interaction.js';

const ENDED = ['Complete', 'Cancelled', 'Failed'];

export async function statusCommand(args: StatusArgs, io: PromptIO): Promise<number> {
  const record = await readBatchRecord(args.batch);
  const sessions = await openSessions(awsOptionsFrom(args, 4));
  try {
    const reports = await batchStatus(record, sessions, { sample: args.sample, ...(args.endpointUrl ? { endpoint: args.endpointUrl } : {}) });
    let failed = false;
    let running = false;
    const out: string[] = [];
    for (const r of reports) {
      const where = `job ${r.job.jobId} (${r.job.account}, ${r.job.region}, ${r.job.objects.length} objects to ${r.job.keyArn})`;
      if ('error' in r.status) {
        out.push(`${where}: DescribeJob failed: ${r.status.error}`);
        running = true;
        continue;
      }
      const s = r.status;
      out.push(`${where}: ${s.status} · tasks ${s.total}: succeeded ${s.succeeded}, failed ${s.failed}`);
      for (const reason of s.failureReasons) out.push(`  job failure: ${reason}`);
      if (!ENDED.includes(s.status)) {
        running = true;
        continue;
      }
      if (s.status !== 'Complete' || s.failed > 0) failed = true;
      for (const row of (r.rows ?? []).filter((x) => !x.succeeded)) {
        out.push(`  FAILED ${row.bucket}/${row.key}${row.versionId ? ` (version ${row.versionId})` : ''}: ${row.httpStatus} ${row.code}: ${row.message}`);
      }
      out.push(`  verified ${r.sampleChecked - r.sampleProblems.length} of ${r.sampleChecked} sampled succeeded objects with HeadObject`);
      for (const p of r.sampleProblems) out.push(`  NOT AS PLANNED ${p}`);
      if (r.sampleProblems.length > 0) failed = true;
    }
    io.stdout.write(out.map(escapeControl).join('\n') + '\n');
    if (failed) return EXIT_FINDINGS;
    if (running) {
      io.stdout.write('Exit 3: some job has not ended yet; run status again later.\n');
      return EXIT_INCOMPLETE;
    }
    return EXIT_OK;
  } finally {
    for (const s of sessions) s.destroy();
  }
}
