/**
 * Applying a plan: the only module that changes bucket encryption (with rollback.ts). For each planned
 * change, concurrently under a bound:
 *   1. re-check the preconditions: S3 can still use the target key (it exists, is Enabled, is in the
 *      bucket's region, is a symmetric encryption key) and it is still customer managed when the plan
 *      required it (DescribeKey);
 *   2. re-read the bucket: if it is no longer in the plan's `before` state, refuse the change as drifted;
 *      a saved plan's change that is not exactly what the policy plans now is refused too (`mismatchOf`);
 *   3. journal the intent (before exactly as just read, after) and fsync it;
 *   4. PutBucketEncryption;
 *   5. read the configuration back, describe the key it names again, and journal the result: verified
 *      only when the configuration is the planned one AND S3 could encrypt with its key (verify-key.ts).
 * A failed change is recorded and the run goes on. Once `stop` is aborted (SIGINT/SIGTERM) no further
 * change starts; changes already past step 3 finish and get their result record, so the journal is
 * always complete enough for `rollback`. SDK calls are not aborted: a half-sent PUT is the one state
 * the journal could not describe.
 */
import pLimit from 'p-limit';
import { toFactError } from '../aws/errors.js';
import { putBucketEncryption } from '../aws/s3.js';
import type { AccountSession } from '../aws/session.js';
import { KeyResolver } from '../collect/keys.js';
import { buildConfiguration, describeState, sameConfiguration } from './configuration.js';
import { asJournalError, type JournalWriter } from './journal.js';
import { readState, resultError } from './verify.js';
import { ALLOWED_KEYS_RULE, CMK_RULE, isFactError } from './plan.js';
import { keyRefusals } from './key-preconditions.js';
import { writtenKeyProblem } from './verify-key.js';
import type { EncryptionState, JournalError, PlannedChange, RemediationPlan } from './types.js';

export type ChangeStatus = 'verified' | 'unverified' | 'failed' | 'drifted' | 'precondition' | 'inconsistent' | 'plan-mismatch' | 'not-started';

export interface ChangeOutcome {
  change: PlannedChange;
  status: ChangeStatus;
  /** Why, in one sentence, for anything but verified. */
  detail?: string;
  error?: JournalError;
  /** The journal's intent record, when the change was attempted. */
  intentSeq?: number;
}

export interface ApplySummary {
  planned: number;
  /** Changes whose PutBucketEncryption took effect (verified or not). */
  applied: number;
  verified: number;
  /** Attempted and not verified: the write failed, or the read-back differs or could not be read. */
  failed: number;
  /**
   * Not attempted because the bucket drifted from the plan, a precondition no longer holds, the plan's
   * `after` is not the configuration its own target makes (an edited or corrupted plan file), or a saved
   * plan's change is not what the policy and live state give now (plan-mismatch).
   */
  refused: number;
  /** Not attempted because the run was interrupted. */
  notStarted: number;
  interrupted: boolean;
  outcomes: ChangeOutcome[];
}

export interface ApplyOptions {
  plan: RemediationPlan;
  sessions: readonly AccountSession[];
  journal: JournalWriter;
  concurrency: number;
  /** Aborted on SIGINT/SIGTERM: no new change starts. */
  stop?: AbortSignal;
  onOutcome?: (outcome: ChangeOutcome) => void;
  toolVersion: string;
  /**
   * For a saved plan: why a change is not the one the policy file and live AWS state plan now
   * (plan-trust.ts), or undefined when it is exactly that. Checked after the drift check, before the intent.
   */
  mismatchOf?: (change: PlannedChange) => string | undefined;
}


