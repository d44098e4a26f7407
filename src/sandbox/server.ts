/**
 * The sandbox's single HTTP server for S3, KMS and STS: reads each request, verifies its SigV4
 * signature, applies global faults, dispatches to the service handler and renders the answer —
 * or the AwsError — in that service's wire protocol.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { demoEstatePath } from '../paths.js';
import { loadEstate } from './estate.js';
import { FaultInjector, requestIdentity, type FaultDecision } from './faults.js';
import { handleKms } from './kms.js';
import type { Estate, GlobalFaults, SandboxAccount } from './model.js';
import { AwsError, ConnectionReset, type SandboxRequest, type SandboxResponse, type ServiceHandler, type ServiceName } from './protocol.js';
import { handleS3 } from './s3.js';
import {
  canonicalQuery,
  EMPTY_SHA256,
  isTooSkewed,
  parseAuthorization,
  parseAwsChunked,
  verifyChunkSignatures,
  verifySignature,
  type ParsedAuthorization,
} from './sigv4.js';
import { handleSts, sessionPrincipal, STS_NAMESPACE, userPrincipal } from './sts.js';

export interface SandboxOptions {
  /** An estate, or the path of an estate YAML file. Default: the demo estate. */
  estate?: Estate | string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox accepts any estate credentials, so it stays off the network unless asked. */
  host?: string;
  /** Overrides the estate's own `faults`. */
  faults?: Partial<GlobalFaults>;
  /** Largest request bodies kept (default DEFAULT_BODY_LIMITS); tests lower them. */
  bodyLimits?: Partial<BodyLimits>;
}

export interface Sandbox {
  endpoint: string;
  accounts: { id: string; name: string; accessKeyId: string; secretAccessKey: string }[];
  estate: Estate;
  setFaults(f: Partial<GlobalFaults>): void;
  /** Requests received so far (every one, including those answered with an error or reset). */
  requestCount(): number;
  stop(): Promise<void>;
}

const HANDLERS: Record<ServiceName, ServiceHandler> = { s3: handleS3, kms: handleKms, sts: handleSts };

// ---------------------------------------------------------------------------------------------
// Errors each protocol uses for authentication failures and injected faults.

type AuthFailure = 'missing' | 'malformed' | 'unknown-key' | 'bad-signature' | 'bad-token' | 'expired-token' | 'skewed';

const S3_SIGNATURE_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';

const MALFORMED_REASONS = {
  'no-date': 'AWS authentication requires a valid Date or x-amz-date header',
  'scope-date': 'The date in the credential scope does not match the date of the request (X-Amz-Date)',
  'host-unsigned': "'Host' must be a 'SignedHeader' in the AWS Authorization.",
} as const;

interface AuthErrorDetail {
  accessKeyId?: string;
  signature?: string;
  stringToSign?: string;
  canonicalRequest?: string;
  /** Why a malformed Authorization was rejected. */
  reason?: string;
}

