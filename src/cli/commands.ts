/**
 * THE command table: every subcommand with its summary, description, positionals, options (flag,
 * value check, default, help) and exit codes, declared once. The commander program (program.ts), every
 * `--help` text and the option tables of docs/cli.md (reference.ts) are derived from it, and each
 * handler receives the arguments typed from its own entry (ArgsOf).
 *
 * Kept light on purpose: help that commander renders (build-help-texts.ts, or a terminal's width) and
 * usage errors load this module but no handler, so nothing here may import the AWS SDK, ajv or yaml
 * (handlers.ts loads the handlers on demand).
 */
import { DEFAULT_FAIL_ON } from '../engine/gate.js';
import { REPORT_FORMATS } from '../report/format-names.js';
import { DEFAULT_MAX_OBJECT_FINDINGS } from '../run/tally.js';
import { listOption, positional, switchOption, valueOption, type ArgsOf, type OptionsSpec, type PositionalsSpec } from './spec.js';
import {
  FAIL_ON_LEVELS,
  MAX_ATTEMPTS_LIMIT,
  MAX_CONCURRENCY,
  MAX_WORKERS,
  oneOf,
  parseConcurrency,
  parseEndpointUrl,
  parseFailOn,
  parseFormats,
  parseLatency,
  parseMaxAttempts,
  parseMaxChanges,
  parseMaxObjectFindings,
  parsePort,
  parseProfile,
  parseRate,
  parseRegion,
  parseRoleArn,
  parseSeed,
  parseWorkers,
  path,
  reportName,
  parseRunId,
  reportPath,
  text,
} from './values.js';
import { UsageError } from '../domain/errors.js';
import { JOB_COMPLETION_INDEX, parseShardRequest } from '../domain/shard.js';
import { ACCOUNT_OPTIONS, checkAccountOptions, checkOrganizationPermissionOptions, ORGANIZATION_PERMISSION_OPTIONS } from './account-options.js';

export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_POLICIES = 'policies.yaml';
export const DEFAULT_OUT = 'reports';
export const DEFAULT_MAX_CHANGES = 25;
/** Object changes (UpdateObjectEncryption, one per object) come by the thousand; larger sets belong in S3 Batch Operations. */
export const DEFAULT_MAX_OBJECT_CHANGES = 5000;
export const DEFAULT_SCAN_FORMATS = 'json,console';
export const DEFAULT_REPORT_FORMATS = 'html,md,junit,sarif,csv';
export const PERMISSION_COMMANDS = ['scan', 'remediate', 'rollback', 'batch'] as const;
export type PermissionCommand = (typeof PERMISSION_COMMANDS)[number];

export interface CommandSpec<N extends string = string, O extends OptionsSpec = OptionsSpec, P extends PositionalsSpec = PositionalsSpec> {
  readonly name: N;
  /** One line for the list of commands. */
  readonly summary: string;
  /** What the command does, for its --help (plain text, wrapped by hand). */
  readonly description: string;
  readonly exitCodes: string;
  readonly options: O;
  readonly positionals: P;
  /**
   * Rules across options, after each value passed its own check. `given` holds the keys of the options
   * typed on the command line (a default is not "given"). Method syntax: the table holds every command
   * under the one CommandSpec type.
   */
  check?(args: ArgsOf<{ options: O; positionals: P }>, given: ReadonlySet<string>): void;
}

const defineCommand = <N extends string, O extends OptionsSpec, P extends PositionalsSpec>(spec: CommandSpec<N, O, P>): CommandSpec<N, O, P> => spec;

// ---------------------------------------------------------------------------------------------
// Options several commands share, declared once

const policiesOption = (help: string) => valueOption({ flag: '--policies', placeholder: 'FILE', help, default: DEFAULT_POLICIES, parse: path });
const rulesOption = listOption({ flag: '--rules', placeholder: 'DIR', help: 'extra rules folder (the built-in rules are always loaded)', parse: text });
const assumeRoleOption = (help: string) => listOption({ flag: '--assume-role', placeholder: 'ARN', help, parse: parseRoleArn });

const CONFIG_OPTIONS = { policies: policiesOption('policy file'), rules: rulesOption };

const concurrencyOption = (what: string, note = '') =>
  valueOption({ flag: '--concurrency', placeholder: 'N', help: `${what}, 1-${MAX_CONCURRENCY}${note}`, default: String(DEFAULT_CONCURRENCY), parse: parseConcurrency });

