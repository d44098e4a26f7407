/**
 * The main thread's side of --workers: worker threads (object-worker.ts), started as bucket scans need
 * them, each given the next scan when it has the fewest running. The main thread answers their questions
 * (keys through the run's one KeyResolver, credentials from the account's session, the clock) and hands
 * their outcomes to the host (tally, outputs) in the order each worker sent them.
 *
 * Why threads and not processes: a worker needs no second start-up of the CLI, the messages are
 * structured clones, and a thread's crash is an 'error' event, not a lost child.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { currentCredentials, type AccountSession, type PortableCredentials } from '../aws/session.js';
import type { KeyResolver, ResolvedKey } from '../collect/keys.js';
import type { ObjectCounters, ObjectScanResult } from '../collect/objects.js';
import type { RenderedBatch } from './object-batch.js';
import type { EvaluatedObject, FromWorker, Question, ScanOrder, ToWorker, WorkerSetup } from './object-worker-protocol.js';

/** --workers when not given: one per core the process may use. */
export const defaultWorkers = (): number => availableParallelism();

export interface PoolHost {
  keys: KeyResolver;
  sessions: ReadonlyMap<string, AccountSession>;
  now: () => Date;
  signal?: AbortSignal;
  /** Objects evaluated by a worker; a returned promise holds that worker's next batch back. */
  objects(objects: EvaluatedObject[]): Promise<void> | undefined;
  /** The same, rendered by the worker (WorkerSetup.rendered). */
  rendered(batch: RenderedBatch): Promise<void> | undefined;
  counters(delta: ObjectCounters): void;
  requests(counts: Record<string, number>): void;
}

export interface ScanDone {
  result: ObjectScanResult;
  outcomes: Record<string, number>;
}

interface Running {
  resolve: (d: ScanDone) => void;
  reject: (e: unknown) => void;
}

class PoolWorker {
  readonly scans = new Map<number, Running>();
  /** Batches and ends of scans, handled one after the other in the order the worker sent them. */
  private queue: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    readonly thread: Worker,
    private readonly host: PoolHost,
  ) {
    thread.on('message', (m: FromWorker) => this.receive(m));
    thread.on('error', (err) => this.fail(err));
    thread.on('exit', (code) => this.fail(new Error(`object worker thread exited (code ${code})`)));
  }

  post(m: ToWorker): void {
    this.thread.postMessage(m);
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ask') {
      this.answer(m.question).then(
        (value) => this.post({ type: 'answer', ask: m.ask, value }),
        (err: unknown) => this.post({ type: 'answer', ask: m.ask, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    this.queue = this.queue.then(() => this.handle(m));
  }

  private async answer(q: Question): Promise<ResolvedKey | PortableCredentials | Date> {
    switch (q.kind) {
      case 'key':
        return this.host.keys.resolveDetailed(...q.args);
      case 'credentials': {
        const session = this.host.sessions.get(q.account);
        if (!session) throw new Error(`no session for account ${q.account}`);
        return currentCredentials(session);
      }
      case 'now':
        return this.host.now();
    }
  }

  private async handle(m: Exclude<FromWorker, { type: 'ask' }>): Promise<void> {
    const scan = this.scans.get(m.id);
    switch (m.type) {
      case 'batch':
      case 'rendered':
        try {
          this.host.counters(m.counters);
          await (m.type === 'batch' ? this.host.objects(m.objects) : this.host.rendered(m.batch));
        } catch (err) {
          // The outputs could not take them (a disk error): the scan fails as it would in process.
          this.scans.delete(m.id);
          scan?.reject(err);
        }
        this.post({ type: 'ack' });
        return;
      case 'done':
        this.host.counters(m.counters);
        this.host.requests(m.requests);
        this.scans.delete(m.id);
        scan?.resolve({ result: m.result, outcomes: m.outcomes });
        return;
      case 'failed': {
        this.scans.delete(m.id);
        // An abort is the run's own signal reason, as in process; anything else keeps its name and message.
        const reason: unknown = this.host.signal?.aborted ? this.host.signal.reason : Object.assign(new Error(m.error.message), { name: m.error.name });
        scan?.reject(reason);
        return;
      }
    }
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    for (const s of this.scans.values()) s.reject(err);
    this.scans.clear();
  }

  /** Marks the end as expected, then ends the thread. */
  async close(): Promise<void> {
    this.failed = true;
    await this.thread.terminate();
  }
}

export class ObjectWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  private readonly onAbort = (): void => this.abort();

  constructor(
    private readonly count: number,
    private readonly setup: WorkerSetup,
    private readonly host: PoolHost,
  ) {
    host.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Runs one bucket scan: in an idle worker, else in a new one while there are fewer than `count`, else
   * in the one with the fewest running (a run with few buckets starts few threads).
   */
  scan(order: Omit<ScanOrder, 'type' | 'id'>): Promise<ScanDone> {
    const idle = this.workers.find((w) => w.scans.size === 0);
    const worker =
      idle ?? (this.workers.length < this.count ? this.startWorker() : this.workers.reduce((best, w) => (w.scans.size < best.scans.size ? w : best)));
    const id = this.nextId++;
    return new Promise<ScanDone>((resolve, reject) => {
      worker.scans.set(id, { resolve, reject });
      worker.post({ type: 'scan', id, ...order });
      if (this.host.signal?.aborted) worker.post({ type: 'abort' });
    });
  }

  private startWorker(): PoolWorker {
    // Shares that add up to the run's bound exactly: 10 over 3 threads is 4, 3, 3.
    const total = this.setup.headConcurrency;
    const index = this.workers.length;
    const share = Math.floor(total / this.count) + (index < total % this.count ? 1 : 0);
    const thread = new Worker(new URL('./object-worker.js', import.meta.url), {
      workerData: { ...this.setup, headConcurrency: Math.max(1, share) },
      // The SDK's Node version notice is the main thread's to print, once.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const worker = new PoolWorker(thread, this.host);
    this.workers.push(worker);
    return worker;
  }

  /** Stops every running scan (the run failed or was interrupted). */
  abort(): void {
    for (const w of this.workers) w.post({ type: 'abort' });
  }

  /** Ends every thread (their scans are over, or abandoned). */
  async close(): Promise<void> {
    this.host.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
