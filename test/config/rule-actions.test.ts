/**
 * A rule's `remediation:` names a registered action: unknown ids, an action for another resource type,
 * and an action that does not declare the rule are configuration errors with file:line:col.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRules, parseRuleText } from '../../src/config/rules.js';
import type { ActionCatalogue } from '../../src/domain/action.js';
import { formatProblem } from '../../src/domain/errors.js';
import { builtinRulesDir, packageRoot } from '../../src/paths.js';
import { configProblemsOf } from '../helpers/errors.js';

const dir = resolve(packageRoot(), 'test/fixtures/rules/actions');

/** A catalogue as the run layer passes it: descriptors only, no remediate/ import in config/. */
const catalogue: ActionCatalogue = new Map([
  ['put-bucket-encryption', { id: 'put-bucket-encryption', title: 't', resource: 'bucket', fixes: ['s3-bucket-sse-kms', 's3-bucket-cmk', 's3-bucket-allowed-keys', 's3-bucket-bucket-key'], params: {} }],
  ['update-object-encryption', { id: 'update-object-encryption', title: 't', resource: 'object', fixes: ['s3-object-sse-kms', 's3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key'], params: {} }],
]);

describe('config/rule-actions: a rule names a registered action that fixes it', () => {
  for (const kind of readdirSync(dir).sort()) {
    const file = join(dir, kind, readdirSync(join(dir, kind))[0]!);
    it(`${kind}: ${file.slice(dir.length + 1)}`, () => {
      const header = readFileSync(file, 'utf8').split('\n')[0]!;
      const m = /^# expect: (\d+):(\d+) (.*?)(?: \(did you mean (.+)\?\))?$/.exec(header)!;
      const problems = configProblemsOf(() => loadRules([join(dir, kind)], catalogue));
      expect(problems.map(formatProblem)).to.have.length(1);
      const p = problems[0]!;
      expect(p.file).to.equal(file);
      expect(`${p.line}:${p.column}`, formatProblem(p)).to.equal(`${m[1]}:${m[2]}`);
      expect(p.message).to.contain(m[3]);
      if (m[4]) expect(p.suggestion).to.equal(m[4]);
    });
  }

  it('the built-in rules pass with the catalogue', () => {
    expect(loadRules([builtinRulesDir()], catalogue).size).to.be.greaterThan(0);
  });

  it('without a catalogue only the spelling is checked (callers that never remediate)', () => {
    const text = readFileSync(join(dir, 'unknown', 'user-typo.yaml'), 'utf8');
    expect(parseRuleText(text, '/tmp/user-typo.yaml').remediation).to.equal('put-bucket-encryptoin');
    expect(configProblemsOf(() => parseRuleText(text, '/tmp/user-typo.yaml', catalogue))[0]!.message).to.contain('unknown remediation action');
  });

  it('an object action on an object rule it declares is accepted', () => {
    const text = readFileSync(join(dir, 'resource', 'user-object-rule.yaml'), 'utf8')
      .replace('id: user-object-rule', 'id: s3-object-sse-kms')
      .replace('remediation: put-bucket-encryption', 'remediation: update-object-encryption');
    expect(parseRuleText(text, '/tmp/s3-object-sse-kms.yaml', catalogue).remediation).to.equal('update-object-encryption');
  });
});
