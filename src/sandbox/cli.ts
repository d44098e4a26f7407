/**
 * `s3-kms-audit sandbox`: runs the local S3 + KMS + STS endpoint in the foreground, prints how to
 * point the AWS CLI or s3-kms-audit at it, and serves until SIGINT/SIGTERM.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { GlobalFaults } from './model.js';
import { startSandbox } from './server.js';

const USAGE = `Usage: s3-kms-audit sandbox [--port 4566] [--host 127.0.0.1] [--estate FILE.yaml]
                            [--latency MS[:JITTER]] [--throttle-rate P] [--error-rate P] [--reset-rate P] [--seed N]

Serves S3, KMS and STS for the accounts of an estate (default: the demo estate) until stopped.
  --port N             port to listen on (default 4566; 0 picks a free one)
  --host H             address to bind (default 127.0.0.1: the sandbox accepts any estate credentials;
                       any other address gets a warning, as the printed credentials then work from the network)
  --estate FILE        estate YAML (format: top of src/sandbox/estates/demo.yaml)
  --latency MS[:J]     add MS milliseconds (± J) before every answer
  --throttle-rate P    fraction 0..1 of requests answered SlowDown / ThrottlingException / Throttling
  --error-rate P       fraction 0..1 of requests answered 500
  --reset-rate P       fraction 0..1 of connections dropped without an answer
  --seed N             seed of the fault decisions (same seed, same requests faulted, whatever the concurrency)`;

class UsageError extends Error {}

function rate(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`--${flag} must be a number from 0 to 1, got '${text}'`);
  return v;
}

function nonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} must be a whole number ≥ 0, got '${text}'`);
  return Number(text);
}

export interface SandboxCommandOptions {
  port: number;
  host: string;
  estate?: string;
  faults: Partial<GlobalFaults>;
}

/** Parses the sandbox command's flags; throws UsageError with a message for the user. */
export function parseSandboxArgs(argv: string[]): SandboxCommandOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        estate: { type: 'string' },
        latency: { type: 'string' },
        'throttle-rate': { type: 'string' },
        'error-rate': { type: 'string' },
        'reset-rate': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const port = values.port === undefined ? 4566 : nonNegativeInteger('port', values.port);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const faults: Partial<GlobalFaults> = {};
  if (values.latency !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(values.latency);
    if (!m) throw new UsageError(`--latency must be MS or MS:JITTER (whole milliseconds), got '${values.latency}'`);
    faults.latencyMs = Number(m[1]);
    faults.jitterMs = m[2] === undefined ? 0 : Number(m[2]);
  }
  const throttleRate = rate('throttle-rate', values['throttle-rate']);
  const errorRate = rate('error-rate', values['error-rate']);
  const resetRate = rate('reset-rate', values['reset-rate']);
  if (throttleRate !== undefined) faults.throttleRate = throttleRate;
  if (errorRate !== undefined) faults.errorRate = errorRate;
  if (resetRate !== undefined) faults.resetRate = resetRate;
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
    faults.seed = Number(values.seed);
  }
  return { port, host: values.host ?? '127.0.0.1', ...(values.estate !== undefined ? { estate: values.estate } : {}), faults };
}

/** Whether only this machine can reach `host`: 127.0.0.0/8, ::1 (also as ::ffff:127.x) or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

/**
 * What to tell the user on stderr when the sandbox listens beyond loopback: it accepts the estate's
 * credentials — printed on stdout — from anyone who can connect, for every account it serves.
 */
export function exposureWarning(host: string, endpoint: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `WARNING: the sandbox is bound to ${host} (${endpoint}), not to a loopback address: anyone who can reach this ` +
    `machine on that port can use the estate's credentials printed below, which act on every account's buckets and keys. ` +
    `Use --host 127.0.0.1 (the default) unless you mean to share the sandbox.`
  );
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function sandboxCommand(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseSandboxArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`s3-kms-audit sandbox: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  let sandbox;
  try {
    sandbox = await startSandbox({ port: options.port, host: options.host, estate: options.estate, faults: options.faults });
  } catch (e) {
    // A bad estate file or a port in use is the user's to fix: say what, exit 2.
    console.error(`s3-kms-audit sandbox: ${(e as Error).message}`);
    return 2;
  }
  const stopped = untilSignalled();
  const warning = exposureWarning(options.host, sandbox.endpoint);
  if (warning) console.error(warning);

  const out: string[] = [];
  out.push(`Sandbox (S3, KMS, STS) listening on ${sandbox.endpoint}`);
  out.push(`Estate: ${options.estate ?? 'demo'} — ${sandbox.accounts.length} accounts, ${sandbox.estate.buckets.size} buckets`);
  const f = sandbox.estate.faults;
  if (f.latencyMs || f.jitterMs || f.throttleRate || f.errorRate || f.resetRate) {
    out.push(`Faults: latency ${f.latencyMs}±${f.jitterMs} ms, throttle ${f.throttleRate}, error ${f.errorRate}, reset ${f.resetRate}, seed ${f.seed}`);
  }
  for (const a of sandbox.accounts) {
    out.push('');
    out.push(`Account ${a.name} (${a.id})`);
    out.push(`  access key: ${a.accessKeyId}`);
    out.push(`  secret key: ${a.secretAccessKey}`);
    out.push(`  export AWS_ACCESS_KEY_ID=${a.accessKeyId} AWS_SECRET_ACCESS_KEY=${a.secretAccessKey} AWS_ENDPOINT_URL=${sandbox.endpoint} AWS_REGION=us-east-1`);
  }
  out.push('');
  out.push(`Try: aws --endpoint-url ${sandbox.endpoint} s3api list-buckets    (Ctrl-C to stop)`);
  console.log(out.join('\n'));

  const signal = await stopped;
  console.log(`\n${signal}: stopping the sandbox (${sandbox.requestCount()} requests served).`);
  await sandbox.stop();
  return 0;
}
