/**
 * Outcomes from per-tuple templates give the same findings, byte for byte, as evaluating each object: over
 * every kind of object an audit meets (SSE-S3, NOT-SSE, SSE-KMS with and without a Bucket Key, DSSE, SSE-C,
 * versions, unreadable facts, key facts), keys that JSON must escape, and exceptions that match by key glob.
 */
import { expect } from 'chai';
import { parsePolicyFile } from '../../src/config/policies.js';
import { loadRules } from '../../src/config/rules.js';
import type { BucketFacts, FactContext, KeyFacts, ObjectEncryption, ObjectFacts } from '../../src/domain/facts.js';
import type { RuleSet } from '../../src/domain/rule.js';
import { evaluateResource } from '../../src/engine/evaluate.js';
import { builtinRulesDir } from '../../src/paths.js';
import { cacheableGroup, ObjectOutcomeCache } from '../../src/run/object-outcome-cache.js';

const NOW = new Date('2026-06-01T00:00:00Z');

const POLICY = `version: 1
policies:
  - name: objects
    resource: object
    objects: { mode: inventory }
    rules:
      - s3-object-sse-kms
      - s3-object-cmk
      - s3-object-matches-bucket-key
      - id: s3-object-allowed-keys
        params: { keys: [alias/prod-data] }
  - name: scoped
    resource: object
    scope: { include: ["tpl-*"] }
    objects: { mode: inventory }
    rules: [s3-object-sse-kms]
exceptions:
  - resource: "arn:aws:s3:::tpl-bucket/legacy/*"
    reason: legacy uploads, re-encrypted next quarter
    expires: "2027-01-01"
    rules: [s3-object-sse-kms]
  - resource: "arn:aws:s3:::tpl-bucket/old/*"
    reason: an exception that has run out
    expires: "2026-01-01"
  - resource: "arn:aws:s3:::tpl-bucket/*\\"*"
    reason: keys with a quote
    policies: [scoped]
`;

const bucket: BucketFacts = {
  arn: 'arn:aws:s3:::tpl-bucket',
  name: 'tpl-bucket',
  account: '111122223333',
  region: 'us-east-1',
  tags: {},
  encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/prod-data', bucketKeyEnabled: true },
  errors: {},
};

function keyFacts(id: string, alias: string): KeyFacts {
  const arn = `arn:aws:kms:us-east-1:111122223333:key/${id}`;
  return {
    exists: true,
    ref: alias,
    arn,
    id,
    account: '111122223333',
    region: 'us-east-1',
    aliases: [alias],
    manager: 'CUSTOMER',
    state: 'Enabled',
    spellings: [arn, id, alias, `arn:aws:kms:us-east-1:111122223333:${alias}`],
  };
}
const prodKey = keyFacts('1111aaaa-0000-4000-8000-0000000000a1', 'alias/prod-data');
const scratchKey = keyFacts('1111aaaa-0000-4000-8000-0000000000a2', 'alias/scratch');

const KEYS = [
  'reports/2025/q1.csv',
  'legacy/a "quoted" name.bin',
  'old/line\nbreak.txt',
  'unicode/é/日本/🙂.txt',
  'ctl/\u0001\u001f\\back\\slash\t.txt',
  'plus+and%25percent',
  '</script>\u2028\u2029',
];

function object(key: string, sse: ObjectEncryption | null, extra: Partial<ObjectFacts> = {}): ObjectFacts {
  return { bucket: bucket.name, key, size: 10, lastModified: '2026-01-01T00:00:00.000Z', etag: '"abc"', sse, bucketKeyEnabled: false, errors: {}, ...extra };
}

