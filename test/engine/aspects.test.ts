import { expect } from 'chai';
import type { PolicyFile } from '../../src/domain/policy.js';
import type { Rule } from '../../src/domain/rule.js';
import { aspectForPath, requiredAspects } from '../../src/engine/aspects.js';

const rule = (id: string, resource: 'bucket' | 'object', requires: Rule['requires']): Rule => ({
  id,
  resource,
  severity: 'low',
  title: id,
  description: 'd',
  requires,
  assert: { path: 'bucket.name', exists: true },
  message: 'm',
});
const rules = new Map(
  [
    rule('enc', 'bucket', ['bucket.encryption']),
    rule('rot', 'bucket', ['bucket.encryption', 'key', 'key.rotation']),
    rule('obj', 'object', ['object', 'object.bucketKey']),
  ].map((r) => [r.id, r]),
);
const pf = (policies: PolicyFile['policies']): PolicyFile => ({ version: 1, path: 'p', sha256: 'x', policies, exceptions: [] });

describe('engine/aspects', () => {
  it('is the union of the enabled rules requires', () => {
    const file = pf([
      { name: 'a', resource: 'bucket', scope: {}, rules: [{ id: 'enc' }] },
      { name: 'b', resource: 'object', scope: {}, rules: [{ id: 'obj' }] },
    ]);
    expect([...requiredAspects(file, rules)].sort()).to.deep.equal(['bucket.encryption', 'object', 'object.bucketKey']);
    expect([...requiredAspects(file, rules, 'bucket')]).to.deep.equal(['bucket.encryption']);
  });

  it('adds bucket.tags when a policy scope uses tags, and only then', () => {
    const noTags = pf([{ name: 'a', resource: 'bucket', scope: { include: ['*'] }, rules: [{ id: 'rot' }] }]);
    expect(requiredAspects(noTags, rules).has('bucket.tags')).to.equal(false);
    const tags = pf([{ name: 'a', resource: 'bucket', scope: { tags: { env: 'prod' } }, rules: [{ id: 'enc' }] }]);
    expect([...requiredAspects(tags, rules)].sort()).to.deep.equal(['bucket.encryption', 'bucket.tags']);
  });

  it('maps fact paths to aspects', () => {
    expect(aspectForPath('bucket.encryption.algorithm')).to.equal('bucket.encryption');
    expect(aspectForPath('bucket.tags.env')).to.equal('bucket.tags');
    expect(aspectForPath('bucket.name')).to.equal(null);
    expect(aspectForPath('key.manager')).to.equal('key');
    expect(aspectForPath('key.rotationEnabled')).to.equal('key.rotation');
    expect(aspectForPath('object.sse')).to.equal('object');
    expect(aspectForPath('bucketKey.arn')).to.equal('object.bucketKey');
    expect(aspectForPath('params.keys')).to.equal(null);
  });
});
