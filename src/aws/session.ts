/**
 * Account sessions: who we are in each account to scan, and one lazily created client per
 * (account, region, service). STS is called here and nowhere else.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { createKmsClient, createS3Client, createStsClient, type Agents, type CredentialSource } from './clients.js';
import { createAthenaClient, type AthenaClient } from './athena.js';
import { newClientConfigShare, type ClientConfigShare } from './shared-config.js';
import { AwsSessionError, errorCode, toFactError } from './errors.js';
import { requireProfile } from './profiles.js';
import { DEFAULT_MAX_SOCKETS, ROLE_SESSION_NAME, homeRegion, type AwsOptions, type StaticCredentials } from './options.js';

export interface AccountSession {
  account: string;
  principalArn: string;
  /** The home region (--region): where ListBuckets, GetBucketLocation and an unlocated bucket's first call are sent. */
  homeRegion: string;
  /** ONE client per (account, region), created lazily and cached. */
  s3(region: string): S3Client;
  kms(region: string): KMSClient;
  /** Athena, for the metadata object mode: created (and its SDK package loaded) on first use. Absent in test doubles. */
  athena?(region: string): Promise<AthenaClient>;
  /** Closes every client and socket of this session. */
  destroy(): void;
}

/**
 * Refresh assumed-role credentials this long before they expire. The SDK asks its provider again 5 minutes
 * before expiration; a wider margin makes sure that call gets new credentials, not the cached ones.
 */
const REFRESH_MARGIN_MS = 6 * 60_000;

/**
 * Identifies the caller (GetCallerIdentity) and, when roles are given, assumes each of them; returns one
 * session per account to scan: the roles' accounts when `assumeRoles` is given, else the caller's.
 * Throws AwsSessionError naming the operation, code and role on any failure.
 */
export async function openSessions(opts: AwsOptions): Promise<AccountSession[]> {
  // A mistyped --profile is a usage error naming the files read, before any AWS call.
  if (opts.profile && !opts.credentials) requireProfile(opts.profile, '--profile');
  const region = homeRegion(opts);
  const callerAgents = newAgents(opts);
  const callerSts = createStsClient(opts, region, opts.credentials, callerAgents);
  const opened: AccountSession[] = [];
  const share = newClientConfigShare();
  try {
    const caller = await callerIdentity(callerSts);
    const roles = opts.assumeRoles ?? [];
    if (roles.length === 0) {
      return [newSession(opts, caller.account, caller.arn, opts.credentials, callerAgents, [callerSts], true, share)];
    }
    const accounts = new Set<string>();
    for (const roleArn of roles) {
      // One session per account: a second role into an account already opened would scan it twice
      // (duplicate findings with the same ids), so the first role given for an account wins.
      const roleAccount = accountOfArn(roleArn);
      if (roleAccount && accounts.has(roleAccount)) continue;
      if (roleAccount) accounts.add(roleAccount);
      const provider = roleCredentials(callerSts, roleArn);
      // The first call happens now, so a role we cannot assume fails the run before any scan starts.
      const first = await provider();
      opened.push(newSession(opts, first.account, first.principalArn, provider, newAgents(opts), [], true, share));
    }
    // The caller's STS client keeps refreshing the roles' credentials: it lives until the last session is destroyed.
    attachOnLastDestroy(opened, () => {
      callerSts.destroy();
      destroyAgents(callerAgents);
    });
    return opened;
  } catch (err) {
    for (const s of opened) s.destroy();
    callerSts.destroy();
    destroyAgents(callerAgents);
    throw err;
  }
}

async function callerIdentity(sts: STSClient): Promise<{ account: string; arn: string }> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn) throw new AwsSessionError('GetCallerIdentity', 'InvalidResponse', 'no Account or Arn in the answer');
    return { account: out.Account, arn: out.Arn };
  } catch (err) {
    if (err instanceof AwsSessionError) throw err;
    throw new AwsSessionError('GetCallerIdentity', errorCode(err), toFactError(err, 'GetCallerIdentity').message);
  }
}

/** How a role is assumed: its external id, the session length asked for, and (tests) the clock. */
export interface AssumeOptions {
  externalId?: string;
  durationSeconds?: number;
  now?: () => number;
}

/**
 * How long before expiry to assume again: REFRESH_MARGIN_MS, but never more than a third of the session,
 * so a short session (900 s) is still used for most of its life instead of being renewed at once.
 */
const refreshMargin = (lifetimeMs: number): number => Math.min(REFRESH_MARGIN_MS, Math.max(0, lifetimeMs / 3));

