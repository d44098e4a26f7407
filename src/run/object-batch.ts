/**
 * A worker thread's outcomes, rendered where they were found: each finding already serialised as its JSONL
 * line, the findings the report may list (fail, error, excepted) whole, and passes and skips only counted.
 * The main thread then writes lines and adds counts — no structured clone of a finding per outcome, no
 * JSON.stringify on the one thread every worker reports to. Replaying a batch (`replayBatch`) gives the
 * tally, the JSONL and the manifest exactly what handing over each object's findings would.
 */
import type { Finding } from '../domain/finding.js';
import type { ObjectOutputs } from '../domain/outputs.js';
import type { ObjectTally } from './tally.js';
import { LISTED_STATUSES } from './tally.js';

type Counted = Pick<Finding, 'policy' | 'rule' | 'severity' | 'status'>;

/** Plain data (structured clone). */
export interface RenderedBatch {
  /** JSON.stringify of every finding, in the order found. */
  lines: string[];
  /** The fail, error and excepted findings, whole (the tally keeps some for the report). */
  listed: Finding[];
  /** Pass and skip outcomes: how many of each (policy, rule, severity, status). */
  counted: { outcome: Counted; n: number }[];
  /** Each object with a failing finding, once (the manifest). */
  failing: { bucket: string; key: string; versionId?: string }[];
  /** Objects in the batch. */
  objects: number;
}

export class RenderedBatchBuilder {
  private lines: string[] = [];
  private listed: Finding[] = [];
  private counted = new Map<string, { outcome: Counted; n: number }>();
  private failing: RenderedBatch['failing'] = [];
  private objects = 0;

  get size(): number {
    return this.objects;
  }

  /**
   * One object's findings. `lines[i]` is JSON.stringify(findings[i]) when the caller has it (templates);
   * otherwise it is made here. A pass or skip finding is read for its policy, rule, severity and status only.
   */
  add(findings: readonly Finding[], lines: readonly string[] | undefined, failing: RenderedBatch['failing'][number] | undefined): void {
    this.objects++;
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i]!;
      this.lines.push(lines ? lines[i]! : JSON.stringify(f));
      if (LISTED_STATUSES.has(f.status)) {
        this.listed.push(f);
        continue;
      }
      const k = `${f.status}\n${f.severity}\n${f.policy}\n${f.rule}`;
      const c = this.counted.get(k);
      if (c) c.n++;
      else this.counted.set(k, { outcome: { policy: f.policy, rule: f.rule, severity: f.severity, status: f.status }, n: 1 });
    }
    if (failing) this.failing.push(failing);
  }

  /** The batch so far; the builder starts empty again. */
  take(): RenderedBatch {
    const batch: RenderedBatch = { lines: this.lines, listed: this.listed, counted: [...this.counted.values()], failing: this.failing, objects: this.objects };
    this.lines = [];
    this.listed = [];
    this.counted = new Map();
    this.failing = [];
    this.objects = 0;
    return batch;
  }
}

/** A batch into the tally and the outputs (serialised lines: `findingJson`). A promise when a sink must be waited for. */
export function replayBatch(batch: RenderedBatch, tally: ObjectTally, out: ObjectOutputs | undefined): Promise<void> | undefined {
  let wait: Promise<void>[] | undefined;
  const writeJson = out?.findingJson;
  if (writeJson) {
    for (const line of batch.lines) {
      const w = writeJson(line);
      if (w) (wait ??= []).push(w);
    }
  }
  for (const f of batch.listed) tally.add(f);
  for (const c of batch.counted) tally.count(c.outcome, c.n);
  if (out?.failing) {
    for (const o of batch.failing) {
      const w = out.failing(o);
      if (w) (wait ??= []).push(w);
    }
  }
  return wait ? Promise.all(wait).then(() => undefined) : undefined;
}
