/**
 * NextToken / MaxResults as AWS Organizations pages its lists: MaxResults 1 to 20, an opaque
 * NextToken bound to the operation and parent it came from, a new token while more items remain.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 */
import { AwsError } from '../protocol.js';
import { invalidInput, type Json } from './input.js';

/** AWS's largest page for these operations; also the page size when MaxResults is not given. */
export const MAX_PAGE = 20;

const encodeToken = (scope: string, offset: number): string => Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64');

function decodeToken(token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { s?: unknown; o?: unknown };
    if (parsed.s === scope && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // not one of ours: answered below
  }
  throw invalidInput('INVALID_PAGINATION_TOKEN', 'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.');
}

/** One page of `items`; `scope` names the operation and its parent, so a token of another list is refused. */
export function pageOf<T>(items: readonly T[], input: Json, scope: string): { items: T[]; NextToken?: string } {
  const max = input.MaxResults;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_PAGE)) {
    throw invalidInput('INPUT_REQUIRED', `MaxResults must be an integer from 1 to ${MAX_PAGE}.`);
  }
  const size = typeof max === 'number' ? max : MAX_PAGE;
  const token = input.NextToken;
  if (token !== undefined && token !== null && typeof token !== 'string') throw new AwsError('SerializationException', 400, 'NextToken must be a string');
  const start = typeof token === 'string' ? decodeToken(token, scope) : 0;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, NextToken: encodeToken(scope, start + size) } : { items: slice };
}
