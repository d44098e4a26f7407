/**
 * The collector under injected faults: throttling and 5xx are retried by the SDK, what still fails is
 * recorded as an error with code and operation, and no bucket is ever dropped.
 */
import { expect } from 'chai';
import { KMSClient } from '@aws-sdk/client-kms';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import type { AwsOptions } from '../../src/aws/options.js';
import { collectBuckets, type CollectOptions, type CollectResult } from '../../src/collect/collector.js';
import type { FactContext } from '../../src/domain/facts.js';
import type { FactAspect } from '../../src/domain/rule.js';
import type { BucketFault } from '../../src/sandbox/model.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const ALL_ASPECTS: FactAspect[] = ['bucket.encryption', 'bucket.tags', 'key', 'key.rotation'];
const NO_FAULTS = { latencyMs: 0, jitterMs: 0, throttleRate: 0, errorRate: 0, resetRate: 0 };

async function drain(result: CollectResult): Promise<Map<string, FactContext>> {
  const byName = new Map<string, FactContext>();
  for await (const ctx of result.contexts) {
    expect(byName.has(ctx.bucket.name), `${ctx.bucket.name} yielded twice`).to.equal(false);
    byName.set(ctx.bucket.name, ctx);
  }
  return byName;
}

/** Contexts in a stable order, for comparing two runs. */
const canonical = (ctxs: Map<string, FactContext>): [string, FactContext][] => [...ctxs.entries()].sort(([a], [b]) => a.localeCompare(b));

