/**
 * collectBuckets over real HTTP against the demo estate: regions, encryption facts and key resolution
 * for every kind of bucket the estate has.
 */
import { expect } from 'chai';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import type { AwsOptions } from '../../src/aws/options.js';
import { collectBuckets, type CollectOptions, type CollectResult } from '../../src/collect/collector.js';
import type { FactContext, KeyFacts } from '../../src/domain/facts.js';
import type { FactAspect } from '../../src/domain/rule.js';
import { awsOptionsFor, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const ALL_ASPECTS: FactAspect[] = ['bucket.encryption', 'bucket.tags', 'key', 'key.rotation', 'key.aliases'];
const PROD_DATA_ID = '1111aaaa-0000-4000-8000-000000000001';
const PROD_DATA_ARN = `arn:aws:kms:us-east-1:${PROD}:key/${PROD_DATA_ID}`;

async function drain(result: CollectResult): Promise<Map<string, FactContext>> {
  const byName = new Map<string, FactContext>();
  for await (const ctx of result.contexts) {
    expect(byName.has(ctx.bucket.name), `${ctx.bucket.name} yielded twice`).to.equal(false);
    byName.set(ctx.bucket.name, ctx);
  }
  return byName;
}

describe('collect/collector: collectBuckets on the demo estate', function () {
  const sandbox = useSandbox();
  let both: AccountSession[] = [];
  let devOnly: AccountSession[] = [];
  let full: Map<string, FactContext>;
  let fullRun: CollectResult;

  const options = (extra: Partial<AwsOptions> = {}): AwsOptions => awsOptionsFor(sandbox.sb, PROD, extra);
  const collect = (extra: Partial<CollectOptions> = {}): CollectResult =>
    collectBuckets({ sessions: both, aspects: new Set(ALL_ASPECTS), concurrency: 8, ...extra });
  const keyOf = (name: string): KeyFacts => {
    const key = full.get(name)?.key;
    if (!key) throw new Error(`${name} has no key facts: ${JSON.stringify(full.get(name))}`);
    return key;
  };

  before(async () => {
    // Both accounts through their audit roles, as a multi-account scan would run.
    both = await openSessions(options({ assumeRoles: [`arn:aws:iam::${PROD}:role/S3KmsAuditRole`, `arn:aws:iam::${DEV}:role/S3KmsAuditRole`] }));
    devOnly = await openSessions(options({ assumeRoles: [`arn:aws:iam::${DEV}:role/S3KmsAuditRole`] }));
    fullRun = collect();
    full = await drain(fullRun);
  });
  after(() => {
    for (const s of [...both, ...devOnly]) s.destroy();
  });

  it('yields every bucket of both accounts once, with its account and ARN', () => {
    expect(full.size).to.equal(sandbox.sb.estate.buckets.size);
    expect(full.get('prod-sse-s3')!.bucket).to.deep.include({ account: PROD, arn: 'arn:aws:s3:::prod-sse-s3' });
    expect(full.get('dev-cmk')!.bucket.account).to.equal(DEV);
    expect(fullRun.accounts).to.deep.equal([PROD, DEV]);
    expect([...fullRun.regions].sort()).to.deep.equal(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    expect(fullRun.errors).to.deep.equal([]);
    expect(fullRun.stats.buckets).to.equal(full.size);
    // Facts never carry credentials (they end up in reports).
    const text = JSON.stringify([...full.values()]);
    for (const a of sandbox.sb.accounts) expect(text).to.not.include(a.secretAccessKey).and.not.include(a.accessKeyId);
  });

  it('finds each bucket region, including the legacy EU constraint', () => {
    for (const [name, b] of sandbox.sb.estate.buckets) expect(full.get(name)!.bucket.region, name).to.equal(b.region);
    expect(full.get('prod-legacy-eu')!.bucket.region).to.equal('eu-west-1');
    expect(full.get('prod-ap-cmk')!.bucket.region).to.equal('ap-southeast-2');
  });

  it('finds the same regions through S3\'s redirect when the listed region is ignored, not with GetBucketLocation', async () => {
    const run = collect({ ignoreListedRegion: true, aspects: new Set<FactAspect>(['bucket.encryption']) });
    const located = await drain(run);
    for (const [name, b] of sandbox.sb.estate.buckets) expect(located.get(name)!.bucket.region, name).to.equal(b.region);
    const estate = [...sandbox.sb.estate.buckets.values()];
    // Each bucket's first call goes to the home region; one outside it is answered 301 and asked again there.
    const elsewhere = estate.filter((b) => b.region !== 'us-east-1').length;
    expect(run.stats.requests.GetBucketEncryption).to.equal(estate.length + elsewhere);
    // GetBucketLocation only where the first call failed for another reason (prod-access-denied's AccessDenied),
    // and that failure stays the bucket's fact, with its own cause.
    expect(run.stats.requests.GetBucketLocation).to.equal(1);
    expect(located.get('prod-access-denied')!.errors['bucket.encryption']).to.deep.include({ code: 'AccessDenied', operation: 'GetBucketEncryption' });
    expect(located.get('prod-access-denied')!.bucket.region).to.equal('us-east-1');
    expect(run.errors).to.deep.equal([]);
    // The sandbox really answers the legacy constraint, so the mapping was exercised.
    const answer = await both[0]!.s3('us-east-1').send(new GetBucketLocationCommand({ Bucket: 'prod-legacy-eu' }));
    expect(answer.LocationConstraint).to.equal('EU');
  });

  it('reads a bucket without default encryption as algorithm null, not as an error', () => {
    const legacy = full.get('prod-legacy-none')!;
    expect(legacy.bucket.encryption).to.deep.equal({ algorithm: null, bucketKeyEnabled: false });
    expect(legacy.key).to.equal(null);
    expect(legacy.errors).to.deep.equal({});
  });

  it('reads SSE-S3 with no key', () => {
    const ctx = full.get('prod-sse-s3')!;
    expect(ctx.bucket.encryption).to.deep.equal({ algorithm: 'AES256', bucketKeyEnabled: false });
    expect(ctx.key).to.equal(null);
  });

  it('reads tags, and no tag set as {}', () => {
    expect(full.get('prod-sse-s3')!.bucket.tags).to.deep.equal({ env: 'prod', owner: 'web' });
    expect(full.get('prod-legacy-eu')!.bucket.tags).to.deep.equal({});
    expect(full.get('prod-legacy-eu')!.errors).to.deep.equal({});
  });

  it('resolves an absent key id to the AWS managed aws/s3 key of the bucket account and region', () => {
    const key = keyOf('prod-aws-managed');
    expect(full.get('prod-aws-managed')!.bucket.encryption!.kmsKeyId).to.equal(undefined);
    expect(key).to.deep.include({ exists: true, manager: 'AWS', state: 'Enabled', account: PROD, region: 'us-east-1', ref: 'alias/aws/s3' });
    expect(key.aliases).to.deep.equal(['alias/aws/s3', `arn:aws:kms:us-east-1:${PROD}:alias/aws/s3`]);
    expect(key.rotationEnabled, 'rotation is not read for AWS managed keys').to.equal(undefined);
    // Named explicitly in another region, it is that region's own aws/s3 key.
    const eu = keyOf('prod-aws-s3-alias');
    expect(eu).to.deep.include({ manager: 'AWS', region: 'eu-west-1', account: PROD });
    expect(eu.arn).to.not.equal(key.arn);
    // Same account and region, same key.
    expect(keyOf('prod-pci-aws-managed').arn).to.equal(key.arn);
    expect(keyOf('dev-generated').account).to.equal(DEV);
  });

  it('resolves the four spellings of one CMK to the same key, with every alias and spelling', () => {
    const spelled = ['prod-cmk-by-id', 'prod-cmk-by-arn', 'prod-cmk-by-alias', 'prod-cmk-by-alias-arn'];
    const aliasArn = `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`;
    for (const name of spelled) {
      const key = keyOf(name);
      expect(key, name).to.deep.include({ exists: true, arn: PROD_DATA_ARN, id: PROD_DATA_ID, account: PROD, region: 'us-east-1', manager: 'CUSTOMER', state: 'Enabled', rotationEnabled: true });
      expect(key.aliases, name).to.deep.equal(['alias/prod-data', aliasArn]);
      expect(key.spellings, name).to.have.members([PROD_DATA_ID, PROD_DATA_ARN, 'alias/prod-data', aliasArn]);
      expect(key.ref, name).to.equal(full.get(name)!.bucket.encryption!.kmsKeyId);
    }
  });

  it('reports a key that does not exist as exists: false, where the spelling points', () => {
    const key = keyOf('prod-missing-key');
    const arn = `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000099`;
    expect(key).to.deep.include({ exists: false, arn, account: PROD, region: 'us-east-1', manager: null, state: null });
    expect(full.get('prod-missing-key')!.errors).to.deep.equal({});
  });

  it('reports a key in another region than its bucket with the key region', () => {
    const ctx = full.get('prod-key-other-region')!;
    expect(ctx.bucket.region).to.equal('eu-west-1');
    expect(ctx.key!.region).to.equal('us-east-1');
    expect(ctx.key!.arn).to.equal(PROD_DATA_ARN);
  });

  it('reports disabled and pending-deletion key states, with the rotation status KMS gives for each', () => {
    expect(keyOf('prod-disabled-key')).to.deep.include({ state: 'Disabled', manager: 'CUSTOMER', rotationEnabled: true });
    // Read, not assumed: KMS answers false for a key pending deletion (its rotation is on in the estate).
    expect(keyOf('prod-pending-deletion')).to.deep.include({ state: 'PendingDeletion', manager: 'CUSTOMER', rotationEnabled: false });
    expect(full.get('prod-pending-deletion')!.errors).to.deep.equal({});
    expect(keyOf('prod-rotation-off').rotationEnabled).to.equal(false);
  });

  it('reads DSSE with its key', () => {
    const ctx = full.get('prod-dsse')!;
    expect(ctx.bucket.encryption).to.deep.include({ algorithm: 'aws:kms:dsse', bucketKeyEnabled: false });
    expect(ctx.key!.arn).to.equal(PROD_DATA_ARN);
  });

  it('makes AccessDenied on GetBucketEncryption an error of the encryption and every key aspect', () => {
    const ctx = full.get('prod-access-denied')!;
    for (const aspect of ['bucket.encryption', 'key', 'key.rotation', 'key.aliases']) {
      expect(ctx.errors[aspect], aspect).to.deep.include({ code: 'AccessDenied', operation: 'GetBucketEncryption' });
      expect(ctx.bucket.errors[aspect], aspect).to.deep.include({ code: 'AccessDenied', operation: 'GetBucketEncryption' });
    }
    expect(ctx.bucket.encryption).to.equal(undefined);
    expect(ctx.key).to.equal(undefined);
    // Tags were still readable.
    expect(ctx.bucket.tags).to.deep.equal({ env: 'prod', owner: 'hr' });
    expect(ctx.errors['bucket.tags']).to.equal(undefined);
  });

  it('resolves a cross-account key in the key owner account', () => {
    const key = keyOf('dev-cross-account-key');
    expect(full.get('dev-cross-account-key')!.bucket.account).to.equal(DEV);
    expect(key).to.deep.include({ account: PROD, arn: PROD_DATA_ARN, manager: 'CUSTOMER', exists: true });
    expect(key.aliases).to.include('alias/prod-data');
  });

  it('describes a cross-account key without a session in its account, leaving unlistable aliases out', async () => {
    const run = collectBuckets({ sessions: devOnly, aspects: new Set<FactAspect>(['key', 'key.aliases']), concurrency: 4, prefilter: (b) => b.name === 'dev-cross-account-key' });
    const ctxs = await drain(run);
    expect([...ctxs.keys()]).to.deep.equal(['dev-cross-account-key']);
    const key = ctxs.get('dev-cross-account-key')!.key!;
    expect(key).to.deep.include({ account: PROD, arn: PROD_DATA_ARN, exists: true, manager: 'CUSTOMER' });
    expect(key.aliases).to.deep.equal([]);
    expect(run.stats.requests.ListAliases ?? 0, 'KMS lists only the caller account aliases').to.equal(0);
  });
});
