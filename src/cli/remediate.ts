/**
 * `s3-kms-audit remediate`: scan, plan, and with --apply make the planned changes (journaled, verified).
 *
 * Exit codes (docs/architecture.md's contract, extended for changes):
 *   0  plan written (plan only), or every planned change applied and verified; the scan was complete
 *   1  some planned change was not made and verified: it failed, did not verify, was refused at apply
 *      time (the bucket drifted, a key precondition no longer holds, the plan's `after` is not what its
 *      target makes, a saved plan's change is not what the policy file and AWS give now), it was written
 *      but S3 could not encrypt with its key, the confirmation was declined, or
 *      the plan is larger than --max-changes (then nothing is applied)
 *   2  usage or configuration error, before any AWS call (bad flags, invalid policy or plan file, a --from
 *      file with an edited finding, --apply without --yes when stdin is not a terminal, journal name already
 *      used); also before any change: a --batch role of another account than its jobs'
 *   3  incomplete: some bucket could not be read (refused as state-unknown, so the plan may be missing
 *      changes), the run was interrupted (SIGINT/SIGTERM) before every change was attempted, or a --batch
 *      job could not be created (its manifest upload or CreateJob failed: said as such, not "scan incomplete")
 * 1 wins over 3: a failed change is the thing to look at first.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadAuditConfig } from '../run/audit.js';
import { openSessions, type AccountSession } from '../aws/session.js';
import { UsageError } from '../domain/errors.js';
import { toolVersion } from '../paths.js';
import { applyPlan } from '../remediate/apply.js';
import { limitOf } from '../remediate/plan.js';
import { describeBatchFailure, submitBatch, writeBatchRecord } from '../remediate/actions/update-object-encryption/batch.js';
import { batchRoleProblem, roleAccountOf } from '../remediate/actions/update-object-encryption/batch-role.js';
import { UPDATE_OBJECT_ENCRYPTION, type PlannedObjectChange } from '../remediate/actions/update-object-encryption/types.js';
import { JournalWriter } from '../remediate/journal.js';
import { PLAN_EXTENSION, readPlanFile, renderPlanJson } from '../remediate/plan-file.js';
import { maxChangesMessage, renderApplySummary, renderPlan, type PlanView } from '../report/remediation.js';
import { BUILTIN_ACTIONS } from '../remediate/actions/index.js';
import { makePlan, planFromFindings } from '../run/remediation.js';
import { checkSavedFindings, readSavedFindings, withinPolicies } from './from-findings.js';
import type { ChangeBase, RemediationPlan } from '../remediate/types.js';
import { rederiveSavedPlan, type RederivedPlan } from '../run/saved-plan.js';
import { escapeControl } from '../domain/text.js';
import { prepareOutDir, writeReports } from '../report/writer.js';
import { awsOptionsFrom } from './aws-flags.js';
import type { RemediateArgs } from './commands.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK } from './exit.js';
import { confirm, onInterrupt, requireConsent, timestampName, type PromptIO } from './interaction.js';

export async function remediateCommand(args: RemediateArgs, io: PromptIO): Promise<number> {
  // Everything that can be wrong with the input is found before the first AWS call (and before asking for consent).
  const saved = args.plan !== undefined ? await readPlanFile(args.plan) : undefined;
  // A saved plan is checked against the policy file given now, never the one its (editable) run names.
  const config = loadAuditConfig(args.policies, args.rules);
  // A saved scan's findings, each checked to still say what that scan wrote (else exit 2, no AWS call).
  const fromScan = !saved && args.from !== undefined ? await readSavedFindings(args.from) : undefined;
  if (fromScan) checkSavedFindings(args.from!, fromScan, config.rules);
  // --batch: the role must be of the account each job is created in. A saved plan names those accounts; else
  // --assume-role names the accounts a plan can have changes in (at least one must be the role's).
  if (args.batch && saved) refuseForeignBatchRole(args.roleArn!, saved.changes.filter((c) => c.object !== undefined).map((c) => c.account), 'every');
  if (args.batch && !saved) refuseForeignBatchRole(args.roleArn!, args.assumeRoles.map((r) => roleAccountOf(r) ?? r), 'some');
  if (args.apply) requireConsent('remediate --apply', args.yes, io);
  await prepareOutDir(args.out);
  const name = args.name ?? timestampName('remediate', new Date());
  const journalPath = join(args.out, `${name}.journal.jsonl`);
  if (args.apply && existsSync(journalPath)) throw new UsageError(`journal ${journalPath} already exists: choose another --name`);

  // One set of sessions for the whole run: the scan, the reads for the plan and the apply share them.
  const aws = awsOptionsFrom(args, args.concurrency);
  const sessions = await openSessions(aws);
  try {
    // Without --assume-role the caller's account is known now, before any S3 or KMS call.
    if (args.batch) refuseForeignBatchRole(args.roleArn!, sessions.map((s) => s.account), 'some');
    let plan: RemediationPlan;
    let rederive: (() => Promise<RederivedPlan>) | undefined;
    if (fromScan && args.from !== undefined) {
      const { kept, outside } = withinPolicies(fromScan.findings, config.policyFile.policies);
      if (outside.length > 0) {
        const first = outside[0]!;
        io.stderr.write(
          `note: ${escapeControl(args.from)}: ${outside.length} object finding${outside.length === 1 ? '' : 's'} not of an object policy, rule and bucket scope of ${escapeControl(config.policyFile.path)} left out (first: ${escapeControl(`${first.policy}/${first.rule} s3://${first.resource.bucket}/${first.resource.key ?? ''}`)})\n`,
        );
      }
      const covered = { ...fromScan, findings: kept };
      if (covered.omitted > 0) io.stderr.write(`note: ${escapeControl(args.from)} counts ${covered.omitted} object findings it does not list (--max-object-findings); plan from its .objects.jsonl to include them\n`);
      plan = await planFromFindings(config, covered, { aws, sessions, concurrency: args.concurrency, maxChanges: args.maxChanges, maxObjectChanges: args.maxObjectChanges });
      const [planPath] = await writeReports(args.out, name, [{ extension: PLAN_EXTENSION, content: renderPlanJson(plan) }]);
      io.stdout.write(renderPlan(plan, planPath ? { plan: planPath } : {}, BUILTIN_ACTIONS, planView(args)));
    } else if (!saved) {
      const showProgress = io.stderr.isTTY === true;
      const made = await makePlan(config, {
        aws,
        sessions,
        concurrency: args.concurrency,
        maxChanges: args.maxChanges,
        // Object changes get their own limit only when they are planned: a bucket-only plan reads as before.
        ...(args.objects ? { maxObjectChanges: args.maxObjectChanges, objects: true } : {}),
        ...(showProgress ? { onProgress: (p) => io.stderr.write(`\r\u001b[2Kscanned ${p.bucketsDone}/${p.bucketsTotal} buckets`) } : {}),
      });
      if (showProgress) io.stderr.write('\r\u001b[2K');
      plan = made.plan;
      const [planPath] = await writeReports(args.out, name, [{ extension: PLAN_EXTENSION, content: renderPlanJson(plan) }]);
      io.stdout.write(renderPlan(plan, planPath ? { plan: planPath } : {}, BUILTIN_ACTIONS, planView(args)));
    } else {
      // A saved plan is judged against this run's --max-changes, not the one it was made with.
      plan = { ...saved, limit: limitOf(saved.changes, args.maxChanges, objectLimitOf(saved, args)) };
      io.stdout.write(renderPlan(plan, { plan: args.plan! }, BUILTIN_ACTIONS, planView(args)));
      rederive = () => rederiveSavedPlan(config, plan, { aws, sessions, concurrency: args.concurrency, maxChanges: args.maxChanges,
          // A saved plan with object changes is derived again with the object actions, whatever the flags.
          ...(objectLimitOf(plan, args) !== undefined ? { maxObjectChanges: args.maxObjectChanges, objects: true } : {}) });
    }
    const incomplete = !plan.run.scanComplete;
    if (!args.apply) {
      const code = plan.limit.exceeded ? EXIT_FINDINGS : incomplete ? EXIT_INCOMPLETE : EXIT_OK;
      // The reason for a non-zero exit is the last thing printed, where a CI log's tail shows it.
      if (code === EXIT_FINDINGS) io.stdout.write(`\nExit 1: the plan has more changes than --max-changes ${args.maxChanges} (or object changes than --max-object-changes ${args.maxObjectChanges}); nothing was changed.\n`);
      if (code === EXIT_INCOMPLETE) io.stdout.write('\nExit 3: the scan behind the plan was incomplete (unread buckets are refused); nothing was changed.\n');
      return code;
    }
    return await applyWithConsent(plan, { args, io, sessions, journalPath, incomplete, ...(rederive ? { rederive } : {}) });
  } finally {
    for (const s of sessions) s.destroy();
  }
}

async function applyWithConsent(
  plan: RemediationPlan,
  ctx: { args: RemediateArgs; io: PromptIO; sessions: AccountSession[]; journalPath: string; incomplete: boolean; rederive?: () => Promise<RederivedPlan> },
): Promise<number> {
  const { args, io } = ctx;
  let incomplete = ctx.incomplete;
  if (limitOf(plan.changes, args.maxChanges, objectLimitOf(plan, args)).exceeded) {
    io.stderr.write(maxChangesMessage(plan, args.maxChanges) + '\n');
    return EXIT_FINDINGS;
  }
  const irreversible = plan.changes.filter((c) => c.irreversible === true);
  if (irreversible.length > 0 && !args.allowIrreversible) {
    // Before any consent or change: the user must say, on the command line, that these cannot be undone.
    throw new UsageError(irreversibleMessage(irreversible));
  }
  if (plan.changes.length === 0) {
    io.stdout.write('\nNothing to apply.\n');
    return ctx.incomplete ? EXIT_INCOMPLETE : EXIT_OK;
  }
  let mismatchOf: ((change: ChangeBase) => string | undefined) | undefined;
  if (ctx.rederive) {
    io.stderr.write(`Checking the saved plan against ${escapeControl(args.policies)} and the buckets and keys as they are now...\n`);
    const rederived = await ctx.rederive();
    plan = rederived.plan;
    mismatchOf = rederived.mismatchOf;
    incomplete = incomplete || !rederived.now.run.scanComplete;
    if (rederived.policyFileDiffers) io.stderr.write(`note: ${escapeControl(args.policies)} is not the policy file the plan was made with (its sha256 differs); every change is checked against it as it is now\n`);
    if (rederived.mismatched > 0) io.stderr.write(`${rederived.mismatched} of ${plan.changes.length} saved changes are not what the policy file and AWS give now: they will be refused (plan-mismatch)\n`);
  }
  if (args.batch) {
    const others = plan.changes.filter((c) => c.object === undefined).length;
    // One kind of run at a time: bucket changes are journaled per change, object jobs are recorded as jobs.
    if (others > 0) throw new UsageError(`--batch submits object changes only; this plan also has ${others} bucket change${others === 1 ? '' : 's'}: apply ${others === 1 ? 'it' : 'them'} first without --batch (or narrow --policies)`);
  }
  if (!args.yes) {
    const accounts = new Set(plan.changes.map((c) => c.account)).size;
    const ok = await confirm(`\nApply ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} in ${accounts} account${accounts === 1 ? '' : 's'}?`, io);
    if (!ok) {
      io.stdout.write('Nothing applied.\n');
      return EXIT_FINDINGS;
    }
  }
  if (args.batch) return submitAsBatch(plan, { ...ctx, incomplete }, mismatchOf);
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
      ...(mismatchOf ? { mismatchOf } : {}),
      onOutcome: (o) => io.stderr.write(`${o.status === 'verified' ? 'changed' : o.status}: ${escapeControl(o.change.object ? `${o.change.bucket}/${o.change.object.key}` : o.change.bucket)}\n`),
    });
    io.stdout.write(renderApplySummary(summary, ctx.journalPath));
    // The reason for a non-zero exit is the last line, where a CI log's tail shows it.
    const unmade = summary.planned - summary.verified;
    if (summary.failed > 0 || summary.refused > 0) {
      io.stdout.write(`Exit 1: ${unmade} of ${summary.planned} planned changes were not made and verified (failed ${summary.failed}, refused ${summary.refused}; see above).\n`);
      return EXIT_FINDINGS;
    }
    if (summary.interrupted || summary.notStarted > 0 || incomplete) {
      const why = summary.interrupted || summary.notStarted > 0 ? `interrupted: ${summary.notStarted} planned changes were not started` : 'the scan behind the plan was incomplete (unread buckets were not changed)';
      io.stdout.write(`Exit 3: ${why}.\n`);
      return EXIT_INCOMPLETE;
    }
    return EXIT_OK;
  } finally {
    interrupt.dispose();
    await journal.close();
  }
}

/** --batch with a role none of these accounts can pass to S3 Batch Operations: exit 2 (batch-role.ts). */
function refuseForeignBatchRole(roleArn: string, accounts: readonly string[], need: 'some' | 'every'): void {
  const problem = batchRoleProblem(roleArn, accounts, need);
  if (problem) throw new UsageError(problem);
}

