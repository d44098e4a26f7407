/**
 * Where object outcomes stream to: the run layer writes to these, the report layer implements them
 * (JSONL, Batch Operations manifest), so neither imports the other.
 */
import type { Finding } from './finding.js';
import type { ObjectsSection } from './report.js';

/** Where object outcomes stream to. A returned promise makes the scan wait for the disk. */
export interface ObjectOutputs {
  /** Every object finding (pass included), as it is found. */
  finding?(f: Finding): Promise<void> | undefined;
  /**
   * The same as `finding`, for a finding already serialised: `json` is JSON.stringify of it, byte for byte.
   * Lets an audit that builds its lines from templates skip serialising (run/object-outcome-cache.ts).
   */
  findingJson?(json: string): Promise<void> | undefined;
  /** Each object with at least one `fail` outcome, once. */
  failing?(o: { bucket: string; key: string; versionId?: string }): Promise<void> | undefined;
}

/** Where object outcomes go, opened for the run and closed (or removed) at its end. */
export interface ObjectOutputSinks extends ObjectOutputs {
  /** Finishes the files; returns what the report's `objects` section names. */
  close(): Promise<{ jsonl?: string; manifest?: NonNullable<ObjectsSection['manifest']> }>;
  /** Removes what was written (the run failed). */
  abort(): Promise<void>;
}
