import { expect } from 'chai';
import { UsageError } from '../../src/domain/errors.js';
import { ownsBucket, parseShardRequest, resolveShard, rulesDigest, runKeyOf, shardOfBucket, type RunIdentity } from '../../src/domain/shard.js';

describe('domain/shard: --shard I/N, auto/N and bucket ownership', () => {
  it('parses I/N (1-based) and auto/N', () => {
    expect(parseShardRequest('1/1', '--shard')).to.deep.equal({ index: 1, count: 1 });
    expect(parseShardRequest('7/7', '--shard')).to.deep.equal({ index: 7, count: 7 });
    expect(parseShardRequest('auto/4', '--shard')).to.deep.equal({ index: 'auto', count: 4 });
  });

  for (const bad of ['0/3', '4/3', '1/0', '3', '1/3/2', 'a/3', '-1/3', '1.5/3', '1/1001', '', 'auto/0', 'AUTO/3']) {
    it(`refuses ${JSON.stringify(bad)} with a usage error naming the flag`, () => {
      expect(() => parseShardRequest(bad, '--shard')).to.throw(UsageError, /^--shard: expected I\/N/);
    });
  }

  it('auto/N reads JOB_COMPLETION_INDEX (0-based) as I = index + 1', () => {
    expect(resolveShard({ index: 'auto', count: 3 }, { JOB_COMPLETION_INDEX: '0' })).to.deep.equal({ index: 1, count: 3 });
    expect(resolveShard({ index: 'auto', count: 3 }, { JOB_COMPLETION_INDEX: '2' })).to.deep.equal({ index: 3, count: 3 });
  });

  it('an explicit I/N ignores JOB_COMPLETION_INDEX (never sharded by a stray variable)', () => {
    expect(resolveShard({ index: 2, count: 3 }, { JOB_COMPLETION_INDEX: '0' })).to.deep.equal({ index: 2, count: 3 });
  });

  for (const [value, expected] of [
    [undefined, /JOB_COMPLETION_INDEX is not set/],
    ['', /JOB_COMPLETION_INDEX is not set/],
    ['3', /JOB_COMPLETION_INDEX="3" is not an index 0\.\.2/],
    ['-1', /is not an index 0\.\.2/],
    ['1x', /is not an index 0\.\.2/],
  ] as const) {
    it(`auto/3 with JOB_COMPLETION_INDEX=${JSON.stringify(value)} is a usage error`, () => {
      const env = value === undefined ? {} : { JOB_COMPLETION_INDEX: value };
      expect(() => resolveShard({ index: 'auto', count: 3 }, env)).to.throw(UsageError, expected);
    });
  }

  it('the owner of a bucket is fixed: SHA-256(account NUL bucket), first 4 bytes big-endian, mod N, plus 1', () => {
    // Pinned: SHA-256("111122223333\0prod-data") starts b6f8…, 3069732051 as a big-endian uint32. Changing the
    // hash would make two tool versions split an estate differently.
    expect([1, 2, 3, 7, 100].map((n) => shardOfBucket('111122223333', 'prod-data', n))).to.deep.equal([1, 2, 1, 2, 52]);
    expect(3069732051 % 100).to.equal(51);
    expect(shardOfBucket('111122223333', 'ab', 5)).to.equal(shardOfBucket('111122223333', 'ab', 5));
  });

  it('each bucket has exactly one owner among the N shards', () => {
    for (const n of [1, 2, 3, 7]) {
      for (const bucket of ['a', 'b', 'logs', 'prod-data']) {
        const owners = Array.from({ length: n }, (_, i) => i + 1).filter((index) => ownsBucket({ index, count: n }, '444455556666', bucket));
        expect(owners).to.have.length(1);
      }
    }
  });

  it('one huge account is spread over every shard (hashing by account would put it on one)', () => {
    const perShard = new Array<number>(7).fill(0);
    for (let i = 0; i < 7000; i++) perShard[shardOfBucket('111122223333', `bucket-${i}`, 7) - 1]!++;
    for (const n of perShard) expect(n).to.be.within(850, 1150);
  });

  it('the run key changes with each thing the parts of a run share', () => {
    const base: RunIdentity = { toolVersion: '1.0.0', policyFileSha256: 'a'.repeat(64), rulesSha256: 'b'.repeat(64), count: 3, accounts: ['1', '2'], homeRegion: 'us-east-1' };
    const key = runKeyOf(base);
    expect(runKeyOf({ ...base, accounts: ['2', '1'] })).to.equal(key);
    for (const change of [{ toolVersion: '1.0.1' }, { policyFileSha256: 'c'.repeat(64) }, { rulesSha256: 'd'.repeat(64) }, { count: 4 }, { accounts: ['1'] }, { homeRegion: 'eu-west-1' }, { endpoint: 'http://x' }, { runId: 'ci-1' }]) {
      expect(runKeyOf({ ...base, ...change }), JSON.stringify(change)).to.not.equal(key);
    }
  });

  it('the rules digest ignores where the rules were loaded from and their order, not their content', () => {
    const a = { id: 'r1', title: 'x', source: '/a/r1.yaml' };
    const b = { id: 'r2', title: 'y', source: '/a/r2.yaml' };
    expect(rulesDigest([a, b])).to.equal(rulesDigest([{ ...b, source: '/b/r2.yaml' }, { ...a, source: '/b/r1.yaml' }]));
    expect(rulesDigest([a, b])).to.not.equal(rulesDigest([a, { ...b, title: 'z' }]));
  });
});

