/**
 * One bucket's objects for one group of object policies: list (ListObjectsV2, or ListObjectVersions with
 * `versions: true`), choose (every object up to `limit`, a sample, or only what changed since the state
 * file), inspect each chosen object with HeadObject, resolve its KMS key through the run's KeyResolver
 * (the same cache as bucket keys), and hand each object's FactContext to the caller as soon as it is known.
 *
 * Memory per bucket is bounded whatever the bucket holds: one listing page in hand and one on its way,
 * at most `bucketConcurrency` objects in flight, a sample of N, and (incremental) a reorder window of
 * 4 × bucketConcurrency state records. Nothing here keeps a per-object list.
 *
 * Unknown is not compliant: an object whose HeadObject fails (AccessDenied, throttling after the SDK's
 * retries) is still handed out, with the failure in `errors.object`, so its outcomes are `error`; the
 * other objects carry on. A listing that fails part-way ends the bucket's scan with a run error, after
 * the objects already listed are inspected.
 */
import type { LimitFunction } from 'p-limit';
import { isNotFound, toFactError } from '../aws/errors.js';
import { headObject, isHeadBadRequest, isSseCObject, listObjectPages, listObjectVersionPages, type ListedObjectEntry } from '../aws/s3.js';
import type { AccountSession } from '../aws/session.js';
import type { BucketFacts, FactContext, FactError, KeyFacts, ObjectFacts } from '../domain/facts.js';
import type { ObjectBucketScan, RunError } from '../domain/report.js';
import type { KeyResolver } from './keys.js';
import { InOrder, prefetch, Slots } from './objects-flow.js';
import { stateFingerprint, type ObjectPolicyGroup } from './objects-options.js';
import { newestSampler, randomSampler, type Sampler } from './objects-select.js';
import type { ObjectStateStore, StateReader, StateRecord, StateWriter } from '../state/object-state.js';
import { factsFromHead, factsFromListing, factsFromRecord, recordOf } from './object-facts.js';
import { objectContext, objectKeyWants } from './object-context.js';
import { memoizedKeys } from './key-memo.js';
import { countRequest, counted, type CollectStats } from './stats.js';

export interface ObjectBucketTarget {
  session: AccountSession;
  /** The bucket as object rules see it: only bucket-level aspects (bucket.encryption, bucket.tags) in `errors`. */
  bucket: BucketFacts;
  /** The bucket default's resolved key (null when the default is not SSE-KMS), for `object.bucketKey` rules. */
  bucketKey?: KeyFacts | null;
  /** Why the bucket default's key is unknown. */
  bucketKeyError?: FactError;
}

/** Live counters for the progress line. */
export interface ObjectCounters {
  listed: number;
  inspected: number;
  skipped: number;
}

export interface ObjectScanDeps {
  /** The run's key cache (in a worker thread: a proxy to the main thread's). */
  keys: Pick<KeyResolver, 'resolveDetailed'>;
  stats: CollectStats;
  /** The run-wide bound on HeadObject calls in flight (--concurrency), shared by every bucket. */
  headLimit: LimitFunction;
  signal?: AbortSignal;
  /** Where incremental state is kept; required for mode incremental. */
  state?: ObjectStateStore;
  /** The run's clock (in a worker thread: the main thread's, asked over the message port). */
  now: () => Date | Promise<Date>;
  counters?: ObjectCounters;
}

/** What the caller learns about one object besides its facts. */
export interface ObjectMeta {
  /** The version HeadObject answered about (also set outside versions mode, on versioned buckets). */
  versionId?: string;
}

/** Receives each object's context; a returned promise makes the scan wait (backpressure). A throw ends the run. */
export type ObjectSink = (ctx: FactContext, meta: ObjectMeta) => Promise<void> | undefined;

export type ObjectScanCounts = Omit<ObjectBucketScan, 'account' | 'region' | 'bucket' | 'policies' | 'outcomes'>;

