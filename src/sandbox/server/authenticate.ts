/**
 * The SigV4 glue between the HTTP server and sigv4.ts: who signed a request (an estate account's
 * long-term key or an AssumeRole session), whether the signature and the payload hash hold, and the
 * payload with any aws-chunked framing removed. Every failure is answered in the request's own
 * service's protocol.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Estate, SandboxAccount } from '../model.js';
import { AwsError, header, type ServiceName } from '../protocol.js';
import { EMPTY_SHA256, isTooSkewed, parseAwsChunked, verifyChunkSignatures, verifySignature, type ParsedAuthorization } from '../sigv4.js';
import { sessionPrincipal, userPrincipal } from '../sts.js';
import { isOurService } from './routing.js';
import { authError, MALFORMED_REASONS } from './service-errors.js';

export interface Identity {
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
  // An empty body declared as empty (every GET and HEAD the SDK sends) holds without hashing it again.
  if (service === 's3' && contentSha && !(raw.length === 0 && contentSha === EMPTY_SHA256) && /^[0-9a-f]{64}$/.test(contentSha)) {
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

/** What authentication establishes about a request: who sent it, the region it was signed for, and its payload. */
export interface Authenticated {
  identity: Identity;
  region: string;
  /** The body as the handler should see it (aws-chunked framing removed). */
  body: Buffer;
}

/** The request's target as the signature covers it: the path and query as sent, and the body as received. */
export interface SignedTarget {
  rawPath: string;
  rawQuery: string;
  raw: Buffer;
}

/**
 * Checks a request's Authorization (present, well formed, for a service the sandbox serves), its
 * signer, its clock skew and its signature, in the order AWS reports them.
 */
export function authenticate(estate: Estate, req: IncomingMessage, service: ServiceName, auth: ParsedAuthorization | undefined, target: SignedTarget): Authenticated {
  const { rawPath, rawQuery, raw } = target;
  if (!auth) throw authError(service, header(req, 'authorization') ? 'malformed' : 'missing');
  if (!isOurService(auth.service)) {
    throw new AwsError('UnrecognizedClientException', 400, `The sandbox serves s3, kms, sts, athena and organizations; this request was signed for '${auth.service}'.`);
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
  return { identity, region: auth.region, body };
}
