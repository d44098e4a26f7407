/**
 * The object-level audit across buckets: as the bucket collector hands out each bucket's context, the
 * object policy groups that cover the bucket get a scan (objects.ts); each object's context is evaluated
 * by the engine as soon as it is known, its findings go to the outputs (JSONL, manifest) and into the
 * tally (counts, plus a capped set of non-passing findings for the JSON report).
 *
 * Concurrency: one p-limit bounds HeadObject calls across every bucket (--concurrency); each bucket has
 * its own bound (`bucketConcurrency`); and only a few bucket scans run at once (enough to keep the global
 * bound busy), so memory does not grow with the number of buckets either. `admit` waits while that many
 * are running, which holds the bucket collector back — backpressure all the way up.
 *
 * Workers (--workers N > 1): the same bucket scans run in worker threads (object-worker-pool.ts), each
 * with an equal share of the HeadObject bound; what a run has once (key cache, credentials, clock,
 * tally, outputs) stays here, so the results do not depend on N.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { AccountSession } from '../aws/session.js';
import type { RuleSet } from '../domain/rule.js';
import type { BucketFacts, FactContext, FactError } from '../domain/facts.js';
import type { Finding } from '../domain/finding.js';
import type { ObjectBucketScan, ObjectsSection, OutcomeCounts, RunError } from '../domain/report.js';
import { keyListSpellings } from '../engine/aspects.js';
import { bucketInScope } from '../engine/scope.js';
import type { PolicyFile } from '../domain/policy.js';
import type { FactAspect } from '../domain/rule.js';
import { KeyResolver } from '../collect/keys.js';
import { scanBucketObjects, type ObjectBucketTarget, type ObjectCounters, type ObjectMeta } from '../collect/objects.js';
import { bucketAspectsForObjects, groupObjectPolicies, type ObjectPolicyGroup } from '../collect/objects-options.js';
import { emptyStatusCounts } from '../domain/counts.js';
import type { ObjectOutputs, ObjectOutputSinks } from '../domain/outputs.js';
import { DEFAULT_MAX_OBJECT_FINDINGS, ObjectTally } from './tally.js';
import { newStats, type CollectStats } from '../collect/stats.js';
import { FileStateStore, type ObjectStateStore } from '../state/object-state.js';
import { exportFailingObjects, scanBucketMetadata, type MetadataGroup } from '../collect/metadata/scan.js';
import { groupFinding } from './metadata-findings.js';
import { evaluateResource } from '../engine/evaluate.js';
import type { AwsOptions } from '../aws/options.js';
import { evaluateObject } from './object-evaluate.js';
import { cacheableGroup, ObjectOutcomeCache, type TemplatedObject } from './object-outcome-cache.js';
import type { EvaluatedObject } from './object-worker-protocol.js';
import { replayBatch } from './object-batch.js';
import { defaultWorkers, ObjectWorkerPool, type ScanDone } from './object-worker-pool.js';
import { scanBucketInventory, type LeftToOwner } from '../collect/inventory/scan.js';
import type { Shard } from '../collect/inventory/shard.js';

export interface ObjectProgress {
  /** Bucket scans finished / started so far (one per bucket and policy group). */
  scansDone: number;
  scansStarted: number;
  listed: number;
  inspected: number;
  skipped: number;
  /** Since the first object scan started. */
  elapsedMs: number;
}

export interface ObjectAuditOptions {
  groups: ObjectPolicyGroup[];
  rules: RuleSet;
  sessions: AccountSession[];
  keys: KeyResolver;
  stats: CollectStats;
  /** Run-wide bound on HeadObject calls in flight (--concurrency). */
  concurrency: number;
  /** Evaluation time (exceptions expire against it). */
  evaluatedAt: Date;
  clock?: () => Date;
  maxFindings: number;
  stateDir?: string;
  outputs?: ObjectOutputs;
  onProgress?: (p: ObjectProgress) => void;
  signal?: AbortSignal;
  /**
   * Worker threads that run the bucket scans (--workers); 1 runs them in this thread. More than one
   * needs `aws`, how the workers' own clients reach AWS.
   */
  workers?: number;
  aws?: AwsOptions;
  /** Inventory mode: read only this shard of each report's data files (merged shards equal one full run). */
  inventoryShard?: Shard;
}

