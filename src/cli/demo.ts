/**
 * `npm start`: the main job on the embedded default. Starts the sandbox with the demo estate on a
 * free port, runs the real CLI (`scan`) against it over HTTP with the repo's policies.yaml, writes
 * the reports into reports/, prints the summary and report paths, and stops the sandbox.
 *
 * The scan runs as a child process so it is exactly what a user runs against AWS; only the
 * endpoint and the credentials differ. It is organisation-wide: the caller is the demo organisation's
 * management account (prod), and each active member is audited through its S3KmsAuditRole. Exit 0 when the run itself worked (the gate's verdict on
 * the demo estate's deliberately broken buckets is printed, not turned into a failure).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { startSandbox } from '../sandbox/server.js';
import { packageRoot } from '../paths.js';

const EXIT_CONFIG = 2;

async function main(argv: string[]): Promise<number> {
  const root = packageRoot();
  // `--out DIR` lets the test suite run the demo without touching the repo's reports/.
  const outFlag = argv.indexOf('--out');
  const outDir = resolve(outFlag >= 0 && argv[outFlag + 1] ? argv[outFlag + 1]! : resolve(root, 'reports'));
  const sandbox = await startSandbox({ port: 0 });
  try {
    const prod = sandbox.accounts.find((a) => a.name === 'prod') ?? sandbox.accounts[0];
    if (!prod) throw new Error('the demo estate has no accounts');
    const roles = sandbox.accounts.map((a) => `arn:aws:iam::${a.id}:role/S3KmsAuditRole`);
    const org = sandbox.estate.organization;
    console.log(`Sandbox (demo estate) on ${sandbox.endpoint}: auditing organisation ${org?.id ?? '-'} from its management account ${prod.id} (${prod.name})\n`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: prod.accessKeyId,
      AWS_SECRET_ACCESS_KEY: prod.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      // Keep a developer's own AWS profile out of the demo.
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const common = [
      '--policies', resolve(root, 'policies.yaml'),
      '--endpoint-url', sandbox.endpoint,
      '--region', 'us-east-1',
      '--out', outDir,
    ];
    const organisation = ['--organization', '--role-name', 'S3KmsAuditRole'];
    const cli = resolve(root, 'dist/src/cli/main.js');

    // 1. The nightly audit, in every format, so a newcomer can open reports/demo.html and see what CI systems get.
    const scanCode = await run(process.execPath, [cli, 'scan', ...common, ...organisation, '--name', 'demo', '--format', 'json,console,html,md,junit,sarif,csv'], env);
    if (scanCode === EXIT_CONFIG || !existsSync(resolve(outDir, 'demo.json'))) {
      console.error(`\nThe demo scan did not complete (exit ${scanCode}).`);
      return 1;
    }

    // 2. The remediation plan for what failed (plan only: nothing in the sandbox changes): bucket default
    //    encryption first, then the stored objects re-encrypted in place (grouped per bucket). remediate
    //    works on the accounts it is given (no --organization): the same two through their audit role.
    // No blank lines around the section rules: the demo's output is capped at two screens (120 lines).
    console.log('── Remediation plan (dry run: nothing is changed without --apply) ──');
    const planCode = await run(process.execPath, [cli, 'remediate', ...common, ...roles.flatMap((r) => ['--assume-role', r]), '--objects', '--name', 'demo-remediation'], env);
    if (planCode === EXIT_CONFIG || !existsSync(resolve(outDir, 'demo-remediation.plan.json'))) {
      console.error(`\nThe demo remediation plan was not written (exit ${planCode}).`);
      return 1;
    }

    // The decision and where the reports are come last, where the eye (and a CI log's tail) lands.
    console.log(`Demo done: scan exit code ${scanCode} (${explain(scanCode)}).`);
    console.log(`Reports: ${outDir}/demo.{json,html,md,junit.xml,sarif,csv} and the plan ${outDir}/demo-remediation.plan.json`);
    return 0;
  } finally {
    await sandbox.stop();
  }
}

function explain(code: number | null): string {
  switch (code) {
    case 0: return 'gate passed';
    case 1: return 'gate failed: findings at or above --fail-on, as the demo estate intends';
    case 3: return 'scan incomplete: some outcomes are errors, as the demo estate intends';
    default: return 'unexpected';
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
