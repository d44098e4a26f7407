/**
 * The collector makes only the calls the aspects need, each once (Custodian #4659 made tens of
 * thousands of redundant calls): request counts, pagination, prefilter, concurrency bound.
 */
import { expect } from 'chai';
import { Agent as HttpAgent, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AwsOptions } from '../../src/aws/options.js';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import { collectBuckets, type CollectOptions, type CollectResult } from '../../src/collect/collector.js';
import { parseKeySpelling } from '../../src/domain/keys.js';
import { scanIamActions, scanOperations } from '../../src/aws/permissions.js';
import type { FactContext } from '../../src/domain/facts.js';
import type { FactAspect } from '../../src/domain/rule.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const ALL_ASPECTS: FactAspect[] = ['bucket.encryption', 'bucket.tags', 'key', 'key.rotation', 'key.aliases'];

async function drain(result: CollectResult): Promise<Map<string, FactContext>> {
  const byName = new Map<string, FactContext>();
  for await (const ctx of result.contexts) {
    expect(byName.has(ctx.bucket.name), `${ctx.bucket.name} yielded twice`).to.equal(false);
    byName.set(ctx.bucket.name, ctx);
  }
  return byName;
}

/**
 * Counts the HTTP requests in flight whose path contains `pathPart` (each from the moment it asks the
 * agent for a socket until its answer has been read), and the most there were at once. Counted at the HTTP agent, not in
 * the SDK's middleware, because the lean read paths (src/aws/lean-request.ts) send without it; a call the
 * SDK makes after a lean try is a second request, after the first has closed.
 */
function countRequestsInFlight(pathPart: string): { peak: number; stop(): void } {
  const counter = { now: 0, peak: 0, stop: () => {} };
  const proto = HttpAgent.prototype as unknown as { addRequest(req: ClientRequest, ...rest: unknown[]): void };
  const addRequest = proto.addRequest;
  proto.addRequest = function (this: unknown, req: ClientRequest, ...rest: unknown[]) {
    if (req.path.includes(pathPart)) {
      counter.peak = Math.max(counter.peak, ++counter.now);
      // Done at the end of the answer (before the caller can go on to its next request), or at close on failure.
      let done = false;
      const finish = (): void => {
        if (!done) counter.now--;
        done = true;
      };
      req.once('response', (res: IncomingMessage) => res.once('end', finish));
      req.once('close', finish);
    }
    return addRequest.call(this, req, ...rest);
  };
  counter.stop = () => {
    proto.addRequest = addRequest;
  };
  return counter;
}

/**
 * (calling account, canonical spelling) pairs the KMS buckets use: the most DescribeKey calls allowed. The
 * bucket's account asks, and its answer is its own (a key policy may allow one account and not another).
 */
function distinctSpellings(ctxs: Iterable<FactContext>): Set<string> {
  const out = new Set<string>();
  for (const c of ctxs) {
    const enc = c.bucket.encryption;
    if (enc?.algorithm === 'aws:kms' || enc?.algorithm === 'aws:kms:dsse') out.add(`${c.bucket.account} ${parseKeySpelling(enc.kmsKeyId, c.bucket.account, c.bucket.region).arn}`);
  }
  return out;
}

