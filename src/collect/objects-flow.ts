/**
 * Small flow-control pieces of the object scan, each bounding memory:
 *  - Slots: a counting semaphore (how many HeadObject calls one bucket has in flight);
 *  - prefetch: keeps the next listing page on its way while the current one is dispatched — a bounded
 *    queue of one page, so listing and inspection overlap without the listing running ahead;
 *  - InOrder: hands results to a sink in sequence order although they complete out of order, holding at
 *    most `window` of them (the incremental state file must be written in listing order).
 */

export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly size: number) {
    this.free = Math.max(1, size);
  }

  /** Resolves when a slot is taken; the caller must release() it. */
  acquire(): Promise<void> | undefined {
    if (this.free > 0) {
      this.free--;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) return next(); // the slot passes straight to the next waiter
    this.free++;
    if (this.free === Math.max(1, this.size)) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of idle) w();
    }
  }

  /** Resolves once every slot is free again (everything dispatched has finished). */
  idle(): Promise<void> {
    if (this.free === Math.max(1, this.size)) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}

/**
 * Iterates `source`, asking for item n+1 as soon as item n is handed out. A consumer that stops early
 * leaves one request outstanding; its outcome is ignored (and a failure of it is not unhandled).
 */
export async function* prefetch<T>(source: AsyncIterator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = source.next();
      yield r.value;
    }
  } finally {
    next.then(
      () => source.return?.(),
      () => undefined,
    );
  }
}

/** Delivers values to `sink` in sequence order; at most `window` sequence numbers are open at once. */
export class InOrder<T> {
  private issued = 0;
  private delivered = 0;
  private readonly ready = new Map<number, T | undefined>();
  private readonly roomWaiters: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly window: number,
    private readonly sink: (value: T) => Promise<void> | void,
  ) {}

  /** The next sequence number; waits while `window` are issued and not yet delivered. */
  async reserve(): Promise<number> {
    while (this.issued - this.delivered >= this.window) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    return this.issued++;
  }

  /** Marks `seq` complete with a value to deliver (undefined: nothing to deliver, just move on). */
  complete(seq: number, value: T | undefined): Promise<void> {
    this.ready.set(seq, value);
    this.chain = this.chain.then(async () => {
      while (this.ready.has(this.delivered)) {
        const v = this.ready.get(this.delivered);
        this.ready.delete(this.delivered);
        if (v !== undefined && this.failure === undefined) {
          try {
            await this.sink(v);
          } catch (e) {
            this.failure = e;
          }
        }
        this.delivered++;
        this.roomWaiters.shift()?.();
      }
    });
    return this.chain;
  }

  /** Waits for every delivery so far; throws the sink's first failure. */
  async drained(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }
}
