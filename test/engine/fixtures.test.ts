import { expect } from 'chai';
import type { Rule, RuleFixture } from '../../src/domain/rule.js';
import { fixtureContext, keySpellings, runFixtures } from '../../src/engine/fixtures.js';

const rule: Rule = {
  id: 'enc',
  resource: 'bucket',
  severity: 'low',
  title: 'SSE-KMS',
  description: 'd',
  requires: ['bucket.encryption'],
  assert: { path: 'bucket.encryption.algorithm', eq: 'aws:kms' },
  message: '{{bucket.name}} uses {{bucket.encryption.algorithm}}',
};

describe('engine/fixtures: runFixtures', () => {
  it('reports each fixture with expected and actual status, and failures with an explanation', () => {
    const fixtures: RuleFixture[] = [
      { name: 'ok', facts: { bucket: { encryption: { algorithm: 'aws:kms', bucketKeyEnabled: false } } }, expect: 'pass' },
      { name: 'wrong expectation', facts: { bucket: { encryption: { algorithm: 'AES256', bucketKeyEnabled: false } } }, expect: 'pass' },
      { name: 'message mismatch', facts: { bucket: { encryption: { algorithm: 'AES256', bucketKeyEnabled: false } } }, expect: 'fail', messageIncludes: 'nope' },
    ];
    const results = runFixtures(new Map([['enc', rule]]), new Map([['enc', { file: 'enc.test.yaml', fixtures }]]));
    expect(results.map((r) => [r.name, r.expected, r.actual, r.passed])).to.deep.equal([
      ['ok', 'pass', 'pass', true],
      ['wrong expectation', 'pass', 'fail', false],
      ['message mismatch', 'fail', 'fail', false],
    ]);
    expect(results[1]!.message).to.equal('expected pass, got fail: example-bucket uses AES256');
    expect(results[2]!.message).to.match(/^message does not include "nope"/);
    expect(results[0]!.file).to.equal('enc.test.yaml');
  });

  it('reports fixtures of a rule that is not loaded as failed', () => {
    const results = runFixtures(new Map(), new Map([['ghost', { file: 'g.test.yaml', fixtures: [{ name: 'x', facts: {}, expect: 'pass' }] }]]));
    expect(results[0]!.passed).to.equal(false);
    expect(results[0]!.message).to.contain('no rule with id ghost');
  });

  it('fills fact defaults: bucket identity, key in the bucket account and region, all key spellings', () => {
    const ctx = fixtureContext({ name: 'x', facts: { bucket: { name: 'b1', region: 'eu-west-1' }, key: { aliases: ['alias/k'] } }, expect: 'pass' });
    expect(ctx.bucket.arn).to.equal('arn:aws:s3:::b1');
    expect(ctx.key?.region).to.equal('eu-west-1');
    expect(ctx.key?.manager).to.equal('CUSTOMER');
    expect(ctx.key?.spellings).to.include.members([
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'alias/k',
      'arn:aws:kms:eu-west-1:111122223333:alias/k',
    ]);
    expect(fixtureContext({ name: 'y', facts: {}, expect: 'pass' }).key).to.equal(null);
  });

  it('keeps bare spellings only for a key in the bucket account and region, as the collector does', () => {
    const otherAccount = fixtureContext({ name: 'a', facts: { key: { account: '444455556666', aliases: ['alias/prod-data'] } }, expect: 'pass' }).key!;
    expect(otherAccount.spellings).to.have.members([
      'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:us-east-1:444455556666:alias/prod-data',
    ]);
    expect(otherAccount.aliases).to.deep.equal(['alias/prod-data']);
    const otherRegion = fixtureContext({ name: 'r', facts: { bucket: { region: 'eu-west-1' }, key: { region: 'us-east-1', aliases: ['alias/prod-data'] } }, expect: 'pass' }).key!;
    expect(otherRegion.spellings).to.not.include('alias/prod-data').and.not.include('1234abcd-12ab-34cd-56ef-1234567890ab');
    // Spellings a fixture states itself follow the same rule: it cannot claim a match a scan would never see.
    const stated = fixtureContext({ name: 's', facts: { key: { account: '444455556666', spellings: ['alias/prod-data', 'arn:aws:kms:us-east-1:444455556666:alias/prod-data'] } }, expect: 'pass' }).key!;
    expect(stated.spellings).to.deep.equal(['arn:aws:kms:us-east-1:444455556666:alias/prod-data']);
  });

  it('builds spellings in the key partition', () => {
    const s = keySpellings({ id: 'abc', arn: 'arn:aws-cn:kms:cn-north-1:111122223333:key/abc', aliases: ['alias/x'], account: '111122223333', region: 'cn-north-1' });
    expect(s).to.include('arn:aws-cn:kms:cn-north-1:111122223333:alias/x');
  });
});
