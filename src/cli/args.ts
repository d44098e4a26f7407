/**
 * Command-line parsing for every subcommand: node:util parseArgs in strict mode, then value checks.
 * Anything wrong becomes a UsageError (exit 2, nothing scanned). Help texts live here too, next to
 * the options they describe, so the two cannot drift apart.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../domain/errors.js';
import { SEVERITIES } from '../domain/finding.js';
import { DEFAULT_FAIL_ON, type FailOn } from '../engine/gate.js';
import { checkReportName } from '../report/writer.js';
import { DEFAULT_MAX_OBJECT_FINDINGS } from '../run/tally.js';
import { REPORT_FORMATS, type ReportFormatName } from '../report/formats.js';
import { suggest } from '../config/suggest.js';

export const COMMANDS = ['scan', 'validate', 'test', 'sandbox', 'report', 'remediate', 'rollback', 'permissions'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const FORMATS = REPORT_FORMATS;
export type ReportFormat = ReportFormatName;

export const DEFAULT_CONCURRENCY = 16;
export const MAX_CONCURRENCY = 256;
export const DEFAULT_POLICIES = 'policies.yaml';
export const DEFAULT_OUT = 'reports';
export const MAX_ATTEMPTS_LIMIT = 20;

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with its errors turned into UsageErrors that name the command. */
export function parse<O extends Options>(command: string, argv: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${command}: ${message.replace(/\s*To specify a positional argument.*$/s, '')}`);
  }
}

const rejectPositionals = (command: string, positionals: string[]): void => {
  if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument "${positionals[0]}"`);
};

// ---------------------------------------------------------------------------------------------
// Top level

export interface TopLevel {
  command?: string;
  rest: string[];
  help: boolean;
  version: boolean;
}

function checkCommand(name: string): void {
  if (!(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command "${name}"; commands: ${COMMANDS.join(', ')}`);
  }
}

/** Splits `[--help|--version] <command> [args…]`; flags after the command belong to the command. */
export function parseTopLevel(argv: string[]): TopLevel {
  const first = argv[0];
  if (first === undefined) return { rest: [], help: true, version: false };
  if (first === '--help' || first === '-h') return { rest: [], help: true, version: false };
  if (first === '--version' || first === '-V') return { rest: [], help: false, version: true };
  if (first === 'help') {
    const topic = argv[1];
    if (topic === undefined) return { rest: [], help: true, version: false };
    checkCommand(topic);
    return { command: topic, rest: ['--help'], help: false, version: false };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option "${first}" (options go after the command)`);
  checkCommand(first);
  return { command: first, rest: argv.slice(1), help: false, version: false };
}

export const MAIN_HELP = `Usage: s3-kms-audit <command> [options]

Policy-as-code compliance auditor for Amazon S3 encryption with AWS KMS.

Commands:
  scan       audit buckets against policies.yaml, write reports, gate CI by exit code
  validate   check the policy file and rules without any AWS call
  test       run the fixtures of built-in rules and of rules in the given folders
  sandbox    run a local S3 + KMS + STS endpoint with a demo estate
  report     re-render a saved JSON report as html, md, junit, sarif or csv (optionally diffed)
  remediate  plan (and with --apply, make) the changes that bring failing buckets to SSE-KMS
  rollback   restore every bucket a remediation journal changed to its configuration before
  permissions  print the least-privilege IAM policy for scan, remediate or rollback

Options:
  -h, --help     show help (also: s3-kms-audit <command> --help)
  -V, --version  print the version

Exit codes: 0 gate passed · 1 findings at or above --fail-on · 2 usage or configuration error
            (nothing scanned) · 3 scan incomplete (some outcome is an error)
`;

// ---------------------------------------------------------------------------------------------
// scan

export interface ScanArgs {
  help: boolean;
  policies: string;
  rules: string[];
  out: string;
  formats: ReportFormat[];
  /** Report file name without extension; default scan-<UTC timestamp>. */
  name?: string;
  failOn: FailOn;
  allowIncomplete: boolean;
  concurrency: number;
  endpointUrl?: string;
  region?: string;
  profile?: string;
  assumeRoles: string[];
  /** Attempts per AWS call including the first (SDK standard retries); default the adapter's. */
  maxAttempts?: number;
  quiet: boolean;
  /** --baseline: an earlier JSON report to diff against (set only when given). */
  baseline?: string;
  /** --fail-on-new: only fail findings new since the baseline fail the gate (set only when given). */
  failOnNew?: boolean;
  /** --max-object-findings: non-passing object findings listed in the JSON report (the rest are in the JSONL). */
  maxObjectFindings?: number;
  /** --state DIR: incremental object scan state (default <out>/state). */
  state?: string;
  /** --export-manifest FILE: failing objects as an S3 Batch Operations manifest (CSV). */
  exportManifest?: string;
}

const SCAN_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  policies: { type: 'string' },
  rules: { type: 'string', multiple: true },
  out: { type: 'string' },
  format: { type: 'string' },
  name: { type: 'string' },
  'fail-on': { type: 'string' },
  'allow-incomplete': { type: 'boolean' },
  concurrency: { type: 'string' },
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'assume-role': { type: 'string', multiple: true },
  'max-attempts': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  baseline: { type: 'string' },
  'fail-on-new': { type: 'boolean' },
  'max-object-findings': { type: 'string' },
  state: { type: 'string' },
  'export-manifest': { type: 'string' },
} as const satisfies Options;

