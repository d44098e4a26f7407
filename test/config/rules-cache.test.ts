/**
 * The build-time cache of the built-in rules (config/rules-cache.ts): what it serves equals parsing the
 * file, it is keyed by the text so a changed file is parsed again, and a remediation that does not fit the
 * catalogue is parsed again so the problem keeps its line.
 */
import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRulesCache } from '../../src/config/build-rules-cache.js';
import { cachedRule, ruleCacheKey } from '../../src/config/rules-cache.js';
import { loadRules, parseRuleText } from '../../src/config/rules.js';
import { BUILTIN_ACTION_CATALOGUE } from '../../src/remediate/actions/catalogue.js';
import type { ActionCatalogue } from '../../src/domain/action.js';
import { formatProblem } from '../../src/domain/errors.js';
import { builtinRulesDir } from '../../src/paths.js';
import { configProblemsOf } from '../helpers/errors.js';

const ruleFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') && !n.endsWith('.test.yaml'))
    .sort()
    .map((n) => join(dir, n));

// The registered actions, as a run checks each rule's `remediation:` against them.
const catalogue: ActionCatalogue = BUILTIN_ACTION_CATALOGUE;

describe('config/rules-cache: built-in rules parsed at build time', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 's3ka-rules-cache-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('the build wrote an entry for every built-in rule, and each equals parsing the file', () => {
    const files = ruleFiles(builtinRulesDir());
    expect(files.length).to.be.greaterThan(5);
    for (const file of files) {
      const hit = cachedRule(file, catalogue);
      expect(hit, file).to.not.equal(undefined);
      expect(hit).to.deep.equal(parseRuleText(readFileSync(file, 'utf8'), file));
    }
    expect(Object.keys(buildRulesCache().entries)).to.have.length(files.length);
  });

  it('a rule file whose text changed after the build is parsed again, never served stale', () => {
    const original = ruleFiles(builtinRulesDir()).find((f) => f.endsWith('s3-bucket-sse-kms.yaml'))!;
    const copy = join(tmp, 's3-bucket-sse-kms.yaml');
    const text = readFileSync(original, 'utf8');
    expect(text).to.match(/^severity: high$/m);
    writeFileSync(copy, text.replace(/^severity: high$/m, 'severity: low'));
    expect(cachedRule(copy, catalogue)).to.equal(undefined);
    expect(loadRules([tmp], catalogue).get('s3-bucket-sse-kms')!.severity).to.equal('low');
  });

  it('the same text elsewhere is served, with `source` naming where it is now', () => {
    const original = ruleFiles(builtinRulesDir())[0]!;
    const copy = join(tmp, original.split('/').pop()!);
    copyFileSync(original, copy);
    const rules = loadRules([tmp], catalogue);
    expect([...rules.values()].map((r) => r.source)).to.deep.equal([copy]);
    // The key is the file name and the text: the same text under another name is not the same rule.
    expect(ruleCacheKey(copy, 'x')).to.not.equal(ruleCacheKey(join(tmp, 'other.yaml'), 'x'));
  });

  it('a cached rule whose remediation action is not registered is parsed again: the problem keeps its line', () => {
    const file = ruleFiles(builtinRulesDir()).find((f) => f.endsWith('s3-bucket-cmk.yaml'))!;
    copyFileSync(file, join(tmp, 's3-bucket-cmk.yaml'));
    const problems = configProblemsOf(() => loadRules([tmp], new Map()));
    expect(problems.map(formatProblem)).to.have.length(1);
    expect(problems[0]!.message).to.contain('unknown remediation action "put-bucket-encryption"');
    expect(problems[0]!.line).to.be.greaterThan(1);
  });
});