/** Lines of the plan on the console: a line per change and refusal (at most this many of each) unless --verbose. */
const BRIEF_PLAN_ROWS = 5;
const planView = (args: RemediateArgs): PlanView => (args.verbose ? {} : { brief: BRIEF_PLAN_ROWS });

/** Why --apply stops (exit 2) on a plan with irreversible changes, and what to do. */
export function irreversibleMessage(irreversible: readonly ChangeBase[]): string {
  const shown = irreversible.slice(0, 3).map((c) => `${c.bucket}/${c.object?.key ?? ''}`).join(', ');
  const more = irreversible.length > 3 ? ` and ${irreversible.length - 3} more` : '';
  return (
    `the plan has ${irreversible.length} irreversible change${irreversible.length === 1 ? '' : 's'} (${escapeControl(shown)}${more}): ` +
    'objects encrypted with SSE-S3 changed to SSE-KMS cannot be changed back by UpdateObjectEncryption, so rollback could not undo them. ' +
    'Review them in the plan and re-run with --allow-irreversible to make them, or narrow the policies.'
  )
}

/** --max-object-changes applies when object changes are planned (--objects) or a saved plan has some. */
function objectLimitOf(plan: RemediationPlan, args: RemediateArgs): number | undefined {
  return args.objects || plan.changes.some((c) => c.object !== undefined) ? args.maxObjectChanges : undefined;
}

