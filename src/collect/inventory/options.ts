/**
 * The `objects` options of mode `inventory`, with their defaults.
 */
import type { ObjectScanOptions } from '../../domain/policy.js';

/**
 * Oldest report accepted by default: 8 days. S3 delivers inventories daily or weekly (User Guide, "Cataloging
 * and analyzing your data with S3 Inventory"), and a weekly report may arrive up to a day after its start time,
 * so 8 days accepts every on-time weekly report and nothing older.
 */
export const DEFAULT_INVENTORY_MAX_AGE = '8d';

export interface ResolvedInventoryOptions {
  inventoryId?: string;
  /** The maxAge text as written (for messages) and in milliseconds. */
  maxAge: string;
  maxAgeMs: number;
  /** SSE-KMS objects per bucket whose key is read with HeadObject (0: none). */
  keyCheckSample: number;
  fallback?: 'list';
}

/** "8d" → 8 days, "36h" → 36 hours, in milliseconds (the schema admits only these two forms). */
export function durationMs(text: string): number {
  const m = /^(\d+)([dh])$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text} (expected e.g. 8d or 36h)`);
  return Number(m[1]) * (m[2] === 'd' ? 24 : 1) * 3_600_000;
}

export function resolveInventoryOptions(o: ObjectScanOptions | undefined): ResolvedInventoryOptions {
  const maxAge = o?.maxAge ?? DEFAULT_INVENTORY_MAX_AGE;
  return {
    ...(o?.inventoryId !== undefined ? { inventoryId: o.inventoryId } : {}),
    maxAge,
    maxAgeMs: durationMs(maxAge),
    keyCheckSample: o?.keyCheck?.sample ?? 0,
    ...(o?.fallback ? { fallback: o.fallback } : {}),
  };
}