/** How every command that calls AWS reaches it; aws-flags.ts turns them into AwsOptions. */
export const AWS_OPTIONS = {
  endpointUrl: valueOption({
    flag: '--endpoint-url',
    placeholder: 'URL',
    help: 'S3/KMS/STS endpoint, e.g. the sandbox or a VPC endpoint (S3 then uses path-style)',
    env: 'AWS_ENDPOINT_URL',
    defaultNote: 'AWS',
    parse: parseEndpointUrl,
  }),
  region: valueOption({
    flag: '--region',
    placeholder: 'REGION',
    help: 'home region for STS and ListBuckets; each bucket is read in its own region',
    defaultNote: '$AWS_REGION, else us-east-1',
    parse: parseRegion,
  }),
  profile: valueOption({ flag: '--profile', placeholder: 'NAME', help: 'AWS shared config profile', defaultNote: "the SDK's default credential chain", parse: parseProfile }),
  assumeRoles: assumeRoleOption("work in the account of this IAM role (STS AssumeRole) instead of the caller's"),
  maxAttempts: valueOption({
    flag: '--max-attempts',
    placeholder: 'N',
    help: `attempts per AWS call, retries included, 1-${MAX_ATTEMPTS_LIMIT}; raise it for heavily throttled estates`,
    // AWS_MAX_ATTEMPTS is the SDKs' own setting; honoured as the SDK would when the flag is absent.
    env: 'AWS_MAX_ATTEMPTS',
    defaultNote: '5',
    parse: parseMaxAttempts,
  }),
};
export type AwsFlags = ArgsOf<{ options: typeof AWS_OPTIONS; positionals: {} }>;

const yesOption = (help: string) => switchOption({ flag: '--yes', short: '-y', help });

const noPositionals = {};

// ---------------------------------------------------------------------------------------------
// The commands, in the order the main help lists them

/** Where scan and merge write their reports, and in which formats (the same for both: merge writes what scan would). */
const REPORT_OUTPUT_OPTIONS = {
  out: valueOption({ flag: '--out', placeholder: 'DIR', help: 'report folder, created when missing', default: DEFAULT_OUT, parse: path }),
  formats: valueOption({ flag: '--format', placeholder: 'LIST', help: `comma-separated: ${REPORT_FORMATS.join(', ')}`, default: DEFAULT_SCAN_FORMATS, parse: parseFormats }),
};

