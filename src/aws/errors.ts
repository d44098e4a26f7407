/**
 * Mapping SDK errors to the auditor's FactError: an AWS error code (or a local one such as Timeout),
 * the operation, and a message that never carries credentials.
 */
import type { FactError } from '../domain/facts.js';

interface ErrorLike {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const asErrorLike = (err: unknown): ErrorLike => (typeof err === 'object' && err !== null ? (err as ErrorLike) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Node socket error codes that mean "the connection broke", reported as-is (ECONNRESET, EPIPE, ...). */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** Names SDK errors carry when they are not a service answer; an AWS code is never one of these. */
const GENERIC_NAMES = new Set(['Error', 'TypeError', 'RangeError', 'UnknownError', '']);

/** The AWS error code of an SDK error: `name` for modelled and unmodelled service errors, `Code` as a fallback. */
export function errorCode(err: unknown): string {
  const e = asErrorLike(err);
  const name = str(e.name);
  const sysCode = str(e.code);
  // Before the timeout check: @smithy/node-http-handler renames ECONNRESET/EPIPE errors to TimeoutError
  // (keeping `code`), but a reset is not a timeout and the report should say which it was.
  if (sysCode && NETWORK_CODES.has(sysCode)) return sysCode;
  if (name === 'TimeoutError' || sysCode === 'ETIMEDOUT' || name === 'RequestTimeout') return 'Timeout';
  if (name === 'AbortError') return 'Aborted';
  if (name && !GENERIC_NAMES.has(name)) return name;
  const awsCode = str(e.Code);
  if (awsCode) return awsCode;
  if (sysCode) return sysCode;
  const status = e.$metadata?.httpStatusCode;
  return status ? `Http${status}` : 'UnknownError';
}

// Access key ids (AKIA… long-term, ASIA… temporary) and SigV4 query/header signatures can appear in some
// service messages (e.g. InvalidAccessKeyId); secrets never should, but redact anything signature-like too.
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g;
const SIGNATURE = /(Signature|X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential)=[^\s&,]+/gi;

export function redact(message: string): string {
  return message.replace(ACCESS_KEY_ID, '<access-key-id>').replace(SIGNATURE, '$1=<redacted>');
}

const THROTTLING_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled']);

/** Errors the SDK retries (throttling, 5xx, timeouts, broken connections): for these, "after N attempts" is news. */
function isRetryKind(code: string, status: number | undefined): boolean {
  return THROTTLING_CODES.has(code) || code === 'Timeout' || NETWORK_CODES.has(code) || status === 429 || (status !== undefined && status >= 500);
}

/**
 * FactError for a failed call. When the final error is one the SDK retries, the attempt count is appended
 * ("… (after 5 attempts)") so a report shows the failure survived retries. It is left off other errors:
 * an AccessDenied whose first attempt happened to be throttled is still just AccessDenied.
 */
export function toFactError(err: unknown, operation: string): FactError {
  const e = asErrorLike(err);
  const code = errorCode(err);
  let message = redact(str(e.message) ?? String(err));
  const attempts = e.$metadata?.attempts;
  if (attempts && attempts > 1 && isRetryKind(code, e.$metadata?.httpStatusCode)) message += ` (after ${attempts} attempts)`;
  return { code, operation, message };
}

/** true when `err` is the AWS error `code` (e.g. NoSuchTagSet, NotFoundException). */
export function isNotFound(err: unknown, code: string): boolean {
  const e = asErrorLike(err);
  return e.name === code || e.Code === code;
}

/**
 * Opening an account session failed (bad credentials, role that does not exist or cannot be assumed).
 * Nothing can be scanned for that account, so the CLI reports it and stops.
 */
export class AwsSessionError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    detail: string,
    readonly role?: string,
  ) {
    super(`${operation}${role ? ` ${role}` : ''} failed: ${code}: ${detail}`);
    this.name = 'AwsSessionError';
  }
}
