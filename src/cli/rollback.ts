/**
 * `s3-kms-audit rollback JOURNAL`: restore every bucket a remediation journal changed (or may have
 * changed) to its configuration before, verify, and journal the rollback itself.
 *
 * Exit codes: 0 every bucket restored and verified, or already as before · 1 some restore failed or
 * did not verify, or a bucket was skipped because someone changed it since (see --force) · 2 usage
 * error or unreadable journal, nothing done · 3 interrupted before every bucket was handled · 4 the
 * journal was cut (no end record, fewer intents than planned): everything it records was restored, but
 * it may not record everything the run changed. 1 wins over 3, and 3 over 4.
 */
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { openSessions } from '../aws/session.js';
import { toolVersion } from '../paths.js';
import { BUILTIN_ACTIONS } from '../remediate/actions/index.js';
import { JournalWriter, readJournal } from '../remediate/journal.js';
import { renderRollbackSummary } from '../report/remediation.js';
import { restoreTargets, rollbackJournal } from '../remediate/rollback.js';
import { escapeControl } from '../domain/text.js';
import { awsOptionsFrom } from './aws-flags.js';
import type { RollbackArgs } from './commands.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_JOURNAL_INCOMPLETE, EXIT_OK } from './exit.js';
import { journalCompleteness } from '../remediate/journal-completeness.js';
import { renderJournalWarning } from '../report/journal-warning.js';
import { describeBatchFailure, readBatchRecord, reversePlanOf, submitBatch, writeBatchRecord, type BatchJobFailure } from '../remediate/actions/update-object-encryption/batch.js';
import { confirm, onInterrupt, requireConsent, timestampName, type PromptIO } from './interaction.js';

/** Where the rollback journals itself: next to the journal it undoes, never over an existing file. */
export function rollbackJournalPath(journal: string, at: Date): string {
  const base = basename(journal).replace(/\.jsonl$/, '');
  return join(dirname(journal), `${timestampName(`${base}.rollback`, at)}.jsonl`);
}

export async function rollbackCommand(args: RollbackArgs, io: PromptIO): Promise<number> {
  const source = args.journal;
  if (source.endsWith('.batch.json')) return rollbackBatch(args, io);
  // The journal first: a missing or broken one is the thing to fix, whether or not --yes was given.
  const { records, truncatedTail } = await readJournal(source);
  requireConsent('rollback', args.yes, io);
  if (truncatedTail) io.stderr.write(`note: the last line of ${escapeControl(source)} was cut short (a crash while writing it) and is ignored\n`);
  const completeness = journalCompleteness(records, truncatedTail);
  io.stderr.write(renderJournalWarning(completeness, source));
  // Restored all it records, but it may not record all that happened: never 0.
  const exitWhenDone = completeness.complete ? EXIT_OK : EXIT_JOURNAL_INCOMPLETE;
  const targets = restoreTargets(records);
  if (targets.length === 0) {
    io.stdout.write(`Nothing to roll back: ${escapeControl(source)} records no change.\n`);
    return exitWhenDone;
  }
  io.stdout.write(`Rolling back ${escapeControl(source)}: ${targets.length} bucket${targets.length === 1 ? '' : 's'}, latest change first\n`);
  for (const t of targets) {
    const where = t.object ? `${t.bucket}/${t.object.key}${t.object.versionId ? ` (version ${t.object.versionId})` : ''}` : t.bucket;
    io.stdout.write(escapeControl(`  ${where} (${t.account}, ${t.region}) -> ${BUILTIN_ACTIONS.of(t).describeState(t.before)}`) + '\n');
  }
  if (!args.yes && !(await confirm('Restore these buckets?', io))) {
    io.stdout.write('Nothing restored.\n');
    return EXIT_FINDINGS;
  }

  const sessions = await openSessions(awsOptionsFrom(args, args.concurrency));
  const path = rollbackJournalPath(source, new Date());
  const journal = await JournalWriter.create(path, randomUUID());
  const interrupt = onInterrupt(io, 'restores');
  try {
    const summary = await rollbackJournal({
      targets,
      sessions,
      journal,
      source,
      concurrency: args.concurrency,
      force: args.force,
      stop: interrupt.signal,
      toolVersion: toolVersion(),
    });
    io.stdout.write(renderRollbackSummary(summary, path));
    // An irreversible object was not restored: "everything restored" cannot be claimed.
    if (summary.failed > 0 || summary.skipped > 0 || summary.irreversible > 0) return EXIT_FINDINGS;
    if (summary.interrupted || summary.notStarted > 0) return EXIT_INCOMPLETE;
    return exitWhenDone;
  } finally {
    interrupt.dispose();
    await journal.close();
    for (const s of sessions) s.destroy();
  }
}

