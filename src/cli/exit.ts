/**
 * Errors → exit codes, in ONE place (docs/architecture.md "Exit codes").
 *
 *   0 gate passed · 1 findings at or above --fail-on · 2 usage or configuration error (nothing
 *   was scanned) · 3 the scan is incomplete · 4 (rollback only) the journal rolled back was cut short.
 *
 * A thrown error that is neither a usage nor a configuration problem means the command did not finish:
 * an AWS failure (bad credentials, STS denied, endpoint unreachable; for a scan, before anything was
 * scanned) or a bug. Both are exit 3 — "no verdict" — never 0 or 1, so a CI gate cannot mistake them for a
 * result. The stack trace is printed only with S3_KMS_AUDIT_DEBUG=1.
 */
import { ConfigError, UsageError, formatProblem } from '../domain/errors.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INCOMPLETE = 3;
/**
 * rollback only: the journal rolled back was cut (no end record, fewer intents than its start planned),
 * so rollback cannot know that it restored everything the run changed. Never 0: it would read as "all restored".
 */
export const EXIT_JOURNAL_INCOMPLETE = 4;

export interface Failure {
  exitCode: 0 | 1 | 2 | 3;
  /** What to print on stderr (may span lines). */
  message: string;
}

/** An AWS (or network) error as the SDK or the adapter gives it, read without importing @aws-sdk. */
interface AwsLikeError {
  name?: string;
  code?: string;
  operation?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/**
 * The last line of a run error: what the command's failure means for its output. Only a scan can say that
 * nothing was scanned; a remediation or rollback that fails may have changed (and journalled) some things.
 */
function unfinished(command: string | undefined, nothingDone: boolean): string {
  if (command === undefined || command === 'scan') return nothingDone ? 'scan incomplete: nothing was scanned' : 'scan incomplete';
  return `${command} did not finish`;
}

function describeAwsError(err: Error & AwsLikeError, command: string | undefined): string | undefined {
  const isSdk = err.$metadata !== undefined;
  const hasAdapterShape = typeof err.operation === 'string' && typeof err.code === 'string';
  const networkCode = typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code) ? err.code : undefined;
  if (!isSdk && !hasAdapterShape && !networkCode) return undefined;
  const code = (hasAdapterShape ? err.code : undefined) ?? err.Code ?? (isSdk ? err.name : undefined) ?? networkCode ?? 'Unknown';
  // The adapter's AwsSessionError already names operation, role and code in its message.
  const what = hasAdapterShape
    ? err.message ?? `${err.operation} failed: ${code}`
    : `AWS call failed: ${code}${err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : ''}: ${err.message ?? ''}`;
  return `error: ${what}${hintFor(code, command)}\n${unfinished(command, true)}`;
}

/** The `permissions` document of each command that calls AWS (status is the batch document's). */
const PERMISSIONS_OF: Record<string, string> = { scan: 'scan', remediate: 'remediate', rollback: 'rollback', status: 'batch' };

function hintFor(code: string, command: string | undefined): string {
  if (['InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'UnrecognizedClientException'].includes(code)) {
    return '\nCheck the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile) and --endpoint-url.';
  }
  if (code === 'CredentialsProviderError') {
    return '\nNo AWS credentials found: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or pass --profile.';
  }
  if (code === 'Timeout' || code === 'TimeoutError' || /^E[A-Z]+$/.test(code)) {
    return '\nCheck --endpoint-url / AWS_ENDPOINT_URL and the network.';
  }
  if (code === 'AccessDenied') {
    const document = PERMISSIONS_OF[command ?? 'scan'] ?? 'scan';
    return `\nCheck the IAM permissions \`s3-kms-audit permissions ${document}\` prints for the policy file (and the role trust policy for --assume-role).`;
  }
  return '';
}

/** `command`: the subcommand that was running or being parsed, whose --help the usage hint points to. */
export function failureFor(err: unknown, env: NodeJS.ProcessEnv = process.env, command?: string): Failure {
  if (err instanceof ConfigError) {
    const lines = err.problems.map(formatProblem);
    return { exitCode: EXIT_USAGE, message: `${lines.join('\n')}\n${lines.length} configuration problem${lines.length === 1 ? '' : 's'} (no AWS call was made)` };
  }
  if (err instanceof UsageError) {
    const help = command === undefined ? 's3-kms-audit --help' : `s3-kms-audit ${command} --help`;
    return { exitCode: EXIT_USAGE, message: `error: ${err.message}\nRun "${help}" for usage.` };
  }
  const debug = env.S3_KMS_AUDIT_DEBUG === '1';
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof Error) {
    const aws = describeAwsError(err as Error & AwsLikeError, command);
    if (aws) return { exitCode: EXIT_INCOMPLETE, message: aws + stack };
    const hint = debug ? '' : '\n(set S3_KMS_AUDIT_DEBUG=1 for the stack trace)';
    return { exitCode: EXIT_INCOMPLETE, message: `error: unexpected ${err.name}: ${err.message}${stack}${hint}\n${unfinished(command, false)}` };
  }
  return { exitCode: EXIT_INCOMPLETE, message: `error: unexpected failure: ${String(err)}\n${unfinished(command, false)}` };
}
