/**
 * Enumerates accounts → buckets → facts. Lists every account's buckets first (names and regions only,
 * so progress has a total), then fetches each bucket's facts with bounded concurrency and hands contexts
 * out as buckets complete. Nothing is dropped: a bucket whose region cannot be found still yields a
 * context (every aspect in error) and the failure is also a RunError.
 */
import type { AccountSession } from '../aws/session.js';
import { toFactError } from '../aws/errors.js';
import { DEFAULT_LIST_PAGE_SIZE, listBucketPages, type ListedBucket } from '../aws/s3.js';
import type { FactContext } from '../domain/facts.js';
import type { RunError } from '../domain/report.js';
import type { FactAspect } from '../domain/rule.js';
import { collectBucketFacts, unlocatedBucketContext, type FirstAnswers } from './bucket.js';
import { KeyResolver } from './keys.js';
import { locateBucket } from './locate.js';
import { countRequest, newStats, type CollectStats } from './stats.js';

export type { CollectStats } from './stats.js';

export interface BucketIdentity {
  name: string;
  region: string;
  account: string;
}

export interface CollectProgress {
  bucketsDone: number;
  /** Buckets to process, known once every account is listed. */
  bucketsTotal: number;
}

export interface CollectOptions {
  sessions: AccountSession[];
  aspects: Set<FactAspect>;
  /** Buckets whose facts are fetched at the same time (the CLI's --concurrency, default 16). */
  concurrency: number;
  /**
   * Sharded runs (`scan --shard I/N`): the buckets this process audits; the others are left to the other
   * shards before any call about them (src/domain/shard.ts). Every account is still listed.
   */
  owns?: (account: string, bucket: string) => boolean;
  /** Decide before fetching bucket facts: skip buckets no policy could match (name/region/account scopes). */
  prefilter?: (b: BucketIdentity) => boolean;
  onProgress?: (p: CollectProgress) => void;
  signal?: AbortSignal;
  /** ListBuckets MaxBuckets (default 1000, the API's maximum); tests lower it to exercise pagination. */
  listPageSize?: number;
  /**
   * Find every bucket's region as if ListBuckets had not given BucketRegion (locateBucket: the first call
   * to the home region and S3's redirect; tests of that path; S3-compatible endpoints that answer
   * BucketRegion wrongly).
   */
  ignoreListedRegion?: boolean;
  /** A run-wide key cache to use (the object audit resolves object keys through the same one); default a new one. */
  keys?: KeyResolver;
  /** For a new key cache: the policies' key-list spellings (keyListSpellings), resolved when a key's aliases cannot be listed. */
  keyListSpellings?: readonly string[];
  /** Request counters to add to (shared with the object audit); default new ones. */
  stats?: CollectStats;
}

export interface CollectResult {
  /** One context per bucket in scope, in completion order. Iterate once. */
  contexts: AsyncIterable<FactContext>;
  /** Run-level failures (ListBuckets, GetBucketLocation); filled while `contexts` is iterated. */
  errors: RunError[];
  stats: CollectStats;
  accounts: string[];
  /** Regions of the buckets yielded so far. */
  regions: Set<string>;
}

interface PendingBucket {
  session: AccountSession;
  name: string;
  /** Known from ListBuckets; otherwise found inside the bucket's task (locateBucket). */
  region?: string;
}