export const SCAN = defineCommand({
  name: 'scan',
  summary: 'audit buckets against policies.yaml, write reports, gate CI by exit code',
  description: `Audits the default encryption of every S3 bucket in scope against the policy file (and, for
object policies, the objects' own encryption), writes the report, prints a summary and exits with
the gate's decision.`,
  exitCodes: '0 passed · 1 fail findings at or above --fail-on · 2 usage/config error · 3 incomplete, or interrupted (SIGINT/SIGTERM)',
  positionals: noPositionals,
  options: {
    ...CONFIG_OPTIONS,
    ...REPORT_OUTPUT_OPTIONS,
    name: valueOption({ flag: '--name', placeholder: 'NAME', help: 'report file name without extension', defaultNote: 'scan-<UTC YYYYMMDDTHHMMSSZ>', parse: reportName }),
    failOn: valueOption({
      flag: '--fail-on',
      placeholder: 'LEVEL',
      help: `fail the gate on fail findings at or above: ${FAIL_ON_LEVELS.join(', ')}`,
      default: DEFAULT_FAIL_ON,
      parse: parseFailOn,
    }),
    allowIncomplete: switchOption({ flag: '--allow-incomplete', help: 'do not fail the gate because some outcomes are errors' }),
    baseline: valueOption({
      flag: '--baseline',
      placeholder: 'FILE',
      help: 'an earlier JSON report: every format shows new, resolved and still-failing findings (compared by finding id)',
      parse: reportPath,
    }),
    failOnNew: switchOption({
      flag: '--fail-on-new',
      help: 'with --baseline: only fail findings that are new since the baseline fail the gate (an incomplete scan still exits 3 unless --allow-incomplete)',
    }),
    concurrency: concurrencyOption('parallel AWS requests', '; object policies also bound their HeadObject calls across all buckets by it'),
    workers: valueOption({
      flag: '--workers',
      placeholder: 'N',
      help: `object policies: worker threads that scan buckets' objects, 1-${MAX_WORKERS} (the results do not depend on it)`,
      defaultNote: 'the number of cores',
      parse: parseWorkers,
    }),
    maxObjectFindings: valueOption({
      flag: '--max-object-findings',
      placeholder: 'N',
      help: 'object findings that are not pass (fail, error, excepted) listed in the JSON report, most severe first; every object outcome is counted there and written to <out>/<name>.objects.jsonl',
      defaultNote: String(DEFAULT_MAX_OBJECT_FINDINGS),
      parse: parseMaxObjectFindings,
    }),
    state: valueOption({ flag: '--state', placeholder: 'DIR', help: "incremental object scans: where each bucket's state file lives", defaultNote: '<out>/state', parse: path }),
    exportManifest: valueOption({
      flag: '--export-manifest',
      placeholder: 'FILE',
      help: 'write the objects that fail a rule as an S3 Batch Operations manifest (CSV: bucket,key[,versionId], keys URL-encoded)',
      parse: path,
    }),
    shard: valueOption({
      flag: '--shard',
      placeholder: 'I/N',
      help: `audit only shard I of N (1-based; buckets split by a hash of account and bucket, inventory-mode reports by data file) and write a partial report for merge; auto/N takes I from ${JOB_COMPLETION_INDEX} + 1 (Kubernetes Indexed Job)`,
      parse: parseShardRequest,
    }),
    runId: valueOption({
      flag: '--run-id',
      placeholder: 'ID',
      help: "the report's run id instead of a random one; give every shard of a run the same one (e.g. the CI run id) so merge accepts only parts of that run",
      defaultNote: 'a random UUID',
      parse: parseRunId,
    }),
    ...AWS_OPTIONS,
    ...ACCOUNT_OPTIONS,
    quiet: switchOption({ flag: '--quiet', short: '-q', help: 'print only the gate line' }),
    verbose: switchOption({ flag: '--verbose', short: '-v', help: 'console: list every fail and error finding, bucket scan and run error (by default only the most severe)' }),
  },
  check(args) {
    if (args.failOnNew && args.baseline === undefined) throw new UsageError('--fail-on-new needs --baseline PREVIOUS.json (new since what?)');
    // A shard's verdict covers 1/N of the estate: its JSON part is what merge needs to decide for the run.
    if (args.shard !== undefined && !args.formats.includes('json')) throw new UsageError('--shard writes a partial report for merge: add json to --format');
    checkAccountOptions(args);
  },
});

export const MERGE = defineCommand({
  name: 'merge',
  summary: 'join the partial reports of a sharded scan (scan --shard I/N) into one report and gate',
  description: `Joins the JSON reports of the N shards of one sharded scan (scan --shard I/N) into the report an
unsharded scan would have written (same findings, ids, order, summary, errors and gate), writes it in
the formats given and exits with the gate's decision. No AWS call. Refused (exit 2) when a part is
missing or given twice (the message names the shard) or when the parts are not of the same run
(different policy file, rules, N, accounts, tool version, gate or --run-id: the message names it).
The gate is the one the shards were scanned with, unless --fail-on or --allow-incomplete is given.
Each part's <name>.objects.jsonl (object policies) is read from beside the part and joined.`,
  exitCodes: '0 passed · 1 fail findings at or above --fail-on · 2 usage error, or the parts are not one complete run · 3 incomplete',
  positionals: {
    parts: positional({ name: 'PART.json', help: "each shard's JSON report", shape: 'many', parse: text }),
  },
  options: {
    ...REPORT_OUTPUT_OPTIONS,
    name: valueOption({ flag: '--name', placeholder: 'NAME', help: 'report file name without extension', defaultNote: 'scan-<UTC YYYYMMDDTHHMMSSZ of the earliest shard start>', parse: reportName }),
    failOn: valueOption({
      flag: '--fail-on',
      placeholder: 'LEVEL',
      help: `fail the gate on fail findings at or above: ${FAIL_ON_LEVELS.join(', ')}`,
      defaultNote: "the shards' --fail-on",
      parse: parseFailOn,
    }),
    allowIncomplete: switchOption({ flag: '--allow-incomplete', help: "do not fail the gate because some outcomes are errors (default: the shards' setting)" }),
    baseline: valueOption({
      flag: '--baseline',
      placeholder: 'FILE',
      help: 'an earlier JSON report: every format shows new, resolved and still-failing findings (compared by finding id)',
      parse: reportPath,
    }),
    failOnNew: switchOption({ flag: '--fail-on-new', help: 'with --baseline: only fail findings that are new since the baseline fail the gate' }),
    quiet: switchOption({ flag: '--quiet', short: '-q', help: 'print only the gate line' }),
    verbose: switchOption({ flag: '--verbose', short: '-v', help: 'console: list every fail and error finding, bucket scan and run error (by default only the most severe)' }),
  },
  check(args) {
    if (args.parts.length === 0) throw new UsageError("merge: give the JSON report of every shard (merge PART.json… --out DIR)");
    if (args.failOnNew && args.baseline === undefined) throw new UsageError('--fail-on-new needs --baseline PREVIOUS.json (new since what?)');
  },
});

