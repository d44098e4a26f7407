/**
 * The warning rollback prints for a journal that is not the whole story of its run
 * (src/remediate/journal-completeness.ts): what it can restore, and what it cannot know. Pure.
 */
import { escapeControl, plural } from '../domain/text.js';
import type { JournalCompleteness } from '../remediate/journal-completeness.js';

/** Lines for stderr; empty when there is nothing to say. */
export function renderJournalWarning(c: JournalCompleteness, path: string): string {
  const out: string[] = [];
  if (!c.complete) {
    out.push(
      `warning: ${path} is incomplete: its start record planned ${plural(c.planned, 'change')}, it has ${plural(c.started, 'intent record')} and no end record: ` +
        'the run that wrote it did not finish (the process died), or the file was cut short afterwards.',
      `  ${plural(c.unstarted, 'planned change')} ${c.unstarted === 1 ? 'has' : 'have'} no intent record, so rollback cannot restore ${c.unstarted === 1 ? 'it' : 'them'} from this journal. ` +
        'If the process died, they were never started (every change is journaled before it is made): there is nothing to restore. ' +
        `If the file was truncated after the run, changes recorded after the cut are lost to rollback: check the buckets of ${c.kind === 'apply' ? `plan ${c.source}` : `the rolled-back journal ${c.source}`} with scan.`,
    );
  }
  if (c.open.length > 0 && !c.hasEnd) {
    out.push(
      `  ${plural(c.open.length, 'change')} ${c.open.length === 1 ? 'was' : 'were'} started with no result recorded: ${c.open.length === 1 ? 'it' : 'each'} may or may not have been made; ` +
        "rollback reads the bucket and restores it from the intent's `before` if it was:",
      ...c.open.map((i) => `    ${i.bucket} (${i.account}, ${i.region})`),
    );
  }
  return out.map((line) => escapeControl(line) + '\n').join('');
}
