/**
 * How the auditor reaches AWS (or the sandbox): endpoint, region, credentials, retries, timeouts.
 * Parsed by the CLI, consumed by openSessions (session.ts) and clientConfig (clients.ts).
 */

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsOptions {
  /** --endpoint-url (sandbox or a VPC endpoint); when set, S3 uses path-style. */
  endpoint?: string;
  /** --region: home region for STS, ListBuckets and defaults (default: AWS_REGION / AWS_DEFAULT_REGION / us-east-1). */
  region?: string;
  /** --profile (shared config/credentials files, via the SDK's default provider chain with that profile). */
  profile?: string;
  /**
   * --assume-role ARN (repeatable): when given, scan exactly the accounts of these roles (STS AssumeRole
   * from the caller's credentials, session name s3-kms-audit); else the caller's account.
   */
  assumeRoles?: string[];
  /** Explicit credentials (tests, sandbox demo); otherwise the SDK's default provider chain. */
  credentials?: StaticCredentials;
  /** Attempts per API call including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
  /** Per-request timeout in ms (default 30000); also bounds connection set-up. */
  requestTimeoutMs?: number;
  /** Sockets per account's HTTP agent; raised to at least the collector's concurrency by the caller. Default 50. */
  maxSockets?: number;
  /**
   * The run's stop signal, bound to every client: calls that pass it need no per-call options, which
   * lets the SDK reuse its middleware handlers (lean-stack.ts bindAbortSignal). Not passed to worker threads.
   */
  signal?: AbortSignal;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_SOCKETS = 50;
/** The session name AssumeRole records in CloudTrail, so account owners can see who scanned. */
export const ROLE_SESSION_NAME = 's3-kms-audit';

/** The home region: --region, else the environment the SDK would read, else us-east-1. */
export function homeRegion(opts: AwsOptions, env: NodeJS.ProcessEnv = process.env): string {
  return opts.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}
