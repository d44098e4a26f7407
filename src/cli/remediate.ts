/**
 * `s3-kms-audit remediate`: scan, plan, and with --apply make the planned changes (journaled, verified).
 * Also the pieces rollback shares with it: AWS options from flags, the confirmation prompt, signal handling.
 *
 * Exit codes (docs/architecture.md's contract, extended for changes):
 *   0  plan written (plan only), or every planned change applied and verified; the scan was complete
 *   1  some planned change was not made and verified: it failed, did not verify, was refused at apply
 *      time (the bucket drifted, a key precondition no longer holds, the plan's `after` is not what its
 *      target makes, a saved plan's change is not what the policy file and AWS give now), it was written
 *      but S3 could not encrypt with its key, the confirmation was declined, or
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
import { createInterface } from 'node:readline';
import { loadAuditConfig, toolVersion } from '../run/audit.js';
import type { AwsOptions } from '../aws/options.js';
import { DEFAULT_MAX_SOCKETS } from '../aws/options.js';
import { openSessions, type AccountSession } from '../aws/session.js';
import { UsageError } from '../domain/errors.js';
import { applyPlan } from '../remediate/apply.js';
import { JournalWriter } from '../remediate/journal.js';
import { PLAN_EXTENSION, readPlanFile, renderPlanJson } from '../remediate/plan-file.js';
import { maxChangesMessage, renderApplySummary, renderPlan } from '../report/remediation.js';
import { makePlan } from '../run/remediation.js';
import type { PlannedChange, RemediationPlan } from '../remediate/types.js';
import { rederiveSavedPlan, type RederivedPlan } from '../run/saved-plan.js';
import { escapeControl } from '../domain/text.js';
import { checkReportName, prepareOutDir, writeReports } from '../report/writer.js';
import {
  AWS_FLAGS_HELP,
  AWS_FLAG_OPTIONS,
  DEFAULT_CONCURRENCY,
  DEFAULT_OUT,
  DEFAULT_POLICIES,
  MAX_CONCURRENCY,
  parse,
  parseAwsFlags,
  parseConcurrency,
  type AwsFlags,
} from './args.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK } from './exit.js';
import type { CliIO } from './terminal.js';

export const DEFAULT_MAX_CHANGES = 25;

/** CliIO plus stdin for the confirmation prompt (main.ts passes none: process.stdin is used). */
export interface PromptIO extends CliIO {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

// ---------------------------------------------------------------------------------------------
// Shared with rollback

export function awsOptionsOf(flags: AwsFlags, concurrency: number): AwsOptions {
  const aws: AwsOptions = { maxSockets: Math.max(DEFAULT_MAX_SOCKETS, concurrency) };
  if (flags.endpointUrl) aws.endpoint = flags.endpointUrl;
  if (flags.region) aws.region = flags.region;
  if (flags.profile) aws.profile = flags.profile;
  if (flags.assumeRoles.length > 0) aws.assumeRoles = flags.assumeRoles;
  if (flags.maxAttempts !== undefined) aws.maxAttempts = flags.maxAttempts;
  return aws;
}

/** A person is there to answer: both stdin and stdout are terminals. */
export function isInteractive(io: PromptIO): boolean {
  return (io.stdin ?? process.stdin).isTTY === true && io.stdout.isTTY === true;
}

/** Checked while parsing, before any AWS call: a change needs --yes or a person at a terminal. */
export function requireConsent(command: string, yes: boolean, io: PromptIO): void {
  if (yes || isInteractive(io)) return;
  throw new UsageError(`${command}: refusing to change buckets without confirmation: stdin is not a terminal, so pass --yes to confirm non-interactively`);
}

/** Asks a y/N question on the terminal; anything but y/yes is no. */
export async function confirm(question: string, io: PromptIO): Promise<boolean> {
  io.stdout.write(`${question} [y/N] `);
  const rl = createInterface({ input: io.stdin ?? process.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * SIGINT/SIGTERM while changing buckets: stop starting new changes, let the ones in flight finish and
 * be journaled. The process keeps running until then, whatever the number of signals.
 */
export function onInterrupt(io: CliIO, what: string): Interrupt {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      io.stderr.write(`\n${signal}: starting no new ${what}; finishing and journaling the ones in flight...\n`);
      controller.abort();
    } else {
      io.stderr.write(`${signal}: still finishing the ${what} in flight (the journal stays consistent)...\n`);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** `<prefix>-YYYYMMDDTHHMMSSZ` (UTC). */
export function timestampName(prefix: string, at: Date): string {
  return `${prefix}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export function parseMaxChanges(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-changes: "${value}" is not a whole number of at least 1`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// remediate

export interface RemediateArgs extends AwsFlags {
  help: boolean;
  policies: string;
  rules: string[];
  out: string;
  name?: string;
  apply: boolean;
  plan?: string;
  maxChanges: number;
  concurrency: number;
  yes: boolean;
}

const REMEDIATE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  policies: { type: 'string' },
  rules: { type: 'string', multiple: true },
  out: { type: 'string' },
  name: { type: 'string' },
  apply: { type: 'boolean' },
  plan: { type: 'string' },
  'max-changes': { type: 'string' },
  concurrency: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  ...AWS_FLAG_OPTIONS,
} as const;

export const REMEDIATE_HELP = `Usage: s3-kms-audit remediate [options]

Scans, then plans the PutBucketEncryption changes that make failing buckets pass their remediable
rules (target key and settings from each policy's remediation block), writes <out>/<name>.plan.json
and prints the plan: each bucket's current configuration -> new configuration, the findings it
fixes, and every bucket refused with its reason. Nothing changes without --apply.

With --apply it applies that plan (or a saved one, --plan FILE, which is first derived again from
--policies and the live buckets and keys: a change that is not exactly what they give now is
refused): for each change it re-checks the target key and that the bucket is still as planned,
journals the intent to <out>/<name>.journal.jsonl (fsynced), writes, reads back, checks that S3 can
use the key it names and journals the result. Undo with: s3-kms-audit rollback JOURNAL.

Options:
  --policies FILE       policy file (default ${DEFAULT_POLICIES})
  --rules DIR           extra rules folder, repeatable
  --out DIR             folder for the plan and the journal (default ${DEFAULT_OUT})
  --name NAME           file name for the plan and journal (default remediate-<UTC YYYYMMDDTHHMMSSZ>)
  --apply               make the planned changes (asks for confirmation on a terminal)
  --plan FILE           with --apply: apply this saved plan; each change must be what --policies
                        and live AWS state plan now, or it is refused
  --max-changes N       refuse a plan with more changes than N as a whole (default ${DEFAULT_MAX_CHANGES})
  --concurrency N       parallel AWS requests and changes, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
  -y, --yes             do not ask for confirmation (required with --apply when stdin is not a terminal)
${AWS_FLAGS_HELP}  -h, --help            show this help

Exit codes: 0 done (plan written / every change verified) · 1 some planned change not made and
verified, or the plan exceeds --max-changes · 2 usage/config error, nothing done · 3 incomplete
(a bucket could not be read, or interrupted)
`;

export function parseRemediateArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RemediateArgs {
  const { values, positionals } = parse('remediate', argv, REMEDIATE_OPTIONS, true);
  if (positionals.length > 0) throw new UsageError(`remediate: unexpected argument "${positionals[0]}"`);
  const args: RemediateArgs = {
    help: values.help ?? false,
    policies: values.policies ?? DEFAULT_POLICIES,
    rules: values.rules ?? [],
    out: values.out ?? DEFAULT_OUT,
    apply: values.apply ?? false,
    maxChanges: parseMaxChanges(values['max-changes'] ?? String(DEFAULT_MAX_CHANGES)),
    concurrency: parseConcurrency(values.concurrency ?? String(DEFAULT_CONCURRENCY)),
    yes: values.yes ?? false,
    ...parseAwsFlags(values, env),
  };
  if (values.name !== undefined) {
    checkReportName(values.name);
    args.name = values.name;
  }
  if (values.plan !== undefined) {
    if (values.plan === '') throw new UsageError('--plan: give the path of a saved plan');
    if (!args.apply) throw new UsageError('--plan FILE applies a saved plan: add --apply (to see a plan, open the file or run remediate without --plan)');
    args.plan = values.plan;
  }
  for (const [flag, value] of [['--policies', args.policies], ['--out', args.out]] as const) {
    if (value === '') throw new UsageError(`${flag}: give a path`);
  }
  return args;
}

export async function remediateCommand(argv: string[], io: PromptIO): Promise<number> {
  const args = parseRemediateArgs(argv, io.env);
  if (args.help) {
    io.stdout.write(REMEDIATE_HELP);
    return EXIT_OK;
  }
  if (args.apply) requireConsent('remediate --apply', args.yes, io);
  // Everything that can be wrong with the input is found before the first AWS call.
  const saved = args.plan !== undefined ? await readPlanFile(args.plan) : undefined;
  // A saved plan is checked against the policy file given now, never the one its (editable) run names.
  const config = loadAuditConfig(args.policies, args.rules);
  await prepareOutDir(args.out);
  const name = args.name ?? timestampName('remediate', new Date());
  const journalPath = join(args.out, `${name}.journal.jsonl`);
  if (args.apply && existsSync(journalPath)) throw new UsageError(`journal ${journalPath} already exists: choose another --name`);

  const aws = awsOptionsOf(args, args.concurrency);
  const sessions = await openSessions(aws);
  try {
    let plan: RemediationPlan;
    let rederive: (() => Promise<RederivedPlan>) | undefined;
    if (!saved) {
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
      plan = { ...saved, limit: { maxChanges: args.maxChanges, exceeded: saved.changes.length > args.maxChanges } };
      io.stdout.write(renderPlan(plan, { plan: args.plan! }));
      rederive = () => rederiveSavedPlan(config, plan, { aws, sessions, concurrency: args.concurrency, maxChanges: args.maxChanges });
    }
    const incomplete = !plan.run.scanComplete;
    if (!args.apply) return plan.limit.exceeded ? EXIT_FINDINGS : incomplete ? EXIT_INCOMPLETE : EXIT_OK;
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
  if (plan.changes.length > args.maxChanges) {
    io.stderr.write(maxChangesMessage(plan, args.maxChanges) + '\n');
    return EXIT_FINDINGS;
  }
  if (plan.changes.length === 0) {
    io.stdout.write('\nNothing to apply.\n');
    return ctx.incomplete ? EXIT_INCOMPLETE : EXIT_OK;
  }
  let mismatchOf: ((change: PlannedChange) => string | undefined) | undefined;
  if (ctx.rederive) {
    io.stderr.write(`Checking the saved plan against ${escapeControl(args.policies)} and the buckets and keys as they are now...\n`);
    const rederived = await ctx.rederive();
    plan = rederived.plan;
    mismatchOf = rederived.mismatchOf;
    incomplete = incomplete || !rederived.now.run.scanComplete;
    if (rederived.policyFileDiffers) io.stderr.write(`note: ${escapeControl(args.policies)} is not the policy file the plan was made with (its sha256 differs); every change is checked against it as it is now\n`);
    if (rederived.mismatched > 0) io.stderr.write(`${rederived.mismatched} of ${plan.changes.length} saved changes are not what the policy file and AWS give now: they will be refused (plan-mismatch)\n`);
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
      ...(mismatchOf ? { mismatchOf } : {}),
      onOutcome: (o) => io.stderr.write(`${o.status === 'verified' ? 'changed' : o.status}: ${escapeControl(o.change.bucket)}\n`),
    });
    io.stdout.write(renderApplySummary(summary, ctx.journalPath));
    if (summary.failed > 0 || summary.refused > 0) return EXIT_FINDINGS;
    if (summary.interrupted || summary.notStarted > 0 || incomplete) return EXIT_INCOMPLETE;
    return EXIT_OK;
  } finally {
    interrupt.dispose();
    await journal.close();
  }
}
