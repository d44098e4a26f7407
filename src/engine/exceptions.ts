/**
 * Policy exceptions: an accepted risk for a resource, with a reason and usually an expiry.
 * An active exception turns `fail` into `excepted`; an expired one leaves `fail` and says so.
 */
import type { PolicyException } from '../domain/policy.js';
import { globMatches } from './glob.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The instant an exception stops applying: a date means through the end of that day, UTC. */
export function expiryInstant(expires: string): number {
  return DATE_ONLY.test(expires) ? Date.parse(`${expires}T23:59:59.999Z`) : Date.parse(expires);
}

export function isExpired(exception: PolicyException, now: Date): boolean {
  if (!exception.expires) return false;
  return now.getTime() > expiryInstant(exception.expires);
}

/**
 * Does the exception's `resource` cover this resource? A pattern starting with "arn:" is matched
 * against the resource ARN, and for objects also against the bucket's ARN (an exception for a
 * bucket covers its objects); any other pattern is a bucket-name glob.
 */
export function exceptionCoversResource(pattern: string, resource: { arn: string; bucket: string }): boolean {
  if (pattern.startsWith('arn:')) {
    if (globMatches(pattern, resource.arn)) return true;
    const slash = resource.arn.indexOf('/');
    return slash > 0 && globMatches(pattern, resource.arn.slice(0, slash));
  }
  return globMatches(pattern, resource.bucket);
}

function listCovers(list: string[] | undefined, value: string): boolean {
  return !list || list.length === 0 || list.includes('*') || list.includes(value);
}

/**
 * The exception that applies to (policy, rule, resource), if any. When several match, an active
 * one wins over an expired one (the user renewed it by adding a new entry).
 */
export function matchException(
  exceptions: PolicyException[],
  policy: string,
  rule: string,
  resource: { arn: string; bucket: string },
  now: Date,
): { exception: PolicyException; expired: boolean } | undefined {
  let expiredMatch: PolicyException | undefined;
  for (const exception of exceptions) {
    if (!listCovers(exception.policies, policy)) continue;
    if (!listCovers(exception.rules, rule)) continue;
    if (!exceptionCoversResource(exception.resource, resource)) continue;
    if (!isExpired(exception, now)) return { exception, expired: false };
    expiredMatch ??= exception;
  }
  return expiredMatch ? { exception: expiredMatch, expired: true } : undefined;
}
