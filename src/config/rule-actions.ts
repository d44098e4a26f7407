/**
 * A rule's `remediation:` must name a registered action that changes the rule's resource type and
 * declares that it fixes the rule. Otherwise `validate` would pass and the rule would silently never be
 * remediated. The catalogue of action descriptors is given by the caller (see src/domain/action.ts).
 */
import type { ActionCatalogue } from '../domain/action.js';
import type { ConfigProblem } from '../domain/errors.js';
import { suggest } from './suggest.js';
import { problemAt, type YamlSource } from './yaml-source.js';

export function remediationProblems(source: YamlSource, rule: { id: string; resource: string; remediation?: string }, actions: ActionCatalogue): ConfigProblem[] {
  const id = rule.remediation;
  if (id === undefined) return [];
  const at = ['remediation'];
  const action = actions.get(id);
  if (!action) {
    const known = [...actions.keys()];
    return [problemAt(source, at, `unknown remediation action "${id}"; registered actions: ${known.join(', ') || 'none'}`, { suggestion: suggest(id, known) })];
  }
  if (action.resource !== rule.resource) {
    return [problemAt(source, at, `remediation action ${id} changes ${action.resource} resources but rule ${rule.id} checks ${rule.resource} resources`)];
  }
  if (!action.fixes.includes(rule.id)) {
    return [problemAt(source, at, `remediation action ${id} does not declare that it fixes rule ${rule.id} (it fixes: ${action.fixes.join(', ')})`)];
  }
  return [];
}
