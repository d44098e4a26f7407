/**
 * Object policies, resolved (collect/objects-options.ts): defaults, grouping of policies that can share
 * one scan, the bucket facts they need, the state fingerprint — and the policy file checks of the
 * `objects` block.
 */
import { expect } from 'chai';
import { bucketAspectsForObjects, DEFAULT_BUCKET_CONCURRENCY, DEFAULT_SAMPLE_SIZE, groupObjectPolicies, resolveObjectOptions, stateFingerprint } from '../../src/collect/objects-options.js';
import { parsePolicyFile } from '../../src/config/policies.js';
import { loadRules } from '../../src/config/rules.js';
import { ConfigError, formatProblem } from '../../src/domain/errors.js';
import { builtinRulesDir } from '../../src/paths.js';

const rules = loadRules([builtinRulesDir()]);
const parse = (yaml: string) => parsePolicyFile(yaml, 'p.yaml', rules);
const problems = (yaml: string): string[] => {
  try {
    parse(yaml);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
};

const FILE = `version: 1
policies:
  - name: a
    resource: object
    objects: { mode: full, prefix: logs/ }
    rules: [s3-object-sse-kms]
  - name: b
    resource: object
    scope: { tags: { env: prod } }
    objects: { mode: full, prefix: logs/ }
    rules: [s3-object-matches-bucket-key]
  - name: c
    resource: object
    rules: [s3-object-cmk]
  - name: d
    resource: bucket
    rules: [s3-bucket-sse-kms]
`;

describe('object policy options (collect/objects-options.ts)', () => {
  it('defaults: a policy without an objects block samples the newest 100 per bucket', () => {
    expect(resolveObjectOptions(undefined)).to.deep.equal({
      mode: 'sample',
      prefix: '',
      sample: DEFAULT_SAMPLE_SIZE,
      sampleStrategy: 'newest',
      seed: 0,
      versions: false,
      bucketConcurrency: DEFAULT_BUCKET_CONCURRENCY,
    });
    expect([DEFAULT_SAMPLE_SIZE, DEFAULT_BUCKET_CONCURRENCY]).to.deep.equal([100, 32]);
  });

  it('groups policies with the same options (one listing and one HeadObject per object for both)', () => {
    const groups = groupObjectPolicies(parse(FILE), rules);
    expect(groups.map((g) => g.policies.map((p) => p.name))).to.deep.equal([['a', 'b'], ['c']]);
    expect(groups[0]!.policyFile.policies.map((p) => p.name)).to.deep.equal(['a', 'b']);
    expect([...groups[0]!.aspects].sort()).to.deep.equal(['bucket.tags', 'key', 'object', 'object.bucketKey']);
    // The bucket collector must read tags (scope), the default encryption and its key (object.bucketKey).
    expect([...bucketAspectsForObjects(groups)].sort()).to.deep.equal(['bucket.encryption', 'bucket.tags', 'key']);
    expect(bucketAspectsForObjects([groups[1]!]).size).to.equal(0);
  });

  it('fingerprints the state by every option and the facts recorded: two groups never share a state file', () => {
    const [g] = groupObjectPolicies(parse(FILE), rules);
    const same = { ...g!, options: { ...g!.options }, aspects: new Set(g!.aspects) };
    expect(stateFingerprint(same)).to.equal(stateFingerprint(g!));
    const variants = [
      { prefix: 'data/' },
      { versions: true },
      { limit: 5 },
      { bucketConcurrency: 8 },
      { sample: 7 },
      { seed: 9 },
    ].map((change) => stateFingerprint({ ...g!, options: { ...g!.options, ...change } }));
    const otherAspects = stateFingerprint({ ...g!, aspects: new Set([...g!.aspects].filter((a) => a !== 'object.bucketKey')) });
    expect(new Set([stateFingerprint(g!), ...variants, otherAspects]).size).to.equal(variants.length + 2);
    expect(stateFingerprint(g!)).to.match(/^[0-9a-f]{16}$/);
  });

  it('the policy file: sample settings only with mode sample; strategies and bounds checked, each at its line', () => {
    const base = (objects: string) => `version: 1\npolicies:\n  - name: p\n    resource: object\n    objects: ${objects}\n    rules: [s3-object-sse-kms]\n`;
    expect(problems(base('{ mode: sample, sample: 5, sampleStrategy: random, seed: 3, versions: true, bucketConcurrency: 4 }'))).to.deep.equal([]);
    expect(problems(base('{ mode: full, sample: 10 }'))).to.deep.equal([
      'p.yaml:5:28: unknown key "sample" in policies[0].objects; allowed keys: mode, prefix, limit, versions, bucketConcurrency',
    ]);
    expect(problems(base('{ mode: sample, sampleStrategy: randm }'))[0]).to.equal(
      'p.yaml:5:46: policies[0].objects.sampleStrategy: "randm" is not one of newest, random (did you mean random?)',
    );
    expect(problems(base('{ mode: full, bucketConcurrency: 0 }'))).to.have.length(1);
  });
});
