/**
 * Rolling back a journal: every resource the journal has an intent for goes back to the state it had
 * before the first change (the intent's `before`, exactly as the service answered it), through the
 * action that journaled it (the intent's `action`; journals written before actions had ids: the
 * registry's legacy default).
 *
 *  - A resource already in its `before` state is left alone (the change failed, or was rolled back already).
 *  - A resource in the journal's `after` state is restored — including a change whose result was never
 *    written (the process was killed): reading the resource says whether it happened.
 *  - A resource in any other state was changed by someone else since; it is skipped and reported, unless
 *    `force` is given.
 *  - When the service can no longer hold the `before` state exactly, the action says what it restores
 *    instead (a bucket without default encryption comes back with S3's SSE-S3 default).
 *    That counts as verified, but is reported apart from exact restores (status `restored-default`).
 * The rollback journals itself with the same write-ahead discipline (its own journal file), so a rollback
 * can be rolled back too.
 */
import pLimit from 'p-limit';
import { toFactError } from '../aws/errors.js';
import type { AccountSession } from '../aws/session.js';
import type { RestoreSteps } from './action.js';
import { BUILTIN_ACTIONS } from './actions/index.js';
import { asJournalError, type JournalWriter } from './journal.js';
import type { ActionRegistry } from './registry.js';
import { resultError } from './verify.js';
import { isFactError, type IntentRecord, type JournalError, type JournalRecord, type ResourcePlace } from './types.js';

export interface RestoreTarget extends ResourcePlace {
  /** The action that journaled the changes (absent in journals written before actions had ids). */
  action?: string;
  /** The state before the journal's first change to this resource: what rollback restores. */
  before: unknown;
  /** The state after the journal's last change to this resource: what rollback expects to find. */
  after: unknown;
  /** seq of the last intent for this resource (targets are processed latest first). */
  lastSeq: number;
}

/** One resource as one action changes it: a bucket, or one object (version) in it. */
const targetRef = (r: IntentRecord): string => JSON.stringify([r.action ?? null, r.account, r.bucket, r.object?.key ?? null, r.object?.versionId ?? null]);

/** Resources with an intent in the journal, latest change first (reverse journal order). Pure. */
export function restoreTargets(records: readonly JournalRecord[]): RestoreTarget[] {
  const byResource = new Map<string, RestoreTarget>();
  const intents = records.filter((r): r is IntentRecord => r.phase === 'intent').sort((a, b) => a.seq - b.seq);
  for (const r of intents) {
    const ref = targetRef(r);
    const known = byResource.get(ref);
    if (known) {
      known.after = r.after;
      known.lastSeq = r.seq;
    } else {
      byResource.set(ref, {
        ...(r.action !== undefined ? { action: r.action } : {}),
        account: r.account,
        region: r.region,
        bucket: r.bucket,
        ...(r.object ? { object: r.object } : {}),
        before: r.before,
        after: r.after,
        lastSeq: r.seq,
      });
    }
  }
  return [...byResource.values()].sort((a, b) => b.lastSeq - a.lastSeq);
}

/** `restored-default`: verified, but the action restored the closest state the service allows, not `before` exactly. */
export type RestoreStatus = 'restored' | 'restored-default' | 'already' | 'changed-since' | 'irreversible' | 'failed' | 'unverified' | 'not-started';

export interface RestoreOutcome {
  target: RestoreTarget;
  status: RestoreStatus;
  detail?: string;
  error?: JournalError;
  /** The resource's state when rollback looked at it (for changed-since reports). */
  found?: unknown;
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
  /** Not restorable by the action (e.g. an object that was SSE-S3: UpdateObjectEncryption cannot write SSE-S3); nothing attempted. */
  irreversible: number;
  failed: number;
  notStarted: number;
  interrupted: boolean;
  outcomes: RestoreOutcome[];
}

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
  /** The actions the journal's intents are dispatched to (default: the built-in ones). */
  actions?: ActionRegistry;
}


export async function rollbackJournal(opts: RollbackOptions): Promise<RollbackSummary> {
  const { journal } = opts;
  const actions = opts.actions ?? BUILTIN_ACTIONS;
  const stepsByAction = new Map<string, RestoreSteps<unknown>>();
  const stepsOf = (target: RestoreTarget): RestoreSteps<unknown> => {
    const id = actions.idOf(target);
    let steps = stepsByAction.get(id);
    if (!steps) stepsByAction.set(id, (steps = actions.of(target).restoreSteps(opts.sessions)));
    return steps;
  };
  const limit = pLimit(Math.max(1, opts.concurrency));
  const stopped = (): boolean => opts.stop?.aborted === true;
  await journal.append({ phase: 'start', kind: 'rollback', tool: { name: 's3-kms-audit', version: opts.toolVersion }, source: opts.source, planned: opts.targets.length });

  const restoreOne = async (target: RestoreTarget): Promise<RestoreOutcome> => {
    if (stopped()) return { target, status: 'not-started', detail: 'the rollback was interrupted before this bucket' };
    const action = actions.of(target);
    const steps = stepsOf(target);
    const read = await steps.current(target);
    if ('status' in read) return { target, status: 'failed', detail: read.detail, ...(read.error ? { error: read.error } : {}) };
    const { current } = read;
    if (steps.matches(current, target.before)) return { target, status: 'already', found: current };
    if (!steps.matches(current, target.after) && !opts.force) {
      return {
        target,
        status: 'changed-since',
        found: current,
        detail: `it is now ${action.describeState(current)}, not ${action.describeState(target.after)} as the journal left it; --force restores it anyway`,
      };
    }
    const cannot = steps.irreversible?.(target.before);
    if (cannot) return { target, status: 'irreversible', found: current, detail: `not restored: ${cannot}` };
    if (stopped()) return { target, status: 'not-started', detail: 'the rollback was interrupted before this bucket' };

    const place: ResourcePlace = { account: target.account, region: target.region, bucket: target.bucket, ...(target.object ? { object: target.object } : {}) };
    const intent = await journal.append({ phase: 'intent', ...place, action: actions.idOf(target), before: current, after: target.before });
    const failure = await steps.write(place, target.before);
    const readBack = await steps.read(place);
    const verified = !isFactError(readBack) && steps.matches(readBack, target.before);
    const error = resultError(steps, failure, readBack, verified);
    await journal.append({
      phase: 'result',
      ...place,
      intent: intent.seq,
      applied: failure === undefined || verified,
      verified,
      ...(isFactError(readBack) ? {} : { readBack }),
      ...(error ? { error } : {}),
    });
    if (verified) {
      const inexact = steps.inexact(target.before, readBack);
      if (inexact) return { target, status: 'restored-default', detail: inexact };
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
    irreversible: count('irreversible'),
    failed: count('failed', 'unverified'),
    notStarted: count('not-started'),
    interrupted: stopped(),
    outcomes,
  };
  const { buckets, restored, restoredToDefault, already, skipped, irreversible, failed, notStarted } = summary;
  await journal.append({ phase: 'end', interrupted: summary.interrupted, summary: { buckets, restored, restoredToDefault, already, skipped, ...(irreversible > 0 ? { irreversible } : {}), failed, notStarted } });
  return summary;
}

