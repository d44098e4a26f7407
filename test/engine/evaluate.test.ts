import { expect } from 'chai';
import type { FactContext } from '../../src/domain/facts.js';
import type { Rule } from '../../src/domain/rule.js';
import { evaluateRule } from '../../src/engine/evaluate.js';
import { fixtureBucket, fixtureKey } from '../../src/engine/fixtures.js';

function ctxWith(over: { encryption?: FactContext['bucket']['encryption']; key?: Parameters<typeof fixtureKey>[0]; errors?: FactContext['errors'] } = {}): FactContext {
  const bucket = fixtureBucket({
    name: 'prod-data',
    region: 'eu-west-1',
    encryption: over.encryption ?? { algorithm: 'aws:kms', kmsKeyId: 'alias/prod-data', bucketKeyEnabled: true },
  });
  return { bucket, key: fixtureKey(over.key === undefined ? { aliases: ['alias/prod-data'] } : over.key, bucket), errors: over.errors ?? {} };
}

const cmkRule: Rule = {
  id: 'test-cmk',
  resource: 'bucket',
  severity: 'high',
  title: 'Uses a customer managed key',
  description: 'd',
  requires: ['bucket.encryption', 'key'],
  when: { path: 'bucket.encryption.algorithm', in: ['aws:kms', 'aws:kms:dsse'] },
  assert: { path: 'key.manager', eq: 'CUSTOMER' },
  message: '{{bucket.name}} uses {{key.arn}} managed by {{key.manager}} in {{bucket.region}}; rotation {{key.rotationEnabled}}',
  passMessage: '{{bucket.name}} uses customer key {{key.aliases}}',
  skipMessage: '{{bucket.name}} is {{bucket.encryption.algorithm|unencrypted}}',
};

const allowedRule: Rule = {
  id: 'test-allowed',
  resource: 'bucket',
  severity: 'high',
  title: 'Approved key',
  description: 'd',
  requires: ['key'],
  params: { keys: { description: 'approved keys', required: true, type: 'array', format: 'kms-key' } },
  assert: { path: 'key.spellings', in: '{{keys}}' },
  message: '{{bucket.name}} key {{key.id}} is not one of {{keys}} (or {{params.keys}}); missing {{nothing.here}}',
};

