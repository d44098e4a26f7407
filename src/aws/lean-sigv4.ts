/**
 * AWS Signature Version 4 header signing for the lean read paths (lean-request.ts): the same signature
 * @smithy/signature-v4 computes with S3's settings (path not encoded again, payload hash taken from the
 * x-amz-content-sha256 header), for a GET or HEAD without a body: per request one SHA-256 of the
 * canonical request and one HMAC with a signing key derived once per credentials, day and scope.
 *
 * Why not @smithy/signature-v4 itself: per request it clones the request, sorts and copies its headers
 * twice, HMACs the secret to look up its signing-key cache, and awaits five promises — about 30 µs of CPU
 * and 10 KB of garbage per HeadObject on the development machine, as much as the rest of the lean HEAD
 * (docs/performance.md, "A leaner SigV4 signer"). What stays the same is what the signature is made of:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (canonical request, string
 * to sign, signing key, signature). test/aws/lean-sigv4.test.ts requires the very headers
 * @smithy/signature-v4 produces for generated requests, credentials and dates; the sandbox verifies
 * every signature it is sent, and the AWS CLI conformance suites sign with botocore against it.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  /** The path as it goes on the wire, already URI-encoded once (S3 is not encoded twice). */
  path: string;
  /** Decoded query parameters; each is encoded for the canonical query, as the signer does. */
  query: Record<string, string>;
  /** Lower-case header names; must hold host and x-amz-content-sha256. */
  headers: Record<string, string>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Headers @smithy/signature-v4 never signs (ALWAYS_UNSIGNABLE_HEADERS, and the proxy-/sec- patterns):
 * an endpoint rule that adds one gets the same treatment here.
 */
const UNSIGNABLE = new Set(['authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma', 'referer', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id']);
const unsignable = (name: string): boolean => UNSIGNABLE.has(name) || name.startsWith('proxy-') || name.startsWith('sec-');

/** RFC 3986 encoding as the signer's escapeUri: encodeURIComponent plus ! ' ( ) *. */
const escapeUri = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A header value as the signer canonicalises it: line breaks to spaces, runs of blanks to one, one blank trimmed each end. */
const canonicalValue = (v: string): string => (/[\r\n\t]| {2}|^ | $/.test(v) ? v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : v);

/**
 * Signing keys by credentials object, then date, region and service. The SDK's credential providers hand
 * out the same object until they refresh, so a key is derived once per day, region and service; refreshed
 * credentials are a new object and get new keys (the old ones go with the old object). A provider that
 * changes its object in place instead is caught by the secret kept beside the keys: another secret, new
 * keys (the key depends on nothing else of the credentials).
 */
const signingKeys = new WeakMap<SigningCredentials, { secret: string; keys: Map<string, Buffer> }>();

function signingKey(credentials: SigningCredentials, shortDate: string, region: string, service: string): Buffer {
  let entry = signingKeys.get(credentials);
  if (!entry || entry.secret !== credentials.secretAccessKey) signingKeys.set(credentials, (entry = { secret: credentials.secretAccessKey, keys: new Map() }));
  const keys = entry.keys;
  const scope = `${shortDate}/${region}/${service}`;
  let key = keys.get(scope);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(shortDate).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    // A day's keys are all a long scan needs; older days go.
    if (keys.size >= 16) keys.clear();
    keys.set(scope, key);
  }
  return key;
}

/** The x-amz-date of one second, formatted once for every request signed in it. */
let lastSecond = -1;
let lastLongDate = '';
function longDateOf(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    // 2026-12-02T04:30:14.123Z → 20261202T043014Z
    const iso = new Date(second * 1000).toISOString();
    lastLongDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    lastSecond = second;
  }
  return lastLongDate;
}

function canonicalQuery(query: Record<string, string>): string {
  const pairs: [encodedName: string, pair: string][] = [];
  for (const name in query) {
    // The signer leaves out a signature parameter (presigned requests); a header-signed request has none.
    if (name.toLowerCase() === 'x-amz-signature') continue;
    const encoded = escapeUri(name);
    pairs.push([encoded, `${encoded}=${escapeUri(query[name]!)}`]);
  }
  if (pairs.length < 2) return pairs[0]?.[1] ?? '';
  // Sorted by encoded name, as the signer sorts (not by pair: '-', '.', '%' and digits sort below '=').
  return pairs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join('&');
}

/**
 * `request`'s headers with x-amz-date, x-amz-security-token (session credentials) and authorization
 * added: what @smithy/signature-v4's sign() returns for it with `signingDate` = `nowMs`.
 */
export function signHeaders(request: RequestToSign, credentials: SigningCredentials, region: string, service: string, nowMs: number): Record<string, string> {
  const headers = request.headers;
  // The signer drops a Date header the caller set (GENERATED_HEADERS): x-amz-date is the request's time.
  delete headers.date;
  const longDate = longDateOf(nowMs);
  const shortDate = longDate.slice(0, 8);
  headers['x-amz-date'] = longDate;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const names: string[] = [];
  for (const name in headers) if (!unsignable(name)) names.push(name);
  names.sort();
  let canonicalHeaders = '';
  for (const name of names) canonicalHeaders += `${name}:${canonicalValue(headers[name]!)}\n`;
  const signedHeaders = names.join(';');

  const canonicalRequest = `${request.method}\n${request.path}\n${canonicalQuery(request.query)}\n${canonicalHeaders}\n${signedHeaders}\n${headers['x-amz-content-sha256']}`;
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(credentials, shortDate, region, service)).update(stringToSign).digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