export const VALIDATE = defineCommand({
  name: 'validate',
  summary: 'check the policy file and rules without any AWS call',
  description: `Checks the policy file and the rules (built-in plus each --rules folder) without any AWS call.
Prints "OK: N policies, M rules" or every problem as file:line:col: message.`,
  exitCodes: '0 valid · 2 problems found',
  positionals: noPositionals,
  options: CONFIG_OPTIONS,
});

export const TEST = defineCommand({
  name: 'test',
  summary: 'run the fixtures of built-in rules and of rules in the given folders',
  description: `Runs the fixtures (<id>.test.yaml: facts in, expected outcome out) of the built-in rules and of
the rules in each DIR, one line per fixture, then "N passed, M failed".`,
  exitCodes: '0 all passed · 1 some fixture failed · 2 a rule or fixture file is invalid',
  positionals: { dirs: positional({ name: 'DIR', help: 'rules folder whose fixtures run too, besides the built-in ones', shape: 'many', parse: text }) },
  options: {},
});

export const SANDBOX = defineCommand({
  name: 'sandbox',
  summary: 'run a local S3 + KMS + STS endpoint with a demo estate',
  description: 'Serves S3, KMS and STS for the accounts of an estate (default: the demo estate) until stopped (Ctrl-C).',
  exitCodes: '0 stopped by SIGINT/SIGTERM · 2 usage error, bad estate file or port in use',
  positionals: noPositionals,
  options: {
    port: valueOption({ flag: '--port', placeholder: 'N', help: 'port to listen on (0 picks a free one)', default: '4566', parse: parsePort }),
    host: valueOption({
      flag: '--host',
      placeholder: 'HOST',
      help: 'address to bind; the sandbox accepts any estate credentials, so any other than loopback gets a warning (the printed credentials then work from the network)',
      default: '127.0.0.1',
      parse: text,
    }),
    estate: valueOption({ flag: '--estate', placeholder: 'FILE', help: 'estate YAML (format: top of src/sandbox/estates/demo.yaml)', defaultNote: 'the demo estate', parse: path }),
    latency: valueOption({ flag: '--latency', placeholder: 'MS[:JITTER]', help: 'add MS milliseconds (± JITTER) before every answer', parse: parseLatency }),
    throttleRate: valueOption({ flag: '--throttle-rate', placeholder: 'P', help: 'fraction 0..1 of requests answered SlowDown / ThrottlingException / Throttling', parse: parseRate }),
    errorRate: valueOption({ flag: '--error-rate', placeholder: 'P', help: 'fraction 0..1 of requests answered 500', parse: parseRate }),
    resetRate: valueOption({ flag: '--reset-rate', placeholder: 'P', help: 'fraction 0..1 of connections dropped without an answer', parse: parseRate }),
    seed: valueOption({ flag: '--seed', placeholder: 'N', help: 'seed of the fault decisions (same seed, same requests faulted, whatever the concurrency)', parse: parseSeed }),
  },
});

