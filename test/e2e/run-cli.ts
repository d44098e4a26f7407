/**
 * Runs the compiled CLI (dist/src/cli/main.js) as a child process, exactly as a user or a CI job
 * does, with an environment that keeps the developer's own AWS set-up out of the test.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { AuditReport } from '../../src/domain/report.js';
import type { Finding } from '../../src/domain/finding.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';
import { loadReportSchema } from '../../src/report/json.js';
import { accountOf } from '../helpers/sandbox.js';

export const CLI = resolve(packageRoot(), 'dist/src/cli/main.js');
export const E2E_FIXTURES = resolve(packageRoot(), 'test/fixtures/e2e');
export const fixture = (name: string): string => resolve(E2E_FIXTURES, name);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment with no AWS configuration at all, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...extra,
  };
}

export function runCli(args: string[], env: Record<string, string> = cleanEnv(), cwd = packageRoot()): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}


// ---------------------------------------------------------------------------------------------
// Scans against a sandbox

export const PROD = '111122223333';
export const DEV = '444455556666';

export interface ScanResult {
  run: CliRun;
  report: AuditReport;
  path: string;
}

let scanCounter = 0;

/**
 * Runs `scan --format json` with the named account's keys and returns the parsed report, after the
 * checks every report must pass: it validates against the schema, and neither it nor the CLI's
 * output contains a secret key or an access key id.
 */
export async function scanWith(sb: Sandbox, outDir: string, policy: string, args: string[] = [], account: string | number = 'prod'): Promise<ScanResult> {
  const creds = accountOf(sb, account);
  const name = `e2e-${process.pid}-${++scanCounter}`;
  const run = await runCli(
    ['scan', '--policies', fixture(policy), '--endpoint-url', sb.endpoint, '--out', outDir, '--name', name, '--format', 'json', ...args],
    cleanEnv({ AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey }),
  );
  const path = join(outDir, `${name}.json`);
  if (!existsSync(path)) throw new Error(`no report written (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  const raw = await readFile(path, 'utf8');
  const report = JSON.parse(raw) as AuditReport;
  const problems = validateAgainst(loadReportSchema(), report);
  expect(problems, errorsToText(problems)).to.deep.equal([]);
  for (const a of sb.accounts) {
    for (const text of [raw, run.stdout, run.stderr]) {
      expect(text).to.not.contain(a.secretAccessKey);
      expect(text).to.not.contain(a.accessKeyId);
    }
  }
  // Temporary keys from AssumeRole never show up either.
  expect(raw).to.not.match(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
  return { run, report, path };
}

export const findingOf = (report: AuditReport, bucket: string, rule: string, policy?: string): Finding => {
  const found = report.findings.filter((f) => f.resource.bucket === bucket && f.rule === rule && (!policy || f.policy === policy));
  if (found.length !== 1) throw new Error(`expected one finding for ${bucket}/${rule}${policy ? `/${policy}` : ''}, got ${found.length}`);
  return found[0]!;
};