function authError(service: ServiceName, failure: AuthFailure, detail: AuthErrorDetail = {}): AwsError {
  const akid = detail.accessKeyId ?? '';
  const malformed = detail.reason ?? 'Authorization header requires Credential, SignedHeaders and Signature.';
  switch (service) {
    case 's3':
      switch (failure) {
        case 'missing':
          return new AwsError('AccessDenied', 403, 'Access Denied');
        case 'malformed':
          return new AwsError('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${malformed}`);
        case 'unknown-key':
          return new AwsError('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
        case 'bad-signature':
          return new AwsError('SignatureDoesNotMatch', 403, S3_SIGNATURE_MESSAGE, {
            AWSAccessKeyId: akid,
            StringToSign: detail.stringToSign ?? '',
            SignatureProvided: detail.signature ?? '',
            CanonicalRequest: detail.canonicalRequest ?? '',
          });
        case 'bad-token':
          return new AwsError('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.');
        case 'expired-token':
          return new AwsError('ExpiredToken', 400, 'The provided token has expired.');
        case 'skewed':
          return new AwsError('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.');
      }
      break;
    case 'kms':
      switch (failure) {
        case 'missing':
          return new AwsError('MissingAuthenticationTokenException', 400, 'Missing Authentication Token');
        case 'malformed':
          return new AwsError('IncompleteSignatureException', 400, malformed);
        case 'unknown-key':
        case 'bad-token':
          return new AwsError('UnrecognizedClientException', 400, INVALID_TOKEN_MESSAGE);
        case 'bad-signature':
          return new AwsError('InvalidSignatureException', 400, SIGNATURE_MESSAGE);
        case 'expired-token':
          return new AwsError('ExpiredTokenException', 400, 'The security token included in the request is expired');
        case 'skewed':
          return new AwsError('InvalidSignatureException', 400, 'Signature expired: the request time is more than 15 minutes from the current time.');
      }
      break;
    case 'sts':
      switch (failure) {
        case 'missing':
          return new AwsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
        case 'malformed':
          return new AwsError('IncompleteSignature', 400, malformed);
        case 'unknown-key':
        case 'bad-token':
          return new AwsError('InvalidClientTokenId', 403, INVALID_TOKEN_MESSAGE);
        case 'bad-signature':
          return new AwsError('SignatureDoesNotMatch', 403, SIGNATURE_MESSAGE);
        case 'expired-token':
          return new AwsError('ExpiredToken', 403, 'The security token included in the request is expired');
        case 'skewed':
          return new AwsError('SignatureDoesNotMatch', 403, 'Signature expired: the request time is more than 15 minutes from the current time.');
      }
  }
  throw new Error(`unreachable: ${service}/${failure}`);
}

function faultError(service: ServiceName, decision: Exclude<FaultDecision, 'none' | 'reset'>): AwsError {
  if (decision === 'throttle') {
    if (service === 's3') return new AwsError('SlowDown', 503, 'Please reduce your request rate.');
    if (service === 'kms') return new AwsError('ThrottlingException', 400, 'Rate exceeded');
    return new AwsError('Throttling', 400, 'Rate exceeded');
  }
  return internalError(service, 'We encountered an internal error. Please try again.');
}

/** Each service's own 500 code (STS and other Query APIs use InternalFailure, KMS KMSInternalException). */
function internalError(service: ServiceName, message: string): AwsError {
  if (service === 'kms') return new AwsError('KMSInternalException', 500, message);
  if (service === 'sts') return new AwsError('InternalFailure', 500, message);
  return new AwsError('InternalError', 500, message);
}

// ---------------------------------------------------------------------------------------------
// Request parsing.

/**
 * The largest body the sandbox keeps. S3: 64 MiB, far below S3's 5 GB single-PUT limit, because the
 * sandbox holds objects in memory; KMS and STS: 1 MiB, far above any request of theirs.
 */
export const DEFAULT_BODY_LIMITS: BodyLimits = { s3: 64 * 1024 * 1024, other: 1024 * 1024 };

export interface BodyLimits {
  /** S3 requests, in bytes as received (aws-chunked framing included). */
  s3: number;
  /** KMS and STS requests. */
  other: number;
}

interface ReadBody {
  /** The body, or its first `limit` bytes when it was larger. */
  raw: Buffer;
  /** Bytes received in all. */
  size: number;
  tooLarge: boolean;
}

/** Reads the whole body but keeps at most `limit` bytes: the rest is counted and dropped, so a huge upload costs no memory and still gets an answer. */
function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size + c.length <= limit) chunks.push(c);
      else if (size < limit) chunks.push(c.subarray(0, limit - size));
      size += c.length;
    });
    req.on('end', () => resolve({ raw: Buffer.concat(chunks), size, tooLarge: size > limit }));
    req.on('error', reject);
  });
}

/** The body limit for a request, decided from its headers before the body is read. */
function bodyLimitFor(req: IncomingMessage, auth: ParsedAuthorization | undefined, limits: BodyLimits): number {
  if (auth && isOurService(auth.service)) return auth.service === 's3' ? limits.s3 : limits.other;
  const target = req.headers['x-amz-target'];
  const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  return (typeof target === 'string' && target.startsWith('TrentService.')) || form ? limits.other : limits.s3;
}

