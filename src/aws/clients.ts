/**
 * One place that turns AwsOptions into SDK client configuration, so S3, KMS and STS clients all get
 * the same endpoint, retries, timeouts and sockets.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { bindAbortSignal, trimMiddleware } from './lean-stack.js';
import { enableLeanRequests } from './lean-request.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_REQUEST_TIMEOUT_MS, type AwsOptions, type StaticCredentials } from './options.js';
import { COMMON_SHARED_KEYS, S3_SHARED_KEYS, withSharedConfig, type ClientConfigShare } from './shared-config.js';

/** Static credentials, or a provider the SDK calls again once `expiration` has passed (assumed roles). */
export type CredentialSource =
  | StaticCredentials
  | (() => Promise<StaticCredentials & { expiration?: Date }>);

/** The HTTP agents of one account session: shared by all its clients so maxSockets bounds the account as a whole. */
export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/**
 * Configuration common to every client.
 *
 * Retry mode is 'standard', not 'adaptive': the collector already bounds concurrency (--concurrency), and
 * adaptive mode keeps one client-side rate limiter per client — one (account, region) — so a SlowDown
 * on one hot bucket (S3 throttles per bucket prefix) would slow every other bucket in that region.
 * Standard mode retries throttling, 5xx, timeouts and connection resets with jittered exponential
 * backoff and a retry quota (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 *
 * `throwOnRequestTimeout` matters: without it @smithy/node-http-handler only logs a warning when
 * `requestTimeout` is exceeded and keeps waiting (see its setRequestTimeout).
 */
export function commonConfig(opts: AwsOptions, region: string, credentials: CredentialSource | undefined, agents: Agents) {
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    // Explicit credentials win; otherwise the SDK's default provider chain, reading `profile` when given.
    ...(credentials ? { credentials } : profileCredentials(opts.profile)),
    ...(opts.profile && !credentials ? { profile: opts.profile } : {}),
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    // One handler per command type, built on the first call (see bindAbortSignal in lean-stack.ts).
    cacheMiddleware: true,
    requestHandler: {
      requestTimeout,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(requestTimeout, 10_000),
      httpAgent: agents.http,
      httpsAgent: agents.https,
    },
  };
}

/**
 * --profile while AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are set: the profile wins (as with the AWS
 * CLI), and the SDK's default chain would use it too — after printing a warning that "Both AWS_PROFILE
 * and the access key variables are set", which is wrong when the user set no AWS_PROFILE. So the
 * profile's own provider, the one the chain would end up asking, is given directly: same credentials,
 * no misleading warning. Without those variables, or with AWS_PROFILE really set, the chain is left as is.
 */
function profileCredentials(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): { credentials?: ReturnType<typeof fromIni> } {
  const keysInEnvironment = Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
  if (!profile || !keysInEnvironment || env.AWS_PROFILE) return {};
  return { credentials: fromIni({ profile }) };
}

/** `share`: the sessions' shared config providers (shared-config.ts); without it the client resolves its own. */
export function createS3Client(opts: AwsOptions, region: string, credentials: CredentialSource | undefined, agents: Agents, share?: ClientConfigShare): S3Client {
  // Path-style against a custom endpoint: the sandbox (and most VPC endpoint set-ups) cannot resolve
  // <bucket>.<endpoint-host> virtual-hosted names.
  // Checksums only where S3 requires them (PutBucketEncryption's Content-MD5 / CRC32 stays): the default
  // WHEN_SUPPORTED would add checksum middleware work to every read, whose bodies the auditor never checks.
  const client = bindAbortSignal(
    trimMiddleware(
      withSharedConfig(share, 's3', region, S3_SHARED_KEYS, (inherited) =>
        new S3Client({
          ...commonConfig(opts, region, credentials, agents),
          forcePathStyle: Boolean(opts.endpoint),
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          ...inherited,
        }),
      ),
    ),
    opts.signal,
  );
  // HeadObject and GetBucketEncryption answers the lean paths understand are read without the SDK's
  // pipeline (lean-head.ts, lean-bucket-encryption.ts); every other answer goes through it.
  enableLeanRequests(client, { http: agents.http, https: agents.https, requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS });
  return client;
}

export function createKmsClient(opts: AwsOptions, region: string, credentials: CredentialSource | undefined, agents: Agents, share?: ClientConfigShare): KMSClient {
  const client = withSharedConfig(share, 'kms', region, COMMON_SHARED_KEYS, (inherited) => new KMSClient({ ...commonConfig(opts, region, credentials, agents), ...inherited }));
  return bindAbortSignal(trimMiddleware(client), opts.signal);
}

export function createStsClient(opts: AwsOptions, region: string, credentials: CredentialSource | undefined, agents: Agents): STSClient {
  return bindAbortSignal(trimMiddleware(new STSClient(commonConfig(opts, region, credentials, agents))), opts.signal);
}
