/**
 * The plan document, whatever the actions: each action named by a failing rule plans its own share
 * (src/remediate/actions/), and this module stamps every change and refusal with the action's id and
 * assembles the versioned document with its --max-changes limit. Names no action.
 */
import type { Finding } from '../domain/finding.js';
import type { RuleSet } from '../domain/rule.js';
import type { PlanPart, PlanRequest, RemediationAction } from './action.js';
import { PLAN_KIND, PLAN_SCHEMA_VERSION, type ChangeBase, type PlanFinding, type RemediationPlan } from './types.js';

/** Does the rule name this action in `remediation:`? */
export const remediableBy = (rules: RuleSet, ruleId: string, actionId: string): boolean => rules.get(ruleId)?.remediation === actionId;

export function toPlanFinding(f: Finding): PlanFinding {
  return { id: f.id, policy: f.policy, rule: f.rule, severity: f.severity, status: f.status, message: f.message };
}

export interface PlanMeta {
  maxChanges: number;
  /** When set, object changes are bounded by it instead of by maxChanges (they come by the thousand). */
  maxObjectChanges?: number;
  run: RemediationPlan['run'];
  tool: RemediationPlan['tool'];
}

/** The plan document from each action's share, in the order given; every record names its action. */
export function assemblePlan<C extends ChangeBase>(parts: readonly { action: string; part: PlanPart<C> }[], meta: PlanMeta): RemediationPlan<C> {
  const changes = parts.flatMap(({ action, part }) => part.changes.map((c) => ({ action, ...c })));
  const refusals = parts.flatMap(({ action, part }) => part.refusals.map((r) => ({ action, ...r })));
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    kind: PLAN_KIND,
    tool: meta.tool,
    run: meta.run,
    limit: limitOf(changes, meta.maxChanges, meta.maxObjectChanges),
    changes,
    refusals,
  };
}

/** The plan's --max-changes verdict: object changes against maxObjectChanges when it is set, the others against maxChanges. */
export function limitOf(changes: readonly ChangeBase[], maxChanges: number, maxObjectChanges?: number): RemediationPlan['limit'] {
  if (maxObjectChanges === undefined) return { maxChanges, exceeded: changes.length > maxChanges };
  const objects = changes.filter((c) => c.object !== undefined).length;
  return { maxChanges, exceeded: changes.length - objects > maxChanges || objects > maxObjectChanges, maxObjectChanges };
}

/** Plans with every action that some finding's rule names (the others have nothing to do and read nothing). */
export async function planRemediation(request: PlanRequest, meta: PlanMeta, actions: readonly RemediationAction[]): Promise<RemediationPlan> {
  const parts: { action: string; part: PlanPart }[] = [];
  for (const action of actions) {
    const id = action.descriptor.id;
    if (!request.findings.some((f) => remediableBy(request.rules, f.rule, id))) continue;
    parts.push({ action: id, part: await action.plan(request) });
  }
  return assemblePlan(parts, meta);
}
