/**
 * The contract between the sandbox's HTTP server (server.ts and server/: parsing, SigV4, global
 * faults, error rendering per protocol) and its service handlers (s3/handler.ts, kms.ts, sts.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Estate, SandboxAccount } from './model.js';

export type ServiceName = 's3' | 'kms' | 'sts' | 'athena' | 'organizations';

export interface SandboxRequest {
  service: ServiceName;
  method: string;
  /** URL path, still percent-encoded as sent (S3 object keys are decoded by the S3 handler). */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names, as node gives them. */
  headers: IncomingHttpHeaders;
  /** Request body with any aws-chunked framing already removed. */
  body: Buffer;
  /** Region from the SigV4 credential scope. */
  region: string;
  /** The account the (verified) access key belongs to. */
  account: SandboxAccount;
  /** arn:aws:iam::<account>:user/<name> or arn:aws:sts::<account>:assumed-role/<role>/<session> */
  principalArn: string;
  /** UserId as GetCallerIdentity reports it. */
  userId: string;
  requestId: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * An error AWS would answer with. The server renders it in the service's protocol:
 * S3 <Error><Code/><Message/><RequestId/>…</Error>, KMS and Athena JSON {"__type","message"}, STS <ErrorResponse>,
 * Organizations JSON {"__type","Message"} plus `fields` (its InvalidInputException carries a Reason).
 * `fields` adds elements to the S3 error XML (e.g. BucketName, Region, Endpoint); `headers` adds
 * response headers (e.g. x-amz-bucket-region on a 301).
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** Thrown by a handler to make the server destroy the socket without answering (a "Reset" fault). */
export class ConnectionReset extends Error {
  constructor() {
    super('connection reset (injected fault)');
    this.name = 'ConnectionReset';
  }
}

export type ServiceHandler = (req: SandboxRequest, estate: Estate) => Promise<SandboxResponse> | SandboxResponse;

/** One header's value as a single string (node gives repeated headers as an array: joined with ","). */
export function header(message: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const v = message.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A JSON 1.1 request body (KMS, Athena, Organizations). */
export type JsonInput = Record<string, unknown>;

/**
 * The body of a JSON 1.1 request: an object (an empty body is `{}`). Anything else is the
 * SerializationException these services answer for a body they cannot read.
 */
export function parseJsonInput(body: Buffer): JsonInput {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonInput;
  } catch {
    // answered below
  }
  throw new AwsError('SerializationException', 400, 'Start of structure or map found where not expected.');
}