export const REPORT = defineCommand({
  name: 'report',
  summary: 're-render a saved JSON report as html, md, junit, sarif or csv (optionally diffed)',
  description: `Re-renders a saved JSON report (from scan --format json) in other formats, with no AWS call and
without the rule files (the report carries the rules' text). The files are byte for byte what
scan would have written for the same result.`,
  exitCodes: '0 rendered · 2 usage error, or RESULT / the baseline is not a valid JSON report',
  positionals: {
    input: positional({
      name: 'RESULT.json',
      help: 'the JSON report to render',
      shape: 'one',
      parse: text,
      missing: 'report: give the JSON report to render (report RESULT.json)',
    }),
  },
  options: {
    formats: valueOption({
      flag: '--format',
      placeholder: 'LIST',
      help: `comma-separated: ${REPORT_FORMATS.join(', ')}; each file format writes <name>.<ext>, console prints the summary`,
      default: DEFAULT_REPORT_FORMATS,
      parse: parseFormats,
    }),
    out: valueOption({ flag: '--out', placeholder: 'DIR', help: 'folder to write to', defaultNote: 'the folder of RESULT.json', parse: path }),
    name: valueOption({ flag: '--name', placeholder: 'NAME', help: 'file name without extension', defaultNote: "RESULT's name without .json", parse: reportName }),
    baseline: valueOption({
      flag: '--baseline',
      placeholder: 'FILE',
      help: 'an earlier JSON report: every format shows new, resolved and still-failing findings (replaces a diff the report already carries)',
      parse: reportPath,
    }),
    verbose: switchOption({ flag: '--verbose', short: '-v', help: 'console: list every fail and error finding, bucket scan and run error (by default only the most severe)' }),
  },
});

export const REMEDIATE = defineCommand({
  name: 'remediate',
  summary: 'plan (and with --apply, make) the changes that bring failing buckets to SSE-KMS',
  description: `Scans, then plans the PutBucketEncryption changes that make failing buckets pass their remediable
rules (target key and settings from each policy's remediation block), writes <out>/<name>.plan.json
and prints the plan: each bucket's current configuration -> new configuration, the findings it
fixes, and every bucket refused with its reason. Nothing changes without --apply.

With --apply it applies that plan (or a saved one, --plan FILE, which is first derived again from
--policies and the live buckets and keys: a change that is not exactly what they give now is
refused): for each change it re-checks the target key and that the bucket is still as planned,
journals the intent to <out>/<name>.journal.jsonl (fsynced), writes, reads back, checks that S3 can
use the key it names and journals the result. Undo with: s3-kms-audit rollback JOURNAL.

With --objects, object policies whose rules name update-object-encryption get one change per failing object:
UpdateObjectEncryption re-encrypts it under the target key in place (no data copied; ETag,
LastModified and storage class kept), verified with HeadObject. A change from SSE-S3 cannot be
undone by that operation: the plan marks it IRREVERSIBLE and --apply refuses it without
--allow-irreversible.`,
  exitCodes: `0 done (plan written / every change verified) · 1 some planned change not made and
verified, or the plan exceeds --max-changes · 2 usage/config error, nothing done · 3 incomplete
(a bucket could not be read, or interrupted)`,
  positionals: noPositionals,
  options: {
    ...CONFIG_OPTIONS,
    out: valueOption({ flag: '--out', placeholder: 'DIR', help: 'folder for the plan and the journal', default: DEFAULT_OUT, parse: path }),
    name: valueOption({ flag: '--name', placeholder: 'NAME', help: 'file name for the plan and journal', defaultNote: 'remediate-<UTC YYYYMMDDTHHMMSSZ>', parse: reportName }),
    apply: switchOption({ flag: '--apply', help: 'make the planned changes (asks for confirmation on a terminal)' }),
    plan: valueOption({
      flag: '--plan',
      placeholder: 'FILE',
      help: 'with --apply: apply this saved plan; each change must be what --policies and live AWS state plan now, or it is refused (plan-mismatch)',
      parse: (value: string, source: string) => {
        if (value === '') throw new UsageError(`${source}: give the path of a saved plan`);
        return value;
      },
    }),
    maxChanges: valueOption({ flag: '--max-changes', placeholder: 'N', help: 'refuse a plan with more changes than N as a whole', default: String(DEFAULT_MAX_CHANGES), parse: parseMaxChanges }),
    maxObjectChanges: valueOption({
      flag: '--max-object-changes',
      placeholder: 'N',
      help: 'refuse a plan with more object changes than N as a whole (--max-changes then counts bucket changes only)',
      default: String(DEFAULT_MAX_OBJECT_CHANGES),
      parse: (text: string, source: string) => parseMaxChanges(text, source),
    }),
    objects: switchOption({ flag: '--objects', help: 'also plan object changes: failing objects of object policies re-encrypted in place (UpdateObjectEncryption)' }),
    from: valueOption({
      flag: '--from',
      placeholder: 'FILE',
      help: 'with --objects: plan the object changes from a saved scan (its .json report or .objects.jsonl) instead of scanning; objects changed since are refused',
      parse: (value: string, source: string) => {
        if (value === '') throw new UsageError(`${source}: give the path of a scan report or objects JSONL`);
        return value;
      },
    }),
    batch: switchOption({ flag: '--batch', help: 'with --apply --objects: submit the object changes as S3 Batch Operations jobs (one per target key) instead of one call per object' }),
    roleArn: valueOption({ flag: '--role-arn', placeholder: 'ARN', help: 'with --batch: the IAM role S3 Batch Operations runs the job as (a role of the account the job is created in)', parse: (value: string, source: string) => {
      if (!/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/.test(value)) throw new UsageError(`${source}: "${value}" is not an IAM role ARN`);
      return value;
    } }),
    reportBucket: valueOption({ flag: '--report-bucket', placeholder: 'BUCKET', help: 'with --batch: bucket for the uploaded manifests and the jobs\' completion reports', parse: (value: string, source: string) => {
      if (value === '') throw new UsageError(`${source}: give a bucket name`);
      return value;
    } }),
    allowIrreversible: switchOption({ flag: '--allow-irreversible', help: 'with --apply: also make changes rollback cannot undo (objects from SSE-S3 to SSE-KMS)' }),
    concurrency: concurrencyOption('parallel AWS requests and changes'),
    yes: yesOption('do not ask for confirmation (required with --apply when stdin is not a terminal)'),
    ...AWS_OPTIONS,
    verbose: switchOption({ flag: '--verbose', short: '-v', help: 'print every change in full (current and new configuration, key, findings fixed); by default a line per change' }),
  },
  // --policies and --rules are allowed with --plan: a saved plan is checked against the policy given now.
  check(args) {
    if (args.from !== undefined && !args.objects) throw new UsageError('--from FILE plans object changes: add --objects');
    if (args.from !== undefined && args.plan !== undefined) throw new UsageError('--from and --plan exclude each other: --plan applies a saved plan, --from makes a new one from a saved scan');
    if (args.batch && !(args.apply && args.objects)) throw new UsageError('--batch submits object changes as S3 Batch Operations jobs: add --apply and --objects');
    if (args.batch && (args.roleArn === undefined || args.reportBucket === undefined)) throw new UsageError('--batch needs --role-arn ARN (the role the job runs as) and --report-bucket BUCKET (manifests and completion reports)');
    if (args.plan === undefined) return;
    if (!args.apply) throw new UsageError('--plan FILE applies a saved plan: add --apply (to see a plan, open the file or run remediate without --plan)');
  },
});

