import { expect } from 'chai';
import type { PolicyFile } from '../../src/domain/policy.js';
import type { Rule } from '../../src/domain/rule.js';
import { aspectForPath, requiredAspects } from '../../src/engine/aspects.js';
import { parseRuleText } from '../../src/config/rules.js';
import { ConfigError, type ConfigProblem } from '../../src/domain/errors.js';

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
    expect(aspectForPath('key.aliases')).to.equal('key.aliases');
    expect(aspectForPath('key.aliases.0')).to.equal('key.aliases');
    expect(aspectForPath('key.spellings')).to.equal('key.aliases');
    expect(aspectForPath('key.arn')).to.equal('key');
    expect(aspectForPath('object.sse')).to.equal('object');
    expect(aspectForPath('bucketKey.arn')).to.equal('object.bucketKey');
    expect(aspectForPath('params.keys')).to.equal(null);
  });
});

describe('engine/aspects at load time: key.aliases', () => {
  const ruleText = (requires: string, assert: string, message: string): string =>
    ['id: r', 'resource: bucket', 'severity: low', 'title: t', 'description: d', `requires: ${requires}`, `assert: ${assert}`, `message: "${message}"`].join('\n') + '\n';
  const problems = (text: string): string[] => {
    try {
      parseRuleText(text, 'r.yaml');
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p: ConfigProblem) => `${p.line}:${p.column} ${p.message}`);
      throw e;
    }
  };
  const spellingsIn = '{ path: key.spellings, in: [alias/a] }';

  it('rejects a rule that reads key.spellings or key.aliases without requiring key.aliases', () => {
    expect(problems(ruleText('[key]', spellingsIn, '{{bucket.name}}'))).to.deep.equal([
      '7:17 the rule reads key.spellings but does not list "key.aliases" in requires, so the collector would not fetch it',
    ]);
    expect(problems(ruleText('[key]', '{ path: key.aliases, contains: alias/a }', '{{bucket.name}}'))).to.have.length(1);
    expect(problems(ruleText('[key, key.aliases]', spellingsIn, '{{bucket.name}}'))).to.deep.equal([]);
    // key.aliases implies the key itself.
    expect(problems(ruleText('[key.aliases]', '{ all: [ { path: key.manager, eq: CUSTOMER }, ' + spellingsIn + ' ] }', '{{bucket.name}}'))).to.deep.equal([]);
  });

  it('lets a message print a fact the rule does not require only with a fallback (messages never force a fetch)', () => {
    const cmkLike = (message: string): string[] => problems(ruleText('[key]', '{ path: key.manager, eq: CUSTOMER }', message));
    expect(cmkLike('{{bucket.name}} {{key.aliases|not listed}}')).to.deep.equal([]);
    expect(cmkLike('{{bucket.name}} {{key.arn}}')).to.deep.equal([]);
    const [problem, ...rest] = cmkLike('{{bucket.name}} {{key.aliases}}');
    expect(rest).to.deep.equal([]);
    expect(problem).to.contain('{{key.aliases}} prints a fact of "key.aliases", which the rule does not require').and.contain('give a fallback');
  });
});
