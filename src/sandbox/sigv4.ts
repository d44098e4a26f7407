/**
 * AWS Signature Version 4 verification (header authentication), computed exactly as AWS does:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html and, for S3,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 *
 * Pure functions of the request as it arrived on the wire (raw path, raw query, raw headers);
 * mapping a failure to each service's error code is the server's job (see authError in server/service-errors.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string; // YYYYMMDD of the credential scope
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  scope: string; // DATE/REGION/SERVICE/aws4_request
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header || !header.startsWith(ALGORITHM + ' ')) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) return undefined;
  const scopeParts = credential.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = scopeParts as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(';'),
    signature,
    scope: scopeParts.slice(1).join('/'),
  };
}

/** RFC 3986 encoding as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case hex). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Decodes a query name or value as AWS reads it: form-style, a raw '+' is a space and %2B a plus.
 * SigV4 clients send a space as %20 and a plus as %2B, but AWS also accepts a raw '+' for a space in
 * a signed query (mhart/aws4fetch#83: "AWS S3 currently accepts both representations"; envoyproxy/envoy#40619:
 * "A raw plus becomes a space, an encoded plus (%2B) stays as a %2B"). The handlers read the query
 * with URLSearchParams, which decodes the same way, so what is signed is what is served.
 */
export function queryDecode(value: string): string {
  // The WHATWG application/x-www-form-urlencoded parser's steps (what URLSearchParams does): '+' to
  // space, each valid %XX to its byte, anything else (a malformed escape too) kept, then UTF-8.
  const bytes: Buffer[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain !== '') bytes.push(Buffer.from(plain, 'utf8'));
    plain = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '+') plain += ' ';
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      flush();
      bytes.push(Buffer.from([parseInt(value.slice(i + 1, i + 3), 16)]));
      i += 2;
    } else plain += c;
  }
  flush();
  return Buffer.concat(bytes).toString('utf8');
}

/**
 * Canonical URI. S3 signs the path exactly as sent (already URI-encoded once by the client);
 * every other service encodes each segment of the (normalised) path a second time — botocore's
 * S3SigV4Auth._normalize_url_path and smithy's `uriEscapePath: false` for S3 do the same.
 */
export function canonicalUri(rawPath: string, service: string): string {
  if (rawPath === '') return '/';
  if (service === 's3') return rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = '/' + segments.join('/') + (rawPath.endsWith('/') && segments.length > 0 ? '/' : '');
  return normalised
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

/** Canonical query string: each name and value decoded then RFC 3986 encoded, sorted by name then value. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(queryDecode(name)), uriEncode(queryDecode(value))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/**
 * Header values keyed by lower-case name, from node's rawHeaders ([name, value, name, value, …])
 * so repeated headers keep every value (joined with ',' as SigV4 specifies).
 */
export function headerValues(rawHeaders: string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = values.get(name) ?? [];
    list.push(rawHeaders[i + 1]!);
    values.set(name, list);
  }
  return values;
}

export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  rawHeaders: string[];
  /** Hex SHA-256 of the payload, or the literal from x-amz-content-sha256 (UNSIGNED-PAYLOAD, STREAMING-…). */
  payloadHash: string;
}

export function canonicalRequest(req: SignedRequest, auth: ParsedAuthorization): string {
  const headers = headerValues(req.rawHeaders);
  const canonicalHeaders = auth.signedHeaders
    .map((name) => {
      const value = (headers.get(name) ?? []).map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
      return `${name}:${value}\n`;
    })
    .join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(req.rawPath, auth.service),
    canonicalQuery(req.rawQuery),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    req.payloadHash,
  ].join('\n');
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/**
 * Derived keys by secret, date, region and service: four HMACs once per day and scope instead of per
 * request (a bench run of the sandbox verifies tens of thousands of signatures by the same secret). The
 * key is a pure function of its inputs, so the cache changes no answer; it is bounded all the same.
 */