export function collectBuckets(opts: CollectOptions): CollectResult {
  const errors: RunError[] = [];
  const stats = opts.stats ?? newStats();
  const regions = new Set<string>();
  const accounts = opts.sessions.map((s) => s.account);
  const byAccount = new Map(opts.sessions.map((s) => [s.account, s] as const));
  const keys = opts.keys ?? new KeyResolver((account) => byAccount.get(account), stats, opts.signal, opts.keyListSpellings);
  const concurrency = Math.max(1, Math.floor(opts.concurrency));

  /** One bucket's work: region (when not listed), prefilter, facts. undefined when the prefilter skips it. */
  const processBucket = async (b: PendingBucket): Promise<FactContext | undefined> => {
    opts.signal?.throwIfAborted();
    const { session, name } = b;
    let region = b.region;
    let first: FirstAnswers = {};
    if (region === undefined) {
      const located = await locateBucket(session, name, opts.aspects, stats, opts.signal);
      if (!('region' in located)) {
        errors.push({ account: session.account, bucket: name, operation: located.operation, code: located.code, message: located.message });
        // No region, so no prefilter either: an unlocatable bucket is reported rather than risk dropping it.
        return unlocatedBucketContext(session, name, opts.aspects, located);
      }
      // The learned region is the bucket's from now on: every later call goes straight to its client.
      ({ region, first } = located);
      if (opts.prefilter && !opts.prefilter({ name, region, account: session.account })) return undefined;
    }
    return collectBucketFacts({ name, account: session.account, region, session }, opts.aspects, keys, stats, opts.signal, first);
  };

  async function* contexts(): AsyncGenerator<FactContext> {
    const listed = await Promise.all(opts.sessions.map((s) => listAccountBuckets(s)));
    const pending: (PendingBucket | undefined)[] = [];
    for (const [i, buckets] of listed.entries()) {
      const session = opts.sessions[i]!;
      for (const b of buckets) {
        if (opts.owns && !opts.owns(session.account, b.name)) continue;
        const region = opts.ignoreListedRegion ? undefined : b.region;
        // The prefilter runs before any bucket call whenever the region is already known.
        if (region !== undefined && opts.prefilter && !opts.prefilter({ name: b.name, region, account: session.account })) continue;
        pending.push({ session, name: b.name, ...(region !== undefined ? { region } : {}) });
      }
    }

    const total = pending.length;
    opts.onProgress?.({ bucketsDone: 0, bucketsTotal: total });
    // At most `concurrency` buckets run at once, within a window: at most 2 × concurrency buckets are
    // started but not yet consumed (the one the consumer holds counts), so a slow consumer holds back the scan instead of
    // letting finished contexts pile up in memory. The next bucket starts as soon as one finishes, in list
    // order. (A counter rather than p-limit: p-limit's five promises and closures per bucket showed as
    // 2.5% of a 20,000-bucket scan's CPU.)
    const windowSize = concurrency * 2;
    const ready: (FactContext | undefined)[] = [];
    let failure: { error: unknown } | undefined;
    let wake: (() => void) | undefined;
    const settled = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let scheduled = 0;
    let running = 0;
    let done = 0;
    /** 1 while the consumer holds the context last handed out: it counts as not yet consumed. */
    let held = 0;
    /** Set when the consumer leaves (abort, failure, or it stopped iterating): no further bucket starts. */
    let stopped = false;
    const finished = (ctx: FactContext | undefined): void => {
      running--;
      ready.push(ctx);
      startBuckets();
      settled();
    };
    // A bucket's own failures are facts; what lands here is an abort or a bug, and it ends the scan.
    const failed = (error: unknown): void => {
      running--;
      failure ??= { error };
      settled();
    };
    function startBuckets(): void {
      while (!stopped && !failure && running < concurrency && scheduled < total && scheduled - (done - held) < windowSize && !opts.signal?.aborted) {
        const bucket = pending[scheduled]!;
        pending[scheduled++] = undefined; // release as we go
        running++;
        processBucket(bucket).then(finished, failed);
      }
    }
    try {
      while (done < total) {
        opts.signal?.throwIfAborted();
        startBuckets();
        if (ready.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
        if (failure) throw failure.error;
        // Calls cut short by an abort come back as 'Aborted' facts: stop rather than hand those out.
        opts.signal?.throwIfAborted();
        const ctx = ready.shift();
        done++;
        opts.onProgress?.({ bucketsDone: done, bucketsTotal: total });
        if (!ctx) continue;
        stats.buckets++;
        if (ctx.bucket.region !== 'unknown') regions.add(ctx.bucket.region);
        held = 1;
        yield ctx;
        held = 0;
      }
    } finally {
      // Left early: start no further bucket. Those already running finish on their own; nobody reads their outcome.
      stopped = true;
    }
  }

  /** Every bucket of one account; a failing page is a RunError and the buckets already listed are kept. */
  async function listAccountBuckets(session: AccountSession): Promise<ListedBucket[]> {
    const buckets: ListedBucket[] = [];
    const client = session.s3(session.homeRegion);
    try {
      for await (const page of listBucketPages(client, opts.listPageSize ?? DEFAULT_LIST_PAGE_SIZE, opts.signal, () => countRequest(stats, 'ListBuckets'))) {
        buckets.push(...page);
      }
    } catch (err) {
      opts.signal?.throwIfAborted();
      const fe = toFactError(err, 'ListBuckets');
      errors.push({ account: session.account, region: session.homeRegion, operation: fe.operation, code: fe.code, message: fe.message });
    }
    return buckets;
  }

  return { contexts: contexts(), errors, stats, accounts, regions };
}
