import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatProblem, type ConfigProblem } from '../../src/domain/errors.js';
import { loadPolicyFile, parsePolicyFile } from '../../src/config/policies.js';
import { loadRules } from '../../src/config/rules.js';
import type { RuleSet } from '../../src/domain/rule.js';
import { builtinRulesDir, packageRoot } from '../../src/paths.js';
import { configProblemsOf } from '../helpers/errors.js';

const fixtures = resolve(packageRoot(), 'test/fixtures/policies');
const brokenDir = join(fixtures, 'broken');

/** "12:5 some text (did you mean x?)" → position, message fragment and suggestion. */
interface Expectation {
  line: number;
  column: number;
  text: string;
  suggestion?: string;
}

function parseExpectation(spec: string): Expectation {
  const m = /^(\d+):(\d+)\s+(.*?)\s*$/.exec(spec);
  if (!m) throw new Error(`bad expectation: ${spec}`);
  const suggestion = /\(did you mean (.+)\?\)$/.exec(m[3]!);
  const e: Expectation = { line: Number(m[1]), column: Number(m[2]), text: m[3]!.replace(/\s*\(did you mean .+\?\)$/, '') };
  if (suggestion) e.suggestion = suggestion[1]!;
  return e;
}


function expectProblem(p: ConfigProblem | undefined, e: Expectation, file: string): void {
  expect(p, `no problem for ${e.line}:${e.column} ${e.text}`).to.not.equal(undefined);
  const shown = formatProblem(p!);
  expect(`${p!.line}:${p!.column}`, shown).to.equal(`${e.line}:${e.column}`);
  expect(p!.message, shown).to.contain(e.text);
  expect(p!.file).to.equal(file);
  if (e.suggestion) expect(p!.suggestion, shown).to.equal(e.suggestion);
  expect(shown.startsWith(`${file}:${e.line}:${e.column}: `)).to.equal(true);
}