/**
 * A body over the limit, answered as each service would. S3 (Error responses, Amazon S3 API
 * Reference): a PUT of an object gets 400 EntityTooLarge "Your proposed upload exceeds the maximum
 * allowed size" with ProposedSize and MaxSizeAllowed; any other S3 request 400
 * MaxMessageLengthExceeded "Your request was too big.". KMS and STS document no such error; the
 * sandbox answers 413 RequestEntityTooLarge in their protocols (the HTTP status for it, RFC 9110).
 */
function bodyTooLarge(service: ServiceName, req: IncomingMessage, rawPath: string, size: number, limit: number): AwsError {
  if (service !== 's3') return new AwsError('RequestEntityTooLarge', 413, `Request must be smaller than ${limit} bytes for the sandbox's ${service.toUpperCase()} endpoint`);
  const isObjectPut = req.method === 'PUT' && /^\/+[^/]+\/./.test(rawPath);
  if (!isObjectPut) return new AwsError('MaxMessageLengthExceeded', 400, 'Your request was too big.');
  const declared = header(req, 'x-amz-decoded-content-length');
  return new AwsError('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: declared !== undefined && /^\d+$/.test(declared) ? declared : String(size),
    MaxSizeAllowed: String(limit),
  });
}

/** Which protocol an unsigned (or foreign-signed) request speaks, to answer it in kind. */
function guessService(req: IncomingMessage, body: Buffer): ServiceName {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('TrentService.')) return 'kms';
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded') && /(^|&)Action=/.test(body.toString('latin1'))) return 'sts';
  if (/[?&]Action=/.test(req.url ?? '')) return 'sts';
  return 's3';
}

const isOurService = (s: string): s is ServiceName => s === 's3' || s === 'kms' || s === 'sts';

interface Identity {
  account: SandboxAccount;
  secretAccessKey: string;
  principalArn: string;
  userId: string;
}

/** The account and principal behind an access key: a long-term estate key or an AssumeRole session. */
function identify(estate: Estate, auth: ParsedAuthorization, req: IncomingMessage, service: ServiceName): Identity {
  const token = req.headers['x-amz-security-token'];
  const session = estate.sessions.get(auth.accessKeyId);
  if (session) {
    const account = estate.accounts.get(session.account);
    if (!account) throw authError(service, 'unknown-key', { accessKeyId: auth.accessKeyId });
    if (token !== session.sessionToken) throw authError(service, 'bad-token');
    if (session.expiration.getTime() <= Date.now()) throw authError(service, 'expired-token');
    const principal = sessionPrincipal(session);
    return { account, secretAccessKey: session.secretAccessKey, principalArn: principal.arn, userId: principal.userId };
  }
  for (const account of estate.accounts.values()) {
    if (account.accessKeyId !== auth.accessKeyId) continue;
    // Long-term keys take no session token; AWS rejects a request that carries one.
    if (token !== undefined && token !== '') throw authError(service, 'bad-token');
    const principal = userPrincipal(account);
    return { account, secretAccessKey: account.secretAccessKey, principalArn: principal.arn, userId: principal.userId };
  }
  throw authError(service, 'unknown-key', { accessKeyId: auth.accessKeyId });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * The payload as the handler should see it: aws-chunked framing removed (the SDK's flexible
 * checksums and stream uploads use it), and for S3 a declared SHA-256 checked against the body.
 */
function decodePayload(req: IncomingMessage, raw: Buffer, service: ServiceName, auth: ParsedAuthorization, signing: { key: Buffer; amzDate: string }): Buffer {
  const contentSha = header(req, 'x-amz-content-sha256');
  const encoding = header(req, 'content-encoding') ?? '';
  const chunked = contentSha?.startsWith('STREAMING-') || encoding.split(',').some((e) => e.trim() === 'aws-chunked');
  if (chunked) {
    let chunks;
    try {
      chunks = parseAwsChunked(raw);
    } catch (e) {
      throw new AwsError('IncompleteBody', 400, `The request body is not valid aws-chunked encoding: ${(e as Error).message}`);
    }
    if (contentSha?.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD') && !verifyChunkSignatures(chunks, auth.signature, signing.key, signing.amzDate, auth.scope)) {
      throw authError(service, 'bad-signature', { accessKeyId: auth.accessKeyId, signature: auth.signature });
    }
    return Buffer.concat(chunks.map((c) => c.data));
  }
  if (service === 's3' && contentSha && /^[0-9a-f]{64}$/.test(contentSha)) {
    const computed = createHash('sha256').update(raw).digest('hex');
    if (computed !== contentSha) {
      throw new AwsError('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: contentSha,
        S3ComputedContentSHA256: computed,
      });
    }
  }
  return raw;
}

