/**
 * End to end: object remediation (`remediate --objects`), the compiled CLI spawned as a user runs it,
 * against the sandbox's demo estate over real HTTP: irreversible changes refused without
 * --allow-irreversible; apply per object with UpdateObjectEncryption, verified with HeadObject (key,
 * Bucket Key, unchanged ETag and LastModified); a new scan finds no failing remediable object; rollback
 * puts the reversible ones back exactly and reports the irreversible ones; and a run stopped by SIGTERM
 * leaves a journal that rollback completes.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CopyObjectCommand, HeadObjectCommand, ListObjectsV2Command, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { packageRoot } from '../../src/paths.js';
import { readJournal } from '../../src/remediate/journal.js';
import type { RegisteredPlan } from '../../src/remediate/actions/index.js';
import type { PlannedObjectChange } from '../../src/remediate/actions/update-object-encryption/types.js';
import type { IntentRecord } from '../../src/remediate/types.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf, s3For, useSandbox } from '../helpers/sandbox.js';
import { intents, results } from './remediate-helpers.js';
import { CLI, DEV, PROD, cleanEnv, runCli, type CliRun } from './run-cli.js';

const ROLE = (account: string): string => `arn:aws:iam::${account}:role/S3KmsAuditRole`;
const BOTH_ACCOUNTS = ['--assume-role', ROLE(PROD), '--assume-role', ROLE(DEV)];
const FIXTURE = (name: string): string => resolve(packageRoot(), 'test/fixtures/remediate', name);
const PROD_DATA = `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`;
const MIXED = 'prod-objects-mixed';
const IRREVERSIBLE = ['index.html', 'uploads/legacy-1.bin', 'uploads/legacy-2.bin'];
const REVERSIBLE = ['uploads/managed.json'];

const envFor = (sb: Sandbox): Record<string, string> => {
  const prod = accountOf(sb, 'prod');
  return cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey, AWS_REGION: 'us-east-1' });
};
const cli = (sb: Sandbox, args: string[]): Promise<CliRun> => runCli([...args, '--endpoint-url', sb.endpoint, ...BOTH_ACCOUNTS], envFor(sb));

type Head = Pick<HeadObjectCommandOutput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled' | 'ETag' | 'LastModified' | 'ContentLength'>;
async function heads(sb: Sandbox, account: string, bucket: string, keys: readonly string[]): Promise<Map<string, Head>> {
  const s3 = s3For(sb, account, 'us-east-1');
  const out = new Map<string, Head>();
  for (const key of keys) {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    out.set(key, { ServerSideEncryption: h.ServerSideEncryption, SSEKMSKeyId: h.SSEKMSKeyId, BucketKeyEnabled: h.BucketKeyEnabled, ETag: h.ETag, LastModified: h.LastModified, ContentLength: h.ContentLength });
  }
  s3.destroy();
  return out;
}

const readPlan = async (path: string): Promise<RegisteredPlan> => JSON.parse(await readFile(path, 'utf8')) as RegisteredPlan;
const objectChanges = (plan: RegisteredPlan): PlannedObjectChange[] => plan.changes.filter((c): c is PlannedObjectChange => c.object !== undefined);

describe('e2e: remediate --objects (UpdateObjectEncryption) and rollback (demo estate)', function () {
  this.timeout(120_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3-kms-audit-remediate-objects-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe('plan, apply, verify, scan again, roll back', () => {
    const box = useSandbox();
    const policies = FIXTURE('objects.yaml');
    const keys = [...IRREVERSIBLE, ...REVERSIBLE];
    let original: Map<string, Head>;
    let plan: RegisteredPlan;
    let applied: CliRun;
    const journal = (): string => join(out, 'objs.journal.jsonl');

    before(async () => {
      original = await heads(box.sb, 'prod', MIXED, keys);
    });

    it('plans one change per failing object, marks the SSE-S3 ones irreversible and refuses the unreadable ones', async () => {
      const run = await cli(box.sb, ['remediate', '--objects', '--policies', policies, '--out', out, '--name', 'objs-plan']);
      expect(run.code, run.stderr).to.equal(3); // restricted/* could not be read
      plan = await readPlan(join(out, 'objs-plan.plan.json'));
      const changes = objectChanges(plan);
      expect(changes.map((c) => c.object.key).sort()).to.deep.equal([...keys].sort());
      expect(changes.filter((c) => c.irreversible).map((c) => c.object.key).sort()).to.deep.equal([...IRREVERSIBLE].sort());
      for (const c of changes) {
        expect(c.after).to.deep.include({ sse: 'aws:kms', kmsKeyArn: PROD_DATA, bucketKeyEnabled: true, etag: c.before.etag, lastModified: c.before.lastModified });
        expect(c.action).to.equal('update-object-encryption');
      }
      expect(plan.refusals.map((r) => `${r.object?.key}:${r.code}`).sort()).to.deep.equal(['restricted/keys.txt:state-unknown', 'restricted/payroll.csv:state-unknown']);
      expect(run.stdout).to.contain(`${MIXED}: 4 objects (3 IRREVERSIBLE)`);
    });

    it('--apply refuses irreversible changes without --allow-irreversible (exit 2), before any change', async () => {
      const run = await cli(box.sb, ['remediate', '--objects', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'objs-refused']);
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      expect(run.stderr).to.contain('3 irreversible changes').and.contain('--allow-irreversible');
      expect(existsSync(join(out, 'objs-refused.journal.jsonl'))).to.equal(false);
      expect(await heads(box.sb, 'prod', MIXED, keys)).to.deep.equal(original);
    });

    it('applies each change with UpdateObjectEncryption, journaled and verified: new key and Bucket Key, same ETag and LastModified', async () => {
      applied = await cli(box.sb, ['remediate', '--objects', '--allow-irreversible', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'objs']);
      expect(applied.code, applied.stdout + applied.stderr).to.equal(3);
      expect(applied.stdout).to.contain('Applied: planned 4 · applied 4 · verified 4 · failed 0 · refused 0');
      const now = await heads(box.sb, 'prod', MIXED, keys);
      for (const key of keys) {
        expect(now.get(key), key).to.deep.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA, BucketKeyEnabled: true, ETag: original.get(key)!.ETag, ContentLength: original.get(key)!.ContentLength });
        expect(now.get(key)!.LastModified?.getTime(), key).to.equal(original.get(key)!.LastModified?.getTime());
      }
      const { records } = await readJournal(journal());
      expect(intents(records)).to.have.length(4);
      expect(results(records).every((r) => r.verified && r.applied)).to.equal(true);
      for (const i of intents(records)) expect(i).to.deep.include({ action: 'update-object-encryption', bucket: MIXED });
    });

    it('a new scan finds no failing remediable object', async () => {
      const run = await cli(box.sb, ['scan', '--policies', policies, '--out', out, '--name', 'objs-rescan', '--format', 'json']);
      const report = JSON.parse(await readFile(join(out, 'objs-rescan.json'), 'utf8')) as { findings: { status: string; resource: { key?: string } }[] };
      expect(run.code, run.stderr).to.equal(3); // still the unreadable restricted/* objects
      expect(report.findings.filter((f) => f.status === 'fail')).to.deep.equal([]);
    });

    it('rollback restores the reversible objects exactly and reports the irreversible ones (exit 1)', async () => {
      const rolled = await cli(box.sb, ['rollback', journal(), '--yes']);
      expect(rolled.code, rolled.stdout + rolled.stderr).to.equal(1);
      expect(rolled.stdout).to.contain('restored 1').and.contain('irreversible 3');
      const now = await heads(box.sb, 'prod', MIXED, keys);
      for (const key of REVERSIBLE) expect(now.get(key), key).to.deep.equal(original.get(key));
      for (const key of IRREVERSIBLE) expect(now.get(key), key).to.deep.include({ SSEKMSKeyId: PROD_DATA, ETag: original.get(key)!.ETag });
    });
  });

  describe('from a saved scan (--from)', () => {
    const box = useSandbox();

    it('plans from the report\'s findings without scanning, and refuses an object changed since that scan', async () => {
      const policies = FIXTURE('objects.yaml');
      const scan = await cli(box.sb, ['scan', '--policies', policies, '--out', out, '--name', 'from-scan', '--format', 'json']);
      expect(scan.code).to.equal(1);
      // After the scan, someone re-encrypts uploads/managed.json (a copy in place under another key).
      const s3 = s3For(box.sb, 'prod', 'us-east-1');
      await s3.send(new CopyObjectCommand({ Bucket: MIXED, Key: 'uploads/managed.json', CopySource: `${MIXED}/uploads/managed.json`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: PROD_DATA }));
      s3.destroy();
      for (const from of ['from-scan.json', 'from-scan.objects.jsonl']) {
        const run = await cli(box.sb, ['remediate', '--objects', '--from', join(out, from), '--policies', policies, '--out', out, '--name', `from-${from.replace(/\W/g, '-')}`]);
        const plan = await readPlan(join(out, `from-${from.replace(/\W/g, '-')}.plan.json`));
        // Both say the scan was incomplete: the report's run.complete, the JSONL's unreadable objects (error outcomes).
        expect(run.code, run.stdout + run.stderr).to.equal(3);
        expect(objectChanges(plan).map((c) => c.object.key).sort(), from).to.deep.equal([...IRREVERSIBLE].sort());
        const drifted = plan.refusals.find((r) => r.object?.key === 'uploads/managed.json');
        expect(drifted?.code, from).to.equal('changed-since-scan');
        expect(plan.changes.every((c) => c.object !== undefined), 'no bucket change from a saved scan').to.equal(true);
      }
    });

    it('a saved finding edited so that its evidence no longer says what it claims is bad input: exit 2 naming file, line and id, no AWS call, no plan', async () => {
      const policies = FIXTURE('objects.yaml');
      const scan = await cli(box.sb, ['scan', '--policies', policies, '--out', out, '--name', 'edited-scan', '--format', 'json']);
      expect(scan.code).to.equal(1);
      // Both outcomes of uploads/legacy-2.bin said fail; edited to pass, their evidence (SSE-S3) still fails both rules.
      const lines = (await readFile(join(out, 'edited-scan.objects.jsonl'), 'utf8')).trimEnd().split('\n');
      const edited: { line: number; id: string }[] = [];
      lines.forEach((text, i) => {
        const f = JSON.parse(text) as { id: string; status: string; resource: { key?: string } };
        if (f.resource.key !== 'uploads/legacy-2.bin') return;
        f.status = 'pass';
        lines[i] = JSON.stringify(f);
        edited.push({ line: i + 1, id: f.id });
      });
      expect(edited).to.have.length(2);
      const from = join(out, 'edited.objects.jsonl');
      await writeFile(from, lines.join('\n') + '\n');
      const before = box.sb.requestCount();
      const run = await cli(box.sb, ['remediate', '--objects', '--from', from, '--policies', policies, '--out', out, '--name', 'from-edited']);
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      for (const e of edited) expect(run.stderr).to.contain(`${from}:${e.line}: finding ${e.id}`);
      expect(run.stderr).to.contain('says pass');
      expect(box.sb.requestCount(), 'no AWS call').to.equal(before);
      expect(existsSync(join(out, 'from-edited.plan.json')), 'no plan written').to.equal(false);
    });
  });

  describe('as an S3 Batch Operations job (--batch), then status', () => {
    const box = useSandbox();
    const policies = FIXTURE('objects.yaml');
    const keys = [...IRREVERSIBLE, ...REVERSIBLE];

    it('submits one job over an uploaded manifest; status reads the completion report, verifies a sample, and a new scan finds no failing object', async () => {
      const original = await heads(box.sb, 'prod', MIXED, keys);
      const batchArgs = ['--batch', '--role-arn', `arn:aws:iam::${PROD}:role/BatchOperationsRole`, '--report-bucket', 'prod-cmk-by-arn'];
      const refused = await cli(box.sb, ['remediate', '--objects', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'batch-refused', ...batchArgs]);
      expect(refused.code, refused.stderr).to.equal(2);
      const run = await cli(box.sb, ['remediate', '--objects', '--allow-irreversible', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'batch', ...batchArgs]);
      expect(run.code, run.stdout + run.stderr).to.equal(3); // restricted/* unreadable: not submitted
      expect(run.stdout).to.match(/Job [0-9a-f-]+ \(111122223333, us-east-1\): 4 objects to arn:aws:kms/);
      const record = join(out, 'batch.batch.json');
      let status: CliRun | undefined;
      for (let i = 0; i < 100; i++) {
        status = await cli(box.sb, ['status', record]);
        if (status.code !== 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status!.code, status!.stdout + status!.stderr).to.equal(0);
      expect(status!.stdout).to.contain('Complete · tasks 4: succeeded 4, failed 0').and.contain('verified 4 of 4 sampled succeeded objects');
      const now = await heads(box.sb, 'prod', MIXED, keys);
      for (const key of keys) expect(now.get(key), key).to.deep.include({ SSEKMSKeyId: PROD_DATA, ETag: original.get(key)!.ETag });
      const rescan = await cli(box.sb, ['scan', '--policies', policies, '--out', out, '--name', 'batch-rescan', '--format', 'json']);
      const report = JSON.parse(await readFile(join(out, 'batch-rescan.json'), 'utf8')) as { findings: { status: string }[] };
      expect(rescan.code).to.equal(3);
      expect(report.findings.filter((f) => f.status === 'fail')).to.deep.equal([]);

      // Rollback: a reverse job for the reversible rows of the completion report; the SSE-S3 ones are listed.
      const rolled = await cli(box.sb, ['rollback', record, '--yes']);
      expect(rolled.code, rolled.stdout + rolled.stderr).to.equal(1);
      expect(rolled.stdout).to.match(/Reverse job [0-9a-f-]+ \(111122223333, us-east-1\): 1 objects back to arn:aws:kms:us-east-1:111122223333:key\/4086d36d/);
      for (const key of IRREVERSIBLE) expect(rolled.stdout).to.contain(`IRREVERSIBLE ${MIXED}/${key}`);
      const reverseRecord = /Batch record: (\S+)/.exec(rolled.stdout)![1]!;
      for (let i = 0; i < 100; i++) {
        status = await cli(box.sb, ['status', reverseRecord]);
        if (status.code !== 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status!.code, status!.stdout).to.equal(0);
      const back = await heads(box.sb, 'prod', MIXED, keys);
      for (const key of REVERSIBLE) expect(back.get(key), key).to.deep.equal(original.get(key));
      for (const key of IRREVERSIBLE) expect(back.get(key)!.SSEKMSKeyId, key).to.equal(PROD_DATA);
    });

    it('status lists failed tasks with S3\'s status and result code (exit 1)', async () => {
      const policiesGen = FIXTURE('objects-generated.yaml');
      box.sb.estate.buckets.get('dev-generated')!.faults.push({ operation: 'UpdateObjectEncryption', keys: 'data/00*', error: 'AccessDenied' });
      const run = await cli(box.sb, [
        'remediate', '--objects', '--allow-irreversible', '--policies', policiesGen, '--apply', '--yes', '--out', out, '--name', 'batch-faults',
        '--batch', '--role-arn', `arn:aws:iam::${DEV}:role/BatchOperationsRole`, '--report-bucket', 'dev-sse-s3',
      ]);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      let status: CliRun | undefined;
      for (let i = 0; i < 200; i++) {
        status = await cli(box.sb, ['status', join(out, 'batch-faults.batch.json')]);
        if (status.code !== 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status!.code, status!.stdout + status!.stderr).to.equal(1);
      expect(status!.stdout).to.match(/FAILED dev-generated\/data\/00\d+: 403 AccessDenied: /);
    });
  });

  describe('--batch with a role of another account than the jobs\' (refused, exit 2)', () => {
    const box = useSandbox();
    const policies = FIXTURE('objects.yaml');
    const batchArgs = (roleAccount: string): string[] => ['--batch', '--role-arn', `arn:aws:iam::${roleAccount}:role/BatchOperationsRole`, '--report-bucket', 'prod-cmk-by-arn'];
    const manifests = async (): Promise<string[]> => {
      const s3 = s3For(box.sb, 'prod', 'us-east-1');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'prod-cmk-by-arn', Prefix: 's3-kms-audit/' }));
      s3.destroy();
      return (listed.Contents ?? []).map((o) => o.Key!);
    };

    it('a role of another account than the planned objects\': before any manifest is uploaded or job created', async () => {
      const run = await cli(box.sb, ['remediate', '--objects', '--allow-irreversible', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'batch-dev-role', ...batchArgs(DEV)]);
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      expect(run.stderr).to.contain(`is a role of account ${DEV}`).and.contain(`account ${PROD}`);
      expect(run.stdout).to.not.match(/Job [0-9a-f-]+/);
      expect(existsSync(join(out, 'batch-dev-role.batch.json'))).to.equal(false);
      expect(await manifests()).to.deep.equal([]);
    });

    it('a role of none of the accounts given (--assume-role): before any AWS call', async () => {
      const before = box.sb.requestCount();
      const run = await cli(box.sb, ['remediate', '--objects', '--allow-irreversible', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'batch-foreign', ...batchArgs('999988887777')]);
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      expect(run.stderr).to.contain('--role-arn arn:aws:iam::999988887777:role/BatchOperationsRole is a role of account 999988887777').and.contain(`${PROD}, ${DEV}`);
      expect(box.sb.requestCount(), 'no AWS call').to.equal(before);
    });
  });

  describe('--batch with a --report-bucket that does not exist', () => {
    const box = useSandbox();

    it('says the manifest upload to that bucket failed, with S3\'s error code (exit 3, a run error), not "scan incomplete"; no job, no object changed', async () => {
      const policies = FIXTURE('objects.yaml');
      const original = await heads(box.sb, 'prod', MIXED, [...IRREVERSIBLE, ...REVERSIBLE]);
      const run = await cli(box.sb, [
        'remediate', '--objects', '--allow-irreversible', '--policies', policies, '--apply', '--yes', '--out', out, '--name', 'batch-missing',
        '--batch', '--role-arn', `arn:aws:iam::${PROD}:role/BatchOperationsRole`, '--report-bucket', 'no-such-report-bucket',
      ]);
      expect(run.code, run.stdout + run.stderr).to.equal(3);
      const said = run.stdout + run.stderr;
      expect(said).to.contain('manifest upload to s3://no-such-report-bucket/s3-kms-audit/batch-missing/1/manifest.csv failed with NoSuchBucket');
      expect(said).to.not.contain('scan incomplete');
      expect(run.stdout.trimEnd().split('\n').at(-1)).to.match(/^Exit 3: 0 of 1 S3 Batch Operations jobs were created/);
      expect(existsSync(join(out, 'batch-missing.batch.json')), 'no job, no record').to.equal(false);
      expect(await heads(box.sb, 'prod', MIXED, [...IRREVERSIBLE, ...REVERSIBLE])).to.deep.equal(original);
    });

    it('a job whose manifest upload fails after another job was created: the created job is recorded and reported all the same (exit 3)', async () => {
      // The report bucket refuses the second job's manifest.
      box.sb.estate.buckets.get('prod-cmk-by-arn')!.faults.push({ operation: 'PutObject', keys: 's3-kms-audit/batch-second/2/*', error: 'AccessDenied' });
      const run = await cli(box.sb, [
        'remediate', '--objects', '--allow-irreversible', '--policies', FIXTURE('objects-two-jobs.yaml'), '--apply', '--yes', '--out', out, '--name', 'batch-second',
        '--batch', '--role-arn', `arn:aws:iam::${PROD}:role/BatchOperationsRole`, '--report-bucket', 'prod-cmk-by-arn',
      ]);
      expect(run.code, run.stdout + run.stderr).to.equal(3);
      expect(run.stderr).to.contain('job 2 of 2 (111122223333, us-east-1, 2 objects) was not created: the manifest upload to s3://prod-cmk-by-arn/s3-kms-audit/batch-second/2/manifest.csv failed with AccessDenied');
      expect(run.stdout).to.match(/Job [0-9a-f-]+ \(111122223333, us-east-1\): 4 objects to /);
      expect(run.stdout.trimEnd().split('\n').at(-1)).to.match(/^Exit 3: 1 of 2 S3 Batch Operations jobs were created: the manifest upload failed with AccessDenied/);
      const record = JSON.parse(await readFile(join(out, 'batch-second.batch.json'), 'utf8')) as { jobs: { objects: { bucket: string }[] }[] };
      expect(record.jobs.map((j) => [...new Set(j.objects.map((o) => o.bucket))])).to.deep.equal([[MIXED]]);
    });
  });

  describe('interrupted by SIGTERM part-way', () => {
    const box = useSandbox();

    it('stops starting changes (exit 3); rollback completes the journal: every reversible object changed is back', async () => {
      const policies = FIXTURE('objects-generated.yaml');
      const made = await cli(box.sb, ['remediate', '--objects', '--policies', policies, '--out', out, '--name', 'gen-plan']);
      expect(made.code, made.stderr).to.equal(0);
      const plan = await readPlan(join(out, 'gen-plan.plan.json'));
      const planned = objectChanges(plan);
      expect(planned.length).to.be.greaterThan(20);
      const before = new Map(planned.map((c) => [c.object.key, c.before] as const));

      box.sb.setFaults({ latencyMs: 60 });
      const journal = join(out, 'gen.journal.jsonl');
      const args = ['remediate', '--apply', '--yes', '--allow-irreversible', '--plan', join(out, 'gen-plan.plan.json'), '--policies', policies, '--out', out, '--name', 'gen', '--concurrency', '2'];
      const child = spawn(process.execPath, [CLI, ...args, '--endpoint-url', box.sb.endpoint, ...BOTH_ACCOUNTS], { env: envFor(box.sb), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      let closed = false;
      void code.then(() => (closed = true));
      while (!closed && !(existsSync(journal) && (await readFile(journal, 'utf8')).includes('"phase":"intent"'))) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      expect(await code, stdout + stderr).to.equal(3);
      box.sb.setFaults({ latencyMs: 0 });
      expect(stderr).to.contain('SIGTERM');

      const { records } = await readJournal(journal);
      const changed = intents(records) as IntentRecord[];
      expect(changed.length).to.be.greaterThan(0).and.lessThan(planned.length);
      expect(records.at(-1)).to.deep.include({ phase: 'end', interrupted: true });

      const rolled = await cli(box.sb, ['rollback', journal, '--yes']);
      const irreversible = changed.filter((i) => (i.before as { sse: string }).sse === 'AES256').length;
      expect(rolled.code, rolled.stdout + rolled.stderr).to.equal(irreversible > 0 ? 1 : 0);
      expect(rolled.stdout).to.contain(`restored ${changed.length - irreversible}`);
      const now = await heads(box.sb, 'dev', 'dev-generated', changed.map((i) => i.object!.key));
      for (const i of changed) {
        const was = before.get(i.object!.key)!;
        const h = now.get(i.object!.key)!;
        if (was.sse === 'AES256') expect(h.ServerSideEncryption, i.object!.key).to.equal('aws:kms');
        else expect({ key: h.SSEKMSKeyId, bucketKey: h.BucketKeyEnabled === true, etag: h.ETag }, i.object!.key).to.deep.equal({ key: was.kmsKeyArn, bucketKey: was.bucketKeyEnabled, etag: was.etag });
      }
    });
  });
});