export async function applyPlan(opts: ApplyOptions): Promise<ApplySummary> {
  const { plan, journal } = opts;
  const byAccount = new Map(opts.sessions.map((s) => [s.account, s] as const));
  const keys = new KeyResolver((account) => byAccount.get(account));
  const limit = pLimit(Math.max(1, opts.concurrency));
  await journal.append({ phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: opts.toolVersion }, source: plan.run.id, planned: plan.changes.length });

  const stopped = (): boolean => opts.stop?.aborted === true;

  const applyOne = async (change: PlannedChange): Promise<ChangeOutcome> => {
    const notStarted = (): ChangeOutcome => ({ change, status: 'not-started', detail: 'the run was interrupted before this change started' });
    if (stopped()) return notStarted();
    const session = byAccount.get(change.account);
    if (!session) {
      const error = { code: 'NoSession', operation: 'PutBucketEncryption', message: `no credentials for account ${change.account} (pass --assume-role for it)` };
      return { change, status: 'failed', detail: error.message, error };
    }

    const inconsistency = checkAfterMatchesTarget(change);
    if (inconsistency) return { change, status: 'inconsistent', detail: inconsistency };

    const precondition = await checkKey(keys, change);
    if (precondition) return { change, ...precondition };

    const s3 = session.s3(change.region);
    const current = await readState(s3, change.bucket);
    if (isFactError(current)) return { change, status: 'failed', detail: `could not re-read the bucket: ${current.code}`, error: asJournalError(current) };
    if (!sameConfiguration(current, change.before)) {
      return { change, status: 'drifted', detail: `the bucket is now ${describeState(current)}, not ${describeState(change.before)} as planned` };
    }
    const mismatch = opts.mismatchOf?.(change);
    if (mismatch) return { change, status: 'plan-mismatch', detail: mismatch };
    // The last moment to honour an interrupt: past this point the change is journaled and made.
    if (stopped()) return notStarted();

    const intent = await journal.append({
      phase: 'intent',
      account: change.account,
      region: change.region,
      bucket: change.bucket,
      before: current,
      after: change.after,
      change: change.id,
    });
    const put = await putBucketEncryption(s3, change.bucket, change.after).then(
      () => undefined,
      (err: unknown) => toFactError(err, 'PutBucketEncryption'),
    );
    // Read back even after a failed PUT: a dropped connection may hide a write that did happen.
    const readBack = await readState(s3, change.bucket);
    const readBackMatches = !isFactError(readBack) && sameConfiguration(readBack, change.after);
    const keyProblem = readBackMatches ? await writtenKeyProblem((account) => byAccount.get(account), readBack, change.account, change.region) : undefined;
    const verified = readBackMatches && keyProblem === undefined;
    const applied = put === undefined || readBackMatches;
    const error = keyProblem ?? resultError(put, readBack, readBackMatches);
    await journal.append({
      phase: 'result',
      account: change.account,
      region: change.region,
      bucket: change.bucket,
      intent: intent.seq,
      applied,
      verified,
      ...(isFactError(readBack) ? {} : { readBack }),
      ...(error ? { error } : {}),
    });
    if (verified) return { change, status: 'verified', intentSeq: intent.seq };
    return {
      change,
      status: put ? 'failed' : 'unverified',
      detail: put
        ? `PutBucketEncryption failed: ${put.code}: ${put.message}`
        : keyProblem
          ? `the configuration was written and reads back as planned, but ${keyProblem.message} (${keyProblem.code})`
          : `the configuration read back is not the planned one (${error?.code})`,
      ...(error ? { error } : {}),
      intentSeq: intent.seq,
    };
  };

  const outcomes = await Promise.all(
    plan.changes.map((change) =>
      limit(async () => {
        const outcome = await applyOne(change).catch((err: unknown): ChangeOutcome => {
          // A journal write failure or a bug: recorded as this change's failure, never as success.
          const e = toFactError(err, 'apply');
          return { change, status: 'failed', detail: `${e.code}: ${e.message}`, error: asJournalError(e) };
        });
        opts.onOutcome?.(outcome);
        return outcome;
      }),
    ),
  );
  const summary = summarise(outcomes, stopped());
  const { planned, applied, verified, failed, refused, notStarted } = summary;
  await journal.append({ phase: 'end', interrupted: summary.interrupted, summary: { planned, applied, verified, failed, refused, notStarted } });
  return summary;
}

/**
 * A saved plan is a file anyone can edit, and only `change.key.arn` is re-checked against KMS: the
 * document actually written is `change.after`. So `after` must be exactly what the planner builds from the
 * change's own target (a KMS algorithm, the re-checked key ARN, its Bucket Key flag, and what `before`
 * carries over); otherwise a stale or hand-edited plan could put another key, or AES256, on the bucket.
 * Returns why not, or undefined when it is.
 */
export function checkAfterMatchesTarget(change: PlannedChange): string | undefined {
  // Typed as a configuration, but read from a file: "none" or a malformed document must be refused too.
  const after = change.after as EncryptionState;
  if (after === 'none' || !Array.isArray(after.Rules) || after.Rules.length !== 1) {
    return `the plan's new configuration is not one rule (${describeState(after)}); the plan file was edited or is corrupt`;
  }
  const rule = after.Rules[0]!;
  const algorithm = rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  if (algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') {
    return `the plan's new configuration is ${describeState(after)}, not SSE-KMS with its target key ${change.key.arn}; the plan file was edited or is corrupt`;
  }
  const expected = buildConfiguration({ algorithm, keyArn: change.key.arn, bucketKeyEnabled: rule.BucketKeyEnabled === true }, change.before);
  if (sameConfiguration(after, expected)) return undefined;
  return `the plan's new configuration (${describeState(after)}) is not the one its target makes (${describeState(expected)}); the plan file was edited or is corrupt`;
}

/** The plan's preconditions on the target key, checked again now; undefined when they hold. */
async function checkKey(keys: KeyResolver, change: PlannedChange): Promise<Pick<ChangeOutcome, 'status' | 'detail' | 'error'> | undefined> {
  // Only DescribeKey: state, spec, manager and region are what can have changed since the plan. The
  // allow-lists need the key's aliases; a saved plan has them checked by its re-derivation (plan-trust.ts).
  const key = await keys.resolve(change.key.arn, change.account, change.region, { rotation: false, aliases: false });
  if (isFactError(key)) return { status: 'failed', detail: `could not re-check key ${change.key.arn}: ${key.code}`, error: asJournalError(key) };
  const refusals = keyRefusals(key, change.key.arn, {
    bucketRegion: change.region,
    requireCustomerManaged: change.requireCustomerManaged,
    allowLists: [],
    allowListRule: ALLOWED_KEYS_RULE,
    cmkRule: CMK_RULE,
  });
  if (refusals.length === 0) return undefined;
  return { status: 'precondition', detail: `${refusals[0]!.code}: ${refusals.map((r) => r.reason).join(' ')}` };
}


export function summarise(outcomes: ChangeOutcome[], interrupted: boolean): ApplySummary {
  const count = (...statuses: ChangeStatus[]): number => outcomes.filter((o) => statuses.includes(o.status)).length;
  return {
    planned: outcomes.length,
    applied: outcomes.filter((o) => o.status === 'verified' || o.status === 'unverified').length,
    verified: count('verified'),
    failed: count('failed', 'unverified'),
    refused: count('drifted', 'precondition', 'inconsistent', 'plan-mismatch'),
    notStarted: count('not-started'),
    interrupted,
    outcomes,
  };
}
