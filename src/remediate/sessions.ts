/**
 * The account sessions every action's steps look their calls up in, and what a step answers for an account
 * the run has no credentials for (a plan may name accounts this run was not given with --assume-role).
 */
import type { AccountSession } from '../aws/session.js';
import type { FactError } from '../domain/facts.js';
import type { StepRefusal } from './action.js';

export const sessionMap = (sessions: readonly AccountSession[]): Map<string, AccountSession> => new Map(sessions.map((s) => [s.account, s] as const));

export const noSession = (account: string, operation: string): FactError => ({
  code: 'NoSession',
  operation,
  message: `no credentials for account ${account} (pass --assume-role for it)`,
});

export const refusedForNoSession = (account: string, operation: string): StepRefusal => {
  const error = noSession(account, operation);
  return { status: 'failed', detail: error.message, error };
};