const derivedKeys = new Map<string, Buffer>();
const MAX_DERIVED_KEYS = 1024;

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const id = `${secretAccessKey}\n${date}\n${region}\n${service}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), 'aws4_request');
    if (derivedKeys.size >= MAX_DERIVED_KEYS) derivedKeys.clear();
    derivedKeys.set(id, key);
  }
  return key;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(expectedHex: string, providedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'utf8');
  const provided = Buffer.from(providedHex, 'utf8');
  return expected.length === provided.length && timingSafeEqual(expected, provided);
}

/** The request time: X-Amz-Date (ISO 8601 basic), or the Date header when X-Amz-Date is absent. */
export function requestTime(rawHeaders: string[]): { amzDate: string; time: Date } | undefined {
  const headers = headerValues(rawHeaders);
  const amzDate = headers.get('x-amz-date')?.[0];
  if (amzDate) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!m) return undefined;
    return { amzDate, time: new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) };
  }
  const date = headers.get('date')?.[0];
  if (!date) return undefined;
  const time = new Date(date);
  if (Number.isNaN(time.getTime())) return undefined;
  return { amzDate: time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''), time };
}

export type VerifyResult =
  | { ok: true; signingKey: Buffer; amzDate: string }
  | { ok: false; reason: 'no-date' | 'scope-date' | 'host-unsigned' | 'mismatch'; canonicalRequest?: string; stringToSign?: string };

/** Recomputes the signature of a request with the secret of its access key and compares it. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secretAccessKey: string): VerifyResult {
  const when = requestTime(req.rawHeaders);
  if (!when) return { ok: false, reason: 'no-date' };
  if (when.amzDate.slice(0, 8) !== auth.date) return { ok: false, reason: 'scope-date' };
  // AWS requires the host header to be signed (it binds the signature to the endpoint).
  if (!auth.signedHeaders.includes('host')) return { ok: false, reason: 'host-unsigned' };
  const canonical = canonicalRequest(req, auth);
  const toSign = stringToSign(when.amzDate, auth.scope, canonical);
  const key = signingKey(secretAccessKey, auth.date, auth.region, auth.service);
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  if (!signaturesMatch(expected, auth.signature)) return { ok: false, reason: 'mismatch', canonicalRequest: canonical, stringToSign: toSign };
  return { ok: true, signingKey: key, amzDate: when.amzDate };
}

/** AWS rejects requests whose time is more than 15 minutes from its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export function isTooSkewed(rawHeaders: string[], now: Date = new Date()): boolean {
  const when = requestTime(rawHeaders);
  return when !== undefined && Math.abs(when.time.getTime() - now.getTime()) > MAX_CLOCK_SKEW_MS;
}

// ---------------------------------------------------------------------------------------------
// aws-chunked payloads (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html): `<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n … 0…\r\n[trailers]\r\n`

export interface AwsChunk {
  data: Buffer;
  signature?: string;
}

/** Splits an aws-chunked body into its chunks (the final zero-length chunk included); trailers are ignored. */
export function parseAwsChunked(body: Buffer): AwsChunk[] {
  const chunks: AwsChunk[] = [];
  let pos = 0;
  while (pos < body.length) {
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) throw new Error('aws-chunked: chunk header without CRLF');
    const header = body.subarray(pos, lineEnd).toString('latin1');
    const [sizeHex, ...extensions] = header.split(';');
    const size = parseInt(sizeHex!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new Error(`aws-chunked: bad chunk size '${sizeHex}'`);
    const signature = extensions.map((e) => e.trim()).find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length);
    const dataStart = lineEnd + 2;
    const dataEnd = dataStart + size;
    if (dataEnd > body.length) throw new Error('aws-chunked: chunk longer than the body');
    chunks.push({ data: body.subarray(dataStart, dataEnd), signature });
    if (size === 0) break; // what follows is trailers (e.g. x-amz-checksum-crc32) and the final CRLF
    pos = dataEnd + 2; // skip the CRLF after the data
  }
  return chunks;
}

/**
 * Checks each chunk signature of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: every chunk signs
 * the previous signature (starting with the Authorization header's) and the chunk's data.
 */
export function verifyChunkSignatures(chunks: AwsChunk[], seedSignature: string, key: Buffer, amzDate: string, scope: string): boolean {
  let previous = seedSignature;
  for (const chunk of chunks) {
    if (!chunk.signature) return false;
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, EMPTY_SHA256, sha256Hex(chunk.data)].join('\n');
    const expected = createHmac('sha256', key).update(toSign).digest('hex');
    if (!signaturesMatch(expected, chunk.signature)) return false;
    previous = chunk.signature;
  }
  return true;
}
