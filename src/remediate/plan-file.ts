/**
 * The plan file (<out>/<name>.plan.json): rendering, and reading a saved plan back with its schema
 * checked (src/schema/plan.schema.json), so a hand-edited or truncated plan is refused before any AWS call.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, unreadableFileError } from '../domain/errors.js';
import planSchema from '../schema/plan.schema.json' with { type: 'json' };
import { errorsToText, validateAgainst } from '../schema/ajv.js';
import { BUILTIN_ACTIONS, type RegisteredPlan } from './actions/index.js';
import type { ActionRegistry } from './registry.js';
import type { RemediationPlan } from './types.js';

export const PLAN_EXTENSION = 'plan.json';

export function renderPlanJson(plan: RemediationPlan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

export function loadPlanSchema(): object {
  return planSchema;
}

/**
 * Parses and validates plan text; every problem is a UsageError naming the file (exit 2). Every change must
 * name an action this version has (a change without `action` predates action ids: the legacy default's).
 */
export function parsePlan(text: string, path: string, actions: ActionRegistry = BUILTIN_ACTIONS): RegisteredPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const problems = validateAgainst(planSchema, data);
  if (problems.length > 0) throw new UsageError(`${path} is not a valid remediation plan:\n${errorsToText(problems)}`);
  // The schema checked the built-in actions' change shape.
  const plan = data as RegisteredPlan;
  plan.changes.forEach((c, i) => {
    if (!actions.has(actions.idOf(c))) throw new UsageError(`${path}: /changes/${i}: unknown remediation action "${actions.idOf(c)}"`);
  });
  return plan;
}

export async function readPlanFile(path: string): Promise<RegisteredPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadableFileError('--plan', path, err, 'Give the .plan.json file a run of "s3-kms-audit remediate" without --apply wrote (it prints the path; default folder reports/).');
  }
  return parsePlan(text, path);
}