export const SCAN_HELP = `Usage: s3-kms-audit scan [options]

Audits the default encryption of every S3 bucket in scope against the policy file (and, for
object policies, the objects' own encryption), writes the report, prints a summary and exits with
the gate's decision.

Options:
  --policies FILE       policy file (default ${DEFAULT_POLICIES})
  --rules DIR           extra rules folder, repeatable (built-in rules are always loaded)
  --out DIR             report folder, created when missing (default ${DEFAULT_OUT})
  --format LIST         comma-separated: ${FORMATS.join(', ')} (default json,console)
  --name NAME           report file name without extension (default scan-<UTC YYYYMMDDTHHMMSSZ>)
  --fail-on LEVEL       fail the gate on fail findings at or above: ${SEVERITIES.join(', ')}, none
                        (default ${DEFAULT_FAIL_ON})
  --allow-incomplete    do not fail the gate because some outcomes are errors
  --baseline FILE       an earlier JSON report: every format shows new, resolved and still-failing
                        findings (compared by finding id)
  --fail-on-new         with --baseline: only fail findings that are new since the baseline fail
                        the gate (an incomplete scan still exits 3 unless --allow-incomplete)
  --concurrency N       parallel AWS requests, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); object policies
                        also bound their HeadObject calls across all buckets by it
  --max-object-findings N  object findings that are not pass (fail, error, excepted) listed in the
                        JSON report, most severe first (default ${DEFAULT_MAX_OBJECT_FINDINGS}); every object outcome
                        is counted there and written to <out>/<name>.objects.jsonl
  --state DIR           incremental object scans: where each bucket's state file lives
                        (default <out>/state)
  --export-manifest FILE  write the objects that fail a rule as an S3 Batch Operations manifest
                        (CSV: bucket,key[,versionId], keys URL-encoded)
  --endpoint-url URL    S3/KMS/STS endpoint, e.g. the sandbox (default: $AWS_ENDPOINT_URL, else AWS)
  --region REGION       home region for STS and ListBuckets (default: $AWS_REGION, else us-east-1)
  --profile NAME        AWS shared config profile (default: the SDK's default credential chain)
  --assume-role ARN     scan the account of this IAM role (STS AssumeRole), repeatable
  --max-attempts N      attempts per AWS call, retries included, 1-${MAX_ATTEMPTS_LIMIT}
                        (default: $AWS_MAX_ATTEMPTS, else 5); raise it for heavily throttled estates
  -q, --quiet           print only the gate line
  -h, --help            show this help

Exit codes: 0 passed · 1 fail findings at or above --fail-on · 2 usage/config error · 3 incomplete
`;

