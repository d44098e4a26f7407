import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatProblem, type ConfigProblem } from '../../src/domain/errors.js';
import { loadRules, loadRulesWithFixtures, parseRuleText } from '../../src/config/rules.js';
import { runFixtures } from '../../src/engine/fixtures.js';
import { builtinRulesDir, packageRoot } from '../../src/paths.js';
import { configProblemsOf } from '../helpers/errors.js';
import { BUILTIN_RULE_COUNT } from '../helpers/builtin-rules.js';

const rulesFixtures = resolve(packageRoot(), 'test/fixtures/rules');


/** Reads "# expect: LINE:COL text (did you mean X?)" from the first line of a file. */
function expectation(file: string): { line: number; column: number; text: string; suggestion?: string } {
  const header = readFileSync(file, 'utf8').split('\n')[0]!;
  const m = /^# expect: (\d+):(\d+) (.*?)(?: \(did you mean (.+)\?\))?$/.exec(header);
  if (!m) throw new Error(`${file} must start with "# expect: LINE:COL text"`);
  const e: { line: number; column: number; text: string; suggestion?: string } = { line: Number(m[1]), column: Number(m[2]), text: m[3]! };
  if (m[4]) e.suggestion = m[4];
  return e;
}

function checkOne(problems: ConfigProblem[], file: string): void {
  const e = expectation(file);
  expect(problems.map(formatProblem), 'exactly one problem').to.have.length(1);
  const p = problems[0]!;
  const shown = formatProblem(p);
  expect(p.file, shown).to.equal(file);
  expect(`${p.line}:${p.column}`, shown).to.equal(`${e.line}:${e.column}`);
  expect(p.message, shown).to.contain(e.text);
  if (e.suggestion) expect(p.suggestion, shown).to.equal(e.suggestion);
}

describe('config/rules', () => {
  it('loads the built-in rules, each with its source file', () => {
    const rules = loadRules([builtinRulesDir()]);
    expect([...rules.keys()].sort()).to.deep.equal([
      's3-bucket-allowed-keys',
      's3-bucket-bucket-key',
      's3-bucket-cmk',
      's3-bucket-key-pinned',
      's3-bucket-key-rotation',
      's3-bucket-key-usable',
      's3-bucket-sse-c-blocked',
      's3-bucket-sse-kms',
      's3-object-allowed-keys',
      's3-object-cmk',
      's3-object-matches-bucket-key',
      's3-object-sse-kms',
    ]);
    expect(rules.get('s3-bucket-cmk')!.source).to.equal(join(builtinRulesDir(), 's3-bucket-cmk.yaml'));
  });

  describe('broken rule files: one problem each, at the position noted in the file', () => {
    const cases = readdirSync(join(rulesFixtures, 'broken')).sort();
    it('there are at least 12 of them', () => expect(cases.length).to.be.at.least(12));
    for (const c of cases) {
      it(c, () => {
        const dir = join(rulesFixtures, 'broken', c);
        const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.yaml'))!);
        checkOne(configProblemsOf(() => loadRules([dir])), file);
      });
    }
  });

  describe('broken fixture files', () => {
    const cases = readdirSync(join(rulesFixtures, 'broken-fixtures')).sort();
    for (const c of cases) {
      it(c, () => {
        const dir = join(rulesFixtures, 'broken-fixtures', c);
        const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.test.yaml'))!);
        checkOne(configProblemsOf(() => loadRulesWithFixtures([dir])), file);
        // Fixtures are not read when only rules are loaded (a scan never fails on a test file).
        if (c !== 'orphan') expect(loadRules([dir]).size).to.equal(1);
      });
    }
  });

  it('reports the problems of several broken rule files in one error', () => {
    const dirs = ['unknown-operator', 'bad-regex', 'id-mismatch'].map((c) => join(rulesFixtures, 'broken', c));
    const problems = configProblemsOf(() => loadRules(dirs));
    expect(problems.map((p) => p.file.split('/').slice(-2)[0])).to.deep.equal(['bad-regex', 'id-mismatch', 'unknown-operator']);
  });

  it('a user rule directory adds rules (with fixtures that run)', () => {
    const { rules, fixtures } = loadRulesWithFixtures([builtinRulesDir(), join(rulesFixtures, 'user')]);
    expect(rules.has('s3-bucket-owner-tag')).to.equal(true);
    expect(rules.has('team-object-sse-kms')).to.equal(true);
    // Every built-in rule plus the user folder's two.
    expect(rules.size).to.equal(BUILTIN_RULE_COUNT + 2);
    const results = runFixtures(rules, fixtures).filter((r) => r.rule === 's3-bucket-owner-tag');
    expect(results.map((r) => [r.expected, r.passed])).to.deep.equal([
      ['pass', true],
      ['fail', true],
      ['error', true],
    ]);
  });

  it('a user rule with the id of a built-in rule is an error at its id', () => {
    const file = join(rulesFixtures, 'shadow', 's3-bucket-cmk.yaml');
    const problems = configProblemsOf(() => loadRules([builtinRulesDir(), join(rulesFixtures, 'shadow')]));
    expect(problems.map(formatProblem)).to.deep.equal([
      `${file}:2:5: rule id "s3-bucket-cmk" is already defined by ${join(builtinRulesDir(), 's3-bucket-cmk.yaml')}; a rule directory may add rules but not replace one — give this rule a new id`,
    ]);
  });

  it('a missing rules directory is a ConfigError', () => {
    const problems = configProblemsOf(() => loadRules([join(rulesFixtures, 'no-such-dir')]));
    expect(problems[0]!.message).to.equal('rules directory not found');
  });

  it('parseRuleText validates a rule given as text', () => {
    const rule = parseRuleText(
      'id: r\nresource: bucket\nseverity: low\ntitle: t\ndescription: d\nrequires: []\nassert: { path: bucket.name, matches: "x-*" }\nmessage: m\n',
      '/tmp/r.yaml',
    );
    expect(rule.assert).to.deep.equal({ path: 'bucket.name', matches: 'x-*' });
    expect(rule.source).to.equal('/tmp/r.yaml');
    const problems = configProblemsOf(() => parseRuleText('id: r\nresource: bucket\n', '/tmp/r.yaml'));
    expect(problems.map((p) => p.message)).to.include.members([
      'the document is missing the required key "severity"',
      'the document is missing the required key "assert"',
    ]);
  });

  it('suggests the composite for a misspelled one and the operator for a synonym', () => {
    const text = 'id: r\nresource: bucket\nseverity: low\ntitle: t\ndescription: d\nrequires: []\nassert:\n  alll:\n    - { path: bucket.name, like: "x-*" }\nmessage: m\n';
    const problems = configProblemsOf(() => parseRuleText(text, '/tmp/r.yaml'));
    expect(problems.map(formatProblem)).to.deep.equal([
      '/tmp/r.yaml:8:3: unknown key "alll" in assert; allowed keys: path, eq, ne, in, not-in, exists, matches, regex, gt, lt, contains, all, any, not (did you mean all?)',
    ]);
    const synonym = 'id: r\nresource: bucket\nseverity: low\ntitle: t\ndescription: d\nrequires: []\nassert: { path: bucket.name, like: "x-*" }\nmessage: m\n';
    const p = configProblemsOf(() => parseRuleText(synonym, '/tmp/r.yaml'));
    expect(p.map((x) => x.suggestion)).to.deep.equal(['matches']);
  });
});
