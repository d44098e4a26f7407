/**
 * `s3-kms-audit remediate`: scan, plan, and with --apply make the planned changes (journaled, verified).
 *
 * Exit codes (docs/architecture.md's contract, extended for changes):
 *   0  plan written (plan only), or every planned change applied and verified; the scan was complete
 *   1  some planned change was not made and verified: it failed, did not verify, was refused at apply
 *      time (the bucket drifted, a key precondition no longer holds, the plan's `after` is not what its
 *      target makes), the confirmation was declined, or
 *      the plan is larger than --max-changes (then nothing is applied)
 *   2  usage or configuration error, before any AWS call (bad flags, invalid policy or plan file,
 *      --apply without --yes when stdin is not a terminal, journal name already used)
 *   3  incomplete: some bucket could not be read (refused as state-unknown, so the plan may be missing
 *      changes), or the run was interrupted (SIGINT/SIGTERM) before every change was attempted
 * 1 wins over 3: a failed change is the thing to look at first.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadAuditConfig } from '../run/audit.js';
import { openSessions, type AccountSession } from '../aws/session.js';
import { UsageError } from '../domain/errors.js';
import { toolVersion } from '../paths.js';
import { applyPlan } from '../remediate/apply.js';
import { JournalWriter } from '../remediate/journal.js';
import { PLAN_EXTENSION, readPlanFile, renderPlanJson } from '../remediate/plan-file.js';
import { maxChangesMessage, renderApplySummary, renderPlan } from '../report/remediation.js';
import { makePlan } from '../run/remediation.js';
import type { RemediationPlan } from '../remediate/types.js';
import { escapeControl } from '../domain/text.js';
import { prepareOutDir, writeReports } from '../report/writer.js';
import { awsOptionsFrom } from './aws-flags.js';
import type { RemediateArgs } from './commands.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK } from './exit.js';
import { confirm, onInterrupt, requireConsent, timestampName, type PromptIO } from './interaction.js';

export async function remediateCommand(args: RemediateArgs, io: PromptIO): Promise<number> {
  // Everything that can be wrong with the input is found before the first AWS call (and before asking for consent).
  const config = args.plan === undefined ? loadAuditConfig(args.policies, args.rules) : undefined;
  const saved = args.plan !== undefined ? await readPlanFile(args.plan) : undefined;
  if (args.apply) requireConsent('remediate --apply', args.yes, io);
  await prepareOutDir(args.out);
  const name = args.name ?? timestampName('remediate', new Date());
  const journalPath = join(args.out, `${name}.journal.jsonl`);
  if (args.apply && existsSync(journalPath)) throw new UsageError(`journal ${journalPath} already exists: choose another --name`);

  // One set of sessions for the whole run: the scan, the reads for the plan and the apply share them.
  const aws = awsOptionsFrom(args, args.concurrency);
  const sessions = await openSessions(aws);
  try {
    let plan: RemediationPlan;
    if (config) {
      const showProgress = io.stderr.isTTY === true;
      const made = await makePlan(config, {
        aws,
        sessions,
        concurrency: args.concurrency,
        maxChanges: args.maxChanges,
        ...(showProgress ? { onProgress: (p) => io.stderr.write(`\r\u001b[2Kscanned ${p.bucketsDone}/${p.bucketsTotal} buckets`) } : {}),
      });
      if (showProgress) io.stderr.write('\r\u001b[2K');
      plan = made.plan;
      const [planPath] = await writeReports(args.out, name, [{ extension: PLAN_EXTENSION, content: renderPlanJson(plan) }]);
      io.stdout.write(renderPlan(plan, planPath ? { plan: planPath } : {}));
    } else {
      // A saved plan is judged against this run's --max-changes, not the one it was made with.
      plan = { ...saved!, limit: { maxChanges: args.maxChanges, exceeded: saved!.changes.length > args.maxChanges } };
      io.stdout.write(renderPlan(plan, { plan: args.plan! }));
    }
    const incomplete = !plan.run.scanComplete;
    if (!args.apply) return plan.limit.exceeded ? EXIT_FINDINGS : incomplete ? EXIT_INCOMPLETE : EXIT_OK;
    return await applyWithConsent(plan, { args, io, sessions, journalPath, incomplete });
  } finally {
    for (const s of sessions) s.destroy();
  }
}

async function applyWithConsent(
  plan: RemediationPlan,
  ctx: { args: RemediateArgs; io: PromptIO; sessions: AccountSession[]; journalPath: string; incomplete: boolean },
): Promise<number> {
  const { args, io } = ctx;
  if (plan.changes.length > args.maxChanges) {
    io.stderr.write(maxChangesMessage(plan, args.maxChanges) + '\n');
    return EXIT_FINDINGS;
  }
  if (plan.changes.length === 0) {
    io.stdout.write('\nNothing to apply.\n');
    return ctx.incomplete ? EXIT_INCOMPLETE : EXIT_OK;
  }
  if (!args.yes) {
    const accounts = new Set(plan.changes.map((c) => c.account)).size;
    const ok = await confirm(`\nApply ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} in ${accounts} account${accounts === 1 ? '' : 's'}?`, io);
    if (!ok) {
      io.stdout.write('Nothing applied.\n');
      return EXIT_FINDINGS;
    }
  }
  const journal = await JournalWriter.create(ctx.journalPath, randomUUID());
  const interrupt = onInterrupt(io, 'changes');
  try {
    const summary = await applyPlan({
      plan,
      sessions: ctx.sessions,
      journal,
      concurrency: args.concurrency,
      stop: interrupt.signal,
      toolVersion: toolVersion(),
      onOutcome: (o) => io.stderr.write(`${o.status === 'verified' ? 'changed' : o.status}: ${escapeControl(o.change.bucket)}\n`),
    });
    io.stdout.write(renderApplySummary(summary, ctx.journalPath));
    if (summary.failed > 0 || summary.refused > 0) return EXIT_FINDINGS;
    if (summary.interrupted || summary.notStarted > 0 || ctx.incomplete) return EXIT_INCOMPLETE;
    return EXIT_OK;
  } finally {
    interrupt.dispose();
    await journal.close();
  }
}
