/**
 * Request counting for a collection run: how many calls of each API operation were made (logical calls,
 * not SDK retry attempts), so tests can prove nothing is fetched twice or fetched when no rule needs it.
 */

export interface CollectStats {
  /** API operation → calls made (a paginated call counts once per page). */
  requests: Record<string, number>;
  /** Bucket contexts produced. */
  buckets: number;
  /** Distinct KMS keys (by ARN) described. */
  keysResolved: number;
}

export function newStats(): CollectStats {
  return { requests: {}, buckets: 0, keysResolved: 0 };
}

export function countRequest(stats: CollectStats | undefined, operation: string): void {
  if (stats) stats.requests[operation] = (stats.requests[operation] ?? 0) + 1;
}

/** Counts one call of `operation`, then makes it. */
export function counted<T>(stats: CollectStats | undefined, operation: string, call: () => Promise<T>): Promise<T> {
  countRequest(stats, operation);
  return call();
}
