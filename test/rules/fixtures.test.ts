/**
 * Runs every fixture of every built-in rule (rules/<id>.test.yaml), each as its own test, through
 * the same runner as the user-facing `s3-kms-audit test` command.
 */
import { expect } from 'chai';
import { loadRulesWithFixtures } from '../../src/config/rules.js';
import { runFixtures } from '../../src/engine/fixtures.js';
import { builtinRulesDir } from '../../src/paths.js';

const { rules, fixtures } = loadRulesWithFixtures([builtinRulesDir()]);

describe('built-in rule fixtures', () => {
  for (const [ruleId, set] of [...fixtures].sort(([a], [b]) => a.localeCompare(b))) {
    describe(ruleId, () => {
      for (const fixture of set.fixtures) {
        it(`${fixture.name} → ${fixture.expect}`, () => {
          const [result] = runFixtures(rules, new Map([[ruleId, { file: set.file, fixtures: [fixture] }]]));
          expect(result!.passed, result!.message).to.equal(true);
          expect(result!.actual).to.equal(fixture.expect);
        });
      }
    });
  }
});
