/**
 * `s3-kms-audit sandbox`: runs the local S3 + KMS + STS endpoint in the foreground, prints how to
 * point the AWS CLI or s3-kms-audit at it, and serves until SIGINT/SIGTERM.
 */
import { UsageError } from '../domain/errors.js';
import { exposureWarning } from '../sandbox/exposure.js';
import type { GlobalFaults } from '../sandbox/model.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import type { SandboxArgs } from './commands.js';
import { EXIT_OK } from './exit.js';
import { untilSignalled } from './interaction.js';
import type { CliIO } from './terminal.js';

/** The fault flags as the sandbox's global faults; absent flags are left to the estate file. */
export function faultsOf(args: SandboxArgs): Partial<GlobalFaults> {
  const faults: Partial<GlobalFaults> = {};
  if (args.latency) Object.assign(faults, args.latency);
  if (args.throttleRate !== undefined) faults.throttleRate = args.throttleRate;
  if (args.errorRate !== undefined) faults.errorRate = args.errorRate;
  if (args.resetRate !== undefined) faults.resetRate = args.resetRate;
  if (args.seed !== undefined) faults.seed = args.seed;
  return faults;
}

export async function sandboxCommand(args: SandboxArgs, io: CliIO): Promise<number> {
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ port: args.port, host: args.host, estate: args.estate, faults: faultsOf(args) });
  } catch (e) {
    // A bad estate file or a port in use is the user's to fix: a usage error (exit 2), not an incomplete run.
    throw new UsageError(`sandbox: ${e instanceof Error ? e.message : String(e)}`);
  }
  const stopped = untilSignalled();
  const warning = exposureWarning(args.host, sandbox.endpoint);
  if (warning) io.stderr.write(warning + '\n');

  const out: string[] = [];
  out.push(`Sandbox (S3, KMS, STS${sandbox.estate.organization ? ', Organizations' : ''}) listening on ${sandbox.endpoint}`);
  out.push(`Estate: ${args.estate ?? 'demo'} — ${sandbox.accounts.length} accounts, ${sandbox.estate.buckets.size} buckets`);
  const org = sandbox.estate.organization;
  if (org) {
    out.push(`Organization ${org.id}: management account ${org.managementAccount}, ${org.members.size} member accounts, ${org.units.size} organizational units`);
  }
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
  io.stdout.write(out.join('\n') + '\n');

  const signal = await stopped;
  io.stdout.write(`\n${signal}: stopping the sandbox (${sandbox.requestCount()} requests served).\n`);
  await sandbox.stop();
  return EXIT_OK;
}
