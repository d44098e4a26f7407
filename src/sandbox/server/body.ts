/**
 * Reading request bodies within a size limit per service, and the answer each service gives a
 * body over it. The limit is decided from the headers before the body is read, so an oversized
 * upload is counted and dropped rather than held in memory.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError, header, type ServiceName } from '../protocol.js';
import type { ParsedAuthorization } from '../sigv4.js';
import { isOurService } from './routing.js';

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
export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
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
export function bodyLimitFor(req: IncomingMessage, auth: ParsedAuthorization | undefined, limits: BodyLimits): number {
  if (auth && isOurService(auth.service)) return auth.service === 's3' ? limits.s3 : limits.other;
  const target = req.headers['x-amz-target'];
  const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  return (typeof target === 'string' && (target.startsWith('TrentService.') || target.startsWith('AmazonAthena.'))) || form ? limits.other : limits.s3;
}

/**
 * A body over the limit, answered as each service would. S3 (Error responses, Amazon S3 API
 * Reference): a PUT of an object gets 400 EntityTooLarge "Your proposed upload exceeds the maximum
 * allowed size" with ProposedSize and MaxSizeAllowed; any other S3 request 400
 * MaxMessageLengthExceeded "Your request was too big.". KMS and STS document no such error; the
 * sandbox answers 413 RequestEntityTooLarge in their protocols (the HTTP status for it, RFC 9110).
 */
export function bodyTooLarge(service: ServiceName, req: IncomingMessage, rawPath: string, size: number, limit: number): AwsError {
  if (service !== 's3') return new AwsError('RequestEntityTooLarge', 413, `Request must be smaller than ${limit} bytes for the sandbox's ${service.toUpperCase()} endpoint`);
  const isObjectPut = req.method === 'PUT' && /^\/+[^/]+\/./.test(rawPath);
  if (!isObjectPut) return new AwsError('MaxMessageLengthExceeded', 400, 'Your request was too big.');
  const declared = header(req, 'x-amz-decoded-content-length');
  return new AwsError('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: declared !== undefined && /^\d+$/.test(declared) ? declared : String(size),
    MaxSizeAllowed: String(limit),
  });
}