export interface ObjectAuditResult {
  section: ObjectsSection;
  /** The non-passing object findings kept for findings[] (capped). */
  findings: Finding[];
  /** Outcomes not in `findings`: passes, skips, and non-passing ones over the cap. */
  omitted: OutcomeCounts;
  /** Failures that make the object scan incomplete (listing, scope). They count toward the gate. */
  runErrors: RunError[];
  /** The distinct causes of object `error` outcomes, for the report's errors[] (already counted by the gate as error outcomes). */
  errorCauses: RunError[];
}

/** Aspects of a bucket context that object contexts inherit as bucket facts. */
const BUCKET_LEVEL = ['bucket.encryption', 'bucket.tags'] as const;

const PROGRESS_EVERY_MS = 200;

export class ObjectAudit {
  private readonly headLimit: LimitFunction;
  private readonly tally: ObjectTally;
  private readonly sessions: Map<string, AccountSession>;
  private readonly maxActive: number;
  private readonly running = new Set<Promise<void>>();
  private readonly roomWaiters: (() => void)[] = [];
  private readonly scans: ObjectBucketScan[] = [];
  private readonly runErrors: RunError[] = [];
  private readonly counters: ObjectCounters = { listed: 0, inspected: 0, skipped: 0 };
  private readonly clock: () => Date;
  private failure: { error: unknown } | undefined;
  private started = 0;
  private done = 0;
  private startedAt: number | undefined;
  private lastProgress = 0;
  private sinceProgress = 0;
  private readonly state: ObjectStateStore | undefined;
  private readonly pool: ObjectWorkerPool | undefined;
  /** Per group: outcomes by fact tuple (object-outcome-cache.ts), or null where the generic path is taken. */
  private readonly templates = new Map<ObjectPolicyGroup, ObjectOutcomeCache | null>();

  constructor(private readonly opts: ObjectAuditOptions) {
    this.state = opts.stateDir ? new FileStateStore(opts.stateDir) : undefined;
    const concurrency = Math.max(1, Math.floor(opts.concurrency));
    this.headLimit = pLimit(concurrency);
    this.tally = new ObjectTally(opts.maxFindings);
    this.sessions = new Map(opts.sessions.map((s) => [s.account, s]));
    this.clock = opts.clock ?? (() => new Date());
    // Enough bucket scans at once to keep every global slot busy (twice over, for listing gaps), few enough
    // that their buffers stay small: 2 × concurrency ÷ the smallest per-bucket bound, between 2 and 64.
    const smallest = Math.min(...opts.groups.map((g) => g.options.bucketConcurrency));
    this.maxActive = Math.min(64, Math.max(2, Math.ceil((2 * concurrency) / smallest)));
    // No more threads than HeadObject slots: each thread needs at least one.
    const workers = Math.min(concurrency, Math.max(1, Math.floor(opts.workers ?? 1)));
    if (workers > 1 && opts.aws) this.pool = this.newPool(workers, concurrency, opts.aws);
  }

  /**
   * The worker threads: the run-wide bound on HeadObject calls is shared out between them (the pool
   * gives each its share), so the total in flight stays --concurrency; what stays here is one of each
   * thing a run has once (key cache, credentials, clock, tally, outputs).
   */
  private newPool(workers: number, concurrency: number, aws: AwsOptions): ObjectWorkerPool {
    const { opts } = this;
    // A signal does not cross threads: each worker binds its own, aborted when the run's is.
    const { signal: _runSignal, ...portableAws } = aws;
    return new ObjectWorkerPool(
      workers,
      {
        aws: portableAws,
        accounts: opts.sessions.map((s) => ({ account: s.account, principalArn: s.principalArn })),
        groups: opts.groups,
        rules: opts.rules,
        evaluatedAt: opts.evaluatedAt,
        ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
        headConcurrency: concurrency,
        rendered: this.serialisedOutput(),
      },
      {
        keys: opts.keys,
        sessions: this.sessions,
        now: this.clock,
        ...(opts.signal ? { signal: opts.signal } : {}),
        objects: (objects) => {
          let wait: Promise<void>[] | undefined;
          for (const o of objects) {
            const w = this.record(o);
            if (w) (wait ??= []).push(w);
          }
          return wait ? Promise.all(wait).then(() => undefined) : undefined;
        },
        rendered: (batch) => {
          const wait = replayBatch(batch, this.tally, this.opts.outputs);
          this.progress(false, batch.objects);
          return wait;
        },
        counters: (d) => {
          this.counters.listed += d.listed;
          this.counters.inspected += d.inspected;
          this.counters.skipped += d.skipped;
        },
        requests: (counts) => {
          for (const [op, n] of Object.entries(counts)) opts.stats.requests[op] = (opts.stats.requests[op] ?? 0) + n;
        },
      },
    );
  }

