/**
 * Is a journal the whole story of its run? A run writes `start` (with how many changes it planned), an
 * `intent` before each change and a `result` after it, and `end` when it finishes — even when interrupted
 * by a signal. A journal without `end` whose start planned more changes than it has intents was cut: the
 * process died (kill -9, a crash, a power cut) or the file was truncated afterwards. Rollback can still
 * restore every bucket with an intent, but it must say what it cannot know, never report a full restore.
 * Pure.
 */
import type { IntentRecord, JournalRecord, StartRecord } from './types.js';

export interface JournalCompleteness {
  /** false: cut (no end record, and fewer intents than the start record planned). */
  complete: boolean;
  kind: StartRecord['kind'];
  /** The plan's run id (apply) or the journal rolled back (rollback), from the start record. */
  source: string;
  planned: number;
  /** Intent records: changes that were started (and may have been made). */
  started: number;
  /** Planned changes with no intent record. */
  unstarted: number;
  /** Intents with no result: the change may or may not have been made (rollback reads the bucket). */
  open: IntentRecord[];
  hasEnd: boolean;
  /** The last line was cut short mid-write (and is ignored). */
  truncatedTail: boolean;
}

export function journalCompleteness(records: readonly JournalRecord[], truncatedTail: boolean): JournalCompleteness {
  const start = records.find((r): r is StartRecord => r.phase === 'start');
  const intents = records.filter((r): r is IntentRecord => r.phase === 'intent');
  const closed = new Set(records.flatMap((r) => (r.phase === 'result' ? [r.intent] : [])));
  const hasEnd = records.some((r) => r.phase === 'end');
  const planned = start?.planned ?? intents.length;
  const unstarted = Math.max(0, planned - intents.length);
  return {
    complete: hasEnd || unstarted === 0,
    kind: start?.kind ?? 'apply',
    source: start?.source ?? '',
    planned,
    started: intents.length,
    unstarted,
    open: intents.filter((i) => !closed.has(i.seq)),
    hasEnd,
    truncatedTail,
  };
}