/** Every kind of object context an object audit builds, for every key. */
function contexts(): FactContext[] {
  const out: FactContext[] = [];
  for (const key of KEYS) {
    const kinds: [ObjectFacts, Partial<FactContext>][] = [
      [object(key, 'AES256'), {}],
      [object(key, null), {}],
      [object(key, 'SSE-C'), {}],
      [object(key, 'aws:kms', { bucketKeyEnabled: true }), { key: prodKey, bucketKey: prodKey }],
      [object(key, 'aws:kms'), { key: scratchKey, bucketKey: prodKey }],
      // HeadObject gives the key id (full, sample, incremental modes); two spellings of one key share its facts.
      [object(key, 'aws:kms', { kmsKeyId: prodKey.arn, bucketKeyEnabled: true }), { key: prodKey, bucketKey: prodKey }],
      [object(key, 'aws:kms', { kmsKeyId: 'alias/prod-data', bucketKeyEnabled: true }), { key: prodKey, bucketKey: prodKey }],
      [object(key, 'aws:kms', { kmsKeyId: scratchKey.id }), { key: scratchKey, bucketKey: prodKey }],
      [object(key, 'aws:kms:dsse'), { errors: { key: { code: 'KeyNotInInventory', operation: 'S3Inventory', message: 'not read' } }, bucketKey: prodKey }],
      [object(key, 'AES256', { versionId: 'null', isLatest: true }), {}],
      [object(key, 'AES256', { versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY', isLatest: false }), {}],
      [object(key, 'aws:kms', { versionId: 'v"2\n', isLatest: true, bucketKeyEnabled: true }), { key: prodKey, bucketKey: prodKey }],
      [object(key, null, { errors: { object: { code: 'UnknownEncryptionStatus', operation: 'S3Inventory', message: 'the report gives "X"' } } }), {}],
    ];
    for (const [o, rest] of kinds) {
      const ctx: FactContext = { bucket, object: o, errors: { ...o.errors, ...(rest.errors ?? {}) } };
      if (o.sse === null || o.sse === 'AES256' || o.sse === 'SSE-C') ctx.key = null;
      if (rest.key !== undefined) ctx.key = rest.key;
      if (rest.bucketKey !== undefined) ctx.bucketKey = rest.bucketKey;
      out.push(ctx);
    }
  }
  return out;
}

describe('object outcomes from per-tuple templates', () => {
  let rules: RuleSet;
  before(() => {
    rules = loadRules([builtinRulesDir()]);
  });

  it('give each object the same JSONL bytes and findings as evaluating it alone', () => {
    const pf = parsePolicyFile(POLICY, 'templates.yaml', rules);
    expect(cacheableGroup(pf, rules)).to.equal(true);
    const cache = new ObjectOutcomeCache(pf, rules, NOW);
    const seen = new Set<string>();
    // Twice over: the first object of a tuple builds its templates, the rest are spliced from them.
    for (const round of [1, 2]) {
      for (const ctx of contexts()) {
        const generic = evaluateResource(pf, rules, ctx, NOW);
        const templated = cache.evaluate(ctx, {});
        expect(templated, `${round}: ${ctx.object!.key}`).to.not.equal(undefined);
        expect(templated!.lines).to.deep.equal(generic.map((f) => JSON.stringify(f)));
        for (const [i, f] of generic.entries()) {
          seen.add(f.status);
          const t = templated!.findings[i]!;
          expect([t.status, t.severity, t.policy, t.rule]).to.deep.equal([f.status, f.severity, f.policy, f.rule]);
          if (f.status !== 'pass' && f.status !== 'skip') expect(JSON.stringify(t)).to.equal(JSON.stringify(f));
        }
        const fails = generic.some((f) => f.status === 'fail');
        expect(templated!.failing !== undefined, ctx.object!.key).to.equal(fails);
        if (fails) expect(templated!.failing).to.deep.equal({ bucket: bucket.name, key: ctx.object!.key, ...(ctx.object!.versionId ? { versionId: ctx.object!.versionId } : {}) });
      }
    }
    // The estate above reaches every outcome, the two exception outcomes included.
    expect([...seen].sort()).to.deep.equal(['error', 'excepted', 'fail', 'pass', 'skip']);
  });

  it('leave to the generic path a rule that reads a per-object fact in a condition, and a key that is not well-formed', () => {
    const custom = new Map(rules) as RuleSet;
    const base = rules.get('s3-object-sse-kms')!;
    custom.set('size-rule', { ...base, id: 'size-rule', assert: { path: 'object.size', gt: 5 } });
    custom.set('key-rule', { ...base, id: 'key-rule', when: { path: 'object.key', matches: 'logs/*' } });
    const policy = (id: string): string => `version: 1\npolicies:\n  - name: p\n    resource: object\n    rules: [${id}]\n`;
    expect(cacheableGroup(parsePolicyFile(policy('size-rule'), 'p.yaml', custom), custom)).to.equal(false);
    expect(cacheableGroup(parsePolicyFile(policy('key-rule'), 'p.yaml', custom), custom)).to.equal(false);
    // object.key in a message only is spliced in: served by templates.
    expect(cacheableGroup(parsePolicyFile(policy('s3-object-sse-kms'), 'p.yaml', custom), custom)).to.equal(true);

    const pf = parsePolicyFile(POLICY, 'templates.yaml', rules);
    const cache = new ObjectOutcomeCache(pf, rules, NOW);
    const lone = object('half \ud800 surrogate', 'AES256');
    expect(cache.evaluate({ bucket, object: lone, errors: {} }, {})).to.equal(undefined);
  });

  it('are not fooled by rule text that holds a placeholder when the first object\'s key is that very text', () => {
    const custom = new Map(rules) as RuleSet;
    const base = rules.get('s3-object-sse-kms')!;
    custom.set('marker', { ...base, id: 'marker', message: '{{object.key}} is not KMS encrypted (marker \uE000key\uE001)' });
    const pf = parsePolicyFile('version: 1\npolicies:\n  - name: p\n    resource: object\n    rules: [marker]\n', 'p.yaml', custom);
    expect(cacheableGroup(pf, custom)).to.equal(true);
    const cache = new ObjectOutcomeCache(pf, custom, NOW);
    const versioned = { versionId: '\uE000version\uE001', isLatest: true };
    for (const o of [object('\uE000key\uE001', 'AES256'), object('plain.txt', 'AES256'), object('v.txt', 'AES256', versioned), object('w.txt', 'AES256', { ...versioned, versionId: 'v2' })]) {
      const ctx: FactContext = { bucket, object: o, errors: {}, key: null };
      const generic = evaluateResource(pf, custom, ctx, NOW).map((f) => JSON.stringify(f));
      const templated = cache.evaluate(ctx, {});
      if (templated) expect(templated.lines, o.key).to.deep.equal(generic);
    }
  });
});
