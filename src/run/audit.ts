/**
 * The scan, end to end: load + validate config (no AWS call) → open account sessions → collect
 * facts → evaluate → the report object. Writes nothing and never exits: the CLI decides what to
 * print and write, and the exit code comes from the report's gate.
 */
import { randomUUID } from 'node:crypto';
import type { AwsOptions } from '../aws/options.js';
import { DEFAULT_MAX_SOCKETS } from '../aws/options.js';
import { openSessions, type AccountSession } from '../aws/session.js';
import { collectBuckets, type CollectProgress } from '../collect/collector.js';
import { startObjectRun, type ObjectRunOptions } from './object-audit.js';
import type { PolicyFile } from '../domain/policy.js';
import type { AuditReport } from '../domain/report.js';
import type { Finding } from '../domain/finding.js';
import { keyListSpellings, requiredAspects } from '../engine/aspects.js';
import { evaluateResource } from '../engine/evaluate.js';
import { bucketInScope } from '../engine/scope.js';
import { pathForReports, toolVersion } from '../paths.js';
import type { GateOptions } from '../engine/gate.js';
import { buildReport, ruleCatalogue } from './report.js';
import type { AuditConfig } from './audit-config.js';
import { ownsBucket, rulesDigest, runKeyOf, type Shard } from '../domain/shard.js';
import type { ShardInfo } from '../domain/report.js';
import { openAccounts, withListingErrors, type AccountSource, type OpenedAccounts } from './accounts.js';

// Loading the configuration is its own module (no AWS SDK), so `validate` starts fast; re-exported for the callers of both.
export { loadAuditConfig, type AuditConfig } from './audit-config.js';

export interface AuditOptions {
  aws: AwsOptions;
  /** Parallel AWS requests (the collector's bound on buckets at once; the object audit's p-limit). */
  concurrency: number;
  gate: GateOptions;
  /** Clock for the run's timestamps and for deciding which exceptions have expired. */
  now?: () => Date;
  runId?: string;
  onProgress?: (progress: CollectProgress) => void;
  signal?: AbortSignal;
  /**
   * Sessions the caller opened and closes itself (remediate applies with the ones it scanned with);
   * without them the audit opens its own from `aws` and closes them when done.
   */
  sessions?: AccountSession[];
  /** `scan --shard I/N`: audit only this shard's buckets and record the shard in the report (run.shard). */
  shard?: Shard;
  /** Object policies: outputs (JSONL, manifest), state folder, findings cap, progress (src/collect/objects-audit.ts). */
  objects?: ObjectRunOptions;
  /** Many accounts (an organisation or an accounts file), each through its role; else `aws` decides (the caller, or --assume-role). */
  accounts?: AccountSource;
  /** DurationSeconds of each account's role session (refreshed before it ends); STS's default when absent. */
  sessionDurationSeconds?: number;
}

/**
 * A cheap check before any per-bucket call: can any policy (bucket or object: both scope buckets) cover
 * a bucket with this name, region and account? Tags are left out on purpose — they are not known yet;
 * the engine applies the full scope (tags included) once the facts are in.
 */
function mayBeInScope(pf: PolicyFile) {
  // The scopes without their tags, once per run rather than once per bucket and policy.
  const scopesWithoutTags = pf.policies.map((p) => {
    const { tags: _tags, ...withoutTags } = p.scope ?? {};
    return withoutTags;
  });
  return (bucket: { name: string; region: string; account: string }): boolean => {
    const scoped = { ...bucket, tags: {}, errors: {} };
    return scopesWithoutTags.some((scope) => bucketInScope(scope, scoped) !== false);
  };
}

const ownsBucketOf = (shard: Shard) => (account: string, bucket: string): boolean => ownsBucket(shard, account, bucket);

