/**
 * Which data files of a report one shard reads. The data files of a report are independent, so N processes
 * can each read the files whose stable hash of their key falls to them, and their merged results equal one
 * process reading all. The hash is of the key alone (not its position in the manifest), so a shard's choice
 * does not depend on the order S3 lists the files in.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** A number in [0, 2^32) from the data file's key: SHA-256's first four bytes, the same on every machine. */
export function dataFileHash(key: string): number {
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0);
}

export function inShard(key: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count <= 1) return true;
  return dataFileHash(key) % shard.count === shard.index;
}

export function checkShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`invalid shard ${shard.index}/${shard.count}: the index must be 0 … count − 1`);
  }
}
