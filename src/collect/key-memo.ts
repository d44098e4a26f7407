/**
 * A bucket scan's own memo of key answers: each distinct (key id, account, region, wants) is asked of the
 * run's KeyResolver once per scan, and every object under that key gets the same answer object.
 *
 * The resolver already answers a repeated question from its caches without a request, and its answer for
 * the same question does not change within a run (every cache entry, errors included, is kept once set), so
 * this changes no fact: it saves the per-object work of building the answer again (spellings filtered per
 * resource, a fresh KeyFacts each time), and lets the outcome templates (run/object-outcome-cache.ts)
 * recognise the key by identity. Worker threads keep the same kind of memo for their questions to the main
 * thread (run/object-worker.ts).
 */
import type { KeyResolver, KeyWants, ResolvedKey } from './keys.js';

/** Distinct questions kept per scan; past this the memo starts again (a bucket rarely uses more keys). */
const MAX_ANSWERS = 256;

export function memoizedKeys(keys: Pick<KeyResolver, 'resolveDetailed'>): Pick<KeyResolver, 'resolveDetailed'> {
  // By (account, region, wants) — the same for every object of a scan, and free of line breaks — then by
  // the key id exactly as S3 gave it (undefined, aws/s3, is a key of its own).
  const questions = new Map<string, Map<string | undefined, Promise<ResolvedKey>>>();
  let size = 0;
  return {
    resolveDetailed(ref: string | undefined, account: string, region: string, want: boolean | KeyWants): Promise<ResolvedKey> {
      const w = typeof want === 'boolean' ? String(want) : `${want.rotation}\n${want.aliases}`;
      const where = `${account}\n${region}\n${w}`;
      let answers = questions.get(where);
      if (!answers) questions.set(where, (answers = new Map()));
      let p = answers.get(ref);
      if (!p) {
        if (++size > MAX_ANSWERS) {
          questions.clear();
          questions.set(where, answers = new Map());
          size = 1;
        }
        p = keys.resolveDetailed(ref, account, region, want);
        answers.set(ref, p);
      }
      return p;
    },
  };
}