// ---------------------------------------------------------------------------------------------
// Response rendering.

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function requestIdHeaders(service: ServiceName, requestId: string, hostId: string): Record<string, string> {
  if (service === 's3') return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId, server: 'AmazonS3' };
  return { 'x-amzn-RequestId': requestId };
}

function renderError(service: ServiceName, err: AwsError, requestId: string, hostId: string): SandboxResponse {
  const headers: Record<string, string> = { ...err.headers };
  if (service === 's3') {
    const fields = Object.entries(err.fields)
      .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
      .join('');
    headers['content-type'] = 'application/xml';
    return {
      status: err.status,
      headers,
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
    };
  }
  if (service === 'kms') {
    headers['content-type'] = 'application/x-amz-json-1.1';
    return { status: err.status, headers, body: JSON.stringify({ __type: err.code, message: err.message }) };
  }
  headers['content-type'] = 'text/xml';
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: err.status,
    headers,
    body:
      `<ErrorResponse xmlns="${STS_NAMESPACE}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${err.code}</Code>\n    <Message>${xmlEscape(err.message)}</Message>\n  </Error>\n` +
      `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  };
}

function send(req: IncomingMessage, res: ServerResponse, response: SandboxResponse, baseHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...baseHeaders };
  for (const [k, v] of Object.entries(response.headers ?? {})) headers[k.toLowerCase()] = v;
  const body = response.body === undefined ? undefined : typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const hasBody = req.method !== 'HEAD' && response.status !== 204 && response.status !== 304;
  // A HEAD answer keeps the handler's Content-Length (the object's size) but sends no body.
  if (headers['content-length'] === undefined) headers['content-length'] = String(hasBody && body ? body.length : 0);
  res.writeHead(response.status, headers);
  res.end(hasBody ? body : undefined);
}

// ---------------------------------------------------------------------------------------------

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const estate = typeof opts.estate === 'object' ? opts.estate : loadEstate(opts.estate ?? demoEstatePath());
  const faults = new FaultInjector({ ...estate.faults, ...opts.faults });
  estate.faults = faults.current;
  const host = opts.host ?? '127.0.0.1';
  const bodyLimits: BodyLimits = { ...DEFAULT_BODY_LIMITS, ...opts.bodyLimits };
  let count = 0;
  const stopping = new AbortController();
  // Every delayed answer (--latency) listens on this signal while it waits: with a hundred requests in
  // flight that is a hundred listeners, by design, not a leak.
  setMaxListeners(0, stopping.signal);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    count++;
    const auth = parseAuthorization(header(req, 'authorization'));
    const bodyLimit = bodyLimitFor(req, auth, bodyLimits);
    const { raw, size, tooLarge } = await readBody(req, bodyLimit);
    const service: ServiceName = auth && isOurService(auth.service) ? auth.service : guessService(req, raw);
    const requestId = service === 's3' ? randomBytes(8).toString('hex').toUpperCase() : randomUUID();
    const hostId = service === 's3' ? randomBytes(48).toString('base64') : '';
    const baseHeaders = requestIdHeaders(service, requestId, hostId);
    try {
      const wait = faults.nextDelayMs();
      if (wait > 0) await delay(wait, undefined, { signal: stopping.signal });

      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      // Before authentication, as a front end would: the signature of a KMS or STS request covers
      // a body the sandbox did not keep.
      if (tooLarge) throw bodyTooLarge(service, req, rawPath, size, bodyLimit);

      if (!auth) throw authError(service, header(req, 'authorization') ? 'malformed' : 'missing');
      if (!isOurService(auth.service)) {
        throw new AwsError('UnrecognizedClientException', 400, `The sandbox serves s3, kms and sts; this request was signed for '${auth.service}'.`);
      }
      const identity = identify(estate, auth, req, service);
      if (isTooSkewed(req.rawHeaders)) throw authError(service, 'skewed');
      const contentSha = header(req, 'x-amz-content-sha256');
      if (service === 's3' && contentSha === undefined) {
        throw new AwsError('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
      }
      // S3 signs whatever x-amz-content-sha256 declares (a hash, UNSIGNED-PAYLOAD, STREAMING-…) and
      // checks a declared hash against the body below; other services always sign the body's hash.
      const payloadHash = service === 's3' && contentSha !== undefined ? contentSha : raw.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(raw).digest('hex');
      const verified = verifySignature({ method: req.method ?? 'GET', rawPath, rawQuery, rawHeaders: req.rawHeaders, payloadHash }, auth, identity.secretAccessKey);
      if (!verified.ok) {
        if (verified.reason !== 'mismatch') throw authError(service, 'malformed', { reason: MALFORMED_REASONS[verified.reason] });
        throw authError(service, 'bad-signature', {
          accessKeyId: auth.accessKeyId,
          signature: auth.signature,
          stringToSign: verified.stringToSign,
          canonicalRequest: verified.canonicalRequest,
        });
      }
      const body = decodePayload(req, raw, service, auth, { key: verified.signingKey, amzDate: verified.amzDate });

      // Faults come after authentication, as a real overloaded endpoint still checks who you are.
      // The decision depends on what the request asks for, not on when it arrived (faults.ts).
      const { decision } = faults.decide(
        requestIdentity({
          service,
          account: identity.account.id,
          method: req.method ?? 'GET',
          rawPath,
          canonicalQuery: canonicalQuery(rawQuery),
          target: header(req, 'x-amz-target'),
          body,
        }),
      );
      if (decision === 'reset') throw new ConnectionReset();
      if (decision !== 'none') throw faultError(service, decision);

      const request: SandboxRequest = {
        service,
        method: req.method ?? 'GET',
        rawPath,
        // Decoded as the signature's canonical query was (sigv4.ts queryDecode): a raw '+' is a space.
        query: new URLSearchParams(rawQuery),
        headers: req.headers,
        body,
        region: auth.region,
        account: identity.account,
        principalArn: identity.principalArn,
        userId: identity.userId,
        requestId,
      };
      const response = await HANDLERS[service](request, estate);
      send(req, res, response, baseHeaders);
    } catch (e) {
      if (e instanceof ConnectionReset || stopping.signal.aborted) {
        req.socket.destroy();
        return;
      }
      let err: AwsError;
      if (e instanceof AwsError) err = e;
      else {
        console.error(`sandbox: unexpected error in ${service} ${req.method} ${req.url}:`, e);
        err = internalError(service, e instanceof Error ? e.message : String(e));
      }
      send(req, res, renderError(service, err, requestId, hostId), baseHeaders);
    }
  }

  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    serve(req, res).catch((e: unknown) => {
      console.error('sandbox: request failed:', e);
      req.socket.destroy();
    });
  });
  // Outlive the SDK's idle keep-alive sockets, so the client never reuses a socket we are closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpointHost = host.includes(':') ? `[${host}]` : host;

  return {
    endpoint: `http://${endpointHost}:${port}`,
    accounts: [...estate.accounts.values()].map((a) => ({ id: a.id, name: a.name, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey })),
    estate,
    setFaults(f) {
      faults.set(f);
      estate.faults = faults.current;
    },
    requestCount: () => count,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        stopping.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
