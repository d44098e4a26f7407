/**
 * `merge`: one bucket's object-scan entries (objects.buckets[]) from several shards → the entry one process
 * writes. A sharded inventory-mode scan reads one bucket's report in parts (each shard its own data files,
 * src/collect/inventory/shard.ts), so every shard that read rows has an entry for the bucket; any other
 * scan is in the one shard that owns the bucket, and passes through unchanged.
 *
 * Each part counted its own rows only, so the counts add up; what describes the report itself
 * (configuration, destination, date, format, layout, number of data files) is the same in every part, and
 * the first part's is kept. The merged entry has read every data file and is of no shard.
 */
import type { InventoryScanInfo, ObjectBucketScan } from '../domain/report.js';

const COUNTS = ['listed', 'selected', 'inspected', 'skipped', 'vanished', 'unreadable'] as const;

const scanKey = (s: ObjectBucketScan): string => JSON.stringify([s.account, s.bucket, s.policies]);

function mergedInventory(parts: readonly InventoryScanInfo[]): InventoryScanInfo {
  const { shard: _shard, ...first } = parts[0]!;
  const sum = (pick: (i: InventoryScanInfo) => number | undefined): number => parts.reduce((n, i) => n + (pick(i) ?? 0), 0);
  const merged: InventoryScanInfo = { ...first, dataFilesRead: sum((i) => i.dataFilesRead), rows: sum((i) => i.rows) };
  if (first.keyCheck) {
    merged.keyCheck = { sample: first.keyCheck.sample, headed: sum((i) => i.keyCheck?.headed), notDecided: sum((i) => i.keyCheck?.notDecided) };
  }
  // A problem met while reading one part's data files makes the whole scan incomplete.
  const problem = parts.find((i) => i.problem !== undefined)?.problem;
  if (problem !== undefined) merged.problem = problem;
  return merged;
}

function mergedScan(parts: readonly ObjectBucketScan[]): ObjectBucketScan {
  if (parts.length === 1) {
    // The owner's alone (a report it could not use, a fallback listing): still of no shard once merged.
    const only = parts[0]!;
    return only.inventory ? { ...only, inventory: mergedInventory([only.inventory]) } : only;
  }
  const merged: ObjectBucketScan = { ...parts[0]!, outcomes: { ...parts[0]!.outcomes } };
  for (const c of COUNTS) merged[c] = parts.reduce((n, p) => n + p[c], 0);
  for (const p of parts.slice(1)) {
    for (const [status, n] of Object.entries(p.outcomes) as [keyof ObjectBucketScan['outcomes'], number][]) merged.outcomes[status] = (merged.outcomes[status] ?? 0) + n;
  }
  merged.complete = parts.every((p) => p.complete);
  const inventories = parts.map((p) => p.inventory).filter((i): i is InventoryScanInfo => i !== undefined);
  if (inventories.length > 0) merged.inventory = mergedInventory(inventories);
  return merged;
}

/** The parts' entries, one per bucket and policy group, in the parts' order (shard 1 first). */
export function mergeBucketScans(scans: readonly ObjectBucketScan[]): ObjectBucketScan[] {
  const byKey = new Map<string, ObjectBucketScan[]>();
  for (const s of scans) {
    const k = scanKey(s);
    const list = byKey.get(k);
    if (list) list.push(s);
    else byKey.set(k, [s]);
  }
  return [...byKey.values()].map(mergedScan);
}
