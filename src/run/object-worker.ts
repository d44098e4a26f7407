/**
 * A worker thread of the object audit (--workers): runs the bucket scans the main thread orders
 * (object-worker-pool.ts) with its own S3 clients and sockets, evaluates each object, and sends the
 * outcomes back in batches. Keys, credentials and the clock are asked of the main thread, so there is
 * one key cache, one credentials chain and one clock per run, as with a single thread.
 *
 * Backpressure: at most MAX_UNACKED batches are on their way; the next object then waits, which holds
 * its bucket scan back exactly as a slow disk does in process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pLimit from 'p-limit';
import { borrowedSession, type AccountSession, type PortableCredentials } from '../aws/session.js';
import type { KeyWants, ResolvedKey } from '../collect/keys.js';
import { scanBucketObjects, type ObjectCounters } from '../collect/objects.js';
import { newStats } from '../collect/stats.js';
import { emptyStatusCounts } from '../domain/counts.js';
import { FileStateStore } from '../state/object-state.js';
import { evaluateObject } from './object-evaluate.js';
import { RenderedBatchBuilder } from './object-batch.js';
import { cacheableGroup, ObjectOutcomeCache } from './object-outcome-cache.js';
import type { EvaluatedObject, FromWorker, Question, ScanOrder, ToWorker, WorkerSetup } from './object-worker-protocol.js';

/** Objects per batch: large enough that messaging costs little per object, small enough to keep memory flat. */
const BATCH_OBJECTS = 256;
/** Batches sent and not yet handled by the main thread. */
const MAX_UNACKED = 4;
/** A partial batch waits at most this long (progress, and a slow bucket's last objects). */
const FLUSH_EVERY_MS = 100;

const port = parentPort!;
const setup = workerData as WorkerSetup;
const headLimit = pLimit(setup.headConcurrency);
const abort = new AbortController();
const stateStore = setup.stateDir !== undefined ? new FileStateStore(setup.stateDir) : undefined;

// --- questions to the main thread
let nextAsk = 0;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function ask<T>(question: Question): Promise<T> {
  const id = nextAsk++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ type: 'ask', ask: id, question });
  });
}
const send = (m: FromWorker): void => port.postMessage(m);

const keyAnswers = new Map<string, Promise<ResolvedKey>>();
const keys = {
  resolveDetailed(ref: string | undefined, account: string, region: string, want: boolean | KeyWants): Promise<ResolvedKey> {
    const k = JSON.stringify([ref ?? null, account, region, want]);
    let p = keyAnswers.get(k);
    if (!p) keyAnswers.set(k, (p = ask<ResolvedKey>({ kind: 'key', args: [ref, account, region, want] })));
    return p;
  },
};

const sessions = new Map<string, AccountSession>(
  setup.accounts.map(({ account, principalArn }) => [
    account,
    borrowedSession({ ...setup.aws, signal: abort.signal }, account, principalArn, () => ask<PortableCredentials>({ kind: 'credentials', account })),
  ]),
);

// --- outcomes to the main thread
const counters: ObjectCounters = { listed: 0, inspected: 0, skipped: 0 };
const sentCounters: ObjectCounters = { listed: 0, inspected: 0, skipped: 0 };
function counterDelta(): ObjectCounters {
  const d = { listed: counters.listed - sentCounters.listed, inspected: counters.inspected - sentCounters.inspected, skipped: counters.skipped - sentCounters.skipped };
  Object.assign(sentCounters, counters);
  return d;
}

let unacked = 0;
const roomWaiters: (() => void)[] = [];
/** Per scan: its objects' findings, or (setup.rendered) its batch already rendered. */
const pending = new Map<number, EvaluatedObject[] | RenderedBatchBuilder>();

/** Per group: outcomes from templates where the group allows it and the outputs take lines (as in process). */
const templates = setup.groups.map((g) =>
  setup.rendered && g.options.mode !== 'metadata' && cacheableGroup(g.policyFile, setup.rules) ? new ObjectOutcomeCache(g.policyFile, setup.rules, setup.evaluatedAt) : undefined,
);

/** Sends scan `id`'s waiting objects; resolves when another batch may be sent. */
function flush(id: number): Promise<void> | undefined {
  const objects = pending.get(id);
  if (!objects) return undefined;
  if (objects instanceof RenderedBatchBuilder) {
    if (objects.size === 0) return undefined;
    unacked++;
    send({ type: 'rendered', id, batch: objects.take(), counters: counterDelta() });
  } else {
    if (objects.length === 0) return undefined;
    pending.set(id, []);
    unacked++;
    send({ type: 'batch', id, objects, counters: counterDelta() });
  }
  return unacked > MAX_UNACKED ? new Promise<void>((resolve) => roomWaiters.push(resolve)) : undefined;
}

const flushTimer = setInterval(() => {
  for (const id of pending.keys()) void flush(id);
}, FLUSH_EVERY_MS);
flushTimer.unref();

async function runScan(order: ScanOrder): Promise<void> {
  const group = setup.groups[order.group]!;
  const session = sessions.get(order.bucket.account)!;
  const stats = newStats();
  const outcomes = emptyStatusCounts();
  const cache = templates[order.group];
  pending.set(order.id, setup.rendered ? new RenderedBatchBuilder() : []);
  try {
    const result = await scanBucketObjects(
      {
        session,
        bucket: order.bucket,
        ...(order.bucketKey !== undefined ? { bucketKey: order.bucketKey } : {}),
        ...(order.bucketKeyError ? { bucketKeyError: order.bucketKeyError } : {}),
      },
      group,
      { keys, stats, headLimit, now: () => ask<Date>({ kind: 'now' }), counters, signal: abort.signal, ...(stateStore ? { state: stateStore } : {}) },
      (ctx, meta) => {
        const objects = pending.get(order.id)!;
        const templated = cache?.evaluate(ctx, meta);
        const evaluated = templated ?? evaluateObject(group, setup.rules, ctx, meta, setup.evaluatedAt);
        for (const f of evaluated.findings) outcomes[f.status] = (outcomes[f.status] ?? 0) + 1;
        if (objects instanceof RenderedBatchBuilder) objects.add(evaluated.findings, templated?.lines, evaluated.failing);
        else objects.push(evaluated);
        const size = objects instanceof RenderedBatchBuilder ? objects.size : objects.length;
        return size >= BATCH_OBJECTS ? flush(order.id) : undefined;
      },
    );
    await flush(order.id);
    pending.delete(order.id);
    send({ type: 'done', id: order.id, result, outcomes, requests: stats.requests, counters: counterDelta() });
  } catch (err) {
    pending.delete(order.id);
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'failed', id: order.id, error: { name: e.name, message: e.message } });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'scan':
      void runScan(m);
      break;
    case 'answer': {
      const w = waiting.get(m.ask);
      waiting.delete(m.ask);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.value);
      break;
    }
    case 'ack':
      unacked--;
      if (unacked <= MAX_UNACKED) roomWaiters.shift()?.();
      break;
    case 'abort':
      abort.abort();
      break;
  }
});