export const ROLLBACK = defineCommand({
  name: 'rollback',
  summary: 'restore every bucket a remediation journal changed to its configuration before',
  description: `Restores every bucket that the remediation journal JOURNAL changed to the configuration it had
before (exactly as GetBucketEncryption returned it), latest change first, and verifies each restore
by reading it back. A bucket that had no configuration at all is restored with DeleteBucketEncryption,
which on today's S3 leaves the SSE-S3 (AES256) default: S3 can no longer have no configuration, so
such buckets are reported apart as "restored to SSE-S3 default", not as exact restores. Buckets
already as before are left alone; buckets someone changed since the journaled change are skipped
and reported (--force restores them anyway). The rollback is journaled next to JOURNAL as
<name>.rollback-<UTC time>.jsonl. Objects a journal changed go back to their previous KMS key with
UpdateObjectEncryption; objects that were SSE-S3 cannot (reported IRREVERSIBLE, exit 1). Given the
.batch.json of remediate --batch, it creates the reverse S3 Batch Operations jobs instead.`,
  exitCodes: `0 all restored (or already as before) · 1 a restore failed, a bucket was skipped or an object is irreversible ·
2 usage error or unreadable journal · 3 interrupted · 4 the journal is incomplete (its run did not
finish): what it records was restored, the rest cannot be known from it`,
  positionals: {
    journal: positional({
      name: 'JOURNAL',
      help: 'the .journal.jsonl file remediate --apply wrote (or the .batch.json of remediate --batch: reverse jobs)',
      shape: 'one',
      parse: text,
      missing: 'rollback: give the journal to roll back (the .journal.jsonl file remediate --apply wrote)',
    }),
  },
  options: {
    yes: yesOption('do not ask for confirmation (required when stdin is not a terminal)'),
    force: switchOption({ flag: '--force', help: 'also restore buckets changed by someone else since the journaled change' }),
    concurrency: concurrencyOption('parallel restores'),
    ...AWS_OPTIONS,
  },
});

