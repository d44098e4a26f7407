import { expect } from 'chai';
import type { FactContext } from '../../src/domain/facts.js';
import type { PolicyFile } from '../../src/domain/policy.js';
import type { Rule } from '../../src/domain/rule.js';
import type { RuleSet } from '../../src/domain/rule.js';
import { evaluateResource, findingId } from '../../src/engine/evaluate.js';
import { fixtureBucket, fixtureKey } from '../../src/engine/fixtures.js';

const sseRule: Rule = {
  id: 'sse-kms',
  resource: 'bucket',
  severity: 'high',
  title: 'SSE-KMS',
  description: 'd',
  requires: ['bucket.encryption'],
  assert: { path: 'bucket.encryption.algorithm', in: ['aws:kms', 'aws:kms:dsse'] },
  message: '{{bucket.name}} uses {{bucket.encryption.algorithm|nothing}}',
};
const bucketKeyRule: Rule = {
  id: 'bucket-key',
  resource: 'bucket',
  severity: 'low',
  title: 'Bucket key',
  description: 'd',
  requires: ['bucket.encryption'],
  when: { path: 'bucket.encryption.algorithm', eq: 'aws:kms' },
  assert: { path: 'bucket.encryption.bucketKeyEnabled', eq: true },
  message: '{{bucket.name}} has no bucket key',
};
const objectRule: Rule = {
  id: 'object-sse',
  resource: 'object',
  severity: 'medium',
  title: 'Object SSE-KMS',
  description: 'd',
  requires: ['object'],
  assert: { path: 'object.sse', eq: 'aws:kms' },
  message: '{{object.key}} is {{object.sse|unencrypted}}',
};
const rules: RuleSet = new Map([sseRule, bucketKeyRule, objectRule].map((r) => [r.id, r]));

function policyFile(over: Partial<PolicyFile> = {}): PolicyFile {
  return {
    version: 1,
    path: 'policies.yaml',
    sha256: 'x',
    policies: [
      { name: 'kms', resource: 'bucket', scope: {}, rules: [{ id: 'sse-kms' }, { id: 'bucket-key', severity: 'medium' }] },
      { name: 'prod-only', resource: 'bucket', scope: { tags: { env: 'prod' } }, rules: [{ id: 'sse-kms', severity: 'critical' }] },
      { name: 'objects', resource: 'object', scope: {}, rules: [{ id: 'object-sse' }] },
    ],
    exceptions: [],
    ...over,
  };
}

function bucketCtx(name: string, algorithm: 'AES256' | 'aws:kms' | null, tags: Record<string, string> = {}): FactContext {
  const bucket = fixtureBucket({ name, tags, encryption: { algorithm, bucketKeyEnabled: false } });
  return { bucket, key: algorithm === 'aws:kms' ? fixtureKey({}, bucket) : null, errors: {} };
}

const now = new Date('2026-06-01T00:00:00Z');

