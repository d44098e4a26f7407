/**
 * KeyResolver against the sandbox's KMS: spellings, the missing key, caching and shared in-flight calls,
 * which optional facts are read (aliases, rotation), and which aspect an error belongs to.
 */
import { expect } from 'chai';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import { KeyResolver } from '../../src/collect/keys.js';
import { newStats, type CollectStats } from '../../src/collect/stats.js';
import type { FactError, KeyFacts } from '../../src/domain/facts.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DATA_ID = '1111aaaa-0000-4000-8000-000000000001';
const DATA_ARN = `arn:aws:kms:us-east-1:${PROD}:key/${DATA_ID}`;

function asKey(v: KeyFacts | FactError): KeyFacts {
  if (!('exists' in v)) throw new Error(`expected KeyFacts, got error ${JSON.stringify(v)}`);
  return v;
}

describe('collect/keys: KeyResolver', function () {
  const sandbox = useSandbox();
  let prod: AccountSession;
  let stats: CollectStats;
  let resolver: KeyResolver;

  before(async () => {
    const a = accountOf(sandbox.sb, PROD);
    [prod] = (await openSessions({
      endpoint: sandbox.sb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      maxAttempts: 1,
    })) as [AccountSession];
  });
  after(() => prod.destroy());
  beforeEach(() => {
    stats = newStats();
    resolver = new KeyResolver((account) => (account === PROD ? prod : undefined), stats);
  });
  afterEach(() => sandbox.sb.setFaults({ throttleRate: 0, errorRate: 0 }));

  it('shares one DescribeKey among concurrent buckets using the same spelling', async () => {
    const keys = await Promise.all([1, 2, 3, 4, 5].map(() => resolver.resolve('alias/prod-data', PROD, 'us-east-1', { aliases: true })));
    for (const k of keys) expect(asKey(k).arn).to.equal(DATA_ARN);
    expect(stats.requests).to.deep.equal({ DescribeKey: 1, ListAliases: 1 });
  });

  it('lists the aliases of a region once, for every key in it', async () => {
    for (const s of ['alias/prod-data', 'alias/prod-norotate', 'alias/scratch']) await resolver.resolve(s, PROD, 'us-east-1', { aliases: true });
    await resolver.resolve('alias/prod-eu', PROD, 'eu-west-1', { aliases: true });
    // One paginated ListAliases per (account, region), not one per key.
    expect(stats.requests).to.deep.equal({ DescribeKey: 4, ListAliases: 2 });
    const scratch = asKey(await resolver.resolve('alias/scratch', PROD, 'us-east-1', { aliases: true }));
    expect(scratch.aliases).to.deep.equal(['alias/scratch', `arn:aws:kms:us-east-1:${PROD}:alias/scratch`]);
  });

  it('describes a key once when its ARN and an alias are first met at the same time, once the region\'s aliases are listed', async () => {
    // Another key of the region, with aliases wanted: the region's alias listing is now in hand.
    await resolver.resolve('alias/prod-norotate', PROD, 'us-east-1', { aliases: true });
    const before = stats.requests.DescribeKey ?? 0;
    const [byArn, byAlias] = await Promise.all([
      resolver.resolve(DATA_ARN, PROD, 'us-east-1', { aliases: true }),
      resolver.resolve('alias/prod-data', PROD, 'us-east-1', { aliases: true }),
    ]);
    expect(asKey(byArn).arn).to.equal(DATA_ARN);
    expect(asKey(byAlias).arn).to.equal(DATA_ARN);
    expect(asKey(byAlias).ref).to.equal('alias/prod-data');
    expect((stats.requests.DescribeKey ?? 0) - before).to.equal(1);
    expect(stats.requests.ListAliases).to.equal(1);
  });

  it('answers every other spelling of a known key from the cache', async () => {
    const spellings = [DATA_ID, DATA_ARN, 'alias/prod-data', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`];
    for (const s of spellings) {
      const key = asKey(await resolver.resolve(s, PROD, 'us-east-1', { rotation: true, aliases: true }));
      expect(key.arn, s).to.equal(DATA_ARN);
      expect(key.ref, s).to.equal(s);
      expect(key.rotationEnabled, s).to.equal(true);
    }
    expect(stats.requests).to.deep.equal({ DescribeKey: 1, ListAliases: 1, GetKeyRotationStatus: 1 });
    expect(stats.keysResolved).to.equal(1);
  });

  it('treats a key id as relative to the bucket region: the same id elsewhere is another (missing) key', async () => {
    const key = asKey(await resolver.resolve(DATA_ID, PROD, 'eu-west-1', {}));
    expect(key).to.deep.include({ exists: false, region: 'eu-west-1', arn: `arn:aws:kms:eu-west-1:${PROD}:key/${DATA_ID}` });
  });

  it('reports an alias that does not exist as a missing key at the alias ARN', async () => {
    const key = asKey(await resolver.resolve('alias/nope', PROD, 'us-east-1', { rotation: true, aliases: true }));
    expect(key).to.deep.include({ exists: false, manager: null, state: null, account: PROD, region: 'us-east-1', ref: 'alias/nope' });
    expect(key.arn).to.equal(`arn:aws:kms:us-east-1:${PROD}:alias/nope`);
    expect(key.aliases).to.deep.equal([]);
    expect(key.rotationEnabled).to.equal(undefined);
    expect(stats.requests).to.deep.equal({ DescribeKey: 1 });
  });

  it('resolves an absent key id to the aws/s3 key and never reads rotation of AWS managed keys', async () => {
    const key = asKey(await resolver.resolve(undefined, PROD, 'ap-southeast-2', { rotation: true, aliases: true }));
    expect(key).to.deep.include({ exists: true, manager: 'AWS', region: 'ap-southeast-2', ref: 'alias/aws/s3' });
    expect(key.spellings).to.include.members(['alias/aws/s3', `arn:aws:kms:ap-southeast-2:${PROD}:alias/aws/s3`, key.id, key.arn]);
    expect(stats.requests.GetKeyRotationStatus ?? 0).to.equal(0);
  });

  it('returns a DescribeKey FactError when KMS keeps failing', async () => {
    sandbox.sb.setFaults({ throttleRate: 1 });
    const err = await resolver.resolve('alias/scratch', PROD, 'us-east-1', {});
    expect(err).to.deep.include({ code: 'ThrottlingException', operation: 'DescribeKey' });
  });

  it('keeps the key when only its rotation status cannot be read, and says so separately', async () => {
    // Describe first (cached), then make KMS fail: only GetKeyRotationStatus is left to call.
    asKey(await resolver.resolve('alias/prod-norotate', PROD, 'us-east-1', {}));
    sandbox.sb.setFaults({ errorRate: 1 });
    const detailed = await resolver.resolveDetailed('alias/prod-norotate', PROD, 'us-east-1', { rotation: true });
    const key = asKey(detailed.key);
    expect(key.state).to.equal('Enabled');
    expect(key.rotationEnabled).to.equal(undefined);
    expect(detailed.rotation).to.deep.include({ code: 'KMSInternalException', operation: 'GetKeyRotationStatus' });
    // resolve() gives the same key with rotation left unknown.
    expect(asKey(await resolver.resolve('alias/prod-norotate', PROD, 'us-east-1', { rotation: true })).rotationEnabled).to.equal(undefined);
    expect(stats.requests.GetKeyRotationStatus).to.equal(1);
    expect(stats.requests.ListAliases ?? 0).to.equal(0);
  });

  it('lists aliases only when asked, and never for the spelling the bucket already used', async () => {
    const byAlias = asKey(await resolver.resolve('alias/prod-data', PROD, 'us-east-1', { rotation: true }));
    expect(stats.requests).to.deep.equal({ DescribeKey: 1, GetKeyRotationStatus: 1 });
    // What the bucket named is known without ListAliases; the key id and ARN come from DescribeKey.
    expect(byAlias.aliases).to.deep.equal(['alias/prod-data', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`]);
    expect(byAlias.spellings).to.have.members([DATA_ID, DATA_ARN, 'alias/prod-data', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`]);
    const byId = asKey(await resolver.resolve(DATA_ID, PROD, 'us-east-1', {}));
    expect(byId.aliases).to.deep.equal([]);
    expect(byId.spellings).to.have.members([DATA_ID, DATA_ARN]);
    expect(stats.requests.ListAliases ?? 0).to.equal(0);
    // Asked for: one ListAliases for the key, whatever spelling comes next.
    expect(asKey(await resolver.resolve(DATA_ID, PROD, 'us-east-1', { aliases: true })).aliases).to.deep.equal(['alias/prod-data', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`]);
    await resolver.resolve(DATA_ARN, PROD, 'us-east-1', { aliases: true });
    expect(stats.requests.ListAliases).to.equal(1);
  });

  it('makes a ListAliases failure its own error: the key is still known', async () => {
    // Describe first (cached), then make KMS fail: only ListAliases is left to call.
    asKey(await resolver.resolve('alias/scratch', PROD, 'us-east-1', {}));
    sandbox.sb.setFaults({ errorRate: 1 });
    const detailed = await resolver.resolveDetailed('alias/scratch', PROD, 'us-east-1', { aliases: true });
    expect(asKey(detailed.key)).to.deep.include({ exists: true, manager: 'CUSTOMER', state: 'Enabled' });
    expect(detailed.aliases).to.deep.include({ code: 'KMSInternalException', operation: 'ListAliases' });
    expect(detailed.rotation).to.equal(undefined);
    // resolve() has one answer to give: aliases were wanted and are unknown, so it is the error.
    expect(await resolver.resolve('alias/scratch', PROD, 'us-east-1', { aliases: true })).to.deep.include({ code: 'KMSInternalException', operation: 'ListAliases' });
    // ... and the legacy boolean form (rotation or not, aliases always) reads the same way.
    expect(await resolver.resolve('alias/scratch', PROD, 'us-east-1', false)).to.deep.include({ operation: 'ListAliases' });
  });

  it('reads the rotation status of a key pending deletion (KMS answers false) instead of leaving it unread', async () => {
    const detailed = await resolver.resolveDetailed('alias/prod-retired', PROD, 'us-east-1', { rotation: true });
    // The estate has rotation on for this key; KMS reports false while it is pending deletion.
    expect(asKey(detailed.key)).to.deep.include({ state: 'PendingDeletion', manager: 'CUSTOMER', rotationEnabled: false });
    expect(detailed.rotation).to.equal(undefined);
    expect(stats.requests.GetKeyRotationStatus).to.equal(1);
  });

  it('reads the rotation status of a disabled key (KMS keeps it)', async () => {
    expect(asKey(await resolver.resolve('alias/prod-disabled', PROD, 'us-east-1', { rotation: true }))).to.deep.include({ state: 'Disabled', rotationEnabled: true });
  });

  it('names the missing session when asked about an account it has none for', async () => {
    expect(await resolver.resolve('alias/x', '999999999999', 'us-east-1', {})).to.deep.include({ code: 'NoSession', operation: 'DescribeKey' });
  });
});
