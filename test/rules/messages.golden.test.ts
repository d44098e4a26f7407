/**
 * The rendered message of every fixture of every built-in rule, as a person reads it: the whole list
 * must equal test/rules/golden/messages.txt (one block per rule, "fixture name → status: message"), and
 * no message may carry the shapes a fallback leaves mid-sentence ("KMS key none", "(none)", "n/a").
 * After an intended change: `UPDATE_GOLDEN=1 npx mocha --no-config 'dist/test/rules/messages.golden.test.js'`,
 * then read the diff of test/rules/golden/messages.txt like any other code change.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadRulesWithFixtures } from '../../src/config/rules.js';
import { runFixtures, type FixtureResult } from '../../src/engine/fixtures.js';
import { builtinRulesDir, packageRoot } from '../../src/paths.js';
import { firstDifference } from '../helpers/golden.js';

const GOLDEN = resolve(packageRoot(), 'test/rules/golden/messages.txt');
const update = process.env.UPDATE_GOLDEN === '1';

/** Shapes that betray a template filling a gap with a placeholder word instead of a sentence. */
const BAD_SHAPES: (RegExp | string)[] = [/\bnone\b \(/, /KMS key none/, /n\/a/, /\(none\)/, 'configured as none', 'unknown)', /\S {2,}\S/];

function results(): FixtureResult[] {
  const { rules, fixtures } = loadRulesWithFixtures([builtinRulesDir()]);
  return runFixtures(rules, fixtures);
}

/** One block per rule, rules and fixtures in file order (rules sorted by id). */
function render(list: FixtureResult[]): string {
  const byRule = new Map<string, FixtureResult[]>();
  for (const r of list) byRule.set(r.rule, [...(byRule.get(r.rule) ?? []), r]);
  const blocks = [...byRule.keys()].sort().map((rule) => [`## ${rule}`, ...byRule.get(rule)!.map((r) => `${r.name} → ${r.actual}: ${r.message}`)].join('\n'));
  return `${blocks.join('\n\n')}\n`;
}

describe('built-in rule messages', () => {
  const list = results();

  it('every fixture passes, so each golden line is the message a scan would print', () => {
    expect(list.filter((r) => !r.passed).map((r) => `${r.rule} › ${r.name}: ${r.message}`)).to.deep.equal([]);
  });

  it('equal test/rules/golden/messages.txt', () => {
    const actual = render(list);
    if (update) {
      mkdirSync(dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, actual, 'utf8');
    }
    expect(existsSync(GOLDEN), `${GOLDEN} is missing: run with UPDATE_GOLDEN=1 to create it`).to.equal(true);
    const expected = readFileSync(GOLDEN, 'utf8');
    if (actual !== expected) expect.fail(`messages differ from ${GOLDEN}; ${firstDifference(actual, expected)}\n(UPDATE_GOLDEN=1 regenerates after an intended change)`);
  });

  it('read like sentences: no placeholder word stands in for a missing fact', () => {
    const bad = list.flatMap((r) =>
      BAD_SHAPES.filter((shape) => (typeof shape === 'string' ? r.message.includes(shape) : shape.test(r.message))).map((shape) => `${r.rule} › ${r.name}: ${String(shape)} in "${r.message}"`),
    );
    expect(bad).to.deep.equal([]);
  });
});
