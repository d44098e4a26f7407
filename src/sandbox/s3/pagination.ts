/**
 * The parameters S3 listings share: opaque continuation tokens, max-keys, and encoding-type=url
 * with S3's own flavour of URL encoding. Used by ListBuckets, ListObjectsV2 and ListObjectVersions.
 */
import type { SandboxRequest } from '../protocol.js';
import { invalidArgument } from './errors.js';

/** Opaque pagination tokens: base64 of a versioned marker, so a forged or foreign token is rejected. */
export const encodeToken = (marker: string): string => Buffer.from(`v1\n${marker}`, 'utf8').toString('base64');
export function decodeToken(token: string, argumentName: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith('v1\n') || encodeToken(text.slice(3)) !== token) {
    throw invalidArgument('The continuation token provided is incorrect', argumentName, token);
  }
  return text.slice(3);
}

/**
 * `encoding-type=url` as S3 applies it: form-style encoding with space as "+" and "/" kept, e.g.
 * "a b.txt" → "a+b.txt", "a+b.txt" → "a%2Bb.txt", "한글/x" → "%ED%95%9C%EA%B8%80/x" (measured
 * against S3 and recorded in brekkylab/backlot#178; botocore decodes with unquote_plus to match).
 */
export function s3UrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function parseMaxKeys(raw: string | null, name: string, fallback: number): number {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw invalidArgument('Provided max-keys not an integer or within integer range', name, raw);
  return Number(raw);
}

export function parseEncodingType(req: SandboxRequest): boolean {
  const encoding = req.query.get('encoding-type');
  if (encoding === null) return false;
  if (encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  return true;
}