export function parseFormats(value: string): ReportFormat[] {
  const formats = value.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (formats.length === 0) throw new UsageError('--format: give at least one format');
  for (const f of formats) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      const near = suggest(f, FORMATS);
      const hint = near ? ` (did you mean "${near}"?)` : '';
      throw new UsageError(`--format: unknown format "${f}"${hint}; formats: ${FORMATS.join(', ')}`);
    }
  }
  return [...new Set(formats)] as ReportFormat[];
}

export function parseFailOn(value: string): FailOn {
  const levels: readonly string[] = [...SEVERITIES, 'none'];
  if (!levels.includes(value)) throw new UsageError(`--fail-on: "${value}" is not one of ${levels.join(', ')}`);
  return value as FailOn;
}

export function parseConcurrency(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency: "${value}" is not a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return n;
}

export function parseEndpointUrl(value: string, source = '--endpoint-url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source}: "${value}" is not a URL (e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: "${value}" must start with http:// or https://`);
  }
  // The endpoint is printed and written into reports: credentials must never ride along in it.
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${source}: the URL must not contain a user name or password; pass credentials through the AWS credential chain`);
  }
  return value;
}

export function parseMaxAttempts(value: string, source = '--max-attempts'): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ATTEMPTS_LIMIT) {
    throw new UsageError(`${source}: "${value}" is not a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`);
  }
  return n;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

export function parseRoleArn(value: string): string {
  if (!ROLE_ARN.test(value)) {
    throw new UsageError(`--assume-role: "${value}" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
  }
  return value;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function parseRegion(value: string): string {
  if (!REGION.test(value)) throw new UsageError(`--region: "${value}" is not an AWS region name (e.g. eu-west-1)`);
  return value;
}

/** `env` supplies AWS_ENDPOINT_URL when --endpoint-url is not given. */
export function parseScanArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ScanArgs {
  const { values, positionals } = parse('scan', argv, SCAN_OPTIONS, true);
  rejectPositionals('scan', positionals);
  const args: ScanArgs = {
    help: values.help ?? false,
    policies: values.policies ?? DEFAULT_POLICIES,
    rules: values.rules ?? [],
    out: values.out ?? DEFAULT_OUT,
    formats: parseFormats(values.format ?? 'json,console'),
    failOn: parseFailOn(values['fail-on'] ?? DEFAULT_FAIL_ON),
    allowIncomplete: values['allow-incomplete'] ?? false,
    concurrency: parseConcurrency(values.concurrency ?? String(DEFAULT_CONCURRENCY)),
    assumeRoles: (values['assume-role'] ?? []).map(parseRoleArn),
    quiet: values.quiet ?? false,
  };
  if (values.name !== undefined) {
    checkReportName(values.name);
    args.name = values.name;
  }
  Object.assign(args, parseAwsFlags(values, env));
  for (const [flag, value] of [['--policies', args.policies], ['--out', args.out]] as const) {
    if (value === '') throw new UsageError(`${flag}: give a path`);
  }
  if (values.baseline !== undefined) {
    if (values.baseline === '') throw new UsageError('--baseline: give the path of an earlier JSON report');
    args.baseline = values.baseline;
  }
  if (values['fail-on-new']) {
    if (args.baseline === undefined) throw new UsageError('--fail-on-new needs --baseline PREVIOUS.json (new since what?)');
    args.failOnNew = true;
  }
  if (values['max-object-findings'] !== undefined) args.maxObjectFindings = parseMaxObjectFindings(values['max-object-findings']);
  for (const [flag, value] of [['--state', values.state], ['--export-manifest', values['export-manifest']]] as const) {
    if (value === '') throw new UsageError(`${flag}: give a path`);
  }
  if (values.state !== undefined) args.state = values.state;
  if (values['export-manifest'] !== undefined) args.exportManifest = values['export-manifest'];
  return args;
}

