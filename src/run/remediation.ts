/**
 * Making a plan, end to end: the scan (src/audit.ts, unchanged), then one read of each candidate bucket
 * and target key (observe.ts), then the pure planner (plan.ts). Writes nothing and never exits.
 */
import { randomUUID } from 'node:crypto';
import { runAudit, type AuditConfig } from './audit.js';
import { toolVersion } from '../paths.js';
import type { AwsOptions } from '../aws/options.js';
import type { AccountSession } from '../aws/session.js';
import type { CollectProgress } from '../collect/collector.js';
import type { AuditReport } from '../domain/report.js';
import { requiredAspects } from '../engine/aspects.js';
import { observe } from '../remediate/observe.js';
import { bucketsToObserve, computePlan, keysToResolve } from '../remediate/plan.js';
import type { RemediationPlan } from '../remediate/types.js';

export interface MakePlanOptions {
  aws: AwsOptions;
  /** Sessions opened by the caller: the scan and the reads for the plan use them, and so can the apply. */
  sessions: AccountSession[];
  concurrency: number;
  maxChanges: number;
  now?: () => Date;
  runId?: string;
  onProgress?: (p: CollectProgress) => void;
}

export interface MadePlan {
  plan: RemediationPlan;
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
  });
  const { policyFile, rules } = config;
  const aspects = requiredAspects(policyFile, rules, 'bucket');
  const { observations, targetKeys } = await observe(bucketsToObserve(report.findings, rules), keysToResolve(policyFile, report.findings, rules), {
    sessions: opts.sessions,
    concurrency: opts.concurrency,
    wantTags: aspects.has('bucket.tags'),
    wantRotation: aspects.has('key.rotation'),
  });
  const plan = computePlan({
    policyFile,
    rules,
    findings: report.findings,
    observations,
    targetKeys,
    maxChanges: opts.maxChanges,
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
  });
  return { plan, report };
}
