/**
 * Sampling and flow control of the object scan: the bounded heap, newest-N and seeded random-N samplers
 * (independent of listing order), the in-order delivery window, and the per-bucket slots.
 */
import { expect } from 'chai';
import type { ListedObjectEntry } from '../../src/aws/s3.js';
import { InOrder, prefetch, Slots } from '../../src/collect/objects-flow.js';
import { compareUtf8 } from '../../src/domain/s3-key-order.js';
import { hash53, newestSampler, randomSampler, TopN } from '../../src/collect/objects-select.js';

const entry = (key: string, lastModified = 0, versionId?: string): ListedObjectEntry => ({ key, size: 1, lastModified, etag: '"e"', ...(versionId ? { versionId } : {}) });

/** A deterministic shuffle (so the test does not depend on Math.random). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = hash53(String(i), seed) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('object sampling and flow control (collect/objects-select.ts, objects-flow.ts)', () => {
  it('TopN keeps the N best under any arrival order', () => {
    const numbers = Array.from({ length: 1000 }, (_, i) => i);
    for (const seed of [1, 2, 3]) {
      const top = new TopN<number>(10, (a, b) => a > b);
      for (const n of shuffled(numbers, seed)) top.offer(n);
      expect(top.sorted()).to.deep.equal([999, 998, 997, 996, 995, 994, 993, 992, 991, 990]);
    }
    const none = new TopN<number>(0, (a, b) => a > b);
    expect(none.offer(5)).to.equal(5);
    expect(none.size).to.equal(0);
  });

  it('newest: the N most recent by LastModified, ties broken by key, returned in key order', () => {
    const entries = [entry('c', 5), entry('a', 9), entry('b', 9), entry('d', 1), entry('e', 9)];
    for (const seed of [1, 2]) {
      const s = newestSampler(2);
      for (const e of shuffled(entries, seed)) s.offer(e);
      expect(s.chosen().map((e) => e.key)).to.deep.equal(['a', 'b']);
    }
    const all = newestSampler(10);
    for (const e of entries) all.offer(e);
    expect(all.chosen().map((e) => e.key)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
  });

  it('random: reproducible for a seed, independent of listing order, different across seeds, roughly uniform', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k/${String(i).padStart(4, '0')}`);
    const pick = (seed: number, order: number): string[] => {
      const s = randomSampler(100, seed);
      for (const k of shuffled(keys, order)) s.offer(entry(k));
      return s.chosen().map((e) => e.key);
    };
    const a = pick(42, 1);
    expect(a).to.have.length(100);
    expect(pick(42, 2)).to.deep.equal(a);
    expect(pick(43, 1)).to.not.deep.equal(a);
    expect([...a].sort(compareUtf8)).to.deep.equal(a);
    // Spread: every quarter of the key space is represented (the chance one is empty is about 1e-12).
    const quarters = new Set(a.map((k) => Math.floor(Number(k.slice(2)) / 500)));
    expect([...quarters].sort()).to.deep.equal([0, 1, 2, 3]);
    // Versions of one key are sampled independently.
    const v = randomSampler(1, 1);
    v.offer(entry('same', 0, 'v1'));
    v.offer(entry('same', 0, 'v2'));
    expect(v.chosen()).to.have.length(1);
  });

  it('InOrder delivers in sequence order whatever the completion order, holding at most `window` open', async () => {
    const delivered: number[] = [];
    const ordered = new InOrder<number>(3, (v) => void delivered.push(v));
    const s0 = await ordered.reserve();
    const s1 = await ordered.reserve();
    const s2 = await ordered.reserve();
    let fourth: number | undefined;
    const waiting = ordered.reserve().then((n) => (fourth = n));
    await Promise.resolve();
    expect(fourth, 'the window is full').to.equal(undefined);
    await ordered.complete(s2, 102);
    await ordered.complete(s1, 101);
    expect(delivered).to.deep.equal([]);
    await ordered.complete(s0, undefined); // nothing to deliver for s0 (an unreadable object)
    expect(delivered).to.deep.equal([101, 102]);
    expect(await waiting).to.equal(3);
    await ordered.complete(3, 103);
    await ordered.drained();
    expect(delivered).to.deep.equal([101, 102, 103]);
  });

  it('InOrder reports the sink\'s failure', async () => {
    const ordered = new InOrder<number>(2, () => {
      throw new Error('disk full');
    });
    await ordered.complete(await ordered.reserve(), 1);
    let failure: unknown;
    await ordered.drained().catch((e: unknown) => (failure = e));
    expect((failure as Error).message).to.equal('disk full');
  });

  it('Slots bounds what is in flight and says when all are free', async () => {
    const slots = new Slots(2);
    expect(slots.acquire()).to.equal(undefined);
    expect(slots.acquire()).to.equal(undefined);
    let third = false;
    const waiting = slots.acquire()!.then(() => (third = true));
    let idle = false;
    const allFree = slots.idle().then(() => (idle = true));
    await Promise.resolve();
    expect([third, idle]).to.deep.equal([false, false]);
    slots.release();
    await waiting;
    expect(third).to.equal(true);
    slots.release();
    slots.release();
    await allFree;
    expect(idle).to.equal(true);
  });

  it('prefetch asks for the next item while the current one is used, and stops cleanly', async () => {
    const asked: number[] = [];
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 5; i++) {
        asked.push(i);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const n of prefetch(source())) {
      seen.push(n);
      await new Promise((r) => setImmediate(r));
      expect(asked.length, 'one item ahead').to.be.at.most(Math.min(n + 2, 5));
      if (n === 2) break;
    }
    expect(seen).to.deep.equal([0, 1, 2]);
  });
});
