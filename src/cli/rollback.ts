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
import { toolVersion } from '../run/audit.js';
import { openSessions } from '../aws/session.js';
import { UsageError } from '../domain/errors.js';
import { describeState } from '../remediate/configuration.js';
import { JournalWriter, readJournal } from '../remediate/journal.js';
import { renderRollbackSummary } from '../report/remediation.js';
import { restoreTargets, rollbackJournal } from '../remediate/rollback.js';
import { escapeControl } from '../domain/text.js';
import { AWS_FLAGS_HELP, AWS_FLAG_OPTIONS, DEFAULT_CONCURRENCY, MAX_CONCURRENCY, parse, parseAwsFlags, parseConcurrency, type AwsFlags } from './args.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_JOURNAL_INCOMPLETE, EXIT_OK } from './exit.js';
import { journalCompleteness } from '../remediate/journal-completeness.js';
import { renderJournalWarning } from '../report/journal-warning.js';
import { awsOptionsOf, confirm, onInterrupt, requireConsent, timestampName, type PromptIO } from './remediate.js';

export interface RollbackArgs extends AwsFlags {
  help: boolean;
  journal?: string;
  yes: boolean;
  force: boolean;
  concurrency: number;
}

const ROLLBACK_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  yes: { type: 'boolean', short: 'y' },
  force: { type: 'boolean' },
  concurrency: { type: 'string' },
  ...AWS_FLAG_OPTIONS,
} as const;

export const ROLLBACK_HELP = `Usage: s3-kms-audit rollback JOURNAL [options]

Restores every bucket that the remediation journal JOURNAL changed to the configuration it had
before (exactly as GetBucketEncryption returned it), latest change first, and verifies each restore
by reading it back. A bucket that had no configuration at all is restored with DeleteBucketEncryption,
which on today's S3 leaves the SSE-S3 (AES256) default: S3 can no longer have no configuration, so
such buckets are reported apart as "restored to SSE-S3 default", not as exact restores. Buckets
already as before are left alone;
buckets someone changed since the journaled change are skipped and reported (--force restores them
anyway). The rollback is journaled next to JOURNAL as <name>.rollback-<UTC time>.jsonl.

Options:
  -y, --yes             do not ask for confirmation (required when stdin is not a terminal)
  --force               also restore buckets changed by someone else since the journaled change
  --concurrency N       parallel restores, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
${AWS_FLAGS_HELP}  -h, --help            show this help

Exit codes: 0 all restored (or already as before) · 1 a restore failed or a bucket was skipped ·
2 usage error or unreadable journal · 3 interrupted · 4 the journal is incomplete (its run did not
finish): what it records was restored, the rest cannot be known from it
`;

export function parseRollbackArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RollbackArgs {
  const { values, positionals } = parse('rollback', argv, ROLLBACK_OPTIONS, true);
  if (positionals.length > 1) throw new UsageError(`rollback: give one journal, not ${positionals.length}`);
  const args: RollbackArgs = {
    help: values.help ?? false,
    yes: values.yes ?? false,
    force: values.force ?? false,
    concurrency: parseConcurrency(values.concurrency ?? String(DEFAULT_CONCURRENCY)),
    ...parseAwsFlags(values, env),
  };
  if (positionals[0] !== undefined) args.journal = positionals[0];
  else if (!args.help) throw new UsageError('rollback: give the journal to roll back (the .journal.jsonl file remediate --apply wrote)');
  return args;
}

/** Where the rollback journals itself: next to the journal it undoes, never over an existing file. */
export function rollbackJournalPath(journal: string, at: Date): string {
  const base = basename(journal).replace(/\.jsonl$/, '');
  return join(dirname(journal), `${timestampName(`${base}.rollback`, at)}.jsonl`);
}

export async function rollbackCommand(argv: string[], io: PromptIO): Promise<number> {
  const args = parseRollbackArgs(argv, io.env);
  if (args.help) {
    io.stdout.write(ROLLBACK_HELP);
    return EXIT_OK;
  }
  requireConsent('rollback', args.yes, io);
  const source = args.journal!;
  const { records, truncatedTail } = await readJournal(source);
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
  for (const t of targets) io.stdout.write(escapeControl(`  ${t.bucket} (${t.account}, ${t.region}) -> ${describeState(t.before)}`) + '\n');
  if (!args.yes && !(await confirm('Restore these buckets?', io))) {
    io.stdout.write('Nothing restored.\n');
    return EXIT_FINDINGS;
  }

  const sessions = await openSessions(awsOptionsOf(args, args.concurrency));
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
    if (summary.failed > 0 || summary.skipped > 0) return EXIT_FINDINGS;
    if (summary.interrupted || summary.notStarted > 0) return EXIT_INCOMPLETE;
    return exitWhenDone;
  } finally {
    interrupt.dispose();
    await journal.close();
    for (const s of sessions) s.destroy();
  }
}