/**
 * --batch: the object changes as S3 Batch Operations jobs (one per account, region and target key), their
 * manifests uploaded to --report-bucket, ConfirmationRequired unless --yes; the batch record is written next
 * to where the journal would be. A saved plan's change that is not what the policy gives now is left out.
 */
async function submitAsBatch(
  plan: RemediationPlan,
  ctx: { args: RemediateArgs; io: PromptIO; sessions: AccountSession[]; journalPath: string; incomplete: boolean },
  mismatchOf: ((change: ChangeBase) => string | undefined) | undefined,
): Promise<number> {
  const { args, io } = ctx;
  const isObjectChange = (c: ChangeBase): c is PlannedObjectChange => c.action === UPDATE_OBJECT_ENCRYPTION && c.object !== undefined;
  const mismatched = plan.changes.filter((c) => mismatchOf?.(c) !== undefined);
  const changes = plan.changes.filter((c) => !mismatched.includes(c)).filter(isObjectChange);
  const path = ctx.journalPath.replace(/\.journal\.jsonl$/, '.batch.json');
  const { record, failure } = await submitBatch(changes, {
    sessions: ctx.sessions,
    roleArn: args.roleArn!,
    reportBucket: args.reportBucket!,
    name: basename(path, '.batch.json'),
    planRunId: plan.run.id,
    confirmationRequired: !args.yes,
    ...(args.endpointUrl ? { endpoint: args.endpointUrl } : {}),
  });
  // The jobs created before a failure run all the same: their record is written whatever failed after them.
  if (record.jobs.length > 0 || !failure) {
    await writeBatchRecord(path, record);
    for (const j of record.jobs) io.stdout.write(escapeControl(`Job ${j.jobId} (${j.account}, ${j.region}): ${j.objects.length} objects to ${j.keyArn}, report s3://${j.report.bucket}/${j.report.prefix}/`) + '\n');
    if (record.confirmationRequired) io.stdout.write('The jobs wait for confirmation (ConfirmationRequired): confirm them in the S3 console, or run with --yes.\n');
    io.stdout.write(`Batch record: ${path}\nProgress and results: s3-kms-audit status ${path}\n`);
  }
  if (failure) io.stderr.write(`error: ${escapeControl(describeBatchFailure(failure, record.jobs.length))}\n`);
  if (mismatched.length > 0) {
    io.stdout.write(`Exit 1: ${mismatched.length} saved changes were not what the policy file and AWS give now and were left out (plan-mismatch).\n`);
    return EXIT_FINDINGS;
  }
  if (failure) {
    // A run error, not a verdict on the objects: exit 3, saying what failed (not "scan incomplete").
    io.stdout.write(escapeControl(`Exit 3: ${record.jobs.length} of ${failure.of} S3 Batch Operations jobs were created: the ${failure.step} failed with ${failure.code} (see above); the objects of the jobs not created were not changed.`) + '\n');
    return EXIT_INCOMPLETE;
  }
  if (ctx.incomplete) {
    io.stdout.write('Exit 3: the scan behind the plan was incomplete (unread objects were not submitted).\n');
    return EXIT_INCOMPLETE;
  }
  return EXIT_OK;
}
