/**
 * The value checks behind the command-line options: each turns the text a user typed into a value or
 * throws a UsageError (exit 2, nothing done) naming where the text came from. `source` is the flag
 * ("--concurrency") or, for values read from the environment, the variable ("AWS_MAX_ATTEMPTS").
 * The command table (commands.ts) attaches them to options; nothing here knows about commander.
 */
import { UsageError } from '../domain/errors.js';
import { SEVERITIES } from '../domain/finding.js';
import type { FailOn } from '../engine/gate.js';
import { checkReportName } from '../report/writer.js';
import { REPORT_FORMATS, type ReportFormatName } from '../report/format-names.js';
import { suggest } from '../config/suggest.js';

export const MAX_CONCURRENCY = 256;
export const MAX_ATTEMPTS_LIMIT = 20;
export const MAX_OBJECT_FINDINGS_LIMIT = 1_000_000;

/** A whole number written with digits only, or NaN: "8x", "-1" and "1e3" are not whole numbers here. */
const wholeNumber = (text: string): number => (/^\d+$/.test(text) ? Number(text) : NaN);

/** A path option: anything but empty (an empty path would silently mean the current folder). */
export function path(text: string, source: string): string {
  if (text === '') throw new UsageError(`${source}: give a path`);
  return text;
}

/** --run-id: one plain token (a CI run id, a UUID, a date), so it reads the same in every report format. */
export function parseRunId(text: string, source: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(text)) {
    throw new UsageError(`${source}: "${text}" is not a run id: use 1-128 letters, digits, '.', '_', ':' and '-' (starting with a letter or digit)`);
  }
  return text;
}

/** A JSON report to compare with (--baseline). */
export function reportPath(text: string, source: string): string {
  if (text === '') throw new UsageError(`${source}: give the path of an earlier JSON report`);
  return text;
}

/** A report, plan or journal file name: no folders, nothing a shell or a file system would misread. */
export function reportName(text: string): string {
  checkReportName(text);
  return text;
}

export function parseFormats(text: string): ReportFormatName[] {
  const formats = text.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (formats.length === 0) throw new UsageError('--format: give at least one format');
  for (const f of formats) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) {
      const near = suggest(f, REPORT_FORMATS);
      const hint = near ? ` (did you mean "${near}"?)` : '';
      throw new UsageError(`--format: unknown format "${f}"${hint}; formats: ${REPORT_FORMATS.join(', ')}`);
    }
  }
  return [...new Set(formats)] as ReportFormatName[];
}

export const FAIL_ON_LEVELS: readonly FailOn[] = [...SEVERITIES, 'none'];

export function parseFailOn(text: string): FailOn {
  if (!(FAIL_ON_LEVELS as readonly string[]).includes(text)) throw new UsageError(`--fail-on: "${text}" is not one of ${FAIL_ON_LEVELS.join(', ')}`);
  return text as FailOn;
}

export function parseConcurrency(text: string, source = '--concurrency'): number {
  const n = wholeNumber(text);
  if (!(n >= 1 && n <= MAX_CONCURRENCY)) throw new UsageError(`${source}: "${text}" is not a whole number from 1 to ${MAX_CONCURRENCY}`);
  return n;
}

/** Worker threads for object scans: 1 (this thread) up to 64. */
export const MAX_WORKERS = 64;

export function parseWorkers(text: string, source = '--workers'): number {
  const n = wholeNumber(text);
  if (!(n >= 1 && n <= MAX_WORKERS)) throw new UsageError(`${source}: "${text}" is not a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}

export function parseMaxAttempts(text: string, source = '--max-attempts'): number {
  const n = wholeNumber(text);
  if (!(n >= 1 && n <= MAX_ATTEMPTS_LIMIT)) throw new UsageError(`${source}: "${text}" is not a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`);
  return n;
}

/** Object findings listed in the JSON report: 0 (counts only) up to a million. */
export function parseMaxObjectFindings(text: string, source = '--max-object-findings'): number {
  const n = wholeNumber(text);
  if (!(n <= MAX_OBJECT_FINDINGS_LIMIT)) throw new UsageError(`${source}: "${text}" is not a whole number from 0 to ${MAX_OBJECT_FINDINGS_LIMIT}`);
  return n;
}

export function parseMaxChanges(text: string, source = '--max-changes'): number {
  const n = wholeNumber(text);
  if (!(n >= 1)) throw new UsageError(`${source}: "${text}" is not a whole number of at least 1`);
  return n;
}

export function parseEndpointUrl(text: string, source = '--endpoint-url'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${source}: "${text}" is not a URL (e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: "${text}" must start with http:// or https://`);
  }
  // The endpoint is printed and written into reports: credentials must never ride along in it.
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${source}: the URL must not contain a user name or password; pass credentials through the AWS credential chain`);
  }
  return text;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

export function parseRoleArn(text: string, source = '--assume-role'): string {
  if (!ROLE_ARN.test(text)) throw new UsageError(`${source}: "${text}" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
  return text;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function parseRegion(text: string, source = '--region'): string {
  if (!REGION.test(text)) throw new UsageError(`${source}: "${text}" is not an AWS region name (e.g. eu-west-1)`);
  return text;
}

export function parseProfile(text: string, source = '--profile'): string {
  if (text === '') throw new UsageError(`${source}: give a profile name`);
  return text;
}

/** One of a fixed list of words (a positional such as `permissions scan`). */
export function oneOf<T extends string>(words: readonly T[], what: string) {
  return (text: string, source: string): T => {
    if (!(words as readonly string[]).includes(text)) throw new UsageError(`${source}: unknown ${what} "${text}"; one of ${words.join(', ')}`);
    return text as T;
  };
}

// ---------------------------------------------------------------------------------------------
// sandbox: its messages keep the sandbox's own wording ("--port must be …, got '…'")

export function parsePort(text: string, source = '--port'): number {
  const n = wholeNumber(text);
  if (Number.isNaN(n)) throw new UsageError(`${source} must be a whole number ≥ 0, got '${text}'`);
  if (n > 65535) throw new UsageError(`${source} must be at most 65535, got ${n}`);
  return n;
}

/** A fraction of requests, 0..1. */
export function parseRate(text: string, source: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`${source} must be a number from 0 to 1, got '${text}'`);
  return v;
}

export interface Latency {
  latencyMs: number;
  jitterMs: number;
}

/** MS or MS:JITTER, whole milliseconds. */
export function parseLatency(text: string, source = '--latency'): Latency {
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`${source} must be MS or MS:JITTER (whole milliseconds), got '${text}'`);
  return { latencyMs: Number(m[1]), jitterMs: m[2] === undefined ? 0 : Number(m[2]) };
}

export function parseSeed(text: string, source = '--seed'): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${source} must be an integer, got '${text}'`);
  return Number(text);
}

/** Any text (a host name, a file the command itself reads and reports on). */
export const text = (value: string): string => value;