  /**
   * Schedules the object scans of one bucket (one per group whose policies cover it). Resolves once they
   * are started; waits first while the maximum number of scans is running.
   */
  async admit(ctx: FactContext, owned = true): Promise<void> {
    this.throwIfFailed();
    const b = ctx.bucket;
    const session = this.sessions.get(b.account);
    // Fail closed: a bucket whose objects cannot be scanned makes the object audit incomplete, never
    // silently smaller. (For an unknown region the collector also reports GetBucketLocation's error.)
    const cannotScan = b.region === 'unknown' ? 'the bucket region is unknown' : `there is no session for account ${b.account}`;
    for (const group of this.opts.groups) {
      // A bucket another shard owns is here only for its share of an inventory report's data files
      // (sharedWithShards); what it cannot do is the owner's to report.
      if (!owned && group.options.mode !== 'inventory') continue;
      const scopes = group.policies.map((p) => bucketInScope(p.scope ?? {}, b));
      if (scopes.every((s) => s === false)) continue;
      if (!owned && (b.region === 'unknown' || !session || !scopes.includes(true))) continue;
      if (b.region === 'unknown' || !session) {
        this.runErrors.push({
          account: b.account,
          region: b.region,
          bucket: b.name,
          operation: 'ObjectScan',
          code: 'NotAudited',
          message: `objects not audited for object policies ${group.policies.map((p) => p.name).join(', ')}: ${cannotScan}`,
        });
        continue;
      }
      if (!scopes.includes(true)) {
        // Every policy of the group hangs on tags we could not read: do not guess, report it.
        const tagsError = ctx.errors['bucket.tags'] ?? b.errors['bucket.tags'];
        this.runErrors.push({
          account: b.account,
          region: b.region,
          bucket: b.name,
          operation: tagsError?.operation ?? 'GetBucketTagging',
          code: tagsError?.code ?? 'Unknown',
          message: `objects not audited: whether object policies ${group.policies.map((p) => p.name).join(', ')} apply depends on tags that could not be read${tagsError ? ` (${tagsError.message})` : ''}`,
        });
        continue;
      }
      while (this.running.size >= this.maxActive) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      this.throwIfFailed();
      this.start(session, ctx, group, owned);
    }
  }

