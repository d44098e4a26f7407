/**
 * Which objects a sample inspects. Both samplers see the listing one entry at a time and keep only the N
 * best so far in a binary heap: memory is O(N) however large the bucket, and the choice does not depend
 * on the order pages arrive in.
 *  - newest: the N most recently modified (ties broken by key, then version), the objects that show
 *    whether writers follow today's bucket default;
 *  - random: the N with the smallest keyed hash of (seed, key, version). That is a uniform random sample
 *    (bottom-k sampling), the same seed picks the same objects on every run, and an object stays in the
 *    sample as long as it exists and nothing with a smaller hash arrives — runs are comparable night to night.
 */
import type { ListedObjectEntry } from '../aws/s3.js';
import { compareUtf8 } from '../domain/s3-key-order.js';

/** A bounded heap that keeps the `capacity` items ranking first under `before` (a strict order). */
export class TopN<T> {
  private readonly heap: T[] = [];

  /** `before(a, b)`: a ranks ahead of b. The heap's root is the kept item that ranks last. */
  constructor(
    private readonly capacity: number,
    private readonly before: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Offers an item; returns the item pushed out (or the offered one when it did not make it), if any. */
  offer(item: T): T | undefined {
    if (this.capacity <= 0) return item;
    const h = this.heap;
    if (h.length < this.capacity) {
      h.push(item);
      this.up(h.length - 1);
      return undefined;
    }
    if (!this.before(item, h[0]!)) return item;
    const out = h[0]!;
    h[0] = item;
    this.down(0);
    return out;
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
  }

  /** Root = the item that ranks last: a node must not rank ahead of its parent. */
  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.before(h[worst]!, h[l]!)) worst = l;
      if (r < h.length && this.before(h[worst]!, h[r]!)) worst = r;
      if (worst === i) return;
      [h[worst], h[i]] = [h[i]!, h[worst]!];
      i = worst;
    }
  }
}

/** Listing order: key (UTF-8 binary order), then version id. Total, so every tie is broken the same way. */
export function compareEntries(a: ListedObjectEntry, b: ListedObjectEntry): number {
  return compareUtf8(a.key, b.key) || compareUtf8(a.versionId ?? '', b.versionId ?? '');
}

/**
 * cyrb53: a fast 53-bit string hash with good avalanche, seeded. Not cryptographic: the sample only needs
 * to be unpredictable with respect to key names, and reproducible.
 */
export function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export interface Sampler {
  offer(entry: ListedObjectEntry): void;
  /** The chosen entries in listing order (the order they are inspected in). */
  chosen(): ListedObjectEntry[];
}

/** The `n` most recently modified entries. */
export function newestSampler(n: number): Sampler {
  const top = new TopN<ListedObjectEntry>(n, (a, b) => a.lastModified > b.lastModified || (a.lastModified === b.lastModified && compareEntries(a, b) < 0));
  return {
    offer: (e) => void top.offer(e),
    chosen: () => top.sorted().sort(compareEntries),
  };
}

/** A uniform random `n` entries, reproducible for a given seed. */
export function randomSampler(n: number, seed: number): Sampler {
  type Ranked = { entry: ListedObjectEntry; rank: number };
  const top = new TopN<Ranked>(n, (a, b) => a.rank < b.rank || (a.rank === b.rank && compareEntries(a.entry, b.entry) < 0));
  return {
    offer: (entry) => void top.offer({ entry, rank: hash53(`${entry.key}\u0000${entry.versionId ?? ''}`, seed) }),
    chosen: () => top.sorted().map((r) => r.entry).sort(compareEntries),
  };
}