describe('collect/collector: faults', function () {
  const sandbox = useSandbox();
  const opened: AccountSession[] = [];
  const addedFaults: { bucket: string; fault: BucketFault }[] = [];

  /** Sessions are opened before faults are switched on: these tests are about the scan, not STS. */
  const open = async (extra: Partial<AwsOptions> = {}, accounts: 'both' | 'prod' = 'both'): Promise<AccountSession[]> => {
    const prod = accountOf(sandbox.sb, PROD);
    const sessions = await openSessions({
      endpoint: sandbox.sb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey },
      maxAttempts: 2,
      ...(accounts === 'both' ? { assumeRoles: [`arn:aws:iam::${PROD}:role/S3KmsAuditRole`, `arn:aws:iam::${DEV}:role/S3KmsAuditRole`] } : {}),
      ...extra,
    });
    opened.push(...sessions);
    return sessions;
  };
  const collect = (sessions: AccountSession[], extra: Partial<CollectOptions> = {}): CollectResult =>
    collectBuckets({ sessions, aspects: new Set(ALL_ASPECTS), concurrency: 16, ...extra });
  const addBucketFault = (bucket: string, fault: BucketFault): void => {
    sandbox.sb.estate.buckets.get(bucket)!.faults.push(fault);
    addedFaults.push({ bucket, fault });
  };
  /** Switches global faults on once every account is listed, so only the bucket calls see them. */
  const afterListing = (faults: Parameters<typeof sandbox.sb.setFaults>[0]) => (p: { bucketsDone: number }) => {
    if (p.bucketsDone === 0) sandbox.sb.setFaults(faults);
  };

  afterEach(() => {
    sandbox.sb.setFaults(NO_FAULTS);
    for (const { bucket, fault } of addedFaults.splice(0)) {
      const faults = sandbox.sb.estate.buckets.get(bucket)!.faults;
      faults.splice(faults.indexOf(fault), 1);
    }
    for (const s of opened.splice(0)) s.destroy();
  });

  it('gives the same facts under 30% throttling as without it', async function () {
    this.timeout(120_000);
    const baseline = await drain(collect(await open()));
    // Ten attempts: 0.3^10 ≈ 6e-6 per call, so even ~150 calls practically never exhaust their retries.
    const retrying = await open({ maxAttempts: 10 });
    sandbox.sb.setFaults({ throttleRate: 0.3, seed: 42 });
    const before = sandbox.sb.requestCount();
    const run = collect(retrying);
    const throttled = await drain(run);
    const sent = sandbox.sb.requestCount() - before;
    const calls = Object.values(run.stats.requests).reduce((a, b) => a + b, 0);
    expect(sent, 'the sandbox did throttle, and the SDK retried').to.be.greaterThan(calls);
    expect(canonical(throttled)).to.deep.equal(canonical(baseline));
    expect(run.errors).to.deep.equal([]);
  });

  it('succeeds after retries when a bucket answers SlowDown twice', async () => {
    addBucketFault('prod-cmk-by-id', { operation: 'GetBucketEncryption', error: 'SlowDown', times: 2 });
    const sessions = await open({ maxAttempts: 5 }, 'prod');
    const before = sandbox.sb.requestCount();
    const run = collect(sessions, { aspects: new Set<FactAspect>(['bucket.encryption']), prefilter: (b) => b.name === 'prod-cmk-by-id' });
    const ctxs = await drain(run);
    const ctx = ctxs.get('prod-cmk-by-id')!;
    expect(ctx.errors).to.deep.equal({});
    expect(ctx.bucket.encryption).to.deep.include({ algorithm: 'aws:kms', kmsKeyId: '1111aaaa-0000-4000-8000-000000000001' });
    expect(run.stats.requests).to.deep.equal({ ListBuckets: 1, GetBucketEncryption: 1 });
    expect(sandbox.sb.requestCount() - before, 'one ListBuckets, three GetBucketEncryption attempts').to.equal(4);
  });

  it('records InternalError on every aspect when every call fails, and drops no bucket', async () => {
    const sessions = await open({ maxAttempts: 2 });
    const run = collect(sessions, { onProgress: afterListing({ errorRate: 1 }) });
    const ctxs = await drain(run);
    expect(ctxs.size).to.equal(sandbox.sb.estate.buckets.size);
    for (const ctx of ctxs.values()) {
      const name = ctx.bucket.name;
      for (const aspect of ['bucket.encryption', 'key', 'key.rotation']) {
        expect(ctx.errors[aspect], `${name} ${aspect}`).to.deep.include({ code: 'InternalError', operation: 'GetBucketEncryption' });
      }
      expect(ctx.errors['bucket.tags'], name).to.deep.include({ code: 'InternalError', operation: 'GetBucketTagging' });
      expect(ctx.errors['bucket.encryption']!.message, name).to.include('after 2 attempts');
      expect(ctx.key, name).to.equal(undefined);
      expect(ctx.bucket.encryption, name).to.equal(undefined);
    }
  });

  it('makes a failing ListBuckets a run error for that account', async () => {
    const sessions = await open({ maxAttempts: 1 });
    sandbox.sb.setFaults({ errorRate: 1 });
    const run = collect(sessions);
    const ctxs = await drain(run);
    expect(ctxs.size).to.equal(0);
    expect(run.errors.map((e) => `${e.account} ${e.operation} ${e.code}`).sort()).to.deep.equal([
      `${PROD} ListBuckets InternalError`,
      `${DEV} ListBuckets InternalError`,
    ]);
    expect(run.errors[0]!.region).to.equal('us-east-1');
  });

  it('keeps a bucket whose region cannot be found, with every aspect in error, and reports it', async () => {
    // The first call (to the home region) fails without a redirect, so GetBucketLocation is asked, and fails too.
    addBucketFault('prod-sse-s3', { operation: 'GetBucketEncryption', error: 'AccessDenied' });
    addBucketFault('prod-sse-s3', { operation: 'GetBucketLocation', error: 'AccessDenied' });
    const sessions = await open({}, 'prod');
    const run = collect(sessions, { ignoreListedRegion: true, prefilter: (b) => b.region === 'us-east-1' });
    const ctxs = await drain(run);
    const ctx = ctxs.get('prod-sse-s3');
    expect(ctx, 'not dropped, though the prefilter could not be asked').to.not.equal(undefined);
    expect(ctx!.bucket.region).to.equal('unknown');
    for (const aspect of ALL_ASPECTS) expect(ctx!.errors[aspect], aspect).to.deep.include({ code: 'AccessDenied', operation: 'GetBucketLocation' });
    expect(run.errors).to.have.length(1);
    expect(run.errors[0]).to.deep.include({ account: PROD, bucket: 'prod-sse-s3', operation: 'GetBucketLocation', code: 'AccessDenied' });
    expect(ctxs.has('prod-eu-cmk'), 'located buckets still go through the prefilter').to.equal(false);
    expect(ctxs.get('prod-cmk-by-id')!.bucket.region).to.equal('us-east-1');
  });

  it('records Timeout when a request exceeds the per-request timeout', async () => {
    const sessions = await open({ maxAttempts: 1, requestTimeoutMs: 150 }, 'prod');
    const run = collect(sessions, {
      aspects: new Set<FactAspect>(['bucket.encryption']),
      prefilter: (b) => b.name === 'prod-sse-s3' || b.name === 'prod-cmk-by-id',
      onProgress: afterListing({ latencyMs: 1000 }),
    });
    const ctxs = await drain(run);
    expect(ctxs.size).to.equal(2);
    for (const ctx of ctxs.values()) expect(ctx.errors['bucket.encryption']).to.deep.include({ code: 'Timeout', operation: 'GetBucketEncryption' });
  });

  it('records the socket error code when connections are reset', async () => {
    const sessions = await open({ maxAttempts: 1 }, 'prod');
    const run = collect(sessions, {
      aspects: new Set<FactAspect>(['bucket.encryption', 'key']),
      prefilter: (b) => b.name === 'prod-cmk-by-alias',
      onProgress: afterListing({ resetRate: 1 }),
    });
    const ctx = (await drain(run)).get('prod-cmk-by-alias')!;
    expect(ctx.errors['bucket.encryption']).to.deep.include({ code: 'ECONNRESET', operation: 'GetBucketEncryption' });
    expect(ctx.errors.key).to.deep.equal(ctx.errors['bucket.encryption']);
  });

  it('makes a key that cannot be described an error of the key aspects only', async () => {
    // The bucket account's KMS answers with an authentication failure (a wrong secret on the KMS client
    // only), while S3 works: the encryption facts stay, the key is unknown.
    const [prod] = await open({ maxAttempts: 1 }, 'prod');
    const account = accountOf(sandbox.sb, PROD);
    const brokenKms = new KMSClient({ endpoint: sandbox.sb.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: account.accessKeyId, secretAccessKey: 'x'.repeat(40) } });
    const session: AccountSession = { ...prod!, kms: () => brokenKms };
    try {
      const run = collect([session], { prefilter: (b) => b.name === 'prod-scratch-key' });
      const ctx = (await drain(run)).get('prod-scratch-key')!;
      expect(ctx.bucket.encryption).to.deep.include({ algorithm: 'aws:kms', kmsKeyId: 'alias/scratch' });
      expect(ctx.errors.key).to.deep.include({ code: 'InvalidSignatureException', operation: 'DescribeKey' });
      expect(ctx.errors['key.rotation']).to.deep.equal(ctx.errors.key);
      expect(ctx.errors['bucket.encryption']).to.equal(undefined);
      expect(ctx.errors['bucket.tags']).to.equal(undefined);
      expect(ctx.key).to.equal(undefined);
    } finally {
      brokenKms.destroy();
    }
  });
});
