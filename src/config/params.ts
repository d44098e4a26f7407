/**
 * Checks a policy's (or fixture's) params for one rule against the rule's declared params:
 * undeclared names, missing required ones, wrong types and malformed values (KMS key spellings,
 * regions, globs, regexes, account ids) are configuration errors with positions.
 */
import type { ConfigProblem } from '../domain/errors.js';
import type { Rule, RuleParam } from '../domain/rule.js';
import { suggest } from './suggest.js';
import { checkAccount, checkGlob, checkKmsKeySpelling, checkRegex, checkRegion, type ValueProblem } from './values.js';
import { problemAt, type DataPath, type YamlSource } from './yaml-source.js';

const FORMAT_CHECKS: Record<NonNullable<RuleParam['format']>, (v: unknown) => ValueProblem | null> = {
  'kms-key': checkKmsKeySpelling,
  region: checkRegion,
  glob: checkGlob,
  regex: checkRegex,
  account: checkAccount,
};

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/**
 * @param refPath data path of the rule reference (where a missing param is reported)
 * @param paramsPath data path of the params mapping
 */
export function paramProblems(
  rule: Rule,
  params: unknown,
  source: YamlSource,
  refPath: DataPath,
  paramsPath: DataPath,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const declared = rule.params ?? {};
  const given = params && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  const declaredNames = Object.keys(declared);
  for (const [name, value] of Object.entries(given)) {
    const decl = declared[name];
    if (!decl) {
      const takes = declaredNames.length ? `it takes: ${declaredNames.join(', ')}` : 'it takes no params';
      problems.push(
        problemAt(source, [...paramsPath, name], `rule ${rule.id} has no param "${name}"; ${takes}`, {
          key: true,
          suggestion: suggest(name, declaredNames),
        }),
      );
      continue;
    }
    if (decl.type && typeOf(value) !== decl.type) {
      problems.push(problemAt(source, [...paramsPath, name], `param "${name}" of rule ${rule.id} must be of type ${decl.type}, got ${typeOf(value)}`));
      continue;
    }
    if (decl.type === 'array' && (value as unknown[]).length === 0 && decl.required) {
      problems.push(problemAt(source, [...paramsPath, name], `param "${name}" of rule ${rule.id} must not be empty`));
      continue;
    }
    const check = decl.format ? FORMAT_CHECKS[decl.format] : undefined;
    if (!check) continue;
    const items: [unknown, DataPath][] = Array.isArray(value)
      ? value.map((v, i): [unknown, DataPath] => [v, [...paramsPath, name, i]])
      : [[value, [...paramsPath, name]]];
    for (const [item, itemPath] of items) {
      const problem = check(item);
      if (problem) problems.push(problemAt(source, itemPath, `param "${name}" of rule ${rule.id}: ${problem.message}`, { suggestion: problem.suggestion }));
    }
  }
  for (const [name, decl] of Object.entries(declared)) {
    if (decl.required && !(name in given)) {
      problems.push(problemAt(source, refPath, `rule ${rule.id} needs the param "${name}" (${decl.description})`));
    }
  }
  return problems;
}
