/**
 * End to end: `remediate --apply` and `rollback`, the compiled CLI spawned as a user runs it, against the
 * sandbox's demo estate over real HTTP. Each describe gets its own sandbox, so every run starts from the
 * demo estate. "Byte for byte" is literal here: the estate is compared by the raw XML GetBucketEncryption
 * answers for every bucket of both accounts (error answers by status and code, their request ids vary).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { packageRoot } from '../../src/paths.js';
import { readJournal } from '../../src/remediate/journal.js';
import type { JournalRecord } from '../../src/remediate/types.js';
import type { RemediationPlan } from '../../src/remediate/actions/put-bucket-encryption/types.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { accountOf, cliCreds, s3For, useSandbox } from '../helpers/sandbox.js';
import { intents, results, snapshot } from './remediate-helpers.js';
import { CLI, DEV, PROD, cleanEnv, runCli, scanWith, type CliRun } from './run-cli.js';

const ROLE = (account: string): string => `arn:aws:iam::${account}:role/S3KmsAuditRole`;
const BOTH_ACCOUNTS = ['--assume-role', ROLE(PROD), '--assume-role', ROLE(DEV)];
const POLICIES = resolve(packageRoot(), 'policies.yaml');
const LEGACY = ['prod-legacy-none', 'prod-legacy-eu'];
const REMEDIABLE_RULES = ['s3-bucket-sse-kms', 's3-bucket-cmk', 's3-bucket-allowed-keys', 's3-bucket-bucket-key'];

const envFor = (sb: Sandbox): Record<string, string> => {
  const prod = accountOf(sb, 'prod');
  return cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey, AWS_REGION: 'us-east-1' });
};

/** `remediate` / `rollback` with the prod account's keys, both accounts via AssumeRole. */
const cli = (sb: Sandbox, args: string[]): Promise<CliRun> => runCli([...args, '--endpoint-url', sb.endpoint, ...BOTH_ACCOUNTS], envFor(sb));

const SSE_S3_DEFAULT_XML = (snap: Map<string, string>): string => snap.get('prod-sse-s3')!; // AES256, Bucket Key off


/** Every intent is closed by one result, written after it, for the same bucket. */
function expectEveryIntentClosed(records: JournalRecord[]): void {
  for (const intent of intents(records)) {
    const closing = results(records).filter((r) => r.intent === intent.seq);
    expect(closing, `result for intent ${intent.seq} (${intent.bucket})`).to.have.length(1);
    expect(closing[0]!.seq).to.be.greaterThan(intent.seq);
    expect(closing[0]!.bucket).to.equal(intent.bucket);
  }
}

async function readPlan(path: string): Promise<RemediationPlan> {
  return JSON.parse(await readFile(path, 'utf8')) as RemediationPlan;
}