describe('config/policies', () => {
  let rules: RuleSet;
  before(() => {
    rules = loadRules([builtinRulesDir()]);
  });

  describe('broken files: one problem each, at the position noted in the file', () => {
    const files = readdirSync(brokenDir).filter((f) => f.endsWith('.yaml')).sort();
    it('there are at least 12 of them', () => {
      expect(files.length).to.be.at.least(12);
    });
    for (const name of files) {
      it(name, () => {
        const file = join(brokenDir, name);
        const header = readFileSync(file, 'utf8').split('\n')[0]!;
        const spec = /^# expect: (.*)$/.exec(header)?.[1];
        expect(spec, `${name} must start with "# expect: LINE:COL text"`).to.be.a('string');
        const problems = configProblemsOf(() => loadPolicyFile(file, rules));
        expect(problems.map(formatProblem), 'exactly one problem').to.have.length(1);
        expectProblem(problems[0], parseExpectation(spec!), file);
      });
    }
  });

  it('reports ALL problems of a file with several, in file order', () => {
    const file = join(fixtures, 'multi-problem.yaml');
    const expectations = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^#\s+(\d+:\d+\s.*)$/.exec(l)?.[1])
      .filter((s): s is string => !!s)
      .map(parseExpectation);
    expect(expectations).to.have.length(7);
    const problems = configProblemsOf(() => loadPolicyFile(file, rules));
    expect(problems.map(formatProblem)).to.have.length(expectations.length);
    expectations.forEach((e, i) => expectProblem(problems[i], e, file));
  });

  it('the ConfigError message lists every problem as file:line:column: message (did you mean …?)', () => {
    const file = join(fixtures, 'multi-problem.yaml');
    try {
      loadPolicyFile(file, rules);
      expect.fail('should throw');
    } catch (e) {
      const lines = (e as Error).message.split('\n');
      expect(lines).to.have.length(7);
      expect(lines[0]).to.match(/multi-problem\.yaml:13:5: unknown key "resouce" in policies\[0\]; allowed keys: .* \(did you mean resource\?\)$/);
    }
  });

  it('a missing file is a ConfigError naming it', () => {
    const problems = configProblemsOf(() => loadPolicyFile(join(fixtures, 'nope.yaml'), rules));
    expect(problems[0]!.message).to.equal('file not found');
  });

  describe('a valid realistic file', () => {
    it('loads, with rule references normalised and everything else kept', () => {
      const file = join(fixtures, 'valid.yaml');
      const pf = loadPolicyFile(file, rules);
      expect(pf.version).to.equal(1);
      expect(pf.path).to.equal(file);
      expect(pf.sha256).to.match(/^[0-9a-f]{64}$/);
      expect(pf.policies.map((p) => p.name)).to.deep.equal(['kms-everywhere', 'prod-approved-keys']);
      const [kms, prod] = pf.policies;
      expect(kms!.rules).to.deep.equal([
        { id: 's3-bucket-sse-kms' },
        { id: 's3-bucket-cmk' },
        { id: 's3-bucket-key-usable' },
        { id: 's3-bucket-bucket-key', severity: 'medium' },
      ]);
      expect(kms!.scope.exclude).to.deep.equal(['*-tmp-*', 'scratch-?', 'cdk-hnb659fds-assets-[0-9]*']);
      expect(kms!.remediation).to.deep.equal({
        kmsKeyId: { 'us-east-1': 'alias/prod-data', 'eu-west-1': 'arn:aws:kms:eu-west-1:111122223333:alias/prod-eu' },
        bucketKeyEnabled: true,
      });
      expect(prod!.scope).to.deep.equal({
        tags: { env: 'prod*', 'data-class': '[!p]*' },
        regions: ['us-east-1', 'eu-west-1'],
        accounts: ['111122223333', '444455556666'],
      });
      expect(prod!.rules[0]!.params).to.deep.equal({
        keys: [
          'alias/prod-data',
          'arn:aws:kms:eu-west-1:111122223333:alias/prod-eu',
          '1234abcd-12ab-34cd-56ef-1234567890ab',
          'mrk-1234abcd12ab34cd56ef1234567890ab',
          'arn:aws:kms:us-east-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321',
        ],
      });
      expect(pf.exceptions).to.have.length(3);
      expect(pf.exceptions[0]).to.deep.equal({
        resource: 'prod-logs-*',
        rules: ['s3-bucket-sse-kms', 's3-bucket-cmk'],
        policies: ['kms-everywhere'],
        reason: 'Access-log target buckets must use SSE-S3 (S3 server access logging does not support SSE-KMS targets)',
        expires: '2027-06-30',
      });
      expect(pf.exceptions[1]!.expires).to.equal('2026-01-31T17:00:00Z');
    });

    it('gives a scope of {} and no exceptions when they are left out', () => {
      const pf = parsePolicyFile('version: 1\npolicies:\n  - { name: a, resource: bucket, rules: [s3-bucket-sse-kms] }\n', 'inline.yaml', rules);
      expect(pf.policies[0]!.scope).to.deep.equal({});
      expect(pf.exceptions).to.deep.equal([]);
    });

    it('hashes the exact bytes (the report names the policy version it ran)', () => {
      const a = parsePolicyFile('version: 1\npolicies: [{ name: a, resource: bucket, rules: [s3-bucket-cmk] }]\n', 'p.yaml', rules);
      const b = parsePolicyFile('version: 1\npolicies: [{ name: a, resource: bucket, rules: [s3-bucket-cmk] }]  \n', 'p.yaml', rules);
      expect(a.sha256).to.not.equal(b.sha256);
    });
  });

  describe('checks that need the loaded rules', () => {
    it('rejects an object rule in a bucket policy', () => {
      const withObjectRule = loadRules([builtinRulesDir(), resolve(packageRoot(), 'test/fixtures/rules/user')]);
      const text = 'version: 1\npolicies:\n  - name: p\n    resource: bucket\n    rules: [team-object-sse-kms]\n';
      const problems = configProblemsOf(() => parsePolicyFile(text, 'p.yaml', withObjectRule));
      expect(problems.map(formatProblem)).to.deep.equal([
        'p.yaml:5:13: rule team-object-sse-kms checks object resources but policy p is for bucket resources',
      ]);
    });

    it('checks params against the rule declarations (user rule with a glob param)', () => {
      const userRules = loadRules([builtinRulesDir(), resolve(packageRoot(), 'test/fixtures/rules/user')]);
      const text = [
        'version: 1',
        'policies:',
        '  - name: p',
        '    resource: bucket',
        '    rules:',
        '      - id: s3-bucket-owner-tag',
        '        params: { owners: ["team-[", 7] }',
        '      - id: s3-bucket-owner-tag',
        '        params: { owners: team-* }',
      ].join('\n');
      const problems = configProblemsOf(() => parsePolicyFile(text, 'p.yaml', userRules)).map(formatProblem);
      expect(problems).to.deep.equal([
        'p.yaml:7:28: param "owners" of rule s3-bucket-owner-tag: invalid glob "team-[": unbalanced "[" at position 6: the character class is never closed with "]"',
        'p.yaml:7:38: param "owners" of rule s3-bucket-owner-tag: a glob must be a string, got 7',
        'p.yaml:8:13: rule s3-bucket-owner-tag is listed twice in policy p',
      ]);
    });

    it('rejects empty include, regions and accounts lists (they would silently scope out every bucket)', () => {
      const text = 'version: 1\npolicies:\n  - name: p\n    resource: bucket\n    scope: { include: [], regions: [], accounts: [], exclude: [] }\n    rules: [s3-bucket-cmk]\n';
      const problems = configProblemsOf(() => parsePolicyFile(text, 'p.yaml', rules)).map(formatProblem);
      expect(problems).to.deep.equal([
        'p.yaml:5:23: policies[0].scope.include must not be an empty list',
        'p.yaml:5:36: policies[0].scope.regions must not be an empty list',
        'p.yaml:5:50: policies[0].scope.accounts must not be an empty list',
      ]);
    });

    it('reports a wrong param type', () => {
      const text = 'version: 1\npolicies:\n  - name: p\n    resource: bucket\n    rules:\n      - { id: s3-bucket-allowed-keys, params: { keys: alias/x } }\n';
      const problems = configProblemsOf(() => parsePolicyFile(text, 'p.yaml', rules)).map(formatProblem);
      expect(problems).to.deep.equal(['p.yaml:6:55: param "keys" of rule s3-bucket-allowed-keys must be of type array, got string']);
    });
  });
});
