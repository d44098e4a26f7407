/**
 * Applying a plan: the only module that changes resources (with rollback.ts), whatever the action. For
 * each planned change, concurrently under a bound:
 *   1. the change's action re-checks it: it is what its own target makes, its preconditions still hold,
 *      the resource is still in the plan's `before` state (otherwise refused as drifted); a saved plan's
 *      change that is not exactly what the policy plans now is refused too (`mismatchOf`, plan-mismatch);
 *   2. journal the intent (before exactly as just read, after) and fsync it;
 *   3. the action's write;
 *   4. read the state back, let the action confirm what a read-back cannot show (the bucket encryption
 *      action: that S3 can use the key written), and journal the result (applied, verified, error code).
 * A failed change is recorded and the run goes on. Once `stop` is aborted (SIGINT/SIGTERM) no further
 * change starts; changes already past step 2 finish and get their result record, so the journal is
 * always complete enough for `rollback`. SDK calls are not aborted: a half-sent write is the one state
 * the journal could not describe.
 */
import pLimit from 'p-limit';
import { toFactError } from '../aws/errors.js';
import type { AccountSession } from '../aws/session.js';
import type { ChangeSteps } from './action.js';
import { BUILTIN_ACTIONS } from './actions/index.js';
import { asJournalError, type JournalWriter } from './journal.js';
import type { ActionRegistry } from './registry.js';
import { resultError } from './verify.js';
import { isFactError, type ChangeBase, type JournalError, type RemediationPlan } from './types.js';

export type ChangeStatus = 'verified' | 'unverified' | 'failed' | 'drifted' | 'precondition' | 'inconsistent' | 'plan-mismatch' | 'not-started';

export interface ChangeOutcome<C extends ChangeBase = ChangeBase> {
  change: C;
  status: ChangeStatus;
  /** Why, in one sentence, for anything but verified. */
  detail?: string;
  error?: JournalError;
  /** The journal's intent record, when the change was attempted. */
  intentSeq?: number;
}

export interface ApplySummary {
  planned: number;
  /** Changes whose write took effect (verified or not). */
  applied: number;
  verified: number;
  /** Attempted and not verified: the write failed, or the read-back differs or could not be read. */
  failed: number;
  /**
   * Not attempted because the resource drifted from the plan, a precondition no longer holds, the plan's
   * `after` is not the state its own target makes (an edited or corrupted plan file), or a saved plan's
   * change is not what the policy and live state give now (plan-mismatch).
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
  /** The actions the plan's changes are dispatched to (default: the built-in ones). */
  actions?: ActionRegistry;
  /**
   * For a saved plan: why a change is not the one the policy file and live AWS state plan now
   * (plan-trust.ts), or undefined when it is exactly that. Checked after the action's re-checks (so a
   * drifted resource is reported as drifted), before the intent.
   */
  mismatchOf?: (change: ChangeBase) => string | undefined;
}

export async function applyPlan(opts: ApplyOptions): Promise<ApplySummary> {
  const { plan, journal } = opts;
  const actions = opts.actions ?? BUILTIN_ACTIONS;
  const limit = pLimit(Math.max(1, opts.concurrency));
  // Each action's steps once per run (they hold its caches, e.g. described keys).
  const stepsByAction = new Map<string, ChangeSteps<ChangeBase, unknown>>();
  const stepsOf = (change: ChangeBase): ChangeSteps<ChangeBase, unknown> => {
    const id = actions.idOf(change);
    let steps = stepsByAction.get(id);
    if (!steps) stepsByAction.set(id, (steps = actions.of(change).changeSteps(opts.sessions)));
    return steps;
  };
  await journal.append({ phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: opts.toolVersion }, source: plan.run.id, planned: plan.changes.length });

  const stopped = (): boolean => opts.stop?.aborted === true;

  const applyOne = async (change: ChangeBase): Promise<ChangeOutcome> => {
    const notStarted = (): ChangeOutcome => ({ change, status: 'not-started', detail: 'the run was interrupted before this change started' });
    if (stopped()) return notStarted();
    const steps = stepsOf(change);
    const prepared = await steps.prepare(change);
    if ('status' in prepared) return { change, ...prepared };
    const mismatch = opts.mismatchOf?.(change);
    if (mismatch) return { change, status: 'plan-mismatch', detail: mismatch };
    // The last moment to honour an interrupt: past this point the change is journaled and made.
    if (stopped()) return notStarted();

    const place = { account: change.account, region: change.region, bucket: change.bucket, ...(change.object ? { object: change.object } : {}) };
    const intent = await journal.append({
      phase: 'intent',
      ...place,
      action: actions.idOf(change),
      before: prepared.current,
      after: change.after,
      change: change.id,
    });
    const failure = await steps.write(place, change.after);
    // Read back even after a failed write: a dropped connection may hide a write that did happen.
    const readBack = await steps.read(place);
    const readBackMatches = !isFactError(readBack) && steps.verified(readBack, change);
    const unconfirmed = readBackMatches && steps.confirm ? await steps.confirm(readBack, change) : undefined;
    const verified = readBackMatches && unconfirmed === undefined;
    const applied = failure === undefined || readBackMatches;
    const error = unconfirmed ?? resultError(steps, failure, readBack, readBackMatches);
    await journal.append({
      phase: 'result',
      ...place,
      intent: intent.seq,
      applied,
      verified,
      ...(isFactError(readBack) ? {} : { readBack }),
      ...(error ? { error } : {}),
    });
    if (verified) return { change, status: 'verified', intentSeq: intent.seq };
    return {
      change,
      status: failure ? 'failed' : 'unverified',
      detail: failure
        ? `${failure.operation} failed: ${failure.code}: ${failure.message}`
        : unconfirmed
          ? `the configuration was written and reads back as planned, but ${unconfirmed.message} (${unconfirmed.code})`
          : `the configuration read back is not the planned one (${error?.code})`,
      ...(error ? { error } : {}),
      intentSeq: intent.seq,
    };
  };

  const outcomes = await Promise.all(
    plan.changes.map((change) =>
      limit(async () => {
        const outcome = await applyOne(change).catch((err: unknown): ChangeOutcome => {
          // A journal write failure, an unknown action or a bug: recorded as this change's failure, never as success.
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