describe('collect/collector: no redundant calls', function () {
  const sandbox = useSandbox();
  let sessions: AccountSession[] = [];
  let prodOnly: AccountSession[] = [];

  let bothAccounts: AwsOptions;

  before(async () => {
    const prod = accountOf(sandbox.sb, PROD);
    const base = { endpoint: sandbox.sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey }, maxAttempts: 2 };
    bothAccounts = { ...base, assumeRoles: [`arn:aws:iam::${PROD}:role/S3KmsAuditRole`, `arn:aws:iam::${DEV}:role/S3KmsAuditRole`] };
    sessions = await openSessions(bothAccounts);
    prodOnly = await openSessions(base);
  });
  after(() => {
    for (const s of [...sessions, ...prodOnly]) s.destroy();
  });
  afterEach(() => sandbox.sb.setFaults({ latencyMs: 0, jitterMs: 0 }));

  const collect = (aspects: FactAspect[], extra: Partial<CollectOptions> = {}): CollectResult =>
    collectBuckets({ sessions, aspects: new Set(aspects), concurrency: 8, ...extra });

  it('calls DescribeKey at most once per account and distinct spelling, ListAliases once per account and region, GetKeyRotationStatus once per key', async () => {
    const run = collect(ALL_ASPECTS);
    const ctxs = await drain(run);
    const keys = [...ctxs.values()].map((c) => c.key).filter((k) => k && k.exists);
    const distinctKeys = new Set(keys.map((k) => k!.arn));
    // Every customer managed key, whatever its state (pending deletion reads false); both accounts have a
    // session here, so each key's rotation is read once, in its own account.
    const rotatable = new Set(keys.filter((k) => k!.manager === 'CUSTOMER').map((k) => k!.arn));
    expect([...rotatable]).to.include('arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000004'); // PendingDeletion
    const { requests } = run.stats;
    expect(requests.DescribeKey).to.be.at.most(distinctSpellings(ctxs.values()).size);
    expect(requests.DescribeKey).to.be.at.least(distinctKeys.size + 1 /* the missing key */);
    // Both accounts have a session: each (key account, key region) is listed once, whatever its number of keys.
    const keyRegions = new Set(keys.map((k) => `${k!.account} ${k!.region}`));
    expect(keyRegions.size).to.be.lessThan(distinctKeys.size);
    expect(requests.ListAliases).to.equal(keyRegions.size);
    expect(requests.GetKeyRotationStatus).to.equal(rotatable.size);
    expect(run.stats.keysResolved).to.equal(distinctKeys.size);
    expect(requests.GetBucketEncryption).to.equal(ctxs.size);
    expect(requests.GetBucketTagging).to.equal(ctxs.size);
    expect(requests.ListBuckets).to.equal(2);
    // The least-privilege list the README prints covers every call actually made.
    expect(scanOperations(ALL_ASPECTS)).to.include.members(Object.keys(requests));
  });

  it('calls DescribeKey once per account and distinct key when buckets are processed one at a time', async () => {
    // Sequentially, a key learnt through one spelling answers all its other spellings (aliases included,
    // once listed) from the cache of the account that asked.
    const run = collect(['key', 'key.aliases'], { concurrency: 1 });
    const ctxs = await drain(run);
    const asked = (c: FactContext): string => `${c.bucket.account} ${c.key!.arn}`;
    const existing = new Set([...ctxs.values()].filter((c) => c.key?.exists).map(asked));
    const missing = new Set([...ctxs.values()].filter((c) => c.key && !c.key.exists).map(asked));
    // The prod data key is asked about by both accounts (dev-cross-account-key uses it): two answers, not one.
    expect(existing).to.include(`${DEV} arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`);
    expect(existing).to.include(`${PROD} arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`);
    expect(missing.size).to.equal(1);
    expect(run.stats.requests.DescribeKey).to.equal(existing.size + missing.size);
  });

  it('finds regions ListBuckets did not give through S3\'s redirect: no GetBucketLocation, the same facts', async () => {
    const listed = await drain(collect(ALL_ASPECTS));
    const run = collect(ALL_ASPECTS, { ignoreListedRegion: true });
    const ctxs = await drain(run);
    const estate = [...sandbox.sb.estate.buckets.values()];
    const elsewhere = estate.filter((b) => b.region !== 'us-east-1');
    expect(elsewhere.length).to.be.greaterThan(0);
    const { requests } = run.stats;
    // Home-region buckets: the first call is the bucket's own. Elsewhere: one 301, then the call in the bucket's region.
    expect(requests.GetBucketEncryption).to.equal(estate.length + elsewhere.length);
    expect(requests.GetBucketTagging).to.equal(estate.length);
    // Only prod-access-denied's first call fails without a redirect (AccessDenied): its region is then asked.
    expect(requests.GetBucketLocation).to.equal(1);
    expect(requests.ListBuckets).to.equal(2);
    // Every fact is the same as when ListBuckets gave each bucket's region.
    const sorted = (m: Map<string, FactContext>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
    expect(sorted(ctxs)).to.deep.equal(sorted(listed));
    expect(ctxs.get('prod-access-denied')!.errors['bucket.encryption']).to.deep.include({ code: 'AccessDenied', operation: 'GetBucketEncryption' });
  });

  it('learns a bucket\'s region from its tags call when only tags are needed', async () => {
    const run = collect(['bucket.tags'], { ignoreListedRegion: true });
    const ctxs = await drain(run);
    const estate = [...sandbox.sb.estate.buckets.values()];
    for (const b of estate) expect(ctxs.get(b.name)!.bucket.region, b.name).to.equal(b.region);
    expect(run.stats.requests.GetBucketTagging).to.equal(estate.length + estate.filter((b) => b.region !== 'us-east-1').length);
    expect(run.stats.requests.GetBucketLocation ?? 0).to.equal(0);
  });

  it('reads only the bucket encryption when no rule needs keys or tags', async () => {
    const run = collect(['bucket.encryption']);
    const ctxs = await drain(run);
    expect(Object.keys(run.stats.requests).sort()).to.deep.equal(['GetBucketEncryption', 'ListBuckets']);
    expect(scanIamActions(['bucket.encryption'])).to.deep.equal(['s3:ListAllMyBuckets', 's3:GetBucketLocation', 's3:GetEncryptionConfiguration']);
    const cmk = ctxs.get('prod-cmk-by-id')!;
    expect(cmk.bucket.encryption!.algorithm).to.equal('aws:kms');
    expect(cmk.key, 'key not requested: left undefined').to.equal(undefined);
  });

  it('reads only tags when only tags are needed', async () => {
    const run = collect(['bucket.tags']);
    const ctxs = await drain(run);
    expect(Object.keys(run.stats.requests).sort()).to.deep.equal(['GetBucketTagging', 'ListBuckets']);
    expect(ctxs.get('prod-cmk-by-id')!.bucket.encryption).to.equal(undefined);
    expect(ctxs.get('prod-cmk-by-id')!.bucket.tags).to.deep.equal({ env: 'prod', owner: 'payments' });
  });

  it('does not read rotation unless key.rotation is needed', async () => {
    const run = collect(['key']);
    const ctxs = await drain(run);
    expect(run.stats.requests.GetKeyRotationStatus ?? 0).to.equal(0);
    expect(ctxs.get('prod-cmk-by-id')!.key!.rotationEnabled).to.equal(undefined);
    expect(run.stats.requests.GetBucketTagging ?? 0).to.equal(0);
  });

  it('does not list aliases unless key.aliases is needed, and does not ask for kms:ListAliases then', async () => {
    const run = collect(['bucket.encryption', 'key', 'key.rotation']);
    const ctxs = await drain(run);
    expect(run.stats.requests.ListAliases ?? 0).to.equal(0);
    expect(run.stats.requests.DescribeKey).to.be.greaterThan(0);
    expect(scanIamActions(['bucket.encryption', 'key', 'key.rotation'])).to.not.include('kms:ListAliases');
    expect(scanIamActions(['bucket.encryption', 'key', 'key.aliases'])).to.include('kms:ListAliases');
    // The key is still fully described; only the aliases it was not named by are left out.
    const byId = ctxs.get('prod-cmk-by-id')!.key!;
    expect(byId).to.deep.include({ exists: true, manager: 'CUSTOMER', state: 'Enabled', aliases: [], rotationEnabled: true });
    expect(ctxs.get('prod-cmk-by-alias')!.key!.aliases).to.deep.equal(['alias/prod-data', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`]);
    expect(Object.keys(ctxs.get('prod-cmk-by-id')!.errors)).to.deep.equal([]);
  });

  it('pages through ListBuckets with MaxBuckets and ContinuationToken', async () => {
    const prodBuckets = [...sandbox.sb.estate.buckets.values()].filter((b) => b.account === PROD).map((b) => b.name);
    expect(prodBuckets.length).to.be.greaterThan(20);
    const run = collectBuckets({ sessions: prodOnly, aspects: new Set<FactAspect>(['bucket.encryption']), concurrency: 8, listPageSize: 5 });
    const ctxs = await drain(run);
    expect(run.stats.requests.ListBuckets).to.be.at.least(Math.ceil(prodBuckets.length / 5));
    expect([...ctxs.keys()].sort()).to.deep.equal([...prodBuckets].sort());
  });

  it('skips buckets the prefilter rejects before any bucket call', async () => {
    const seen: string[] = [];
    const run = collect(ALL_ASPECTS, {
      prefilter: (b) => {
        seen.push(`${b.account}/${b.region}/${b.name}`);
        return b.account === DEV && b.region === 'us-east-1';
      },
    });
    const ctxs = await drain(run);
    expect([...ctxs.keys()].sort()).to.deep.equal(['dev-cross-account-key', 'dev-generated', 'dev-sse-s3']);
    expect(run.stats.requests.GetBucketEncryption).to.equal(3);
    expect(run.stats.requests.GetBucketTagging).to.equal(3);
    expect(seen).to.include(`${PROD}/eu-west-1/prod-legacy-eu`);
    expect(seen).to.have.length(sandbox.sb.estate.buckets.size);
  });

  it('reports progress up to the total', async () => {
    const progress: { bucketsDone: number; bucketsTotal: number }[] = [];
    await drain(collect(['bucket.encryption'], { onProgress: (p) => progress.push(p) }));
    const total = sandbox.sb.estate.buckets.size;
    expect(progress[0]).to.deep.equal({ bucketsDone: 0, bucketsTotal: total });
    expect(progress[progress.length - 1]).to.deep.equal({ bucketsDone: total, bucketsTotal: total });
    expect(progress.map((p) => p.bucketsDone)).to.deep.equal([...Array(total + 1).keys()]);
  });

  it('bounds concurrent bucket work by `concurrency` and still overlaps it', async function () {
    // Every request takes ≥ 60 ms; one call per bucket. With 4 at a time, 31 buckets need ≥ 8 rounds.
    const latencyMs = 60;
    const concurrency = 4;
    // Sessions of its own, so no other test's requests are counted.
    const counted = await openSessions(bothAccounts);
    const inFlight = countRequestsInFlight('?encryption');
    try {
      const run = collectBuckets({ sessions: counted, aspects: new Set<FactAspect>(['bucket.encryption']), concurrency });
      const total = sandbox.sb.estate.buckets.size;
      sandbox.sb.setFaults({ latencyMs });
      const started = Date.now();
      const ctxs = await drain(run);
      const elapsed = Date.now() - started;
      expect(ctxs.size).to.equal(total);
      const rounds = Math.ceil(total / concurrency);
      // A lower bound only: a loaded machine makes the run slower, never faster.
      expect(elapsed, 'not more than `concurrency` at once').to.be.at.least((rounds - 1) * latencyMs);
      // Overlap is counted, not timed: an upper bound on the elapsed time would fail on a busy machine.
      expect(inFlight.peak, 'not more than `concurrency` at once').to.be.at.most(concurrency);
      expect(inFlight.peak, 'buckets overlap').to.be.at.least(2);
    } finally {
      inFlight.stop();
      for (const s of counted) s.destroy();
    }
  });

  it('holds the scan back while the consumer is busy (at most 2 × concurrency buckets ahead)', async () => {
    const run = collect(['bucket.encryption'], { concurrency: 2 });
    const iterator = run.contexts[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a slow consumer
    expect(run.stats.requests.GetBucketEncryption).to.be.at.most(4);
    let rest = 0;
    while (!(await iterator.next()).done) rest++;
    expect(rest + 1).to.equal(sandbox.sb.estate.buckets.size);
    expect(run.stats.requests.GetBucketEncryption).to.equal(sandbox.sb.estate.buckets.size);
  });

  it('stops with the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    const run = collect(['bucket.encryption'], {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bucketsDone === 3) controller.abort(new Error('stop here'));
      },
    });
    const err = await drain(run).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.equal('stop here');
  });
});
