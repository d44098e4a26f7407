/**
 * Applying a saved plan: re-derive it first. The plan file is only a proposal; what may be applied is
 * what the policy file (as given to this run) and live AWS state plan now — the same scan, plan-time reads
 * and planners as a new plan — compared change by change with the file (src/remediate/plan-trust.ts).
 * Only the policies of resource types some remediation action changes are evaluated: findings of the
 * others (object policies, for the built-in bucket action) never make or shape a change.
 */
import type { AuditConfig } from './audit.js';
import { BUILTIN_ACTIONS } from '../remediate/actions/index.js';
import { checkSavedChanges } from '../remediate/plan-trust.js';
import type { ChangeBase, RemediationPlan } from '../remediate/types.js';
import { makePlan, type MakePlanOptions } from './remediation.js';

export interface RederivedPlan {
  /**
   * The saved plan with every change that matches replaced by the change derived now, so nothing
   * applied is read from the file; a change that does not match stays as saved, to be refused.
   */
  plan: RemediationPlan;
  /** Why a change of `plan` is refused as plan-mismatch (undefined for the matching ones). */
  mismatchOf: (change: ChangeBase) => string | undefined;
  mismatched: number;
  /** The plan the policy file and AWS give now. */
  now: RemediationPlan;
  /** The policy file given now is not byte for byte the one the plan was made with. */
  policyFileDiffers: boolean;
}

export async function rederiveSavedPlan(config: AuditConfig, saved: RemediationPlan, opts: MakePlanOptions): Promise<RederivedPlan> {
  const actions = opts.actions ?? BUILTIN_ACTIONS;
  // Object policies are scanned again only when the saved plan is derived with the object actions.
  const remediable = new Set(actions.actions.map((a) => a.descriptor.resource).filter((r) => r !== 'object' || opts.objects === true));
  const policies = config.policyFile.policies.filter((p) => remediable.has(p.resource));
  const scoped: AuditConfig = { ...config, policyFile: { ...config.policyFile, policies } };
  const { plan: now } = await makePlan(scoped, opts);
  // A plan written before actions had ids names none: its changes are the legacy default action's.
  const savedChanges = saved.changes.map((c): ChangeBase => ({ ...c, action: actions.idOf(c) }));
  const checks = checkSavedChanges<ChangeBase>(savedChanges, now);
  const mismatches = new Map<ChangeBase, string>();
  const changes = checks.map((c) => {
    if (c.current) return c.current;
    mismatches.set(c.saved, c.mismatch ?? 'not the change the policy file and AWS give now');
    return c.saved;
  });
  return {
    plan: { ...saved, changes },
    mismatchOf: (change) => mismatches.get(change),
    mismatched: mismatches.size,
    now,
    policyFileDiffers: config.policyFile.sha256 !== saved.run.policyFileSha256,
  };
}
