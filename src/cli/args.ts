/**
 * Command-line parsing for every subcommand: node:util parseArgs in strict mode, then value checks.
 * Anything wrong becomes a UsageError (exit 2, nothing scanned). Help texts live here too, next to
 * the options they describe, so the two cannot drift apart.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../domain/errors.js';
import { SEVERITIES } from '../domain/finding.js';
import { DEFAULT_FAIL_ON, type FailOn } from '../report/gate.js';
import { checkReportName } from '../report/writer.js';

export const COMMANDS = ['scan', 'validate', 'test', 'sandbox'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const FORMATS = ['json', 'console'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const DEFAULT_CONCURRENCY = 16;
export const MAX_CONCURRENCY = 256;
export const DEFAULT_POLICIES = 'policies.yaml';
export const DEFAULT_OUT = 'reports';
export const MAX_ATTEMPTS_LIMIT = 20;

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with its errors turned into UsageErrors that name the command. */
function parse<O extends Options>(command: string, argv: string[], options: O, allowPositionals: boolean) {
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
} as const satisfies Options;

export const SCAN_HELP = `Usage: s3-kms-audit scan [options]

Audits the default encryption of every S3 bucket in scope against the policy file, writes the
report, prints a summary and exits with the gate's decision.

Options:
  --policies FILE       policy file (default ${DEFAULT_POLICIES})
  --rules DIR           extra rules folder, repeatable (built-in rules are always loaded)
  --out DIR             report folder, created when missing (default ${DEFAULT_OUT})
  --format LIST         comma-separated: ${FORMATS.join(', ')} (default json,console)
  --name NAME           report file name without extension (default scan-<UTC YYYYMMDDTHHMMSSZ>)
  --fail-on LEVEL       fail the gate on fail findings at or above: ${SEVERITIES.join(', ')}, none
                        (default ${DEFAULT_FAIL_ON})
  --allow-incomplete    do not fail the gate because some outcomes are errors
  --concurrency N       parallel AWS requests, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
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
      throw new UsageError(`--format: unknown format "${f}"; formats: ${FORMATS.join(', ')}`);
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
  if (values['endpoint-url'] !== undefined) args.endpointUrl = parseEndpointUrl(values['endpoint-url']);
  else if (env.AWS_ENDPOINT_URL) args.endpointUrl = parseEndpointUrl(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL');
  if (values.region !== undefined) args.region = parseRegion(values.region);
  // AWS_MAX_ATTEMPTS is the SDKs' own setting; honour it as the SDK would when the flag is absent.
  if (values['max-attempts'] !== undefined) args.maxAttempts = parseMaxAttempts(values['max-attempts']);
  else if (env.AWS_MAX_ATTEMPTS) args.maxAttempts = parseMaxAttempts(env.AWS_MAX_ATTEMPTS, 'AWS_MAX_ATTEMPTS');
  if (values.profile !== undefined) {
    if (values.profile === '') throw new UsageError('--profile: give a profile name');
    args.profile = values.profile;
  }
  for (const [flag, value] of [['--policies', args.policies], ['--out', args.out]] as const) {
    if (value === '') throw new UsageError(`${flag}: give a path`);
  }
  return args;
}

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
