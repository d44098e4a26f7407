/**
 * The rule catalogue: every built-in rule is documented, tested by fixtures, and named by its file.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Severity } from '../../src/domain/finding.js';
import type { MessageTemplate } from '../../src/domain/rule.js';
import { loadRulesWithFixtures } from '../../src/config/rules.js';
import { builtinRulesDir } from '../../src/paths.js';

const EXPECTED: Record<string, { severity: Severity; remediation?: string }> = {
  's3-bucket-sse-kms': { severity: 'high', remediation: 'put-bucket-encryption' },
  's3-bucket-cmk': { severity: 'high', remediation: 'put-bucket-encryption' },
  's3-bucket-allowed-keys': { severity: 'high', remediation: 'put-bucket-encryption' },
  's3-bucket-key-usable': { severity: 'critical' },
  's3-bucket-key-rotation': { severity: 'medium' },
  's3-bucket-bucket-key': { severity: 'low', remediation: 'put-bucket-encryption' },
  's3-bucket-key-pinned': { severity: 'medium' },
  // Medium: exploiting an unblocked bucket needs write credentials already; the block removes a ransom vector.
  's3-bucket-sse-c-blocked': { severity: 'medium' },
  // Object rules: stored objects are re-encrypted in place with UpdateObjectEncryption (no data copied).
  's3-object-sse-kms': { severity: 'high', remediation: 'update-object-encryption' },
  's3-object-cmk': { severity: 'high', remediation: 'update-object-encryption' },
  's3-object-allowed-keys': { severity: 'high', remediation: 'update-object-encryption' },
  's3-object-matches-bucket-key': { severity: 'low', remediation: 'update-object-encryption' },
};

describe('built-in rule catalogue', () => {
  const dir = builtinRulesDir();
  const files = readdirSync(dir);
  const ruleFiles = files.filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).sort();
  const { rules, fixtures } = loadRulesWithFixtures([dir]);

  it('holds exactly the rules of the table, and nothing else in rules/', () => {
    expect(ruleFiles.map((f) => basename(f, '.yaml'))).to.deep.equal(Object.keys(EXPECTED).sort());
    const unexpected = files.filter((f) => !f.endsWith('.yaml'));
    expect(unexpected, 'only .yaml files in rules/').to.deep.equal([]);
  });

  for (const file of ruleFiles) {
    const id = basename(file, '.yaml');
    describe(id, () => {
      it('has id = file name', () => {
        expect(rules.get(id)?.id).to.equal(id);
        expect(rules.get(id)?.source).to.equal(join(dir, file));
      });
      it('has a .test.yaml with at least one pass and one fail fixture', () => {
        expect(files).to.include(`${id}.test.yaml`);
        const statuses = fixtures.get(id)!.fixtures.map((f) => f.expect);
        expect(statuses).to.include('pass');
        expect(statuses).to.include('fail');
      });
      it('has an error fixture, and a skip fixture when it has a `when`', () => {
        const statuses = fixtures.get(id)!.fixtures.map((f) => f.expect);
        expect(statuses).to.include('error');
        if (rules.get(id)!.when) expect(statuses).to.include('skip');
      });
      it('is documented: title, description (why) and fix (how, with an AWS CLI command)', () => {
        const rule = rules.get(id)!;
        expect(rule.title.trim()).to.not.equal('');
        expect(rule.description.trim().length).to.be.greaterThan(80);
        expect(rule.fix ?? '').to.match(/aws (s3api|kms) /);
      });
      it('has the severity and remediation action of the table', () => {
        const rule = rules.get(id)!;
        expect(rule.severity).to.equal(EXPECTED[id]!.severity);
        expect(rule.remediation).to.equal(EXPECTED[id]!.remediation);
      });
      it('has fail, pass and (with `when`) skip messages that name the bucket', () => {
        const rule = rules.get(id)!;
        // Every wording of each message, when it is a list of variants.
        const texts = (m: MessageTemplate | undefined): string[] => (m === undefined ? [] : typeof m === 'string' ? [m] : m.map((v) => v.text));
        for (const text of texts(rule.message)) expect(text).to.contain('{{bucket.name}}');
        expect(texts(rule.passMessage)).to.not.be.empty;
        for (const text of texts(rule.passMessage)) expect(text).to.contain('{{bucket.name}}');
        if (rule.when) {
          expect(texts(rule.skipMessage)).to.not.be.empty;
          for (const text of texts(rule.skipMessage)) expect(text).to.contain('{{bucket.name}}');
        }
      });
    });
  }
});
