/**
 * Global fault injection: latency with jitter, throttling, 5xx and dropped connections, every
 * decision drawn from a seeded PRNG so a run can be replayed exactly. Per-bucket faults live in
 * the estate and are the S3 handler's business.
 */
import type { GlobalFaults } from './model.js';

export const DEFAULT_FAULTS: GlobalFaults = {
  latencyMs: 0,
  jitterMs: 0,
  throttleRate: 0,
  errorRate: 0,
  resetRate: 0,
  seed: 1,
};

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision = 'none' | 'reset' | 'throttle' | 'error';

/** Checks rates and durations; throws with a message naming the bad field. */
export function validateFaults(f: Partial<GlobalFaults>): void {
  for (const name of ['throttleRate', 'errorRate', 'resetRate'] as const) {
    const v = f[name];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v <= 1)) throw new Error(`${name} must be a number from 0 to 1, got ${v}`);
  }
  for (const name of ['latencyMs', 'jitterMs'] as const) {
    const v = f[name];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`${name} must be a number ≥ 0, got ${v}`);
  }
  if (f.seed !== undefined && !Number.isInteger(f.seed)) throw new Error(`seed must be an integer, got ${f.seed}`);
}

/**
 * The fault state of one running sandbox. Latency and fault decisions use two separate PRNG
 * streams, so turning jitter on or off does not change which requests fail.
 */
export class FaultInjector {
  private config: GlobalFaults;
  private faultRandom: () => number;
  private latencyRandom: () => number;

  constructor(initial: Partial<GlobalFaults> = {}) {
    validateFaults(initial);
    this.config = { ...DEFAULT_FAULTS, ...initial };
    this.faultRandom = mulberry32(this.config.seed);
    this.latencyRandom = mulberry32(this.config.seed ^ 0x5bd1e995);
  }

  get current(): GlobalFaults {
    return { ...this.config };
  }

  /** Changes some settings; giving a `seed` (even the same one) restarts both PRNG sequences. */
  set(update: Partial<GlobalFaults>): void {
    validateFaults(update);
    this.config = { ...this.config, ...update };
    if (update.seed !== undefined) {
      this.faultRandom = mulberry32(this.config.seed);
      this.latencyRandom = mulberry32(this.config.seed ^ 0x5bd1e995);
    }
  }

  /** Milliseconds to wait before answering: latencyMs ± jitterMs, never negative. */
  nextDelayMs(): number {
    const { latencyMs, jitterMs } = this.config;
    if (latencyMs === 0 && jitterMs === 0) return 0;
    const jitter = jitterMs === 0 ? 0 : (this.latencyRandom() * 2 - 1) * jitterMs;
    return Math.max(0, Math.round(latencyMs + jitter));
  }

  /**
   * What to do with the next authenticated request. Three draws are made every time, whatever the
   * rates, so the sequence of decisions depends only on the seed and the request count.
   */
  nextDecision(): FaultDecision {
    const reset = this.faultRandom();
    const throttle = this.faultRandom();
    const error = this.faultRandom();
    if (reset < this.config.resetRate) return 'reset';
    if (throttle < this.config.throttleRate) return 'throttle';
    if (error < this.config.errorRate) return 'error';
    return 'none';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
