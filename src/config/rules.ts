/**
 * Loading rules (rules/<id>.yaml) and their fixtures (rules/<id>.test.yaml).
 *
 * dirs[0] is usually the built-in rules directory; later directories (--rules DIR) may only ADD
 * rules: a user rule with the id of an existing rule is an error, so nobody weakens a built-in
 * check by shadowing it. Every problem in every file is collected and thrown as one ConfigError.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ActionCatalogue } from '../domain/action.js';
import { ConfigError, type ConfigProblem } from '../domain/errors.js';
import type { FixtureSet, Rule, RuleFixture, RuleSet } from '../domain/rule.js';
import ruleSchema from '../schema/rule.schema.json' with { type: 'json' };
import fixturesSchema from '../schema/fixtures.schema.json' with { type: 'json' };
import { paramProblems } from './params.js';
import { remediationProblems } from './rule-actions.js';
import { ruleProblems } from './rule-checks.js';
import { schemaProblems } from './schema-problems.js';
import { suggest } from './suggest.js';
import { cachedRule } from './rules-cache.js';
import { parseYamlSource, positionOf, problemAt, readYamlFile, tidyProblems, type YamlSource } from './yaml-source.js';


const TEST_SUFFIX = '.test.yaml';

function listFiles(dir: string, problems: ConfigProblem[]): { rules: string[]; fixtures: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problems.push({ file: dir, line: 1, column: 1, message: 'rules directory not found' });
    return { rules: [], fixtures: [] };
  }
  const names = readdirSync(dir).sort();
  return {
    rules: names.filter((n) => n.endsWith('.yaml') && !n.endsWith(TEST_SUFFIX)).map((n) => join(dir, n)),
    fixtures: names.filter((n) => n.endsWith(TEST_SUFFIX)).map((n) => join(dir, n)),
  };
}

/**
 * Without `actions` a rule's `remediation:` is only checked for its spelling (the schema): callers that
 * never remediate (fixture runs in tests) need not know the actions. Every command passes them.
 */
function ruleFromSource(source: YamlSource, problems: ConfigProblem[], actions: ActionCatalogue | undefined): Rule | undefined {
  const found = [...schemaProblems(ruleSchema, source), ...ruleProblems(source)];
  if (found.length === 0 && actions) found.push(...remediationProblems(source, source.data as Rule, actions));
  problems.push(...found);
  if (found.length > 0) return undefined;
  return { ...(source.data as Rule), source: source.file };
}

/** Parse and validate one rule's YAML text. The id must match the file name (<id>.yaml). Throws ConfigError. */
export function parseRuleText(text: string, file: string, actions?: ActionCatalogue): Rule {
  const problems: ConfigProblem[] = [];
  const rule = parseRule(parseYamlSource(text, file), file, problems, actions);
  if (problems.length > 0 || !rule) throw new ConfigError(tidyProblems(problems));
  return rule;
}

function parseRule(parsed: { source?: YamlSource; problems: ConfigProblem[] }, file: string, problems: ConfigProblem[], actions: ActionCatalogue | undefined): Rule | undefined {
  problems.push(...parsed.problems);
  if (!parsed.source) return undefined;
  const rule = ruleFromSource(parsed.source, problems, actions);
  if (!rule) return undefined;
  const expected = basename(file, '.yaml');
  if (rule.id !== expected) {
    problems.push(problemAt(parsed.source, ['id'], `rule id "${rule.id}" does not match its file name: rename the file to ${rule.id}.yaml or the id to ${expected}`));
    return undefined;
  }
  return rule;
}

