/**
 * The IAM actions of `remediate` and `rollback`, from what each remediation action declares
 * (src/remediate/action.ts ActionPermissions) on top of the scan's own (src/aws/permissions.ts).
 */
import { iamActionsOf, scanOperations } from '../aws/permissions.js';
import type { FactAspect } from '../domain/rule.js';
import type { IamPermission, RemediationAction } from './action.js';

function addOnce(actions: string[], permissions: readonly IamPermission[]): string[] {
  for (const p of permissions) if (!actions.includes(p.iamAction)) actions.push(p.iamAction);
  return actions;
}

/** `remediate`: the scan's reads (widened by what the actions read to plan), then each action's apply steps. */
export function remediateIamActions(aspects: Iterable<FactAspect>, actions: readonly RemediationAction[]): string[] {
  const planAspects = actions.flatMap((a) => a.permissions.planAspects);
  const iam = iamActionsOf(scanOperations(new Set<FactAspect>([...aspects, ...planAspects])));
  for (const a of actions) addOnce(iam, a.permissions.apply);
  return iam;
}

/** `rollback`: each action's read, restore and read-back (a journal may hold any action's changes). */
export function rollbackIamActions(actions: readonly RemediationAction[]): string[] {
  const iam: string[] = [];
  for (const a of actions) addOnce(iam, a.permissions.rollback);
  return iam;
}