/**
 * `rollback NAME.batch.json`: the reverse S3 Batch Operations jobs of a `remediate --batch` run, from its
 * completion reports — each succeeded object that was under a KMS key goes back to that key and Bucket Key;
 * objects that were SSE-S3 cannot be changed back by UpdateObjectEncryption and are listed. Writes
 * NAME.rollback-<time>.batch.json; `status` follows it. Exit 0 submitted, 1 some object is irreversible,
 * 3 some job has no completion report yet (nothing submitted for it), or a reverse job could not be created.
 */
async function rollbackBatch(args: RollbackArgs, io: PromptIO): Promise<number> {
  const record = await readBatchRecord(args.journal);
  requireConsent('rollback', args.yes, io);
  const sessions = await openSessions(awsOptionsFrom(args, args.concurrency));
  try {
    const endpoint = args.endpointUrl;
    const reverse = await reversePlanOf(record, sessions, endpoint ? { endpoint } : {});
    const path = join(dirname(args.journal), `${timestampName(`${basename(args.journal, '.batch.json')}.rollback`, new Date())}.batch.json`);
    let failure: BatchJobFailure | undefined;
    if (reverse.changes.length > 0) {
      const reportBucket = record.jobs[0]!.report.bucket;
      const { record: submitted, failure: submitFailure } = await submitBatch(reverse.changes, {
        sessions,
        roleArn: record.roleArn,
        reportBucket,
        name: basename(path, '.batch.json'),
        planRunId: `${record.planRunId}-rollback-${Date.now()}`,
        confirmationRequired: !args.yes,
        ...(endpoint ? { endpoint } : {}),
      });
      // The reverse jobs created before a failure run all the same: their record is written whatever failed after them.
      if (submitted.jobs.length > 0 || !submitFailure) {
        await writeBatchRecord(path, { ...submitted, reverses: args.journal });
        for (const j of submitted.jobs) io.stdout.write(escapeControl(`Reverse job ${j.jobId} (${j.account}, ${j.region}): ${j.objects.length} objects back to ${j.keyArn}`) + '\n');
        io.stdout.write(`Batch record: ${path}\nProgress and results: s3-kms-audit status ${path}\n`);
      }
      failure = submitFailure;
      if (failure) io.stderr.write(`error: ${escapeControl(describeBatchFailure(failure, submitted.jobs.length))}\n`);
    } else io.stdout.write('No reversible object to restore.\n');
    for (const o of reverse.irreversible) io.stdout.write(escapeControl(`  IRREVERSIBLE ${o}: it was SSE-S3; UpdateObjectEncryption cannot change it back`) + '\n');
    for (const u of reverse.unreadable) io.stdout.write(escapeControl(`  NOT YET ${u}`) + '\n');
    if (reverse.irreversible.length > 0) return EXIT_FINDINGS;
    if (reverse.unreadable.length > 0 || failure) return EXIT_INCOMPLETE;
    return EXIT_OK;
  } finally {
    for (const s of sessions) s.destroy();
  }
}
