/**
 * Checks on individual values in policy and rule files, each returning an error text or null.
 * They run at load time so a typo is a configuration error (exit 2) before any AWS call.
 */
import { validateGlob } from '../engine/glob.js';
import { AWS_REGIONS, isKnownRegion } from './regions.js';
import { suggest } from './suggest.js';
import { kmsArnRegion, kmsKeySpellingKind } from '../domain/key-grammar.js';

export interface ValueProblem {
  message: string;
  suggestion?: string;
}

export { kmsArnRegion, kmsKeySpellingKind, type KmsKeySpellingKind } from '../domain/key-grammar.js';

export function checkKmsKeySpelling(value: unknown): ValueProblem | null {
  if (typeof value !== 'string') return { message: `a KMS key must be a string, got ${JSON.stringify(value)}` };
  if (value.length > 2048) return { message: 'KMS key spelling is longer than 2048 characters' };
  if (kmsKeySpellingKind(value)) {
    const region = kmsArnRegion(value);
    if (region && !isKnownRegion(region)) return checkRegion(region);
    return null;
  }
  let hint = '';
  if (value.startsWith('alias/')) hint = ' (alias names use only letters, digits, "/", "_" and "-")';
  else if (value.startsWith('arn:')) hint = ' (expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME)';
  else if (/^[0-9a-f-]+$/i.test(value)) hint = ' (a key id is a UUID like 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-… for multi-Region keys)';
  else if (/^[a-zA-Z0-9_-]+$/.test(value)) hint = ` (an alias name starts with "alias/": alias/${value}?)`;
  return {
    message: `"${value}" is not a valid KMS key spelling: use a key id, key ARN, alias name (alias/NAME) or alias ARN${hint}`,
  };
}

export function checkRegion(value: unknown): ValueProblem | null {
  if (typeof value !== 'string') return { message: `a region must be a string, got ${JSON.stringify(value)}` };
  if (isKnownRegion(value)) return null;
  const near = suggest(value, AWS_REGIONS);
  const problem: ValueProblem = { message: `"${value}" is not an AWS Region name` };
  if (near) problem.suggestion = near;
  return problem;
}

export function checkGlob(value: unknown): ValueProblem | null {
  if (typeof value !== 'string') return { message: `a glob must be a string, got ${JSON.stringify(value)}` };
  const problem = validateGlob(value);
  return problem ? { message: `invalid glob "${value}": ${problem}` } : null;
}

export function checkRegex(value: unknown): ValueProblem | null {
  if (typeof value !== 'string') return { message: `a regex must be a string, got ${JSON.stringify(value)}` };
  try {
    new RegExp(value);
    return null;
  } catch (e) {
    return { message: `invalid regex ${JSON.stringify(value)}: ${(e as Error).message}` };
  }
}

export function checkAccount(value: unknown): ValueProblem | null {
  if (typeof value === 'string' && /^\d{12}$/.test(value)) return null;
  if (typeof value === 'number') return { message: `account id ${value} must be a quoted string of 12 digits (YAML reads it as a number and drops leading zeros)` };
  return { message: `${JSON.stringify(value)} is not an AWS account id (12 digits)` };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= daysInMonth;
}

/** A date (YYYY-MM-DD) or an ISO 8601 timestamp with a time zone; real calendar days only. */
export function checkDate(value: unknown): ValueProblem | null {
  const usage = 'use YYYY-MM-DD (valid through the end of that day, UTC) or an ISO timestamp such as 2027-06-30T12:00:00Z';
  if (typeof value !== 'string') return { message: `${JSON.stringify(value)} is not a date: ${usage}` };
  const m = DATE.exec(value) ?? TIMESTAMP.exec(value);
  if (!m) return { message: `"${value}" is not a date: ${usage}` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validCalendarDate(y, mo, d)) return { message: `"${value}" is not a real calendar date` };
  return null;
}
