/**
 * Runs the real AWS CLI v2 (Debian package awscli, /usr/bin/aws) against a sandbox endpoint:
 * an independent client that nobody on this project wrote.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const AWS_CLI = '/usr/bin/aws';

export interface CliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Why `binary` cannot serve as the AWS CLI v2 (missing, or another version), or undefined when it can. */
export function awsCliProblem(binary: string = AWS_CLI): string | undefined {
  if (!existsSync(binary)) return `${binary} is not installed (apt-get install awscli)`;
  // v1 printed its version on stderr, v2 prints `aws-cli/2.x.y Python/…` on stdout.
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } });
  const version = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  if (/^aws-cli\/2\./.test(version)) return undefined;
  return `${binary} is not the AWS CLI v2 (its --version says '${version || run.error?.message || 'nothing'}')`;
}

/** awsCliProblem() for /usr/bin/aws, asked once per process (each run of the CLI costs ~0.6 s). */
let cachedProblem: { problem: string | undefined } | undefined;

/**
 * true when the AWS CLI v2 is present. Outside CI a missing or v1 CLI skips the calling suite with
 * a message; in CI (CI=true) it is a failure, because .ci/run installs v2 (Debian's awscli package).
 */
export function requireAwsCli(ctx: Mocha.Context): boolean {
  cachedProblem ??= { problem: awsCliProblem() };
  const { problem } = cachedProblem;
  if (problem === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`${problem}: .ci/run must apt-get install awscli (v2)`);
  console.log(`      (skipped: ${problem}; the AWS CLI conformance tests need it)`);
  ctx.skip();
  return false;
}

/**
 * An environment with only these credentials: the user's own AWS set-up (profiles, shared config,
 * instance metadata) is kept out, so a child process (the AWS CLI, or our CLI in a benchmark) sees
 * nothing but the sandbox account.
 */
export function isolatedAwsEnvironment(creds: CliCredentials): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs `aws --endpoint-url <endpoint> --region <region> --output json <args>` with only the given credentials. */
export function awsCli(endpoint: string, creds: CliCredentials, region: string, args: string[], input?: string): Promise<CliResult> {
  const env: Record<string, string> = {
    ...isolatedAwsEnvironment(creds),
    AWS_PAGER: '',
    AWS_RETRY_MODE: 'standard',
    AWS_MAX_ATTEMPTS: '2',
  };
  if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(AWS_CLI, ['--endpoint-url', endpoint, '--region', region, '--output', 'json', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}
