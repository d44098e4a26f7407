/**
 * The current objects of a bucket, explicit (a Map in the estate, with a sorted key index this
 * module maintains beside it) and generated: store, remove and find by key.
 */
import type { Estate, SandboxBucket, SandboxObject } from '../../model.js';
import { generatedIndex, generatedObject, isDeleted, markDeleted } from './generated.js';
import { compareKeys, firstNotBefore } from './key-order.js';

const sortedIndexes = new WeakMap<Map<string, SandboxObject>, string[]>();

/**
 * The explicit keys in order. Built on first use and then maintained by storeObject/removeObject;
 * rebuilt if someone changed the Map directly (detected by its size) — estate.ts fills the Map
 * before any listing, so the common path never re-sorts.
 */
export function sortedExplicitKeys(bucket: SandboxBucket): string[] {
  let keys = sortedIndexes.get(bucket.objects);
  if (!keys || keys.length !== bucket.objects.size) {
    keys = [...bucket.objects.keys()].sort(compareKeys);
    sortedIndexes.set(bucket.objects, keys);
  }
  return keys;
}

/** Adds or replaces an explicit object. Use this rather than `bucket.objects.set` so listings stay O(page). */
export function storeObject(bucket: SandboxBucket, object: SandboxObject): void {
  const keys = sortedExplicitKeys(bucket);
  if (!bucket.objects.has(object.key)) {
    const at = firstNotBefore(keys.length, (i) => keys[i]!, (k) => compareKeys(k, object.key) < 0);
    keys.splice(at, 0, object.key);
  }
  bucket.objects.set(object.key, object);
}

/** Deletes the object with this key, explicit or generated; false when there was none. */
export function removeObject(bucket: SandboxBucket, key: string): boolean {
  let removed = false;
  if (bucket.objects.has(key)) {
    const keys = sortedExplicitKeys(bucket);
    const at = firstNotBefore(keys.length, (i) => keys[i]!, (k) => compareKeys(k, key) < 0);
    if (keys[at] === key) keys.splice(at, 1);
    bucket.objects.delete(key);
    removed = true;
  }
  const gen = bucket.generator;
  const index = gen && generatedIndex(gen, key);
  if (gen && index !== undefined && !isDeleted(gen, index)) {
    markDeleted(gen, index);
    removed = true;
  }
  return removed;
}

/** The object with this key: an explicit one shadows a generated one with the same key. */
export function findObject(estate: Estate, bucket: SandboxBucket, key: string): SandboxObject | undefined {
  const explicit = bucket.objects.get(key);
  if (explicit) return explicit;
  const gen = bucket.generator;
  const index = gen && generatedIndex(gen, key);
  if (!gen || index === undefined || isDeleted(gen, index)) return undefined;
  return generatedObject(estate, bucket, gen, index);
}