  private start(session: AccountSession, ctx: FactContext, group: ObjectPolicyGroup, owned: boolean): void {
    this.startedAt ??= Date.now();
    this.started++;
    // Reported at once (not only when a scan ends): an interrupted run can then say which scans it had begun.
    this.progress(true);
    const bucketErrors: Record<string, FactError> = {};
    for (const a of BUCKET_LEVEL) {
      const e = ctx.bucket.errors[a] ?? ctx.errors[a];
      if (e) bucketErrors[a] = e;
    }
    // Object rules' `key` is the object's own key: the bucket default's key and its errors move to object.bucketKey.
    const bucket: BucketFacts = { ...ctx.bucket, errors: bucketErrors };
    const bucketKeyError = ctx.errors.key ?? ctx.bucket.errors.key ?? bucketErrors['bucket.encryption'];
    const target = { bucket, ...(ctx.key !== undefined ? { bucketKey: ctx.key } : {}), ...(bucketKeyError ? { bucketKeyError } : {}) };
    if (group.options.mode === 'metadata') {
      // One Athena query per bucket, on this thread: there is no per-object work to spread over workers.
      this.track(this.metadataScan({ session, ...target }, group, emptyStatusCounts()));
      return;
    }
    // Inventory scans read the bucket's report, not the bucket: they run on this thread; listing and
    // HeadObject scans go to the worker threads when there are any.
    const scanned: Promise<ScanDone> = this.pool && group.options.mode !== 'inventory'
      ? this.pool.scan({ group: this.opts.groups.indexOf(group), ...target })
      : this.scanHere(session, target, group, owned);
    const task = scanned.then(
      ({ result, outcomes }) => {
        if ((result as Partial<LeftToOwner>).leftToOwner) return;
        const { scan, errors } = result;
        this.scans.push({
          account: bucket.account,
          region: bucket.region,
          bucket: bucket.name,
          policies: group.policies.map((p) => p.name),
          ...scan,
          outcomes,
        });
        this.runErrors.push(...errors);
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.track(task);
  }

  /** Counts a bucket scan as running until it settles (its failures are recorded by the task itself). */
  private track(task: Promise<void>): void {
    const tracked = task.finally(() => {
      this.running.delete(tracked);
      this.done++;
      this.progress(true);
      this.roomWaiters.shift()?.();
    });
    this.running.add(tracked);
  }

  /**
   * A metadata-mode bucket scan: one query, each group of objects evaluated once and counted once per
   * object; with --export-manifest, the failing groups' objects UNLOADed by Athena to S3.
   */
  private async metadataScan(target: ObjectBucketTarget, group: ObjectPolicyGroup, outcomes: Record<string, number>): Promise<void> {
    const bucket = target.bucket;
    const deps = { keys: this.opts.keys, stats: this.opts.stats, ...(this.opts.signal ? { signal: this.opts.signal } : {}) };
    const failing: MetadataGroup[] = [];
    const writes: Promise<void>[] = [];
    try {
      const { scan, errors, queried } = await scanBucketMetadata(target, group, deps, (ctx, g) => {
        let fails = false;
        for (const raw of evaluateResource(group.policyFile, this.opts.rules, ctx, this.opts.evaluatedAt)) {
          const f = groupFinding(raw, g);
          const objects = g?.objects ?? 1;
          this.tally.add(f, objects);
          outcomes[f.status] = (outcomes[f.status] ?? 0) + objects;
          if (f.status === 'fail') fails = true;
          const w = this.opts.outputs?.finding?.(f);
          if (w) writes.push(w);
        }
        if (fails && g) failing.push(g);
        if (g) this.counters.listed += g.objects;
      });
      await Promise.all(writes);
      const runErrors = [...errors];
      if (queried && failing.length > 0 && this.opts.outputs?.failing && scan.metadata) {
        const stamp = this.opts.evaluatedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        const e = await exportFailingObjects(target, group, queried, failing, stamp, scan.metadata, deps);
        if (e) runErrors.push(e);
      }
      this.scans.push({ account: bucket.account, region: bucket.region, bucket: bucket.name, policies: group.policies.map((p) => p.name), ...scan, outcomes });
      this.runErrors.push(...runErrors);
    } catch (error) {
      this.failure ??= { error };
    }
  }

  /** One bucket scan in this thread (one worker). */
  private async scanHere(session: AccountSession, target: Omit<ObjectBucketTarget, 'session'>, group: ObjectPolicyGroup, owned: boolean): Promise<ScanDone> {
    const outcomes = emptyStatusCounts();
    const scanner = group.options.mode === 'inventory' ? scanBucketInventory : scanBucketObjects;
    const result = await scanner(
      { session, ...target },
      group,
      {
        keys: this.opts.keys,
        stats: this.opts.stats,
        headLimit: this.headLimit,
        now: this.clock,
        counters: this.counters,
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
        ...(this.state ? { state: this.state } : {}),
        ...(this.opts.inventoryShard ? { shard: this.opts.inventoryShard, ownsBucket: owned } : {}),
      },
      (objectCtx, meta) => this.evaluate(group, objectCtx, meta, outcomes),
    );
    return { result, outcomes };
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /**
   * Objects fall into a few fact tuples per bucket: their outcomes come from templates (the same findings
   * and JSONL bytes as the generic path, see object-outcome-cache.ts), in every mode that judges objects
   * one by one (metadata mode judges groups and does not come here).
   */
  private templatesFor(group: ObjectPolicyGroup): ObjectOutcomeCache | null {
    let cache = this.templates.get(group);
    if (cache === undefined) {
      const usable = group.options.mode !== 'metadata' && this.serialisedOutput() && cacheableGroup(group.policyFile, this.opts.rules);
      cache = usable ? new ObjectOutcomeCache(group.policyFile, this.opts.rules, this.opts.evaluatedAt) : null;
      this.templates.set(group, cache);
    }
    return cache;
  }

  /** Whether the outputs take findings already serialised (or write no JSONL): what templates need. */
  private serialisedOutput(): boolean {
    const out = this.opts.outputs;
    return !out?.finding || out.findingJson !== undefined;
  }

  private evaluate(group: ObjectPolicyGroup, ctx: FactContext, meta: ObjectMeta, outcomes: Record<string, number>): Promise<void> | undefined {
    const templated = this.templatesFor(group)?.evaluate(ctx, meta);
    if (templated) return this.recordTemplated(templated, outcomes);
    const evaluated = evaluateObject(group, this.opts.rules, ctx, meta, this.opts.evaluatedAt);
    for (const f of evaluated.findings) outcomes[f.status] = (outcomes[f.status] ?? 0) + 1;
    return this.record(evaluated);
  }

  /** An evaluated object (from this thread or a worker) into the tally and the outputs. */
  private record(evaluated: EvaluatedObject): Promise<void> | undefined {
    const out = this.opts.outputs;
    let wait: Promise<void>[] | undefined;
    for (const f of evaluated.findings) {
      this.tally.add(f);
      const w = out?.finding?.(f);
      if (w) (wait ??= []).push(w);
    }
    return this.recorded(evaluated.failing, wait);
  }

  /** As record(), for outcomes from templates: their lines are written as they are. */
  private recordTemplated(t: TemplatedObject, outcomes: Record<string, number>): Promise<void> | undefined {
    const out = this.opts.outputs;
    let wait: Promise<void>[] | undefined;
    for (let i = 0; i < t.findings.length; i++) {
      const f = t.findings[i]!;
      outcomes[f.status] = (outcomes[f.status] ?? 0) + 1;
      this.tally.add(f);
      const w = out?.findingJson?.(t.lines[i]!);
      if (w) (wait ??= []).push(w);
    }
    return this.recorded(t.failing, wait);
  }

  /** What record() and recordTemplated() end with: the failing object to the manifest, the progress line, the writes to wait for. */
  private recorded(failing: EvaluatedObject['failing'], wait: Promise<void>[] | undefined): Promise<void> | undefined {
    const out = this.opts.outputs;
    if (failing && out?.failing) {
      const w = out.failing(failing);
      if (w) (wait ??= []).push(w);
    }
    this.progress(false);
    return wait ? Promise.all(wait).then(() => undefined) : undefined;
  }

  /** `objects`: how many objects were judged since the last call (a worker's batch holds many). */
  private progress(force: boolean, objects = 1): void {
    if (!this.opts.onProgress) return;
    // The clock is read every 64 objects, not for each of millions.
    this.sinceProgress += objects;
    if (!force && this.sinceProgress < 64) return;
    this.sinceProgress = 0;
    const now = Date.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.opts.onProgress(this.snapshot());
  }

  snapshot(): ObjectProgress {
    return { scansDone: this.done, scansStarted: this.started, ...this.counters, elapsedMs: this.startedAt === undefined ? 0 : Date.now() - this.startedAt };
  }

  /** Waits for every scan; throws the first fatal failure (abort, a sink that could not write). */
  async finish(): Promise<ObjectAuditResult> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    await this.pool?.close();
    this.throwIfFailed();
    this.progress(true);
    const t = this.tally.result();
    const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    const buckets = [...this.scans].sort(
      (a, b) => text(a.account, b.account) || text(a.bucket, b.bucket) || text(a.policies.join(','), b.policies.join(',')),
    );
    return {
      section: { maxFindings: this.opts.maxFindings, findingsListed: t.listedNonPass, findingsOmitted: t.omittedNonPass, buckets },
      findings: t.findings,
      omitted: t.omitted,
      runErrors: this.runErrors,
      errorCauses: t.errorCauses,
    };
  }

  /** On failure: stop waiting for room, let running scans end (their outcomes are not used). */
  async abandon(): Promise<void> {
    this.failure ??= { error: new Error('object audit abandoned') };
    for (const w of this.roomWaiters.splice(0)) w();
    this.pool?.abort();
    await Promise.allSettled([...this.running]);
    await this.pool?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring for the orchestrator (src/audit.ts): everything an object run needs, in one call.

export interface ObjectRunOptions {
  /** Non-passing object findings kept in the JSON report's findings[] (default 1000). */
  maxFindings?: number;
  /** Folder of incremental state files; required when a policy uses mode incremental. */
  stateDir?: string;
  /** Opens the outputs; called once, when the run has object policies, before the first object is evaluated. */
  openOutputs?: (start: Date, groups: readonly ObjectPolicyGroup[]) => Promise<ObjectOutputSinks>;
  onProgress?: (p: ObjectProgress) => void;
  /** Worker threads for the bucket scans (--workers; default one per core). */
  workers?: number;
  /** Inventory mode: read only this shard of each report's data files (see collect/inventory/shard.ts). */
  inventoryShard?: Shard;
}

export interface ObjectRun {
  groups: ObjectPolicyGroup[];
  /** Bucket aspects the collector must add for the object rules. */
  bucketAspects: Set<FactAspect>;
  /** The run's key cache and request counters, to share with the bucket collector. */
  keys: KeyResolver;
  stats: CollectStats;
  /**
   * Schedules the bucket's object scans. `owned` false (sharded runs): another shard owns the bucket, and
   * only this shard's part of its inventory reports is read (sharedWithShards).
   */
  admit(ctx: FactContext, owned?: boolean): Promise<void>;
  /** Sharded runs: whether an inventory-mode object policy may cover a bucket, which every shard then reads a part of. */
  sharedWithShards(bucket: { name: string; region: string; account: string }): boolean;
  /** Waits for every object scan, closes the outputs; the pieces buildReport takes. */
  complete(): Promise<{ findings: Finding[]; runErrors: RunError[]; report: { section: ObjectsSection; uncounted: OutcomeCounts; errorCauses: RunError[] } }>;
  /** The run failed: stop, and remove partial outputs. */
  fail(): Promise<void>;
}

/** undefined when the policy file has no object policy (the scan is exactly the bucket scan it always was). */
export async function startObjectRun(
  policyFile: PolicyFile,
  rules: RuleSet,
  sessions: AccountSession[],
  run: { concurrency: number; evaluatedAt: Date; clock?: () => Date; signal?: AbortSignal; aws?: AwsOptions },
  options: ObjectRunOptions = {},
): Promise<ObjectRun | undefined> {
  const groups = groupObjectPolicies(policyFile, rules);
  if (groups.length === 0) return undefined;
  if (groups.some((g) => g.options.mode === 'incremental') && !options.stateDir) throw new Error('incremental object policies need a state folder (--state)');
  const stats = newStats();
  const byAccount = new Map(sessions.map((s) => [s.account, s] as const));
  const keys = new KeyResolver((account) => byAccount.get(account), stats, run.signal, keyListSpellings(policyFile, rules));
  const outputs = options.openOutputs ? await options.openOutputs(run.evaluatedAt, groups) : undefined;
  const audit = new ObjectAudit({
    groups,
    rules,
    sessions,
    keys,
    stats,
    concurrency: run.concurrency,
    evaluatedAt: run.evaluatedAt,
    maxFindings: options.maxFindings ?? DEFAULT_MAX_OBJECT_FINDINGS,
    ...(run.clock ? { clock: run.clock } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(outputs ? { outputs } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.aws ? { aws: run.aws, workers: options.workers ?? defaultWorkers() } : {}),
    ...(options.inventoryShard ? { inventoryShard: options.inventoryShard } : {}),
  });
  return {
    groups,
    bucketAspects: bucketAspectsForObjects(groups),
    keys,
    stats,
    admit: (ctx, owned) => audit.admit(ctx, owned),
    sharedWithShards: (bucket) =>
      groups.some((g) => g.options.mode === 'inventory' && g.policies.some((p) => {
        const { tags: _tags, ...withoutTags } = p.scope ?? {};
        return bucketInScope(withoutTags, { ...bucket, tags: {}, errors: {} }) !== false;
      })),
    async complete() {
      const result = await audit.finish();
      const files = outputs ? await outputs.close() : {};
      const section: ObjectsSection = { ...(files.jsonl ? { jsonl: files.jsonl } : {}), ...result.section, ...(files.manifest ? { manifest: files.manifest } : {}) };
      return { findings: result.findings, runErrors: result.runErrors, report: { section, uncounted: result.omitted, errorCauses: result.errorCauses } };
    },
    async fail() {
      await audit.abandon();
      await outputs?.abort();
    },
  };
}
