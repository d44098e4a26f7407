/**
 * A journal cut short (no end record, fewer intents than its start planned) is recognised, and the
 * warning says what rollback cannot restore from it. Pure: records in, verdict and text out.
 */
import { expect } from 'chai';
import { journalCompleteness } from '../../src/remediate/journal-completeness.js';
import { renderJournalWarning } from '../../src/report/journal-warning.js';
import type { JournalRecord } from '../../src/remediate/types.js';

const base = { v: 1 as const, runId: 'run', time: '2026-01-01T00:00:00.000Z' };
const where = (bucket: string) => ({ account: '111122223333', region: 'us-east-1', bucket });
const AES = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] };
const KMS = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:k' }, BucketKeyEnabled: true }] };

/** A journal of an apply that planned 3 changes and made all of them, then ended. */
const full: JournalRecord[] = [
  { ...base, seq: 1, phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: '0' }, source: 'plan-1', planned: 3 },
  { ...base, seq: 2, phase: 'intent', ...where('a'), before: AES, after: KMS, change: 'ca' },
  { ...base, seq: 3, phase: 'result', ...where('a'), intent: 2, applied: true, verified: true },
  { ...base, seq: 4, phase: 'intent', ...where('b'), before: 'none', after: KMS, change: 'cb' },
  { ...base, seq: 5, phase: 'result', ...where('b'), intent: 4, applied: true, verified: true },
  { ...base, seq: 6, phase: 'intent', ...where('c'), before: AES, after: KMS, change: 'cc' },
  { ...base, seq: 7, phase: 'result', ...where('c'), intent: 6, applied: true, verified: true },
  { ...base, seq: 8, phase: 'end', interrupted: false, summary: {} },
];

describe('remediate: journal completeness (pure)', () => {
  it('a journal with its end record is complete, and nothing is said', () => {
    const c = journalCompleteness(full, false);
    expect(c).to.deep.include({ complete: true, planned: 3, started: 3, unstarted: 0, hasEnd: true });
    expect(c.open).to.deep.equal([]);
    expect(renderJournalWarning(c, 'j.jsonl')).to.equal('');
  });

  it('an interrupted run (end record, fewer intents than planned) is complete: the signal was handled', () => {
    const interrupted = [...full.slice(0, 3), { ...base, seq: 4, phase: 'end' as const, interrupted: true, summary: {} }];
    expect(journalCompleteness(interrupted, false).complete).to.equal(true);
  });

  it('cut after the start record: incomplete, nothing started, and the warning says so', () => {
    const c = journalCompleteness(full.slice(0, 1), false);
    expect(c).to.deep.include({ complete: false, planned: 3, started: 0, unstarted: 3, hasEnd: false });
    const text = renderJournalWarning(c, 'j.jsonl');
    expect(text).to.contain('warning: j.jsonl is incomplete: its start record planned 3 changes, it has 0 intent records and no end record');
    expect(text).to.contain('3 planned changes have no intent record, so rollback cannot restore them from this journal');
    expect(text).to.contain('If the process died, they were never started');
    expect(text).to.contain('check the buckets of plan plan-1 with scan');
  });

  it('cut after an intent, before its result: the open change is listed (rollback reads the bucket)', () => {
    const c = journalCompleteness(full.slice(0, 4), false);
    expect(c).to.deep.include({ complete: false, started: 2, unstarted: 1 });
    expect(c.open.map((i) => i.bucket)).to.deep.equal(['b']);
    const text = renderJournalWarning(c, 'j.jsonl');
    expect(text).to.contain('1 planned change has no intent record, so rollback cannot restore it');
    expect(text).to.contain('1 change was started with no result recorded');
    expect(text).to.contain('    b (111122223333, us-east-1)');
  });

  it('cut after some results: incomplete, no open change', () => {
    const c = journalCompleteness(full.slice(0, 5), false);
    expect(c).to.deep.include({ complete: false, started: 2, unstarted: 1 });
    expect(c.open).to.deep.equal([]);
    expect(renderJournalWarning(c, 'j.jsonl')).to.not.contain('started with no result');
  });

  it('every planned change started but no end record: nothing is missing from the journal, the open one is still named', () => {
    const c = journalCompleteness(full.slice(0, 6), true);
    expect(c).to.deep.include({ complete: true, started: 3, unstarted: 0, truncatedTail: true });
    const text = renderJournalWarning(c, 'j.jsonl');
    expect(text).to.not.contain('incomplete');
    expect(text).to.contain('    c (111122223333, us-east-1)');
  });

  it('a rollback journal cut short points at the journal it was rolling back', () => {
    const rollback: JournalRecord[] = [{ ...base, seq: 1, phase: 'start', kind: 'rollback', tool: { name: 's3-kms-audit', version: '0' }, source: 'reports/x.journal.jsonl', planned: 2 }];
    expect(renderJournalWarning(journalCompleteness(rollback, false), 'r.jsonl')).to.contain('check the buckets of the rolled-back journal reports/x.journal.jsonl with scan');
  });

  it('bucket names are printed with their control characters made visible', () => {
    const evil = [full[0]!, { ...base, seq: 2, phase: 'intent' as const, ...where('x\u001b[2Jy'), before: AES, after: KMS }];
    expect(renderJournalWarning(journalCompleteness(evil, false), 'j.jsonl')).to.contain('x\\x1b[2Jy').and.not.contain('\u001b');
  });
});