/** A bucket scan's counts before its first object: every mode starts from these (complete until shown otherwise). */
export function emptyScanCounts(mode: ObjectScanCounts['mode'], prefix: string | undefined, versions: boolean): ObjectScanCounts {
  return { mode, ...(prefix ? { prefix } : {}), versions, listed: 0, selected: 0, inspected: 0, skipped: 0, vanished: 0, unreadable: 0, complete: true };
}

export interface ObjectScanResult {
  scan: ObjectScanCounts;
  /** Listing failures (the scan of this bucket is incomplete). */
  errors: RunError[];
}

/** The state writer reorders at most this many results per in-flight slot. */
const STATE_WINDOW_PER_SLOT = 4;

export async function scanBucketObjects(target: ObjectBucketTarget, group: ObjectPolicyGroup, deps: ObjectScanDeps, sink: ObjectSink): Promise<ObjectScanResult> {
  const { options } = group;
  const { bucket, session } = target;
  const { signal, stats } = deps;
  const s3 = session.s3(bucket.region);
  const wants = objectKeyWants(group.aspects);
  const listOperation = options.versions ? 'ListObjectVersions' : 'ListObjectsV2';
  const scan = emptyScanCounts(options.mode, options.prefix, options.versions);
  const errors: RunError[] = [];
  const runError = (e: FactError): RunError => ({ account: bucket.account, region: bucket.region, bucket: bucket.name, operation: e.operation, code: e.code, message: e.message });

  // --- incremental state: read the last one (verified) and start writing the next one
  let reader: StateReader | undefined;
  let writer: StateWriter | undefined;
  let ordered: InOrder<StateRecord> | undefined;
  if (options.mode === 'incremental') {
    if (!deps.state) throw new Error('incremental object scans need a state folder');
    const fingerprint = stateFingerprint(group);
    const { path, previous: opened, next } = await deps.state.open(
      { account: bucket.account, bucket: bucket.name, region: bucket.region, fingerprint },
      (await deps.now()).toISOString(),
    );
    if (opened.status === 'used') {
      reader = opened.reader;
      scan.state = { status: 'used', path, note: `state of ${opened.header.startedAt}: ${opened.records} objects` };
    } else {
      scan.state = { status: opened.status, path, note: opened.note };
    }
    writer = next;
    const w = writer;
    ordered = new InOrder<StateRecord>(STATE_WINDOW_PER_SLOT * options.bucketConcurrency, (r) => w.append(r));
  }

  const slots = new Slots(options.bucketConcurrency);
  let fatal: { error: unknown } | undefined;

  // One answer object per key for the whole scan (key-memo.ts): no fact changes, less work per object.
  const keys = memoizedKeys(deps.keys);
  const contextOf = (object: ObjectFacts): Promise<FactContext> => objectContext(target, object, object.kmsKeyId, wants, keys);

  /** One chosen object, start to finish. Never rejects: failures are facts, or `fatal` for the sink's own. */
  const inspect = async (entry: ListedObjectEntry, reused: StateRecord | undefined, seq: number | undefined): Promise<void> => {
    let record: StateRecord | undefined;
    try {
      let facts: ObjectFacts;
      let meta: ObjectMeta = {};
      if (reused) {
        facts = factsFromRecord(bucket.name, entry, reused, options.versions);
        record = reused;
        scan.skipped++;
        if (deps.counters) deps.counters.skipped++;
      } else {
        const versionId = options.versions ? entry.versionId : undefined;
        const answer = await deps
          .headLimit(() => counted(stats, options.versions ? 'HeadObjectVersion' : 'HeadObject', () => headObject(s3, bucket.name, entry.key, versionId, signal)))
          .then(
            (head) => ({ head }),
            (error: unknown) => ({ error }),
          );
        signal?.throwIfAborted();
        if ('error' in answer) {
          const { error } = answer;
          // Deleted between the listing and now: no longer an object to judge (HEAD answers a bare 404).
          if (isNotFound(error, 'NotFound') || isNotFound(error, 'NoSuchKey') || isNotFound(error, 'NoSuchVersion')) {
            scan.vanished++;
            return;
          }
          // A 400 on a listed object, to a HEAD that sent no SSE-C headers: an SSE-C object, if GetObject says so.
          const sseC =
            isHeadBadRequest(error) &&
            (await deps.headLimit(() => counted(stats, options.versions ? 'GetObjectVersion' : 'GetObject', () => isSseCObject(s3, bucket.name, entry.key, versionId, signal))));
          signal?.throwIfAborted();
          if (sseC) {
            facts = factsFromListing(bucket.name, entry, options.versions, { sse: 'SSE-C' });
            if (ordered) record = recordOf(facts, entry);
            scan.inspected++;
          } else {
            facts = factsFromListing(bucket.name, entry, options.versions, { error: toFactError(error, 'HeadObject') });
            scan.unreadable++;
          }
        } else {
          const { head } = answer;
          facts = factsFromHead(bucket.name, entry, head, options.versions);
          if (head.versionId !== undefined) meta = { versionId: head.versionId };
          // The next state's record, only when there is a next state (mode incremental).
          if (ordered) record = recordOf(facts, entry);
          scan.inspected++;
        }
        if (deps.counters) deps.counters.inspected++;
      }
      const ctx = await contextOf(facts);
      await sink(ctx, reused && entry.versionId !== undefined ? { versionId: entry.versionId } : meta);
    } catch (error) {
      fatal ??= { error };
      record = undefined;
    } finally {
      // Only objects whose facts are known go into the next state; an unreadable one is inspected again next run.
      if (ordered && seq !== undefined) await ordered.complete(seq, record);
    }
  };

  const dispatch = async (entry: ListedObjectEntry): Promise<void> => {
    scan.selected++;
    const seq = ordered ? await ordered.reserve() : undefined;
    let reused: StateRecord | undefined;
    if (reader) {
      try {
        reused = await reader.lookup(entry);
      } catch (err) {
        // Verified, then unreadable (the disk?): inspect the rest rather than trust a half-read state.
        await reader.close();
        reader = undefined;
        scan.state = { status: 'invalid', path: scan.state!.path, note: `state file became unreadable during the scan (${(err as Error).message}): the remaining objects were inspected` };
      }
    }
    await slots.acquire();
    void inspect(entry, reused, seq).finally(() => slots.release());
  };

  // --- listing → (sample) → dispatch
  const sampler: Sampler | undefined =
    options.mode === 'sample' ? (options.sampleStrategy === 'random' ? randomSampler(options.sample, options.seed) : newestSampler(options.sample)) : undefined;
  const source = options.versions
    ? listObjectVersionPages(s3, bucket.name, options.prefix, signal, () => countRequest(stats, listOperation))
    : listObjectPages(s3, bucket.name, options.prefix, signal, () => countRequest(stats, listOperation));
  try {
    listing: for await (const page of prefetch(source)) {
      for (const entry of page) {
        if (options.limit !== undefined && scan.listed >= options.limit) break listing;
        scan.listed++;
        if (deps.counters) deps.counters.listed++;
        if (sampler) sampler.offer(entry);
        else await dispatch(entry);
        if (fatal) break listing;
      }
      signal?.throwIfAborted();
    }
  } catch (err) {
    signal?.throwIfAborted();
    // Objects listed so far are still inspected; the bucket's scan is marked incomplete.
    scan.complete = false;
    errors.push(runError(toFactError(err, listOperation)));
  }
  if (sampler && !fatal) {
    for (const entry of sampler.chosen()) {
      await dispatch(entry);
      if (fatal) break;
    }
  }
  await slots.idle();

  // --- the next state: only after a complete scan of the bucket
  await reader?.close();
  if (writer && ordered) {
    try {
      await ordered.drained();
      if (scan.complete && !fatal && !signal?.aborted) await writer.commit((await deps.now()).toISOString());
      else await writer.abort();
    } catch (err) {
      await writer.abort();
      errors.push(runError({ code: (err as NodeJS.ErrnoException).code ?? 'StateWriteFailed', operation: 'WriteState', message: (err as Error).message }));
    }
  }
  if (fatal) throw fatal.error;
  signal?.throwIfAborted();
  return { scan, errors };
}
