/**
 * Per-account throttling: an estate account with a `throttleRate` has that fraction of its requests
 * answered with its service's throttling error, decided like the global faults (faults.ts) — from
 * the seed, what the request asks for and how many times it was asked — so a retry gets a new draw
 * and a run replays the same way whatever the concurrency.
 */
import { FaultInjector } from './faults.js';
import type { SandboxAccount } from './model.js';

export class AccountThrottles {
  private injectors = new Map<string, { rate: number; seed: number; injector: FaultInjector }>();

  constructor(private readonly seed: () => number) {}

  throttled(account: SandboxAccount, requestIdentity: string): boolean {
    if (account.throttleRate <= 0) return false;
    const seed = this.seed();
    let entry = this.injectors.get(account.id);
    if (!entry || entry.rate !== account.throttleRate || entry.seed !== seed) {
      entry = { rate: account.throttleRate, seed, injector: new FaultInjector({ throttleRate: account.throttleRate, seed }) };
      this.injectors.set(account.id, entry);
    }
    return entry.injector.decide(requestIdentity).decision === 'throttle';
  }
}