function loadRuleFiles(dirs: string[], problems: ConfigProblem[], actions: ActionCatalogue | undefined): { rules: RuleSet; fixtureFiles: string[] } {
  const rules: RuleSet = new Map();
  const fixtureFiles: string[] = [];
  for (const dir of dirs) {
    const files = listFiles(dir, problems);
    fixtureFiles.push(...files.fixtures);
    for (const file of files.rules) {
      // Parsed at build time when the text is the same (rules-cache.ts); a duplicate id is parsed again for its line.
      const cached = cachedRule(file, actions);
      if (cached && !rules.has(cached.id)) {
        rules.set(cached.id, cached);
        continue;
      }
      const parsed = readYamlFile(file);
      const rule = parseRule(parsed, file, problems, actions);
      if (!rule) continue;
      const existing = rules.get(rule.id);
      if (existing) {
        problems.push(
          problemAt(parsed.source!, ['id'], `rule id "${rule.id}" is already defined by ${existing.source}; a rule directory may add rules but not replace one — give this rule a new id`),
        );
        continue;
      }
      rules.set(rule.id, rule);
    }
  }
  return { rules, fixtureFiles };
}

/** Load every <id>.yaml (not *.test.yaml) from the directories, in order. Throws ConfigError listing all problems. */
export function loadRules(dirs: string[], actions?: ActionCatalogue): RuleSet {
  const problems: ConfigProblem[] = [];
  const { rules } = loadRuleFiles(dirs, problems, actions);
  if (problems.length > 0) throw new ConfigError(tidyProblems(problems));
  return rules;
}

function fixturesFromSource(source: YamlSource, rule: Rule, problems: ConfigProblem[]): RuleFixture[] | undefined {
  const found = schemaProblems(fixturesSchema, source);
  if (found.length === 0) {
    const list = (source.data as { fixtures: RuleFixture[] }).fixtures;
    list.forEach((f, i) => {
      found.push(...paramProblems(rule, f.params ?? {}, source, ['fixtures', i, 'name'], ['fixtures', i, 'params']));
    });
    const names = new Map<string, number>();
    list.forEach((f, i) => {
      const first = names.get(f.name);
      if (first !== undefined) {
        const line = positionOf(source, ['fixtures', first, 'name']).line;
        found.push(problemAt(source, ['fixtures', i, 'name'], `duplicate fixture name "${f.name}" (first used on line ${line})`));
      } else names.set(f.name, i);
    });
  }
  problems.push(...found);
  return found.length === 0 ? (source.data as { fixtures: RuleFixture[] }).fixtures : undefined;
}

/** Rules plus their fixtures (<id>.test.yaml), for `s3-kms-audit test` and the catalogue tests. */
export function loadRulesWithFixtures(dirs: string[], actions?: ActionCatalogue): { rules: RuleSet; fixtures: FixtureSet } {
  const problems: ConfigProblem[] = [];
  const { rules, fixtureFiles } = loadRuleFiles(dirs, problems, actions);
  const fixtures: FixtureSet = new Map();
  for (const file of fixtureFiles) {
    const id = basename(file, TEST_SUFFIX);
    const parsed = readYamlFile(file);
    problems.push(...parsed.problems);
    if (!parsed.source) continue;
    const rule = rules.get(id);
    if (!rule) {
      // Only report it when the rule file itself is not already broken (that problem is listed).
      const ruleFileBroken = problems.some((p) => basename(p.file) === `${id}.yaml`);
      if (!ruleFileBroken) {
        problems.push({ file, line: 1, column: 1, message: `fixtures for unknown rule "${id}": no ${id}.yaml was loaded`, ...optionalSuggestion(suggest(id, rules.keys())) });
      }
      continue;
    }
    if (fixtures.has(id)) {
      problems.push({ file, line: 1, column: 1, message: `fixtures for rule "${id}" are already given by ${fixtures.get(id)!.file}` });
      continue;
    }
    const list = fixturesFromSource(parsed.source, rule, problems);
    if (list) fixtures.set(id, { file, fixtures: list });
  }
  if (problems.length > 0) throw new ConfigError(tidyProblems(problems));
  return { rules, fixtures };
}

function optionalSuggestion(s: string | undefined): { suggestion?: string } {
  return s ? { suggestion: s } : {};
}
