/**
 * docs/rules.md is generated from rules/*.yaml; this fails when someone changed a rule file (or the
 * renderer) and did not regenerate the page, so the docs never disagree with the rules.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { loadRules } from '../../src/config/rules.js';
import { builtinRulesDir } from '../../src/paths.js';
import { GENERATED_NOTICE, renderRulesReference } from '../../src/report/rules-reference.js';
import { rulesReferencePath } from '../tools/rules-reference-path.js';

const STALE = 'docs/rules.md is stale: run npm run docs:rules';

describe('docs/rules.md (generated rules reference)', () => {
  const rules = loadRules([builtinRulesDir()]);
  const rendered = renderRulesReference(rules);

  it('is committed and equals what the rule files render to', () => {
    const path = rulesReferencePath();
    if (!existsSync(path)) expect.fail(`docs/rules.md is missing: run npm run docs:rules`);
    const committed = readFileSync(path, 'utf8');
    if (committed !== rendered) expect.fail(STALE);
  });

  it('documents every built-in rule with its severity and remediation action', () => {
    expect(rendered.startsWith(GENERATED_NOTICE)).to.equal(true);
    for (const rule of rules.values()) {
      expect(rendered, rule.id).to.include(`## ${rule.id}\n`);
      expect(rendered, rule.id).to.include(`- severity: \`${rule.severity}\``);
      if (rule.remediation) expect(rendered, rule.id).to.include(`- remediation: \`${rule.remediation}\``);
    }
  });

  it('renders the same bytes whatever order the rules come in', () => {
    const reversed = new Map([...rules].reverse());
    expect(renderRulesReference(reversed)).to.equal(rendered);
  });
});
