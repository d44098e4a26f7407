/**
 * The progress line of `scan` on stderr: buckets done of total, objects inspected, objects per second
 * and an ETA, redrawn in place (carriage return + erase line) at most ten times a second. Shown only when
 * stderr is a terminal and --quiet is not given: logs and pipes get nothing of it (the caller decides).
 */
import type { CollectProgress } from '../collect/collector.js';
import type { ObjectProgress } from '../run/object-audit.js';

export interface ProgressState {
  buckets?: CollectProgress;
  objects?: ObjectProgress;
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');

/** 75 → "1m15s", 3725 → "1h02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Seconds left, estimated from bucket scans: the share of object scans finished so far (scans still to
 * come are extrapolated from the buckets still to list), applied to the time spent. Buckets differ in
 * size, so it is rough — shown as "~" — and unknown until a first bucket's objects are done.
 */
export function estimateSecondsLeft(s: ProgressState): number | undefined {
  const o = s.objects;
  const b = s.buckets;
  if (!o || o.scansDone === 0 || o.elapsedMs <= 0) return undefined;
  const scansPerBucket = b && b.bucketsDone > 0 ? o.scansStarted / b.bucketsDone : 1;
  const bucketsLeft = b ? Math.max(0, b.bucketsTotal - b.bucketsDone) : 0;
  const total = o.scansStarted + bucketsLeft * scansPerBucket;
  const fraction = o.scansDone / Math.max(total, o.scansDone);
  return fraction >= 1 ? 0 : ((o.elapsedMs / 1000) * (1 - fraction)) / fraction;
}

export function renderProgressLine(s: ProgressState): string {
  const parts: string[] = [];
  if (s.buckets) parts.push(`buckets ${num(s.buckets.bucketsDone)}/${num(s.buckets.bucketsTotal)}`);
  const o = s.objects;
  if (o) {
    const done = o.inspected + o.skipped;
    parts.push(`objects ${num(o.inspected)} inspected${o.skipped > 0 ? `, ${num(o.skipped)} unchanged` : ''}`);
    if (o.elapsedMs > 0) parts.push(`${num(done / (o.elapsedMs / 1000))}/s`);
    const left = estimateSecondsLeft(s);
    parts.push(left === undefined ? 'ETA --' : `ETA ~${formatDuration(left)}`);
  }
  return parts.join(' · ');
}

interface TtyLike {
  write(text: string): unknown;
  columns?: number;
}

/** Redraws one line in place; `clear()` erases it before the summary is printed. */
export class ProgressLine {
  private state: ProgressState = {};
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: TtyLike,
    private readonly minIntervalMs = 100,
    private readonly clock: () => number = Date.now,
  ) {}

  buckets(p: CollectProgress): void {
    this.state = { ...this.state, buckets: p };
    this.draw(p.bucketsDone === p.bucketsTotal);
  }

  objects(p: ObjectProgress): void {
    this.state = { ...this.state, objects: p };
    // A bucket scan just ended and none runs: always shown, so the last figures are never throttled away.
    this.draw(p.scansDone === p.scansStarted);
  }

  private draw(force: boolean): void {
    const now = this.clock();
    if (!force && this.drawn && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    this.drawn = true;
    let line = renderProgressLine(this.state);
    // Never wrap: a wrapped line cannot be redrawn in place.
    const width = this.stream.columns;
    if (width && line.length >= width) line = line.slice(0, Math.max(0, width - 1));
    this.stream.write(`\r\u001b[2K${line}`);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }
}
