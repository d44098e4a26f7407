/**
 * savedFindingProblem: a finding read back from a saved scan must still say what the scan wrote — its
 * resource, its id, and its status on its own evidence. Every fixture of every built-in rule, evaluated as a
 * scan evaluates it, passes untouched (no true report is refused); each kind of edit is caught.
 */
import { expect } from 'chai';
import { loadRulesWithFixtures } from '../../src/config/rules.js';
import type { Finding } from '../../src/domain/finding.js';
import type { PolicyFile } from '../../src/domain/policy.js';
import { evaluateResource, findingId } from '../../src/engine/evaluate.js';
import { fixtureContext } from '../../src/engine/fixtures.js';
import { savedFindingProblem } from '../../src/engine/saved-finding.js';
import { builtinRulesDir } from '../../src/paths.js';

const { rules, fixtures } = loadRulesWithFixtures([builtinRulesDir()]);

/** Each fixture of each built-in rule as the finding a scan writes for it. */
function scannedFindings(): { name: string; finding: Finding }[] {
  const out: { name: string; finding: Finding }[] = [];
  for (const [ruleId, { fixtures: list }] of fixtures) {
    const rule = rules.get(ruleId)!;
    for (const fixture of list) {
      const pf: PolicyFile = {
        version: 1,
        path: 'p.yaml',
        sha256: 'x',
        policies: [{ name: 'p', resource: rule.resource, scope: {}, rules: [{ id: ruleId, ...(fixture.params ? { params: fixture.params } : {}) }] }],
        exceptions: [],
      };
      for (const finding of evaluateResource(pf, rules, fixtureContext(fixture), new Date('2026-01-01T00:00:00Z'))) out.push({ name: `${ruleId}: ${fixture.name}`, finding });
    }
  }
  return out;
}

const edit = (f: Finding, change: (copy: Finding) => void): Finding => {
  const copy = structuredClone(f);
  change(copy);
  return copy;
};

const objectFinding = (status: 'fail' | 'pass', sse: string): Finding => {
  const arn = 'arn:aws:s3:::b/k.bin';
  return {
    id: findingId('111122223333', arn, 'p', 's3-object-sse-kms'),
    policy: 'p',
    rule: 's3-object-sse-kms',
    severity: 'high',
    status,
    resource: { type: 'object', arn, account: '111122223333', region: 'us-east-1', bucket: 'b', key: 'k.bin' },
    message: 'm',
    evidence: { 'object.sse': sse },
  };
};

describe('engine/saved-finding', () => {
  it('every finding a scan writes for the built-in rules\' fixtures passes untouched (buckets and objects, every status)', () => {
    const all = scannedFindings();
    expect(all.length).to.be.greaterThan(50);
    expect(new Set(all.map((a) => a.finding.status))).to.include.members(['pass', 'fail', 'skip', 'error']);
    for (const { name, finding } of all) expect(savedFindingProblem(finding, rules.get(finding.rule)), name).to.equal(undefined);
  });

  it('a failing finding edited to pass (or skip) is caught: its evidence still fails the rule', () => {
    const failing = objectFinding('fail', 'AES256');
    expect(savedFindingProblem(failing, rules.get(failing.rule))).to.equal(undefined);
    for (const status of ['pass', 'skip'] as const) {
      expect(savedFindingProblem(edit(failing, (f) => (f.status = status)), rules.get(failing.rule))).to.match(new RegExp(`^it says ${status}, but rule s3-object-sse-kms gives fail on its own evidence`));
    }
  });

  it('evidence edited to no longer show what the status claims is caught, in either direction', () => {
    const failing = objectFinding('fail', 'AES256');
    expect(savedFindingProblem(edit(failing, (f) => (f.evidence['object.sse'] = 'aws:kms')), rules.get(failing.rule))).to.match(/^it says fail, but rule s3-object-sse-kms gives pass/);
    const passing = objectFinding('pass', 'aws:kms');
    expect(savedFindingProblem(passing, rules.get(passing.rule))).to.equal(undefined);
    expect(savedFindingProblem(edit(passing, (f) => (f.evidence['object.sse'] = 'AES256')), rules.get(passing.rule))).to.match(/^it says pass, but rule s3-object-sse-kms gives fail/);
  });

  it('evidence without a fact its rule reads is caught', () => {
    const failing = objectFinding('fail', 'AES256');
    expect(savedFindingProblem(edit(failing, (f) => (f.evidence = {})), rules.get(failing.rule))).to.equal('its evidence lacks object.sse, which rule s3-object-sse-kms reads');
  });

  it('an excepted finding is one whose rule fails; an excepted one whose evidence passes is caught', () => {
    const excepted = edit(objectFinding('fail', 'AES256'), (f) => (f.status = 'excepted'));
    expect(savedFindingProblem(excepted, rules.get(excepted.rule))).to.equal(undefined);
    expect(savedFindingProblem(edit(excepted, (f) => (f.evidence['object.sse'] = 'aws:kms')), rules.get(excepted.rule))).to.match(/^it says excepted, but rule s3-object-sse-kms gives pass/);
  });

  it('a resource or id that is not the scan\'s is caught: another key, bucket, version, policy, rule or id', () => {
    const f = objectFinding('fail', 'AES256');
    const rule = rules.get(f.rule);
    expect(savedFindingProblem(edit(f, (c) => (c.resource.key = 'other.bin')), rule)).to.match(/resource ARN arn:aws:s3:::b\/k.bin is not the ARN of s3:\/\/b\/other.bin/);
    expect(savedFindingProblem(edit(f, (c) => Object.assign(c.resource, { bucket: 'victim', arn: 'arn:aws:s3:::victim/k.bin' })), rule)).to.match(/^its id is not the one/);
    expect(savedFindingProblem(edit(f, (c) => (c.resource.versionId = 'v2')), rule)).to.match(/^its id is not the one/);
    expect(savedFindingProblem(edit(f, (c) => (c.policy = 'other')), rule)).to.match(/^its id is not the one/);
    expect(savedFindingProblem(edit(f, (c) => (c.id = '0'.repeat(32))), rule)).to.match(/^its id is not the one .*\(/);
    expect(savedFindingProblem(edit(f, (c) => delete c.resource.key), rule)).to.equal('an object finding without resource.key');
    // An object finding passed off as a bucket finding keeps its object ARN: not a bucket's.
    expect(savedFindingProblem(edit(f, (c) => (c.resource.type = 'bucket')), rule)).to.match(/is not the ARN of bucket b$/);
    // The ARN of another partition names the same resource.
    const cn = edit(f, (c) => (c.resource.arn = 'arn:aws-cn:s3:::b/k.bin'));
    cn.id = findingId(cn.resource.account, cn.resource.arn, cn.policy, cn.rule);
    expect(savedFindingProblem(cn, rule)).to.equal(undefined);
  });

  it('what cannot be judged is not: an error outcome, a rule not loaded', () => {
    const f = objectFinding('fail', 'AES256');
    expect(savedFindingProblem(edit(f, (c) => (c.status = 'error')), rules.get(f.rule))).to.equal(undefined);
    expect(savedFindingProblem(edit(f, (c) => (c.status = 'pass')), undefined)).to.equal(undefined);
  });

  it('never changes the finding it checks', () => {
    for (const { finding } of scannedFindings()) {
      const before = structuredClone(finding);
      savedFindingProblem(finding, rules.get(finding.rule));
      expect(finding).to.deep.equal(before);
    }
  });
});
