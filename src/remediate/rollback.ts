/**
 * Rolling back a journal: every bucket the journal has an intent for goes back to the configuration it
 * had before the first change (the intent's `before`, exactly as GetBucketEncryption answered it).
 *
 *  - A bucket already in its `before` state is left alone (the change failed, or was rolled back already).
 *  - A bucket in the journal's `after` state is restored — including a change whose result was never
 *    written (the process was killed): reading the bucket says whether it happened.
 *  - A bucket in any other state was changed by someone else since; it is skipped and reported, unless
 *    `force` is given.
 *  - "none" (a legacy bucket without configuration) is restored with DeleteBucketEncryption. Today S3
 *    answers that by resetting the bucket to SSE-S3 (AES256) — "This implementation of the DELETE action
 *    resets the default encryption for the bucket as server-side encryption with Amazon S3 managed keys"
 *    (API reference) — so GetBucketEncryption then returns the SSE-S3 document instead of the 404; that is
 *    the closest state AWS allows and encrypts new objects exactly as the legacy bucket did (S3 applies
 *    SSE-S3 to every bucket without a configuration since January 2023). It counts as verified, but is
 *    reported apart from exact restores (status `restored-default`): the bucket is not byte for byte as before.
 * The rollback journals itself with the same write-ahead discipline (its own journal file), so a rollback
 * can be rolled back too.
 */
import pLimit from 'p-limit';
import { toFactError } from '../aws/errors.js';
import { deleteBucketEncryption, putBucketEncryption } from '../aws/s3.js';
import type { AccountSession } from '../aws/session.js';
import { describeState, isSseS3Default, matchesRestored } from './configuration.js';
import { asJournalError, type JournalWriter } from './journal.js';
import { readState, resultError } from './verify.js';
import { isFactError } from './plan.js';
import type { EncryptionState, IntentRecord, JournalError, JournalRecord } from './types.js';

export interface RestoreTarget {
  account: string;
  region: string;
  bucket: string;
  /** The state before the journal's first change to this bucket: what rollback restores. */
  before: EncryptionState;
  /** The state after the journal's last change to this bucket: what rollback expects to find. */
  after: EncryptionState;
  /** seq of the last intent for this bucket (targets are processed latest first). */
  lastSeq: number;
}

/** Buckets with an intent in the journal, latest change first (reverse journal order). Pure. */
export function restoreTargets(records: readonly JournalRecord[]): RestoreTarget[] {
  const byBucket = new Map<string, RestoreTarget>();
  const intents = records.filter((r): r is IntentRecord => r.phase === 'intent').sort((a, b) => a.seq - b.seq);
  for (const r of intents) {
    const ref = `${r.account}/${r.bucket}`;
    const known = byBucket.get(ref);
    if (known) {
      known.after = r.after;
      known.lastSeq = r.seq;
    } else {
      byBucket.set(ref, { account: r.account, region: r.region, bucket: r.bucket, before: r.before, after: r.after, lastSeq: r.seq });
    }
  }
  return [...byBucket.values()].sort((a, b) => b.lastSeq - a.lastSeq);
}

/** `restored-default`: a bucket that had no configuration, now on the SSE-S3 default (see above), not an exact restore. */
export type RestoreStatus = 'restored' | 'restored-default' | 'already' | 'changed-since' | 'failed' | 'unverified' | 'not-started';

export interface RestoreOutcome {
  target: RestoreTarget;
  status: RestoreStatus;
  detail?: string;
  error?: JournalError;
  /** The bucket's configuration when rollback looked at it (for changed-since reports). */
  found?: EncryptionState;
}

export interface RollbackSummary {
  /** Buckets the journal changed (or may have changed). */
  buckets: number;
  /** Restored exactly as the journal recorded them. */
  restored: number;
  /** Had no configuration; DeleteBucketEncryption left S3's SSE-S3 default (S3 cannot hold "none" any more). */
  restoredToDefault: number;
  /** Already in their before state: nothing to do. */
  already: number;
  /** Skipped: changed by someone else since (use --force). */
  skipped: number;
  failed: number;
  notStarted: number;
  interrupted: boolean;
  outcomes: RestoreOutcome[];
}

export const RESTORED_DEFAULT_DETAIL = "restored to S3's default SSE-S3 — S3 can no longer have no configuration (DeleteBucketEncryption resets it to SSE-S3)";

