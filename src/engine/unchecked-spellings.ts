/**
 * Key-list entries KMS would not resolve for the auditor (KeyFacts.uncheckedSpellings) are unknown facts:
 * such an entry may or may not name the key being judged. A verdict that does not depend on them stands;
 * one that does is `error` with the cause, never a guessed `pass` or `fail` (docs/architecture.md
 * "Unknown is not compliant"). The rule is judged twice: as read, and with every unchecked entry taken
 * to name the key. Only when both agree is the verdict known.
 */
import type { FactContext, FactError, KeyFacts } from '../domain/facts.js';

/** The context in which every unchecked entry names its key, or undefined when there is none. */
export function assumingUncheckedMatch(ctx: FactContext): FactContext | undefined {
  // Asked for every rule of every resource, and almost never true: answered without allocating first.
  if (!hasUnchecked(ctx.key) && !hasUnchecked(ctx.bucketKey)) return undefined;
  const key = widened(ctx.key);
  const bucketKey = widened(ctx.bucketKey);
  if (!key && !bucketKey) return undefined;
  return { ...ctx, ...(key ? { key } : {}), ...(bucketKey ? { bucketKey } : {}) };
}

/** The first unchecked entry and why it is unchecked, for the error outcome. */
export function firstUnchecked(ctx: FactContext): { spelling: string; error: FactError } | undefined {
  for (const key of [ctx.key, ctx.bucketKey]) {
    const first = Object.entries(key?.uncheckedSpellings ?? {})[0];
    if (first) return { spelling: first[0], error: first[1] };
  }
  return undefined;
}

/** Does the key have at least one unchecked entry (an own enumerable key, as Object.keys would list)? */
function hasUnchecked(key: KeyFacts | null | undefined): boolean {
  const unchecked = key?.uncheckedSpellings;
  if (!unchecked) return false;
  for (const name in unchecked) if (Object.prototype.hasOwnProperty.call(unchecked, name)) return true;
  return false;
}

function widened(key: KeyFacts | null | undefined): KeyFacts | undefined {
  const unchecked = Object.keys(key?.uncheckedSpellings ?? {});
  if (!key || unchecked.length === 0) return undefined;
  return { ...key, spellings: [...new Set([...key.spellings, ...unchecked])] };
}