interface RoleCredentials extends StaticCredentials {
  expiration?: Date;
  account: string;
  principalArn: string;
}

/**
 * A credential provider for one role: assumes it on first use and again shortly before the credentials
 * expire (a long scan outlives the default one-hour session). Concurrent callers share one AssumeRole.
 */
export function roleCredentials(sts: STSClient, roleArn: string, how: AssumeOptions = {}): () => Promise<RoleCredentials> {
  const now = how.now ?? Date.now;
  let current: Promise<RoleCredentials> | undefined;
  let refreshAt = 0;
  const assume = async (): Promise<RoleCredentials> => {
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          ...(how.externalId !== undefined ? { ExternalId: how.externalId } : {}),
          ...(how.durationSeconds !== undefined ? { DurationSeconds: how.durationSeconds } : {}),
        }),
      );
      const c = out.Credentials;
      const user = out.AssumedRoleUser;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !user?.Arn) {
        throw new AwsSessionError('AssumeRole', 'InvalidResponse', 'no Credentials or AssumedRoleUser in the answer', roleArn);
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
        account: accountOfArn(user.Arn) ?? accountOfArn(roleArn) ?? '',
        principalArn: user.Arn,
      };
    } catch (err) {
      if (err instanceof AwsSessionError) throw err;
      throw new AwsSessionError('AssumeRole', errorCode(err), toFactError(err, 'AssumeRole').message, roleArn);
    }
  };
  return () => {
    if (!current || now() >= refreshAt) {
      refreshAt = Number.POSITIVE_INFINITY; // one AssumeRole in flight at a time
      current = assume().then(
        (creds) => {
          refreshAt = creds.expiration ? creds.expiration.getTime() - refreshMargin(creds.expiration.getTime() - now()) : Number.POSITIVE_INFINITY;
          return creds;
        },
        (err: unknown) => {
          current = undefined; // the next caller tries again
          throw err;
        },
      );
    }
    return current;
  };
}

const accountOfArn = (arn: string): string | undefined => /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];

