import { expect } from 'chai';
import { bucketInScope, type ScopedBucket } from '../../src/engine/scope.js';

const bucket = (over: Partial<ScopedBucket> = {}): ScopedBucket => ({
  name: 'prod-data',
  region: 'eu-west-1',
  account: '111122223333',
  tags: { env: 'production', team: 'data' },
  errors: {},
  ...over,
});

describe('engine/scope: bucketInScope', () => {
  it('an empty scope covers every bucket', () => {
    expect(bucketInScope({}, bucket())).to.equal(true);
    expect(bucketInScope({ include: [] }, bucket())).to.equal(true);
  });

  it('include globs: any must match the bucket name', () => {
    expect(bucketInScope({ include: ['dev-*', 'prod-*'] }, bucket())).to.equal(true);
    expect(bucketInScope({ include: ['dev-*'] }, bucket())).to.equal(false);
  });

  it('exclude globs win over include', () => {
    expect(bucketInScope({ include: ['*'], exclude: ['*-data'] }, bucket())).to.equal(false);
    expect(bucketInScope({ include: ['*'], exclude: ['*-tmp-*'] }, bucket())).to.equal(true);
  });

  it('regions and accounts are exact lists', () => {
    expect(bucketInScope({ regions: ['eu-west-1', 'us-east-1'] }, bucket())).to.equal(true);
    expect(bucketInScope({ regions: ['us-east-1'] }, bucket())).to.equal(false);
    expect(bucketInScope({ accounts: ['111122223333'] }, bucket())).to.equal(true);
    expect(bucketInScope({ accounts: ['444455556666'] }, bucket())).to.equal(false);
  });

  it('tags: every listed tag must be present with a value matching its glob', () => {
    expect(bucketInScope({ tags: { env: 'prod*' } }, bucket())).to.equal(true);
    expect(bucketInScope({ tags: { env: 'prod*', team: 'data' } }, bucket())).to.equal(true);
    expect(bucketInScope({ tags: { env: 'prod*', team: 'web' } }, bucket())).to.equal(false);
    expect(bucketInScope({ tags: { owner: '*' } }, bucket())).to.equal(false);
    expect(bucketInScope({ tags: { env: 'prod*' } }, bucket({ tags: {} }))).to.equal(false);
  });

  it("is 'unknown' when the scope uses tags that could not be read", () => {
    const unreadable = bucket({ tags: {}, errors: { 'bucket.tags': { code: 'AccessDenied', operation: 'GetBucketTagging', message: 'x' } } });
    expect(bucketInScope({ tags: { env: 'prod*' } }, unreadable)).to.equal('unknown');
  });

  it('unreadable tags do not matter when the scope does not use tags, or excludes the bucket anyway', () => {
    const unreadable = bucket({ errors: { 'bucket.tags': { code: 'AccessDenied', operation: 'GetBucketTagging', message: 'x' } } });
    expect(bucketInScope({ include: ['prod-*'] }, unreadable)).to.equal(true);
    expect(bucketInScope({ include: ['dev-*'], tags: { env: 'prod*' } }, unreadable)).to.equal(false);
    expect(bucketInScope({ regions: ['us-east-1'], tags: { env: 'prod*' } }, unreadable)).to.equal(false);
  });
});
