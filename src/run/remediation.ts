/**
 * Making a plan, end to end: the scan (audit.ts, unchanged), then each remediation action named by a
 * failing rule reads what it needs and plans its share (src/remediate/actions/), assembled into one plan
 * (src/remediate/plan.ts). Writes nothing and never exits.
 */
import { randomUUID } from 'node:crypto';
import { runAudit, type AuditConfig } from './audit.js';
import { toolVersion } from '../paths.js';
import type { AwsOptions } from '../aws/options.js';
import type { AccountSession } from '../aws/session.js';
import type { CollectProgress } from '../collect/collector.js';
import type { AuditReport } from '../domain/report.js';
import type { Finding } from '../domain/finding.js';
import { BUILTIN_ACTIONS, type RegisteredPlan } from '../remediate/actions/index.js';
import { planRemediation } from '../remediate/plan.js';
import { DEFAULT_MAX_OBJECT_FINDINGS } from './tally.js';
import type { ActionRegistry } from '../remediate/registry.js';

export interface MakePlanOptions {
  aws: AwsOptions;
  /** Sessions opened by the caller: the scan and the reads for the plan use them, and so can the apply. */
  sessions: AccountSession[];
  concurrency: number;
  maxChanges: number;
  /** Bounds object changes separately (see PlanMeta); absent: every change counts against maxChanges. */
  maxObjectChanges?: number;
  /**
   * Plan object-level actions too (remediate --objects). Off by default: object changes come by the
   * thousand and some cannot be undone, so a remediation run that planned only buckets before object
   * actions existed must not start changing objects because the tool was upgraded.
   */
  objects?: boolean;
  now?: () => Date;
  runId?: string;
  onProgress?: (p: CollectProgress) => void;
  /** Default: the built-in actions. */
  actions?: ActionRegistry;
}

export interface MadePlan {
  /** Typed as the built-in actions' plan: with other actions (tests), their changes are in it too. */
  plan: RegisteredPlan;
  /** The scan the plan was made from (its findings are what the plan cites). */
  report: AuditReport;
}

export async function makePlan(config: AuditConfig, opts: MakePlanOptions): Promise<MadePlan> {
  const now = opts.now ?? (() => new Date());
  const runId = opts.runId ?? randomUUID();
  // The gate is irrelevant here: the plan reports refusals itself, and nothing is failed or passed.
  const report = await runAudit(config, {
    aws: opts.aws,
    sessions: opts.sessions,
    concurrency: opts.concurrency,
    gate: { failOn: 'none', allowIncomplete: true },
    now,
    runId,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    // Object findings beyond the report's default cap would be invisible to the planner: keep enough of them.
    ...(opts.objects === true && opts.maxObjectChanges !== undefined ? { objects: { maxFindings: Math.max(DEFAULT_MAX_OBJECT_FINDINGS, 4 * opts.maxObjectChanges + 1) } } : {}),
  });
  const { policyFile, rules } = config;
  const request = { policyFile, rules, findings: report.findings, sessions: opts.sessions, concurrency: opts.concurrency };
  const plan = await planRemediation(request, {
    maxChanges: opts.maxChanges,
    ...(opts.maxObjectChanges !== undefined ? { maxObjectChanges: opts.maxObjectChanges } : {}),
    tool: { name: 's3-kms-audit', version: toolVersion() },
    run: {
      id: runId,
      created: now().toISOString(),
      policyFile: policyFile.path,
      policyFileSha256: policyFile.sha256,
      accounts: report.run.accounts,
      scanComplete: report.run.complete,
      ...(opts.aws.endpoint ? { endpoint: opts.aws.endpoint } : {}),
    },
  }, (opts.actions ?? BUILTIN_ACTIONS).actions.filter((a) => opts.objects === true || a.descriptor.resource !== 'object'));
  // Each action plans its own change type; the built-in ones together make exactly RegisteredChange.
  return { plan: plan as RegisteredPlan, report };
}

/**
 * The object changes of a saved scan's findings (remediate --objects --from FILE): no new scan; the object
 * actions read each object again and refuse the ones that changed since (changed-since-scan).
 */
export async function planFromFindings(
  config: AuditConfig,
  saved: { findings: readonly Finding[]; complete: boolean },
  opts: Pick<MakePlanOptions, 'aws' | 'sessions' | 'concurrency' | 'maxChanges' | 'maxObjectChanges' | 'now' | 'runId' | 'actions'>,
): Promise<RegisteredPlan> {
  const now = opts.now ?? (() => new Date());
  const { policyFile, rules } = config;
  const actions = (opts.actions ?? BUILTIN_ACTIONS).actions.filter((a) => a.descriptor.resource === 'object');
  const plan = await planRemediation(
    { policyFile, rules, findings: saved.findings, sessions: opts.sessions, concurrency: opts.concurrency },
    {
      maxChanges: opts.maxChanges,
      ...(opts.maxObjectChanges !== undefined ? { maxObjectChanges: opts.maxObjectChanges } : {}),
      tool: { name: 's3-kms-audit', version: toolVersion() },
      run: {
        id: opts.runId ?? randomUUID(),
        created: now().toISOString(),
        policyFile: policyFile.path,
        policyFileSha256: policyFile.sha256,
        accounts: [...new Set(opts.sessions.map((s) => s.account))].sort(),
        scanComplete: saved.complete,
        ...(opts.aws.endpoint ? { endpoint: opts.aws.endpoint } : {}),
      },
    },
    actions,
  );
  return plan as RegisteredPlan;
}
