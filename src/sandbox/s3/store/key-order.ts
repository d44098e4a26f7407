/**
 * S3's key order (UTF-8 binary) and the binary search the object store uses to find a position in
 * it. The order itself comes from layer 0 so the sandbox and the auditor sort alike.
 */
import { compareUtf8 as compareKeys } from '../../../domain/s3-key-order.js';

/** S3's key order (UTF-8 binary), shared with the auditor so both sides sort alike. */
export { compareKeys };

/** Index of the first element for which `before` is false; `before` must be true on a prefix of the order. */
export function firstNotBefore(length: number, at: (i: number) => string, before: (key: string) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(at(mid))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