/** Object findings listed in the JSON report: 0 (counts only) up to a million. */
export function parseMaxObjectFindings(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 1_000_000) throw new UsageError(`--max-object-findings: "${value}" is not a whole number from 0 to 1000000`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// AWS flags: every command that calls AWS (scan, remediate, rollback) takes the same ones, parsed here once.

export const AWS_FLAG_OPTIONS = {
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'assume-role': { type: 'string', multiple: true },
  'max-attempts': { type: 'string' },
} as const satisfies Options;

export interface AwsFlags {
  endpointUrl?: string;
  region?: string;
  profile?: string;
  assumeRoles: string[];
  maxAttempts?: number;
}

/** The parsed AWS flags; `env` supplies AWS_ENDPOINT_URL and AWS_MAX_ATTEMPTS when the flags are absent. */
export function parseAwsFlags(
  values: { 'endpoint-url'?: string; region?: string; profile?: string; 'assume-role'?: string[]; 'max-attempts'?: string },
  env: NodeJS.ProcessEnv,
): AwsFlags {
  const flags: AwsFlags = { assumeRoles: (values['assume-role'] ?? []).map(parseRoleArn) };
  if (values['endpoint-url'] !== undefined) flags.endpointUrl = parseEndpointUrl(values['endpoint-url']);
  else if (env.AWS_ENDPOINT_URL) flags.endpointUrl = parseEndpointUrl(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL');
  if (values.region !== undefined) flags.region = parseRegion(values.region);
  // AWS_MAX_ATTEMPTS is the SDKs' own setting; honour it as the SDK would when the flag is absent.
  if (values['max-attempts'] !== undefined) flags.maxAttempts = parseMaxAttempts(values['max-attempts']);
  else if (env.AWS_MAX_ATTEMPTS) flags.maxAttempts = parseMaxAttempts(env.AWS_MAX_ATTEMPTS, 'AWS_MAX_ATTEMPTS');
  if (values.profile !== undefined) {
    if (values.profile === '') throw new UsageError('--profile: give a profile name');
    flags.profile = values.profile;
  }
  return flags;
}

export const AWS_FLAGS_HELP = `  --endpoint-url URL    S3/KMS/STS endpoint, e.g. the sandbox (default: $AWS_ENDPOINT_URL, else AWS)
  --region REGION       home region for STS and ListBuckets (default: $AWS_REGION, else us-east-1)
  --profile NAME        AWS shared config profile (default: the SDK's default credential chain)
  --assume-role ARN     work in the account of this IAM role (STS AssumeRole), repeatable
  --max-attempts N      attempts per AWS call, retries included, 1-${MAX_ATTEMPTS_LIMIT}
                        (default: $AWS_MAX_ATTEMPTS, else 5)
`;

// ---------------------------------------------------------------------------------------------
// validate

export interface ValidateArgs {
  help: boolean;
  policies: string;
  rules: string[];
}

const VALIDATE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  policies: { type: 'string' },
  rules: { type: 'string', multiple: true },
} as const satisfies Options;

export const VALIDATE_HELP = `Usage: s3-kms-audit validate [--policies FILE] [--rules DIR]...

Checks the policy file and the rules (built-in plus each --rules folder) without any AWS call.
Prints "OK: N policies, M rules" or every problem as file:line:col: message.

Options:
  --policies FILE   policy file (default ${DEFAULT_POLICIES})
  --rules DIR       extra rules folder, repeatable
  -h, --help        show this help

Exit codes: 0 valid · 2 problems found
`;

export function parseValidateArgs(argv: string[]): ValidateArgs {
  const { values, positionals } = parse('validate', argv, VALIDATE_OPTIONS, true);
  rejectPositionals('validate', positionals);
  return { help: values.help ?? false, policies: values.policies ?? DEFAULT_POLICIES, rules: values.rules ?? [] };
}

// ---------------------------------------------------------------------------------------------
// test

export interface TestArgs {
  help: boolean;
  dirs: string[];
}

const TEST_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

export const TEST_HELP = `Usage: s3-kms-audit test [DIR]...

Runs the fixtures (<id>.test.yaml: facts in, expected outcome out) of the built-in rules and of
the rules in each DIR, one line per fixture, then "N passed, M failed".

Options:
  -h, --help   show this help

Exit codes: 0 all passed · 1 some fixture failed · 2 a rule or fixture file is invalid
`;

export function parseTestArgs(argv: string[]): TestArgs {
  const { values, positionals } = parse('test', argv, TEST_OPTIONS, true);
  return { help: values.help ?? false, dirs: positionals };
}