export const PERMISSIONS = defineCommand({
  name: 'permissions',
  summary: 'print the least-privilege IAM policy for scan, remediate or rollback',
  description: `Prints the least-privilege IAM policy (JSON) the command needs in each account it works in, from
the operations it calls and what the rules in the policy file need (tags, key rotation, objects).
Attach it to the auditing principal, or to the role given with --assume-role in each account.
With --organization (scan only) it prints three documents as one JSON object: callerPolicy (the
scanning principal in the management or delegated administrator account), memberRolePolicy and
memberRoleTrustPolicy (the read-only audit role --role-name in every member account). \`batch\` prints
callerPolicy, batchOperationsRolePolicy and batchOperationsRoleTrustPolicy (remediate --batch, status).`,
  exitCodes: '0 printed · 2 usage or configuration error',
  positionals: {
    command: positional({
      name: 'COMMAND',
      help: PERMISSION_COMMANDS.join(', '),
      shape: 'one',
      parse: oneOf(PERMISSION_COMMANDS, 'command'),
      missing: `permissions: which command? one of ${PERMISSION_COMMANDS.join(', ')}`,
    }),
  },
  options: {
    policies: policiesOption('policy file the scan or remediation will use; not read for rollback'),
    rules: rulesOption,
    assumeRoles: assumeRoleOption('add sts:AssumeRole on this role ARN (for the calling principal)'),
    ...ORGANIZATION_PERMISSION_OPTIONS,
  },
  check(args) {
    checkOrganizationPermissionOptions(args);
  },
});

export type ScanArgs = ArgsOf<typeof SCAN>;
export type MergeArgs = ArgsOf<typeof MERGE>;
export type ValidateArgs = ArgsOf<typeof VALIDATE>;
export type TestArgs = ArgsOf<typeof TEST>;
export type SandboxArgs = ArgsOf<typeof SANDBOX>;
export type ReportArgs = ArgsOf<typeof REPORT>;
export type RemediateArgs = ArgsOf<typeof REMEDIATE>;
export type RollbackArgs = ArgsOf<typeof ROLLBACK>;
export type PermissionsArgs = ArgsOf<typeof PERMISSIONS>;

/** Every command, in the order the main help lists them. */
export const STATUS = defineCommand({
  name: 'status',
  summary: 'show the S3 Batch Operations jobs of remediate --batch: progress, failures, a verified sample',
  description: `Reads the batch record BATCH that remediate --apply --objects --batch wrote and asks S3 Control
(DescribeJob) how each job is doing. For a job that has ended it reads the completion report, lists every
failed task with S3's HTTP status and result code, and reads up to --sample succeeded objects back with
HeadObject: under the job's key and Bucket Key, with the ETag they had before.`,
  exitCodes: `0 every job complete, no failed task, the sample verified · 1 a failed task or job, or a sampled
object not as planned · 2 usage error or unreadable batch record · 3 some job has not ended yet`,
  positionals: {
    batch: positional({
      name: 'BATCH',
      help: 'the .batch.json file remediate --batch wrote',
      shape: 'one',
      parse: text,
      missing: 'status: give the batch record (the .batch.json file remediate --apply --objects --batch wrote)',
    }),
  },
  options: {
    sample: valueOption({ flag: '--sample', placeholder: 'N', help: 'succeeded objects per job to read back with HeadObject', default: '20', parse: (t: string, s: string) => parseMaxChanges(t, s) }),
    ...AWS_OPTIONS,
  },
});
export type StatusArgs = ArgsOf<typeof STATUS>;

export const COMMANDS = [SCAN, MERGE, VALIDATE, TEST, SANDBOX, REPORT, REMEDIATE, ROLLBACK, PERMISSIONS, STATUS] as const;
export type CommandName = (typeof COMMANDS)[number]['name'];

export const MAIN_DESCRIPTION = 'Policy-as-code compliance auditor for Amazon S3 encryption with AWS KMS.';
export const MAIN_EXIT_CODES = `0 gate passed · 1 findings at or above --fail-on · 2 usage or configuration error
(nothing scanned) · 3 scan incomplete (some outcome is an error, or interrupted by SIGINT/SIGTERM)`;
