/**
 * Global fault injection: latency with jitter, throttling, 5xx and dropped connections. Whether a
 * request is faulted is a pure function of the seed, the request's identity (what it asks for) and
 * how many times that identity has been seen, so a run replays exactly whatever order concurrent
 * requests arrive in, and a retry of a faulted request gets a fresh draw. Per-bucket faults live in
 * the estate and are the S3 handler's business.
 */
import { createHash } from 'node:crypto';
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
 * What a request asks for, independent of when it arrives, who signed it with which temporary key,
 * and its request id: the service, the account acted in, the method, the (decoded) path — S3's
 * bucket and key —, the canonical query (sub-resource, page token…), the KMS X-Amz-Target, and for
 * KMS and STS a hash of the body (a KMS KeyId, an STS Action and RoleArn live there). S3 bodies are
 * left out: the bucket, key and query already name what an S3 request acts on.
 */
export interface RequestIdentityParts {
  service: string;
  account: string;
  method: string;
  rawPath: string;
  /** The canonical (sorted, re-encoded) query, as SigV4 computes it. */
  canonicalQuery: string;
  target?: string;
  body?: Buffer;
}

export function requestIdentity(parts: RequestIdentityParts): string {
  let path = parts.rawPath;
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape: identify the request by its path as sent
  }
  const bodyHash = parts.body === undefined || parts.service === 's3' ? '' : createHash('sha256').update(parts.body).digest('base64');
  return [parts.service, parts.account, parts.method, path, parts.canonicalQuery, parts.target ?? '', bodyHash].join('\n');
}

export interface FaultDraw {
  decision: FaultDecision;
  /** 1 for the first time this identity was seen (since the seed was last set), 2 for its first retry, … */
  attempt: number;
}

/** Three uniform draws in [0, 1) from SHA-256(seed, identity, attempt): the reset, throttle and error draws. */
export function faultDraws(seed: number, identity: string, attempt: number): [number, number, number] {
  const digest = createHash('sha256').update(`${seed}\n${attempt}\n${identity}`).digest();
  return [digest.readUInt32BE(0) / 4294967296, digest.readUInt32BE(4) / 4294967296, digest.readUInt32BE(8) / 4294967296];
}

/**
 * The fault state of one running sandbox. Fault decisions come from faultDraws; latency jitter
 * comes from a PRNG in arrival order (it changes when answers come, never which requests fail).
 */
export class FaultInjector {
  private config: GlobalFaults;
  private latencyRandom: () => number;
  /** How many times each identity has been decided, keyed by a short hash of the identity. */
  private seen = new Map<string, number>();

  constructor(initial: Partial<GlobalFaults> = {}) {
    validateFaults(initial);
    this.config = { ...DEFAULT_FAULTS, ...initial };
    this.latencyRandom = mulberry32(this.config.seed ^ 0x5bd1e995);
  }

  get current(): GlobalFaults {
    return { ...this.config };
  }

  /**
   * Changes some settings; giving a `seed` (even the same one) starts over: attempt counts are
   * forgotten and the latency sequence restarts.
   */
  set(update: Partial<GlobalFaults>): void {
    validateFaults(update);
    this.config = { ...this.config, ...update };
    if (update.seed !== undefined) {
      this.seen.clear();
      this.latencyRandom = mulberry32(this.config.seed ^ 0x5bd1e995);
    }
  }

  /** Whether decide() can answer anything but 'none': while no rate is set, a request's identity need not be built. */
  get active(): boolean {
    const { resetRate, throttleRate, errorRate } = this.config;
    return resetRate > 0 || throttleRate > 0 || errorRate > 0;
  }

  /** Milliseconds to wait before answering: latencyMs ± jitterMs, never negative. */
  nextDelayMs(): number {
    const { latencyMs, jitterMs } = this.config;
    if (latencyMs === 0 && jitterMs === 0) return 0;
    const jitter = jitterMs === 0 ? 0 : (this.latencyRandom() * 2 - 1) * jitterMs;
    return Math.max(0, Math.round(latencyMs + jitter));
  }

  /**
   * What to do with an authenticated request of this identity: the n-th request with one identity
   * always gets the same decision for a seed. While every rate is 0 nothing is counted (no memory
   * per request in fault-free runs); attempts are counted from the first request made with a rate
   * above 0.
   */
  decide(identity: string): FaultDraw {
    const { resetRate, throttleRate, errorRate, seed } = this.config;
    if (resetRate === 0 && throttleRate === 0 && errorRate === 0) return { decision: 'none', attempt: 0 };
    const key = createHash('sha256').update(identity).digest('base64').slice(0, 16);
    const attempt = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, attempt);
    const [reset, throttle, error] = faultDraws(seed, identity, attempt);
    const decision: FaultDecision = reset < resetRate ? 'reset' : throttle < throttleRate ? 'throttle' : error < errorRate ? 'error' : 'none';
    return { decision, attempt };
  }
}