describe('engine/evaluate: evaluateRule', () => {
  it('passes, with the pass message rendered from facts', () => {
    const out = evaluateRule(cmkRule, ctxWith({ key: { manager: 'CUSTOMER', aliases: ['alias/prod-data', 'alias/x'] } }), {});
    expect(out.status).to.equal('pass');
    expect(out.message).to.equal('prod-data uses customer key alias/prod-data, alias/x');
    expect(out.cause).to.equal(undefined);
  });

  it('fails, with the failure message rendered from facts (missing values read "(none)")', () => {
    const out = evaluateRule(cmkRule, ctxWith({ key: { manager: 'AWS' } }), {});
    expect(out.status).to.equal('fail');
    expect(out.message).to.equal(
      'prod-data uses arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab managed by AWS in eu-west-1; rotation (none)',
    );
  });

  it('collects the facts the rule read as evidence (missing ones as null)', () => {
    const out = evaluateRule(cmkRule, ctxWith({ key: { manager: 'AWS' } }), {});
    expect(out.evidence).to.deep.equal({ 'key.manager': 'AWS', 'bucket.encryption.algorithm': 'aws:kms' });
    const none = evaluateRule(cmkRule, ctxWith({ key: null }), {});
    expect(none.evidence['key.manager']).to.equal(null);
  });

  it('skips when `when` is false, with the skip message and its fallback text', () => {
    const out = evaluateRule(cmkRule, ctxWith({ encryption: { algorithm: null, bucketKeyEnabled: false }, key: null }), {});
    expect(out.status).to.equal('skip');
    expect(out.message).to.equal('prod-data is unencrypted');
  });

  it('picks the first message variant whose when holds, else the last (the default), for every outcome', () => {
    const rule: Rule = {
      ...cmkRule,
      message: [
        { when: { path: 'key.exists', eq: false }, text: '{{bucket.name}} names {{key.ref}}, which does not exist' },
        { when: { path: 'key.manager', eq: 'AWS' }, text: '{{bucket.name}} uses the AWS managed key {{key.arn}}' },
        { text: '{{bucket.name}} key {{key.arn}} is not customer managed' },
      ],
      passMessage: [{ when: { path: 'bucket.encryption.algorithm', eq: 'aws:kms:dsse' }, text: '{{bucket.name}} uses DSSE-KMS' }, { text: '{{bucket.name}} uses SSE-KMS' }],
      skipMessage: [{ when: { path: 'bucket.encryption.algorithm', exists: false }, text: '{{bucket.name}} has no default encryption' }, { text: '{{bucket.name}} uses {{bucket.encryption.algorithm}}' }],
    };
    const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(evaluateRule(rule, ctxWith({ key: { manager: 'AWS' } }), {}).message).to.equal(`prod-data uses the AWS managed key ${arn}`);
    expect(evaluateRule(rule, ctxWith({ key: { exists: false, ref: 'alias/gone' } }), {}).message).to.equal('prod-data names alias/gone, which does not exist');
    expect(evaluateRule(rule, ctxWith({ key: { manager: null } }), {}).message).to.equal(`prod-data key ${arn} is not customer managed`);
    expect(evaluateRule(rule, ctxWith({ key: { manager: 'CUSTOMER' } }), {}).message).to.equal('prod-data uses SSE-KMS');
    const dsse = { algorithm: 'aws:kms:dsse' as const, kmsKeyId: 'alias/prod-data', bucketKeyEnabled: false };
    expect(evaluateRule(rule, ctxWith({ encryption: dsse, key: { manager: 'CUSTOMER' } }), {}).message).to.equal('prod-data uses DSSE-KMS');
    expect(evaluateRule(rule, ctxWith({ encryption: { algorithm: null, bucketKeyEnabled: false }, key: null }), {}).message).to.equal('prod-data has no default encryption');
    expect(evaluateRule(rule, ctxWith({ encryption: { algorithm: 'AES256', bucketKeyEnabled: false }, key: null }), {}).message).to.equal('prod-data uses AES256');
  });

  it('skips with a default message when the rule has no skipMessage', () => {
    const { skipMessage: _omit, ...rule } = cmkRule;
    const out = evaluateRule(rule, ctxWith({ encryption: { algorithm: 'AES256', bucketKeyEnabled: false }, key: null }), {});
    expect(out.status).to.equal('skip');
    expect(out.message).to.equal('prod-data: not applicable (Uses a customer managed key)');
  });

  it('uses the title as pass message when the rule has none', () => {
    const { passMessage: _omit, ...rule } = cmkRule;
    expect(evaluateRule(rule, ctxWith({ key: { manager: 'CUSTOMER' } }), {}).message).to.equal('prod-data: Uses a customer managed key');
  });

  it('reads params by bare name and as params.NAME, in conditions and messages', () => {
    const params = { keys: ['alias/other', 'alias/more'] };
    const out = evaluateRule(allowedRule, ctxWith(), params);
    expect(out.status).to.equal('fail');
    expect(out.message).to.equal(
      'prod-data key 1234abcd-12ab-34cd-56ef-1234567890ab is not one of alias/other, alias/more (or alias/other, alias/more); missing (none)',
    );
    expect(out.evidence.params).to.deep.equal(params);
    expect(evaluateRule(allowedRule, ctxWith(), { keys: ['alias/prod-data'] }).status).to.equal('pass');
  });

  describe('unreadable facts', () => {
    const denied = { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' };

    it('a required aspect in ctx.errors makes the outcome error with that cause', () => {
      const out = evaluateRule(cmkRule, ctxWith({ errors: { 'bucket.encryption': denied } }), {});
      expect(out.status).to.equal('error');
      expect(out.cause).to.deep.equal(denied);
      expect(out.message).to.contain('GetBucketEncryption failed with AccessDenied');
    });

    it('is checked before `when`, so an unknown fact never becomes a skip', () => {
      const ctx = ctxWith({ encryption: { algorithm: 'AES256', bucketKeyEnabled: false }, errors: { key: { code: 'Throttling', operation: 'DescribeKey', message: 'Rate exceeded' } } });
      expect(evaluateRule(cmkRule, ctx, {}).status).to.equal('error');
    });

    it('an error on an aspect the rule does not require has no effect', () => {
      const ctx = ctxWith({ key: { manager: 'CUSTOMER' }, errors: { 'bucket.tags': { code: 'AccessDenied', operation: 'GetBucketTagging', message: 'x' } } });
      expect(evaluateRule(cmkRule, ctx, {}).status).to.equal('pass');
    });

    it('an error on a parent aspect covers its parts (key → key.rotation)', () => {
      const rule: Rule = { ...cmkRule, requires: ['key.rotation'], when: undefined, assert: { path: 'key.rotationEnabled', eq: true } };
      delete rule.when;
      const ctx = ctxWith({ errors: { key: { code: 'NotAuthorized', operation: 'DescribeKey', message: 'no' } } });
      const out = evaluateRule(rule, ctx, {});
      expect(out.status).to.equal('error');
      expect(out.cause?.operation).to.equal('DescribeKey');
    });

    it('errors recorded on the bucket facts count too', () => {
      const ctx = ctxWith();
      ctx.bucket.errors['bucket.encryption'] = denied;
      expect(evaluateRule(cmkRule, ctx, {}).status).to.equal('error');
    });

    it('a condition that cannot be evaluated (bad regex from a param) is an error, not a fail', () => {
      const rule: Rule = {
        ...allowedRule,
        params: { pattern: { description: 'p' } },
        assert: { path: 'bucket.name', regex: '{{pattern}}' },
      };
      const out = evaluateRule(rule, ctxWith(), { pattern: '(' });
      expect(out.status).to.equal('error');
      expect(out.cause?.code).to.equal('RuleError');
      expect(out.message).to.match(/invalid regex/);
    });
  });
});