describe('e2e: remediate --apply and rollback (demo estate)', function () {
  this.timeout(60_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3-kms-audit-remediate-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe('apply, scan again, plan again, roll back', () => {
    const box = useSandbox();
    let original: Map<string, string>;
    let plan: RemediationPlan;
    let applied: CliRun;
    const journalPath = (): string => join(out, 'apply1.journal.jsonl');

    before(async () => {
      original = await snapshot(box.sb);
      applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--out', out, '--name', 'apply1']);
      plan = await readPlan(join(out, 'apply1.plan.json'));
    });

    it('applies and verifies every planned change; exit 3 because prod-access-denied could not be read', async () => {
      expect(applied.code, applied.stderr).to.equal(3);
      expect(plan.changes).to.have.length(14);
      expect(applied.stdout).to.contain('Applied: planned 14 · applied 14 · verified 14 · failed 0 · refused 0');
      const { records } = await readJournal(journalPath());
      expect(records[0]).to.include({ phase: 'start', kind: 'apply', source: plan.run.id, planned: 14 });
      expect(records.at(-1)).to.deep.include({ phase: 'end', interrupted: false });
      expect(intents(records)).to.have.length(14);
      expect(results(records).every((r) => r.applied && r.verified && r.error === undefined)).to.equal(true);
      expectEveryIntentClosed(records);
      for (const intent of intents(records)) {
        const change = plan.changes.find((c) => c.bucket === intent.bucket)!;
        expect(intent.before, intent.bucket).to.deep.equal(change.before);
        expect(intent.after, intent.bucket).to.deep.equal(change.after);
        expect(intent.change).to.equal(change.id);
      }
      for (const text of [await readFile(journalPath(), 'utf8'), applied.stdout, applied.stderr]) {
        for (const a of box.sb.accounts) expect(text).to.not.contain(a.secretAccessKey).and.not.contain(a.accessKeyId);
      }
    });

    it('changed exactly the planned buckets, to exactly the planned configuration; every other bucket of both accounts is untouched', async () => {
      const now = await snapshot(box.sb);
      const planned = new Set(plan.changes.map((c) => c.bucket));
      expect(now.size).to.equal(original.size);
      for (const [bucket, xml] of now) {
        if (!planned.has(bucket)) {
          expect(xml, bucket).to.equal(original.get(bucket));
          continue;
        }
        expect(xml, bucket).to.not.equal(original.get(bucket));
        const after = plan.changes.find((c) => c.bucket === bucket)!.after.Rules[0]!;
        const kms = after.ApplyServerSideEncryptionByDefault!;
        expect(xml, bucket).to.contain(
          `<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${kms.SSEAlgorithm}</SSEAlgorithm><KMSMasterKeyID>${kms.KMSMasterKeyID}</KMSMasterKeyID>` +
            `</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${String(after.BucketKeyEnabled)}</BucketKeyEnabled></Rule>`,
        );
      }
    });

    it('a new scan: every planned bucket now passes (or skips) every remediable rule, and its key is usable', async () => {
      const { report } = await scanWith(box.sb, out, POLICIES, BOTH_ACCOUNTS);
      for (const change of plan.changes) {
        const findings = report.findings.filter((f) => f.resource.bucket === change.bucket && (REMEDIABLE_RULES.includes(f.rule) || f.rule === 's3-bucket-key-usable'));
        expect(findings.length, change.bucket).to.be.greaterThan(0);
        for (const f of findings) expect(['pass', 'skip'], `${change.bucket} ${f.policy}/${f.rule}: ${f.message}`).to.include(f.status);
      }
    });

    it('a second plan is empty: remediation is idempotent', async () => {
      const again = await cli(box.sb, ['remediate', '--out', out, '--name', 'again']);
      expect(again.code).to.equal(3);
      const second = await readPlan(join(out, 'again.plan.json'));
      expect(second.changes).to.deep.equal([]);
      expect(second.refusals.map((r) => r.bucket).sort()).to.deep.equal(['dev-legacy', 'dev-sse-s3', 'prod-access-denied']);
      expect(again.stdout).to.contain('No changes');
    });

    it('rollback restores every bucket byte for byte; the legacy buckets get the SSE-S3 default DeleteBucketEncryption leaves', async () => {
      const rolled = await cli(box.sb, ['rollback', journalPath(), '--yes']);
      expect(rolled.code, rolled.stderr + rolled.stdout).to.equal(0);
      // The legacy buckets are counted and listed apart: verified, but not an exact restore.
      expect(rolled.stdout).to.contain('Rollback: 14 buckets · restored 12 · restored to SSE-S3 default 2 · already as before 0 · skipped 0 · failed 0');
      expect(rolled.stdout).to.contain("2 buckets had no default encryption configuration before: restored to S3's default SSE-S3 — S3 can no longer have no configuration");
      for (const b of LEGACY) {
        expect(rolled.stdout).to.match(new RegExp(`RESTORED-DEFAULT\\s+${b} \\(\\d+, [a-z0-9-]+\\): restored to S3's default SSE-S3 — S3 can no longer have no configuration`));
      }
      expect(rolled.stdout.match(/^\s+RESTORED\s/gm), 'exact restores').to.have.length(12);
      const now = await snapshot(box.sb);
      for (const [bucket, xml] of now) {
        if (LEGACY.includes(bucket)) {
          // S3 can no longer hold "no configuration": DeleteBucketEncryption resets to SSE-S3 (API reference).
          expect(original.get(bucket), bucket).to.equal('404 ServerSideEncryptionConfigurationNotFoundError');
          expect(xml, bucket).to.equal(SSE_S3_DEFAULT_XML(original));
        } else {
          expect(xml, bucket).to.equal(original.get(bucket));
        }
      }
      const rollbackJournal = rolled.stdout.match(/Rollback journal: (\S+)/)![1]!;
      const { records } = await readJournal(rollbackJournal);
      expect(records[0]).to.include({ phase: 'start', kind: 'rollback', source: journalPath() });
      expect(intents(records)).to.have.length(14);
      expect(intents(records).filter((r) => r.after === 'none').map((r) => r.bucket).sort()).to.deep.equal([...LEGACY].sort());
      expect(results(records).every((r) => r.verified)).to.equal(true);
      expectEveryIntentClosed(records);
      expect(records.at(-1)).to.deep.include({ phase: 'end', summary: { buckets: 14, restored: 12, restoredToDefault: 2, already: 0, skipped: 0, failed: 0, notStarted: 0 } });
    });

    it('the AWS CLI confirms the restored configurations independently', async function () {
      if (!requireAwsCli(this)) return;
      const check = async (change: RemediationPlan['changes'][number]): Promise<unknown> => {
        const account = box.sb.accounts.find((a) => a.id === change.account)!;
        const r = await awsCli(box.sb.endpoint, cliCreds(box.sb, account.name), change.region, ['s3api', 'get-bucket-encryption', '--bucket', change.bucket]);
        expect(r.code, `${change.bucket}: ${r.stderr}`).to.equal(0);
        return (JSON.parse(r.stdout) as { ServerSideEncryptionConfiguration: unknown }).ServerSideEncryptionConfiguration;
      };
      // Every restored bucket, both accounts; each CLI run starts a Python interpreter (~1 s), so a few at a time.
      const answers = new Map<string, unknown>();
      for (let i = 0; i < plan.changes.length; i += 4) {
        const batch = plan.changes.slice(i, i + 4);
        const got = await Promise.all(batch.map(check));
        batch.forEach((c, j) => answers.set(c.bucket, got[j]));
      }
      expect(answers.size).to.equal(14);
      for (const change of plan.changes) {
        // `before` is the pre-apply configuration exactly as GetBucketEncryption returned it; a legacy
        // bucket ("none") can only come back as the SSE-S3 default DeleteBucketEncryption leaves.
        const expected = change.before === 'none' ? { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] } : change.before;
        expect(answers.get(change.bucket), change.bucket).to.deep.equal(expected);
      }
      expect(plan.changes.filter((c) => c.before === 'none').map((c) => c.bucket).sort()).to.deep.equal([...LEGACY].sort());
    });
  });

  describe('faults during apply: 5xx then success, a dropped connection, AccessDenied on one bucket', () => {
    const box = useSandbox();
    it('records the failure, goes on with the rest, exits 1; rollback leaves the estate as it started', async () => {
      const original = await snapshot(box.sb);
      const bucket = (name: string) => box.sb.estate.buckets.get(name)!;
      bucket('prod-sse-s3').faults.push({ operation: 'PutBucketEncryption', error: 'AccessDenied' });
      const fiveHundred = { operation: 'PutBucketEncryption', error: 'InternalError', times: 1 };
      const reset = { operation: 'PutBucketEncryption', error: 'Reset', times: 1 };
      bucket('prod-legacy-none').faults.push(fiveHundred);
      bucket('prod-aws-managed').faults.push(reset);

      const run = await cli(box.sb, ['remediate', '--apply', '--yes', '--out', out, '--name', 'faults']);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stdout).to.contain('Applied: planned 14 · applied 13 · verified 13 · failed 1 · refused 0');
      expect(run.stdout).to.match(/FAILED\s+prod-sse-s3 \(111122223333, us-east-1\): PutBucketEncryption failed: AccessDenied/);
      expect([fiveHundred.times, reset.times], 'both transient faults fired once').to.deep.equal([0, 0]);

      const { records } = await readJournal(join(out, 'faults.journal.jsonl'));
      expectEveryIntentClosed(records);
      const denied = intents(records).find((r) => r.bucket === 'prod-sse-s3')!;
      const result = results(records).find((r) => r.intent === denied.seq)!;
      expect(result).to.deep.include({ applied: false, verified: false, error: { code: 'AccessDenied', operation: 'PutBucketEncryption', message: 'Access Denied' } });
      expect(result.readBack).to.deep.equal(denied.before);
      for (const b of ['prod-legacy-none', 'prod-aws-managed']) {
        const intent = intents(records).find((r) => r.bucket === b)!;
        expect(results(records).find((r) => r.intent === intent.seq), b).to.deep.include({ applied: true, verified: true });
      }

      const rolled = await cli(box.sb, ['rollback', join(out, 'faults.journal.jsonl'), '--yes']);
      expect(rolled.code, rolled.stdout).to.equal(0);
      expect(rolled.stdout).to.contain('restored 11 · restored to SSE-S3 default 2 · already as before 1');
      const now = await snapshot(box.sb);
      for (const [b, xml] of now) expect(xml, b).to.equal(LEGACY.includes(b) ? SSE_S3_DEFAULT_XML(original) : original.get(b));
    });
  });

  describe('a saved plan: --max-changes, and a bucket that drifted since the plan', () => {
    const box = useSandbox();
    it('refuses the plan as a whole over --max-changes, then refuses only the drifted change', async () => {
      const planned = await cli(box.sb, ['remediate', '--out', out, '--name', 'saved', '--max-changes', '5']);
      expect(planned.code).to.equal(1);
      expect(planned.stdout).to.contain('the plan has 14 changes, more than --max-changes 5').and.contain('re-run with --max-changes 14');
      const planPath = join(out, 'saved.plan.json');
      expect((await readPlan(planPath)).limit).to.deep.equal({ maxChanges: 5, exceeded: true });

      // Someone changes a planned bucket after the plan was made.
      const s3 = s3For(box.sb, 'prod');
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'prod-sse-s3',
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/scratch' }, BucketKeyEnabled: true }] },
        }),
      );
      s3.destroy();
      const before = await snapshot(box.sb);

      const tooMany = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', planPath, '--out', out, '--name', 'too-many', '--max-changes', '5']);
      expect(tooMany.code).to.equal(1);
      expect(tooMany.stderr).to.contain('Refused as a whole');
      expect(existsSync(join(out, 'too-many.journal.jsonl'))).to.equal(false);
      expect(await snapshot(box.sb)).to.deep.equal(before);

      const applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', planPath, '--out', out, '--name', 'drift']);
      expect(applied.code).to.equal(1);
      expect(applied.stdout).to.match(/DRIFTED\s+prod-sse-s3 \(111122223333, us-east-1\): the bucket is now aws:kms with alias\/scratch, Bucket Key on, not AES256 \(SSE-S3\)/);
      expect(applied.stdout).to.contain('planned 14 · applied 13 · verified 13 · failed 0 · refused 1');
      const { records } = await readJournal(join(out, 'drift.journal.jsonl'));
      expect(intents(records).map((r) => r.bucket)).to.not.include('prod-sse-s3');
      expect((await snapshot(box.sb)).get('prod-sse-s3')).to.equal(before.get('prod-sse-s3'));
    });
  });

  describe('a saved plan whose `after` was edited', () => {
    const box = useSandbox();
    it('refuses a change whose new configuration is not the one its own target key makes; the bucket is not touched', async () => {
      const planned = await cli(box.sb, ['remediate', '--out', out, '--name', 'edited']);
      expect(planned.code).to.equal(3);
      const planPath = join(out, 'edited.plan.json');
      const plan = await readPlan(planPath);
      const sseS3 = plan.changes.find((c) => c.bucket === 'prod-sse-s3')!;
      const legacy = plan.changes.find((c) => c.bucket === 'prod-legacy-none')!;
      // Another real key of the same account: the target key of eu-west-1.
      const otherKey = plan.changes.find((c) => c.account === sseS3.account && c.region === 'eu-west-1')!.key.arn;
      expect(otherKey).to.not.equal(sseS3.key.arn);
      const plannedLegacyAfter = legacy.after;
      sseS3.after.Rules[0]!.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID = otherKey;
      legacy.after = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] };
      await writeFile(planPath, JSON.stringify(plan, null, 2));
      const before = await snapshot(box.sb);

      // AES256 in `after` is already outside the plan schema: the whole plan is refused, nothing done.
      const invalid = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', planPath, '--out', out, '--name', 'edited-invalid']);
      expect(invalid.code, invalid.stderr).to.equal(2);
      expect(invalid.stderr).to.contain('is not a valid remediation plan');
      expect(existsSync(join(out, 'edited-invalid.journal.jsonl'))).to.equal(false);
      expect(await snapshot(box.sb)).to.deep.equal(before);

      // Another key, still a valid plan: only the apply-time check against the change's own target catches it.
      legacy.after = plannedLegacyAfter;
      await writeFile(planPath, JSON.stringify(plan, null, 2));
      const applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', planPath, '--out', out, '--name', 'edited-apply']);
      expect(applied.code, applied.stderr).to.equal(1);
      expect(applied.stdout).to.match(
        new RegExp(`INCONSISTENT\\s+prod-sse-s3 \\(111122223333, us-east-1\\): the plan's new configuration \\(aws:kms with ${otherKey}, Bucket Key on\\) is not the one its target makes \\(aws:kms with ${sseS3.key.arn}, Bucket Key on\\)`),
      );
      expect(applied.stdout).to.contain('planned 14 · applied 13 · verified 13 · failed 0 · refused 1');
      const { records } = await readJournal(join(out, 'edited-apply.journal.jsonl'));
      const journaled = intents(records).map((r) => r.bucket);
      expect(journaled).to.have.length(13);
      expect(journaled).to.not.include('prod-sse-s3');
      const now = await snapshot(box.sb);
      expect(now.get('prod-sse-s3'), 'raw GetBucketEncryption of prod-sse-s3').to.equal(before.get('prod-sse-s3'));
      expect(now.get('prod-legacy-none'), 'the unedited change was applied').to.not.equal(before.get('prod-legacy-none'));
    });
  });

  describe('interrupted part-way', () => {
    /** The CLI as a child process we can signal. */
    function start(sb: Sandbox, args: string[]): { child: ChildProcess; done: Promise<CliRun> } {
      const child = spawn(process.execPath, [CLI, ...args, '--endpoint-url', sb.endpoint, ...BOTH_ACCOUNTS], { env: envFor(sb), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = new Promise<CliRun>((resolvePromise, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal === 'SIGKILL' ? 137 : -1), stdout, stderr }));
      });
      return { child, done };
    }

    /** Resolves once the journal holds an intent record (polling the file the child writes). */
    async function firstIntent(path: string, done: Promise<CliRun>): Promise<void> {
      let finished = false;
      void done.then(() => (finished = true));
      while (!finished) {
        if (existsSync(path) && (await readFile(path, 'utf8')).includes('"phase":"intent"')) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`the run ended before ${path} had an intent record:\n${(await done).stderr}`);
    }

    async function interruptAndRollBack(sb: Sandbox, name: string, signal: 'SIGINT' | 'SIGKILL'): Promise<{ run: CliRun; records: JournalRecord[]; rolled: CliRun }> {
      const original = await snapshot(sb);
      const made = await cli(sb, ['remediate', '--out', out, '--name', `${name}-plan`]);
      expect(made.code).to.equal(3);
      // Slow every answer down so the interrupt lands while changes are in progress.
      sb.setFaults({ latencyMs: 60 });
      const journal = join(out, `${name}.journal.jsonl`);
      const { child, done } = start(sb, ['remediate', '--apply', '--yes', '--plan', join(out, `${name}-plan.plan.json`), '--out', out, '--name', name, '--concurrency', '2']);
      await firstIntent(journal, done);
      child.kill(signal);
      const run = await done;
      sb.setFaults({ latencyMs: 0 });
      const { records } = await readJournal(journal);

      const rolled = await cli(sb, ['rollback', journal, '--yes']);
      // A SIGINT run ends its journal; a SIGKILL run cannot, and rollback says its journal is incomplete (exit 4).
      expect(rolled.code, rolled.stdout + rolled.stderr).to.equal(signal === 'SIGINT' ? 0 : 4);
      const changed = new Set(intents(records).map((r) => r.bucket));
      const now = await snapshot(sb);
      for (const [b, xml] of now) {
        // Only a legacy bucket the interrupted run did change comes back as the SSE-S3 default.
        expect(xml, b).to.equal(LEGACY.includes(b) && changed.has(b) ? SSE_S3_DEFAULT_XML(original) : original.get(b));
      }
      return { run, records, rolled };
    }

    describe('SIGINT', () => {
      const box = useSandbox();
      it('stops starting changes, finishes and journals the ones in flight (exit 3); rollback restores the estate', async () => {
        const { run, records } = await interruptAndRollBack(box.sb, 'sigint', 'SIGINT');
        expect(run.code, run.stderr).to.equal(3);
        expect(run.stderr).to.contain('SIGINT: starting no new changes; finishing and journaling the ones in flight');
        expectEveryIntentClosed(records);
        const end = records.at(-1)!;
        expect(end).to.deep.include({ phase: 'end', interrupted: true });
        const summary = (end as { summary: Record<string, number> }).summary;
        expect(summary.notStarted).to.be.greaterThan(0);
        expect(summary.verified).to.equal(intents(records).length);
        expect(intents(records).length).to.be.lessThan(14);
        expect(run.stdout).to.contain('Interrupted: no change was started after the signal');
      });
    });

    describe('SIGKILL', () => {
      const box = useSandbox();
      it('leaves a journal rollback can use, even with an intent and no result', async () => {
        const { run, records, rolled } = await interruptAndRollBack(box.sb, 'sigkill', 'SIGKILL');
        expect(run.code).to.equal(137);
        expect(records.some((r) => r.phase === 'end')).to.equal(false);
        expect(intents(records).length).to.be.greaterThan(0);
        expect(rolled.stderr).to.contain(`is incomplete: its start record planned 14 changes, it has ${intents(records).length} intent record`);
      });
    });
  });
});
