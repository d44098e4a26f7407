/**
 * Random bytes for request ids, drawn from a pool filled 64 KiB at a time. Filling 8 and 48 bytes per
 * request with crypto.randomBytes was the sandbox's single largest cost in a profile of a HeadObject
 * benchmark (randomFillSync, about a twentieth of its CPU); ids need to be unpredictable-looking and
 * distinct, which a pooled CSPRNG gives them just the same.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 64 * 1024;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` (≤ 64 KiB) fresh random bytes: a view of the pool, valid until the next call refills it — copy or encode at once. */
export function randomChunk(n: number): Buffer {
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const chunk = pool.subarray(offset, offset + n);
  offset += n;
  return chunk;
}
