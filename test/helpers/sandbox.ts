/**
 * Test helpers: an in-process sandbox per suite and real SDK clients pointed at it.
 */
import { createHash } from 'node:crypto';
import { NodeSha256 } from './node-sha256.js';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { AwsOptions } from '../../src/aws/options.js';
import type { CliCredentials } from './awscli.js';

/** Starts a sandbox (port 0) before the suite's tests and stops it after them. */
export function useSandbox(opts: Omit<SandboxOptions, 'port'> = {}): { get sb(): Sandbox } {
  let sandbox: Sandbox | undefined;
  before(async () => {
    sandbox = await startSandbox({ ...opts, port: 0 });
  });
  after(async () => {
    await sandbox?.stop();
  });
  return {
    get sb(): Sandbox {
      if (!sandbox) throw new Error('useSandbox: the sandbox is not running (used outside a test?)');
      return sandbox;
    },
  };
}

type AccountRef = number | string;

/** An estate account by index, id or name. */
export function accountOf(sb: Sandbox, ref: AccountRef): Sandbox['accounts'][number] {
  const account = typeof ref === 'number' ? sb.accounts[ref] : sb.accounts.find((a) => a.id === ref || a.name === ref);
  if (!account) throw new Error(`no estate account ${ref}`);
  return account;
}

export interface ClientOptions {
  /** Default 2: one retry, so an unexpected fault does not hide but tests stay fast. */
  maxAttempts?: number;
  /** Temporary credentials (from AssumeRole) instead of the account's own key. */
  credentials?: CliCredentials;
}

function clientConfig(sb: Sandbox, account: AccountRef, region: string, opts: ClientOptions) {
  const a = accountOf(sb, account);
  return {
    endpoint: sb.endpoint,
    region,
    credentials: opts.credentials ?? { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: opts.maxAttempts ?? 2,
  };
}

export const s3For = (sb: Sandbox, account: AccountRef, region = 'us-east-1', opts: ClientOptions = {}): S3Client =>
  new S3Client({ ...clientConfig(sb, account, region, opts), forcePathStyle: true });

export const kmsFor = (sb: Sandbox, account: AccountRef, region = 'us-east-1', opts: ClientOptions = {}): KMSClient =>
  new KMSClient(clientConfig(sb, account, region, opts));

export const stsFor = (sb: Sandbox, account: AccountRef, region = 'us-east-1', opts: ClientOptions = {}): STSClient =>
  new STSClient(clientConfig(sb, account, region, opts));

/** The account's long-term key pair, for test/helpers/awscli.ts. */
/** AwsOptions for the adapter (openSessions) acting as one estate account against the sandbox. */
export function awsOptionsFor(sb: Sandbox, account: AccountRef, extra: Partial<AwsOptions> = {}): AwsOptions {
  const creds = accountOf(sb, account);
  return {
    endpoint: sb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    maxAttempts: 2,
    ...extra,
  };
}

export function cliCreds(sb: Sandbox, account: AccountRef): CliCredentials {
  const a = accountOf(sb, account);
  return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP, for wire-level tests (error bodies, headers, tampering): signed by the SDK's own
// SigV4 signer (@smithy/signature-v4), so the signature is independent of the sandbox's code.

export interface RawRequest {
  method?: string;
  /** Path as sent on the wire (already percent-encoded). */
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}


/** Signs a request for `service` with the given credentials the way the SDK does, without sending it. */
export async function signRequest(
  sb: Sandbox,
  service: 's3' | 'kms' | 'sts',
  credentials: CliCredentials,
  req: RawRequest,
  region = 'us-east-1',
  signingDate?: Date,
): Promise<{ method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body?: string | Buffer }> {
  const url = new URL(sb.endpoint);
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256, uriEscapePath: service !== 's3' });
  const headers: Record<string, string> = { host: url.host, ...req.headers };
  if (service === 's3' && headers['x-amz-content-sha256'] === undefined) {
    headers['x-amz-content-sha256'] = createHash('sha256').update(req.body ?? '').digest('hex');
  }
  const signed = await signer.sign({
    method: req.method ?? 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: req.path ?? '/',
    query: req.query ?? {},
    headers,
    body: req.body,
  }, signingDate ? { signingDate } : {});
  return { method: signed.method, path: signed.path, query: (signed.query ?? {}) as Record<string, string>, headers: signed.headers, body: req.body };
}

/** Sends a request as given (no signing) and collects the whole answer. */
export function sendRaw(sb: Sandbox, req: RawRequest): Promise<RawResponse> {
  const url = new URL(sb.endpoint);
  const query = new URLSearchParams(req.query ?? {}).toString().replace(/\+/g, '%20');
  return new Promise((resolvePromise, reject) => {
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method ?? 'GET', path: (req.path ?? '/') + (query ? `?${query}` : ''), headers: req.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Signs with the account's (or given) credentials, then sends. */
export async function signedRequest(
  sb: Sandbox,
  service: 's3' | 'kms' | 'sts',
  credentials: CliCredentials,
  req: RawRequest,
  region = 'us-east-1',
  signingDate?: Date,
): Promise<RawResponse> {
  const signed = await signRequest(sb, service, credentials, req, region, signingDate);
  return sendRaw(sb, signed);
}
