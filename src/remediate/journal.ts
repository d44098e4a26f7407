/**
 * The write-ahead journal: JSON Lines, one record per line. Every record is written and fsynced before
 * the caller goes on, so after a crash, a kill -9 or a power cut the file names every change that may
 * have been made (an `intent` without a `result` means "may or may not have happened": rollback reads
 * the bucket to find out). Records are appended one at a time in `seq` order, whatever the concurrency.
 * The journal holds configurations, bucket names and error codes — never credentials.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError, unreadableFileError } from '../domain/errors.js';
import { BUILTIN_ACTIONS } from './actions/index.js';
import type { ActionRegistry } from './registry.js';
import { JOURNAL_VERSION, type JournalRecord } from './types.js';

export { asJournalError } from './types.js';

/** A record as the caller gives it; the writer stamps version, run id, sequence number and time. */
export type NewRecord = JournalRecord extends infer R ? (R extends JournalRecord ? Omit<R, 'v' | 'runId' | 'seq' | 'time'> : never) : never;

export class JournalWriter {
  private seq = 0;
  /** Appends run one after another: a record is on disk before the next one starts. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly runId: string,
    private readonly file: FileHandle,
    private readonly now: () => Date,
  ) {}

  /**
   * Creates the journal; refuses to touch an existing file (it belongs to another run and may be
   * needed for its rollback). The folder is fsynced too, so the new file's name survives a crash.
   */
  static async create(path: string, runId: string, now: () => Date = () => new Date()): Promise<JournalWriter> {
    let file: FileHandle;
    try {
      file = await open(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`journal ${path} already exists: choose another --name`);
      throw err;
    }
    await syncFolder(dirname(path));
    return new JournalWriter(path, runId, file, now);
  }

  /** Writes one record and fsyncs it; resolves with the record as written. */
  append(record: NewRecord): Promise<JournalRecord> {
    const write = this.tail.then(async () => {
      const full = { v: JOURNAL_VERSION, runId: this.runId, seq: ++this.seq, time: this.now().toISOString(), ...record } as JournalRecord;
      await this.file.appendFile(JSON.stringify(full) + '\n', 'utf8');
      await this.file.sync();
      return full;
    });
    // A failed write fails its caller; later appends still run (and most likely fail the same way).
    this.tail = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.file.close();
  }
}

/** fsync of a folder makes a new entry in it durable (Linux, macOS); not every platform allows it. */
async function syncFolder(path: string): Promise<void> {
  let dir: FileHandle | undefined;
  try {
    dir = await open(path, 'r');
    await dir.sync();
  } catch {
    // EISDIR / EPERM on platforms that cannot fsync a directory: the file itself is still fsynced.
  } finally {
    await dir?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ReadJournal {
  records: JournalRecord[];
  /** The last line had no newline and did not parse: a write cut short by a crash, ignored. */
  truncatedTail: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a parsed line is not a journal record this version understands, or undefined when it is one. */
function recordProblem(r: unknown, actions: ActionRegistry): string | undefined {
  if (!isObject(r)) return 'not a JSON object';
  if (r.v !== JOURNAL_VERSION) return `unsupported journal version ${JSON.stringify(r.v)} (this tool reads version ${JOURNAL_VERSION})`;
  if (typeof r.runId !== 'string' || typeof r.seq !== 'number' || typeof r.time !== 'string') return 'missing runId, seq or time';
  const where = () => typeof r.account === 'string' && typeof r.region === 'string' && typeof r.bucket === 'string';
  switch (r.phase) {
    case 'start':
    case 'end':
      return undefined;
    case 'intent': {
      if (!where()) return 'intent without account, region and bucket';
      if (r.action !== undefined && (typeof r.action !== 'string' || !actions.has(r.action))) {
        return `intent of unknown remediation action ${JSON.stringify(r.action)} (this version knows: ${actions.actions.map((a) => a.descriptor.id).join(', ')})`;
      }
      const action = actions.of(r as { action?: string });
      if (!action.isState(r.before) || !action.isState(r.after)) return 'intent without a valid before and after configuration';
      return undefined;
    }
    case 'result':
      if (!where() || typeof r.intent !== 'number' || typeof r.applied !== 'boolean' || typeof r.verified !== 'boolean') return 'result without its fields';
      return undefined;
    default:
      return `unknown phase ${JSON.stringify(r.phase)}`;
  }
}

/**
 * Reads and checks a journal. A broken line is a UsageError naming file and line (exit 2, nothing changed).
 * Each intent's states are checked by the action that wrote them (`actions`: the built-in ones unless given).
 */
export async function readJournal(path: string, actions: ActionRegistry = BUILTIN_ACTIONS): Promise<ReadJournal> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadableFileError('JOURNAL', path, err, 'Give the .journal.jsonl file "s3-kms-audit remediate --apply" wrote (it prints the path; default folder reports/).');
  }
  const lines = text.split('\n');
  const endsCleanly = text.endsWith('\n') || text === '';
  if (endsCleanly) lines.pop();
  const records: JournalRecord[] = [];
  let truncatedTail = false;
  for (const [i, line] of lines.entries()) {
    const isLast = i === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (isLast && !endsCleanly) {
        truncatedTail = true;
        continue;
      }
      throw new UsageError(`${path}:${i + 1}: not a JSON line`);
    }
    const problem = recordProblem(parsed, actions);
    if (problem) throw new UsageError(`${path}:${i + 1}: ${problem}`);
    records.push(parsed as JournalRecord);
  }
  if (!records.some((r) => r.phase === 'start')) throw new UsageError(`${path}: not an s3-kms-audit journal (no start record)`);
  return { records, truncatedTail };
}