function newAgents(opts: AwsOptions): Agents {
  const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS;
  return { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
}

function destroyAgents(agents: Agents): void {
  agents.http.destroy();
  agents.https.destroy();
}

function newSession(
  opts: AwsOptions,
  account: string,
  principalArn: string,
  credentials: CredentialSource | undefined,
  agents: Agents,
  alsoDestroy: { destroy(): void }[],
  /** false: the agents are shared with other sessions, and whoever shares them destroys them. */
  ownsAgents = true,
  /** Config providers shared with the other sessions opened together (shared-config.ts). */
  share?: ClientConfigShare,
): AccountSession {
  const s3Clients = new Map<string, S3Client>();
  const kmsClients = new Map<string, KMSClient>();
  const athenaClients = new Map<string, Promise<AthenaClient>>();
  const session: AccountSession & { onDestroy?: () => void } = {
    account,
    principalArn,
    homeRegion: homeRegion(opts),
    s3(region) {
      let c = s3Clients.get(region);
      if (!c) s3Clients.set(region, (c = createS3Client(opts, region, credentials, agents, share)));
      return c;
    },
    kms(region) {
      let c = kmsClients.get(region);
      if (!c) kmsClients.set(region, (c = createKmsClient(opts, region, credentials, agents, share)));
      return c;
    },
    athena(region) {
      let c = athenaClients.get(region);
      if (!c) athenaClients.set(region, (c = createAthenaClient(opts, region, credentials, agents)));
      return c;
    },
    destroy() {
      for (const c of athenaClients.values()) void c.then((client) => client.destroy(), () => undefined);
      athenaClients.clear();
      for (const c of s3Clients.values()) c.destroy();
      for (const c of kmsClients.values()) c.destroy();
      s3Clients.clear();
      kmsClients.clear();
      for (const d of alsoDestroy) d.destroy();
      if (ownsAgents) destroyAgents(agents);
      session.onDestroy?.();
    },
  };
  return session;
}

/** Runs `fn` once every session in `sessions` has been destroyed (shared resources of assumed-role sessions). */
function attachOnLastDestroy(sessions: AccountSession[], fn: () => void): void {
  let remaining = sessions.length;
  for (const s of sessions as (AccountSession & { onDestroy?: () => void })[]) {
    let done = false;
    s.onDestroy = () => {
      if (done) return;
      done = true;
      if (--remaining === 0) fn();
    };
  }
}

/** A role the caller could not assume in one account: that account is a run error, the others are scanned. */
export interface TargetFailure {
  account: string;
  roleArn: string;
  operation: string;
  code: string;
  message: string;
}

export interface TargetSessions {
  /** The sessions opened, in the order of the targets. */
  sessions: AccountSession[];
  failures: TargetFailure[];
}

/** AssumeRole calls made at once while opening many accounts (each is one small STS request). */
const ASSUME_CONCURRENCY = 16;
/** STS allows at most one hour for a role session assumed by a role session ("role chaining"). */
const ROLE_CHAINING_LIMIT_SECONDS = 3600;

/**
 * One session per target account, through its role (with its external id): unlike openSessions, an
 * account whose role cannot be assumed does not stop the others — it is returned as a failure. Each
 * session's credentials are assumed again shortly before they expire, for runs longer than the session.
 * When the caller is itself a role session, DurationSeconds is capped at STS's one-hour limit for role
 * chaining (AssumeRole API reference, DurationSeconds).
 */
export async function openTargetSessions(
  opts: AwsOptions,
  targets: readonly { id: string; roleArn: string; externalId?: string }[],
  durationSeconds?: number,
): Promise<TargetSessions> {
  if (opts.profile && !opts.credentials) requireProfile(opts.profile, '--profile');
  const region = homeRegion(opts);
  const callerAgents = newAgents(opts);
  const callerSts = createStsClient(opts, region, opts.credentials, callerAgents);
  // One socket pool for every member account: a connection to a regional endpoint is not tied to the
  // credentials that sign the requests on it, so hundreds of accounts reuse the same kept-alive sockets
  // instead of each opening its own (the concurrency bound still caps requests in flight).
  const memberAgents = newAgents(opts);
  // One set of config providers for every member account's clients (shared-config.ts).
  const share = newClientConfigShare();
  const opened: (AccountSession | undefined)[] = new Array(targets.length);
  const failures: (TargetFailure | undefined)[] = new Array(targets.length);
  try {
    const caller = await callerIdentity(callerSts);
    const chained = /^arn:[^:]+:sts::\d{12}:assumed-role\//.test(caller.arn);
    const duration = durationSeconds !== undefined && chained ? Math.min(durationSeconds, ROLE_CHAINING_LIMIT_SECONDS) : durationSeconds;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        const i = next++;
        const target = targets[i]!;
        const provider = roleCredentials(callerSts, target.roleArn, {
          ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
          ...(duration !== undefined ? { durationSeconds: duration } : {}),
        });
        try {
          const first = await provider();
          opened[i] = newSession(opts, first.account, first.principalArn, provider, memberAgents, [], false, share);
        } catch (err) {
          const e = err instanceof AwsSessionError ? err : new AwsSessionError('AssumeRole', errorCode(err), toFactError(err, 'AssumeRole').message, target.roleArn);
          failures[i] = { account: target.id, roleArn: target.roleArn, operation: e.operation, code: e.code, message: e.message };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ASSUME_CONCURRENCY, targets.length) }, worker));
  } catch (err) {
    for (const s of opened) s?.destroy();
    callerSts.destroy();
    destroyAgents(callerAgents);
    destroyAgents(memberAgents);
    throw err;
  }
  const sessions = opened.filter((s): s is AccountSession => s !== undefined);
  const release = (): void => {
    callerSts.destroy();
    destroyAgents(callerAgents);
    destroyAgents(memberAgents);
  };
  // The caller's STS client keeps refreshing the roles' credentials: it lives until the last session is destroyed.
  if (sessions.length === 0) release();
  else attachOnLastDestroy(sessions, release);
  return { sessions, failures: failures.filter((f): f is TargetFailure => f !== undefined) };
}

/** Credentials as one thread hands them to another: plain data, `expiration` when they expire. */
export type PortableCredentials = StaticCredentials & { expiration?: Date };

/**
 * The credentials a session signs with right now, from its own clients' resolved provider (the same
 * chain, cache and refresh as every call of the session), as plain data for a worker thread.
 */
export async function currentCredentials(session: AccountSession): Promise<PortableCredentials> {
  const identity = await session.s3(session.homeRegion).config.credentials();
  return {
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
    ...(identity.expiration ? { expiration: identity.expiration } : {}),
  };
}

/**
 * A session in a worker thread for an account the main thread opened: its credentials come from
 * `credentials` (which asks the main thread; the SDK asks again when they near `expiration`), its
 * clients and sockets are the worker's own.
 */
export function borrowedSession(
  opts: AwsOptions,
  account: string,
  principalArn: string,
  credentials: () => Promise<PortableCredentials>,
): AccountSession {
  return newSession(opts, account, principalArn, credentials, newAgents(opts), []);
}