/** run.shard of a partial report; runErrors are filled in by buildReport, which knows them. */
function shardInfo(shard: Shard, config: AuditConfig, accounts: readonly string[], homeRegion: string, options: AuditOptions): Omit<ShardInfo, 'runErrors'> {
  const rulesSha256 = rulesDigest(config.rules.values());
  const runKey = runKeyOf({
    toolVersion: toolVersion(),
    policyFileSha256: config.policyFile.sha256,
    rulesSha256,
    count: shard.count,
    accounts,
    homeRegion,
    ...(options.aws.endpoint ? { endpoint: options.aws.endpoint } : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
  });
  return { index: shard.index, count: shard.count, runKey, rulesSha256 };
}

export async function runAudit(config: AuditConfig, options: AuditOptions): Promise<AuditReport> {
  const now = options.now ?? (() => new Date());
  const start = now();
  const { policyFile, rules } = config;

  const aws = {
    ...options.aws,
    // Each account's agent must allow at least as many sockets as requests we run at once.
    maxSockets: Math.max(options.aws.maxSockets ?? DEFAULT_MAX_SOCKETS, options.concurrency),
    // Every call of the run carries this signal: bound to the clients, it costs no per-call options.
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const many: OpenedAccounts | undefined =
    options.sessions === undefined && options.accounts ? await openAccounts(aws, options.accounts, options.sessionDurationSeconds) : undefined;
  const sessions = options.sessions ?? many?.sessions ?? (await openSessions(aws));
  const closeOwnSessions = (): void => {
    if (options.sessions === undefined) for (const s of sessions) s.destroy();
  };
  // Object policies (if any) are audited as each bucket's context arrives, sharing the key cache.
  const objectRun = await startObjectRun(
    policyFile,
    rules,
    sessions,
    {
      concurrency: options.concurrency,
      evaluatedAt: start,
      clock: now,
      ...(options.signal ? { signal: options.signal } : {}),
      // The object scans' worker threads open their own clients the way the sessions were opened.
      aws: { ...options.aws, maxSockets: Math.max(options.aws.maxSockets ?? DEFAULT_MAX_SOCKETS, options.concurrency) },
    },
    {
      ...options.objects,
      // The inventory reader counts its shards from 0; --shard I/N from 1.
      ...(options.shard ? { inventoryShard: { index: options.shard.index - 1, count: options.shard.count } } : {}),
    },
  ).catch((err: unknown) => {
    closeOwnSessions();
    throw err;
  });
  try {
    const shard = options.shard;
    const owns = shard ? ownsBucketOf(shard) : undefined;
    // Sharded, a bucket an inventory-mode object policy covers is read by every shard (each reads its part
    // of the report's data files), so the collector hands out those buckets too; everything else about a
    // bucket — its bucket findings, its other object scans, its errors — stays with the shard that owns it.
    const shared = shard && objectRun?.groups.some((g) => g.options.mode === 'inventory') ? objectRun : undefined;
    const inScope = mayBeInScope(policyFile);
    const collected = collectBuckets({
      sessions,
      aspects: new Set([...requiredAspects(policyFile, rules, 'bucket'), ...(objectRun?.bucketAspects ?? [])]),
      ...(objectRun ? { keys: objectRun.keys, stats: objectRun.stats } : { keyListSpellings: keyListSpellings(policyFile, rules) }),
      concurrency: options.concurrency,
      prefilter: shared && owns ? (b) => inScope(b) && (owns(b.account, b.name) || shared.sharedWithShards(b)) : inScope,
      ...(owns && !shared ? { owns } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const findings: Finding[] = [];
    for await (const ctx of collected.contexts) {
      const owned = !owns || owns(ctx.bucket.account, ctx.bucket.name);
      if (owned) findings.push(...evaluateResource(policyFile, rules, ctx, start));
      await objectRun?.admit(ctx, owned);
    }
    // A bucket of another shard's that this one read for its inventory part: its errors are the owner's to report.
    const collectErrors = owns ? collected.errors.filter((e) => e.bucket === undefined || e.account === undefined || owns(e.account, e.bucket)) : collected.errors;
    const objects = await objectRun?.complete();
    const end = now();
    return buildReport({
      toolVersion: toolVersion(),
      run: {
        id: options.runId ?? randomUUID(),
        start: start.toISOString(),
        end: end.toISOString(),
        policyFile: pathForReports(policyFile.path, process.cwd()),
        policyFileSha256: policyFile.sha256,
        rulesDirs: config.rulesDirs,
        accounts: collected.accounts,
        regions: [...collected.regions],
        ...(options.aws.endpoint ? { endpoint: options.aws.endpoint } : {}),
        ...(shard ? { shard: shardInfo(shard, config, collected.accounts, sessions[0]?.homeRegion ?? '', options) } : {}),
      },
      findings: objects ? [...findings, ...objects.findings] : findings,
      errors: [...(many?.runErrors ?? []), ...collectErrors, ...(objects?.runErrors ?? [])],
      ...(many ? { accounts: withListingErrors(many.section, collectErrors) } : {}),
      ...(objects ? { objects: objects.report } : {}),
      gate: options.gate,
      // The rules' text travels with the report, so `s3-kms-audit report` can re-render it alone.
      rules: ruleCatalogue(policyFile.policies.flatMap((p) => p.rules.map((r) => r.id)), rules),
    });
  } catch (err) {
    await objectRun?.fail();
    throw err;
  } finally {
    closeOwnSessions();
  }
}