export interface RollbackOptions {
  targets: readonly RestoreTarget[];
  sessions: readonly AccountSession[];
  journal: JournalWriter;
  /** The journal being rolled back (recorded in the rollback journal's start record). */
  source: string;
  concurrency: number;
  force: boolean;
  stop?: AbortSignal;
  onOutcome?: (outcome: RestoreOutcome) => void;
  toolVersion: string;
}


export async function rollbackJournal(opts: RollbackOptions): Promise<RollbackSummary> {
  const { journal } = opts;
  const byAccount = new Map(opts.sessions.map((s) => [s.account, s] as const));
  const limit = pLimit(Math.max(1, opts.concurrency));
  const stopped = (): boolean => opts.stop?.aborted === true;
  await journal.append({ phase: 'start', kind: 'rollback', tool: { name: 's3-kms-audit', version: opts.toolVersion }, source: opts.source, planned: opts.targets.length });

  const restoreOne = async (target: RestoreTarget): Promise<RestoreOutcome> => {
    if (stopped()) return { target, status: 'not-started', detail: 'the rollback was interrupted before this bucket' };
    const session = byAccount.get(target.account);
    if (!session) {
      const error = { code: 'NoSession', operation: 'GetBucketEncryption', message: `no credentials for account ${target.account} (pass --assume-role for it)` };
      return { target, status: 'failed', detail: error.message, error };
    }
    const s3 = session.s3(target.region);
    const current = await readState(s3, target.bucket);
    if (isFactError(current)) return { target, status: 'failed', detail: `could not read the bucket: ${current.code}`, error: asJournalError(current) };
    if (matchesRestored(current, target.before)) return { target, status: 'already', found: current };
    if (!matchesRestored(current, target.after) && !opts.force) {
      return {
        target,
        status: 'changed-since',
        found: current,
        detail: `it is now ${describeState(current)}, not ${describeState(target.after)} as the journal left it; --force restores it anyway`,
      };
    }
    if (stopped()) return { target, status: 'not-started', detail: 'the rollback was interrupted before this bucket' };

    const intent = await journal.append({ phase: 'intent', account: target.account, region: target.region, bucket: target.bucket, before: current, after: target.before });
    const write =
      target.before === 'none'
        ? deleteBucketEncryption(s3, target.bucket).then(() => undefined, (err: unknown) => toFactError(err, 'DeleteBucketEncryption'))
        : putBucketEncryption(s3, target.bucket, target.before).then(() => undefined, (err: unknown) => toFactError(err, 'PutBucketEncryption'));
    const failure = await write;
    const readBack = await readState(s3, target.bucket);
    const verified = !isFactError(readBack) && matchesRestored(readBack, target.before);
    const error = resultError(failure, readBack, verified);
    await journal.append({
      phase: 'result',
      account: target.account,
      region: target.region,
      bucket: target.bucket,
      intent: intent.seq,
      applied: failure === undefined || verified,
      verified,
      ...(isFactError(readBack) ? {} : { readBack }),
      ...(error ? { error } : {}),
    });
    if (verified) {
      const asDefault = target.before === 'none' && !isFactError(readBack) && isSseS3Default(readBack);
      if (asDefault) return { target, status: 'restored-default', detail: RESTORED_DEFAULT_DETAIL };
      return { target, status: 'restored' };
    }
    return {
      target,
      status: failure ? 'failed' : 'unverified',
      detail: failure ? `${failure.operation} failed: ${failure.code}: ${failure.message}` : `the configuration read back is not the journaled one (${error?.code})`,
      ...(error ? { error } : {}),
    };
  };

  const outcomes = await Promise.all(
    opts.targets.map((target) =>
      limit(async () => {
        const outcome = await restoreOne(target).catch((err: unknown): RestoreOutcome => {
          const e = toFactError(err, 'rollback');
          return { target, status: 'failed', detail: `${e.code}: ${e.message}`, error: asJournalError(e) };
        });
        opts.onOutcome?.(outcome);
        return outcome;
      }),
    ),
  );
  const count = (...s: RestoreStatus[]): number => outcomes.filter((o) => s.includes(o.status)).length;
  const summary: RollbackSummary = {
    buckets: outcomes.length,
    restored: count('restored'),
    restoredToDefault: count('restored-default'),
    already: count('already'),
    skipped: count('changed-since'),
    failed: count('failed', 'unverified'),
    notStarted: count('not-started'),
    interrupted: stopped(),
    outcomes,
  };
  const { buckets, restored, restoredToDefault, already, skipped, failed, notStarted } = summary;
  await journal.append({ phase: 'end', interrupted: summary.interrupted, summary: { buckets, restored, restoredToDefault, already, skipped, failed, notStarted } });
  return summary;
}