describe('engine/evaluate: evaluateResource', () => {
  it('one finding per (policy, rule) whose scope covers the bucket, with ids, severities and resource refs', () => {
    const findings = evaluateResource(policyFile(), rules, bucketCtx('web-assets', 'AES256'), now);
    expect(findings.map((f) => [f.policy, f.rule, f.status, f.severity])).to.deep.equal([
      ['kms', 'sse-kms', 'fail', 'high'],
      ['kms', 'bucket-key', 'skip', 'medium'], // policy override of the rule's default (low)
    ]);
    const f = findings[0]!;
    expect(f.id).to.equal(findingId('111122223333', 'arn:aws:s3:::web-assets', 'kms', 'sse-kms'));
    expect(f.resource).to.deep.equal({ type: 'bucket', arn: 'arn:aws:s3:::web-assets', account: '111122223333', region: 'us-east-1', bucket: 'web-assets' });
    expect(f.message).to.equal('web-assets uses AES256');
    expect(f.evidence).to.deep.equal({ 'bucket.encryption.algorithm': 'AES256' });
  });

  it('applies tag-scoped policies only to matching buckets, with their severity override', () => {
    const findings = evaluateResource(policyFile(), rules, bucketCtx('prod-data', null, { env: 'prod' }), now);
    expect(findings.map((f) => `${f.policy}/${f.rule}/${f.status}/${f.severity}`)).to.deep.equal([
      'kms/sse-kms/fail/high',
      'kms/bucket-key/skip/medium',
      'prod-only/sse-kms/fail/critical',
    ]);
  });

  it('makes every rule of a tag-scoped policy `error` when the tags could not be read (fail closed)', () => {
    const ctx = bucketCtx('prod-data', 'aws:kms');
    const denied = { code: 'AccessDenied', operation: 'GetBucketTagging', message: 'Access Denied' };
    ctx.bucket.errors['bucket.tags'] = denied;
    ctx.errors['bucket.tags'] = denied;
    const findings = evaluateResource(policyFile(), rules, ctx, now);
    const prod = findings.filter((f) => f.policy === 'prod-only');
    expect(prod).to.have.length(1);
    expect(prod[0]!.status).to.equal('error');
    expect(prod[0]!.cause).to.deep.equal(denied);
    expect(prod[0]!.message).to.contain('scopes by tags');
    // Policies that do not use tags are unaffected.
    expect(findings.filter((f) => f.policy === 'kms').map((f) => f.status)).to.deep.equal(['pass', 'fail']);
  });

  it('evaluates object policies for object contexts only, with object resource refs', () => {
    const ctx = bucketCtx('prod-data', 'aws:kms');
    ctx.object = { bucket: 'prod-data', key: 'a/b.txt', size: 1, lastModified: '2024-01-01T00:00:00Z', sse: 'AES256', bucketKeyEnabled: false, errors: {} };
    const findings = evaluateResource(policyFile(), rules, ctx, now);
    expect(findings.map((f) => f.rule)).to.deep.equal(['object-sse']);
    expect(findings[0]!.resource).to.deep.equal({
      type: 'object',
      arn: 'arn:aws:s3:::prod-data/a/b.txt',
      account: '111122223333',
      region: 'us-east-1',
      bucket: 'prod-data',
      key: 'a/b.txt',
    });
    expect(findings[0]!.message).to.equal('a/b.txt is AES256');
  });

  it('gives distinct ids to object versions and the same id across runs', () => {
    const mk = (versionId?: string) => {
      const ctx = bucketCtx('prod-data', 'aws:kms');
      ctx.object = { bucket: 'prod-data', key: 'k', size: 1, lastModified: '2024-01-01T00:00:00Z', sse: 'AES256', bucketKeyEnabled: false, errors: {}, ...(versionId ? { versionId } : {}) };
      return evaluateResource(policyFile(), rules, ctx, now)[0]!.id;
    };
    expect(mk('v1')).to.not.equal(mk('v2'));
    expect(mk('v1')).to.equal(mk('v1'));
    expect(mk('null')).to.equal(mk());
  });

  describe('exceptions', () => {
    const exceptions = [
      { resource: 'web-*', rules: ['sse-kms'], policies: ['kms'], reason: 'CDN origin needs SSE-S3', expires: '2026-12-31' },
      { resource: 'old-*', reason: 'being migrated', expires: '2026-01-15' },
    ];

    it('an active exception turns fail into excepted and keeps the reason', () => {
      const [f] = evaluateResource(policyFile({ exceptions }), rules, bucketCtx('web-assets', 'AES256'), now);
      expect(f!.status).to.equal('excepted');
      expect(f!.exception).to.deep.equal({ reason: 'CDN origin needs SSE-S3', expires: '2026-12-31', expired: false });
      expect(f!.message).to.equal('web-assets uses AES256 (excepted until 2026-12-31: CDN origin needs SSE-S3)');
    });

    it('an expired exception leaves the fail and says it expired on its date', () => {
      const [f] = evaluateResource(policyFile({ exceptions }), rules, bucketCtx('old-reports', 'AES256'), now);
      expect(f!.status).to.equal('fail');
      expect(f!.exception).to.deep.equal({ reason: 'being migrated', expires: '2026-01-15', expired: true });
      expect(f!.message).to.contain('exception expired on 2026-01-15');
    });

    it('an exception for another rule or policy has no effect', () => {
      const ctx = bucketCtx('web-assets', 'aws:kms');
      const findings = evaluateResource(policyFile({ exceptions }), rules, ctx, now);
      const bucketKey = findings.find((f) => f.rule === 'bucket-key')!;
      expect(bucketKey.status).to.equal('fail'); // exception lists only sse-kms
      expect(bucketKey.exception).to.equal(undefined);
      const prod = evaluateResource(policyFile({ exceptions }), rules, bucketCtx('web-prod', 'AES256', { env: 'prod' }), now);
      expect(prod.find((f) => f.policy === 'prod-only')!.status).to.equal('fail'); // exception lists only policy kms
      expect(prod.find((f) => f.policy === 'kms' && f.rule === 'sse-kms')!.status).to.equal('excepted');
    });

    it('never turns an error into excepted, and leaves pass and skip alone', () => {
      const ctx = bucketCtx('web-assets', 'AES256');
      ctx.errors['bucket.encryption'] = { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'x' };
      const all = [{ resource: '*', reason: 'everything' }];
      const findings = evaluateResource(policyFile({ exceptions: all }), rules, ctx, now);
      expect(findings.map((f) => f.status)).to.deep.equal(['error', 'error']);
      expect(findings.every((f) => f.exception === undefined)).to.equal(true);
      const ok = evaluateResource(policyFile({ exceptions: all }), rules, bucketCtx('x', 'AES256'), now);
      expect(ok.map((f) => f.status)).to.deep.equal(['excepted', 'skip']);
    });
  });

  it('an unknown rule id (not loaded) becomes an error finding rather than being dropped', () => {
    const pf = policyFile({ policies: [{ name: 'p', resource: 'bucket', scope: {}, rules: [{ id: 'nope' }] }] });
    const [f] = evaluateResource(pf, rules, bucketCtx('b', 'AES256'), now);
    expect(f!.status).to.equal('error');
    expect(f!.cause?.code).to.equal('UnknownRule');
  });
});

describe('engine/evaluate: findingId', () => {
  it('is the first 32 hex chars of sha256(account\\narn\\npolicy\\nrule)', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update('111122223333\narn:aws:s3:::b\np\nr').digest('hex').slice(0, 32);
    expect(findingId('111122223333', 'arn:aws:s3:::b', 'p', 'r')).to.equal(expected);
    expect(expected).to.match(/^[0-9a-f]{32}$/);
  });

  it('differs when any part differs, and cannot be forged by moving text between parts', () => {
    const base = findingId('111122223333', 'arn:aws:s3:::b', 'p', 'r');
    expect(findingId('444455556666', 'arn:aws:s3:::b', 'p', 'r')).to.not.equal(base);
    expect(findingId('111122223333', 'arn:aws:s3:::c', 'p', 'r')).to.not.equal(base);
    expect(findingId('111122223333', 'arn:aws:s3:::b', 'q', 'r')).to.not.equal(base);
    expect(findingId('111122223333', 'arn:aws:s3:::b', 'p', 's')).to.not.equal(base);
    expect(findingId('a', 'bc', 'p', 'r')).to.not.equal(findingId('ab', 'c', 'p', 'r'));
  });
});
