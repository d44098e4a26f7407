/**
 * End to end, the compiled CLI against the sandbox over real HTTP: remediation trusts neither a key S3
 * could not use, nor a saved plan file, nor a journal cut short.
 *  - keys S3 cannot use (asymmetric, HMAC, waiting for imported material) are never targeted or kept;
 *    a key that becomes unusable after the plan is refused at apply; one that becomes unusable as the
 *    write lands leaves the change "applied, not verified" — and S3 (the sandbox) agrees, refusing uploads;
 *  - a saved plan edited in any field is refused at apply: every change is derived again from the policy
 *    file and live state and must be exactly the saved one;
 *  - rollback of a journal cut at several points says what it cannot restore and exits 4, never 0.
 * Runs with the prod account's own keys (no AssumeRole): one account is enough here and keeps it fast.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { keyMapKey } from '../../src/sandbox/keys.js';
import { packageRoot } from '../../src/paths.js';
import { readJournal } from '../../src/remediate/journal.js';
import type { PlannedChange, RemediationPlan } from '../../src/remediate/actions/put-bucket-encryption/types.js';
import type { SandboxEncryption, SandboxKey } from '../../src/sandbox/model.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf, kmsFor, s3For, useSandbox } from '../helpers/sandbox.js';
import { intents, results, snapshot } from './remediate-helpers.js';
import { PROD, cleanEnv, runCli, type CliRun } from './run-cli.js';

const fixture = (name: string): string => resolve(packageRoot(), 'test/fixtures/remediate', name);
const TRUST = fixture('trust.yaml');
const keyId = (n: number): string => `1111aaaa-0000-4000-8000-00000000000${n}`;
const keyArn = (n: number): string => `arn:aws:kms:us-east-1:${PROD}:key/${keyId(n)}`;
const LEGACY = ['prod-legacy-none', 'prod-legacy-eu'];

/** The CLI with the prod account's keys. */
function cli(sb: Sandbox, args: string[]): Promise<CliRun> {
  const prod = accountOf(sb, 'prod');
  return runCli([...args, '--endpoint-url', sb.endpoint], cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey, AWS_REGION: 'us-east-1' }));
}

const keyOf = (sb: Sandbox, n: number): SandboxKey => sb.estate.accounts.get(PROD)!.keys.get(keyMapKey('us-east-1', keyId(n)))!;
const readPlan = async (path: string): Promise<RemediationPlan> => JSON.parse(await readFile(path, 'utf8')) as RemediationPlan;
const changeOf = (plan: RemediationPlan, bucket: string): PlannedChange => plan.changes.find((c) => c.bucket === bucket)!;

/** What S3 does with an upload under the bucket's default encryption: "ok" or the error code. */
async function upload(sb: Sandbox, bucket: string): Promise<string> {
  const s3 = s3For(sb, 'prod');
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'probe-by-the-test.txt', Body: 'x' }));
    return 'ok';
  } catch (err) {
    return (err as { Code?: string; name?: string }).Code ?? (err as Error).name;
  } finally {
    s3.destroy();
  }
}

describe('e2e: remediation trusts no unusable key, no edited plan, no cut journal', function () {
  this.timeout(120_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3-kms-audit-remediate-trust-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe('keys S3 cannot use are never planned, as target or as kept key (unusable-keys.yaml)', () => {
    const box = useSandbox();
    let plan: RemediationPlan;
    let planned: CliRun;
    before(async () => {
      Object.assign(keyOf(box.sb, 5), { spec: 'RSA_2048' }); // alias/scratch, ENCRYPT_DECRYPT
      Object.assign(keyOf(box.sb, 2), { spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' }); // alias/prod-norotate
      Object.assign(keyOf(box.sb, 4), { state: 'PendingImport', deletionDate: undefined }); // alias/prod-retired
      box.sb.estate.buckets.get('prod-scratch-key')!.encryption!.bucketKeyEnabled = false;
      planned = await cli(box.sb, ['remediate', '--policies', fixture('unusable-keys.yaml'), '--out', out, '--name', 'unusable']);
      plan = await readPlan(join(out, 'unusable.plan.json'));
    });

    it('refuses an RSA and an HMAC target as key-unusable, a key waiting for its material as key-not-enabled, saying why', () => {
      expect(planned.code, planned.stderr).to.equal(0);
      const refusals = Object.fromEntries(plan.refusals.map((r) => [r.bucket, r]));
      expect(Object.fromEntries(plan.refusals.map((r) => [r.bucket, r.code]))).to.deep.equal({
        'prod-sse-s3': 'key-unusable',
        'prod-legacy-none': 'key-unusable',
        'prod-aws-managed': 'key-not-enabled',
      });
      expect(refusals['prod-sse-s3']!.reason).to.contain(`alias/scratch (${keyArn(5)}) is an asymmetric RSA_2048 key (usage ENCRYPT_DECRYPT): S3 uses only symmetric encryption keys`);
      expect(refusals['prod-legacy-none']!.reason).to.contain('is an HMAC HMAC_256 key');
      expect(refusals['prod-aws-managed']!.reason).to.contain('is PendingImport, not Enabled (its key material was never imported)');
      expect(planned.stdout).to.contain('prod-sse-s3 (111122223333, us-east-1): key-unusable — ');
    });

    it('does not keep an RSA key that would only need its Bucket Key: the bucket moves to the target key', () => {
      const c = changeOf(plan, 'prod-scratch-key');
      expect(c.kind).to.equal('policy-target');
      expect(c.after.Rules[0]!.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID).to.equal(keyArn(1));
    });

    it('S3 agrees: an upload under the RSA key is refused; after the applied change it is accepted', async () => {
      expect(await upload(box.sb, 'prod-scratch-key')).to.equal('KMS.InvalidKeyUsageException');
      const applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--policies', fixture('unusable-keys.yaml'), '--out', out, '--name', 'unusable-apply']);
      expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
      expect(applied.stdout).to.contain('Applied: planned 1 · applied 1 · verified 1 · failed 0 · refused 0');
      expect(await upload(box.sb, 'prod-scratch-key')).to.equal('ok');
    });
  });

  describe('a key that becomes unusable after the plan, or as the write lands (trust.yaml)', () => {
    const box = useSandbox();

    it('after the plan (now RSA): refused at apply as a precondition; nothing is journaled or changed', async () => {
      const made = await cli(box.sb, ['remediate', '--policies', TRUST, '--out', out, '--name', 'later-rsa']);
      expect(made.code, made.stderr).to.equal(0);
      expect((await readPlan(join(out, 'later-rsa.plan.json'))).changes).to.have.length(2);
      const before = await snapshot(box.sb);
      keyOf(box.sb, 1).spec = 'RSA_2048';
      try {
        const applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', join(out, 'later-rsa.plan.json'), '--policies', TRUST, '--out', out, '--name', 'later-rsa']);
        expect(applied.code, applied.stderr).to.equal(1);
        for (const bucket of ['prod-sse-s3', 'prod-bucket-key-off']) {
          expect(applied.stdout).to.match(new RegExp(`PRECONDITION\\s+${bucket} \\(111122223333, us-east-1\\): key-unusable: Target key ${keyArn(1)} is an asymmetric RSA_2048 key`));
        }
        expect(applied.stdout).to.contain('planned 2 · applied 0 · verified 0 · failed 0 · refused 2');
        expect(intents((await readJournal(join(out, 'later-rsa.journal.jsonl'))).records)).to.deep.equal([]);
        expect(await snapshot(box.sb)).to.deep.equal(before);
      } finally {
        keyOf(box.sb, 1).spec = 'SYMMETRIC_DEFAULT';
      }
    });

    it('disabled as the write lands: written and read back as planned, but not verified — and S3 refuses uploads', async () => {
      const original = await snapshot(box.sb);
      // The key is disabled at the moment S3 stores the new configuration: after every pre-write check.
      const bucket = box.sb.estate.buckets.get('prod-sse-s3')!;
      let stored: SandboxEncryption | null = bucket.encryption;
      Object.defineProperty(bucket, 'encryption', {
        configurable: true,
        enumerable: true,
        get: () => stored,
        set: (v: SandboxEncryption | null) => {
          stored = v;
          if (v?.kmsKeyId === keyArn(1)) keyOf(box.sb, 1).state = 'Disabled';
        },
      });
      // One change at a time, in plan order (prod-bucket-key-off first), so only prod-sse-s3 meets the disabled key.
      const applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--policies', TRUST, '--concurrency', '1', '--out', out, '--name', 'disabled-at-write']);
      expect(applied.code, applied.stderr).to.equal(1);
      expect(applied.stdout).to.match(
        new RegExp(`UNVERIFIED\\s+prod-sse-s3 \\(111122223333, us-east-1\\): the configuration was written and reads back as planned, but S3 could not encrypt with the written key ${keyArn(1)}: it is disabled \\(KeyUnusable\\)`),
      );
      expect(applied.stdout).to.contain('planned 2 · applied 2 · verified 1 · failed 1 · refused 0');
      const { records } = await readJournal(join(out, 'disabled-at-write.journal.jsonl'));
      const intent = intents(records).find((r) => r.bucket === 'prod-sse-s3')!;
      const result = results(records).find((r) => r.intent === intent.seq)!;
      expect(result).to.deep.include({ applied: true, verified: false });
      expect(result.error).to.include({ code: 'KeyUnusable', operation: 'DescribeKey' });
      expect(result.readBack).to.deep.equal(intent.after);
      expect(await upload(box.sb, 'prod-sse-s3')).to.equal('KMS.DisabledException');

      keyOf(box.sb, 1).state = 'Enabled';
      const rolled = await cli(box.sb, ['rollback', join(out, 'disabled-at-write.journal.jsonl'), '--yes']);
      expect(rolled.code, rolled.stdout + rolled.stderr).to.equal(0);
      expect(await snapshot(box.sb)).to.deep.equal(original);
    });
  });

  describe('a saved plan edited field by field is refused at apply (trust.yaml)', () => {
    const box = useSandbox();
    let plan: RemediationPlan;
    const planPath = (): string => join(out, 'trust.plan.json');
    let awsManagedKeyArn: string;

    /** Every field of a saved change a person could edit, the edit, and the status the change is refused with. */
    const EDITS: { field: string; bucket: string; edit: (c: PlannedChange) => void; status: string }[] = [
      {
        field: 'key ARN and after, consistently, to another usable customer managed key of the account',
        bucket: 'prod-sse-s3',
        edit: (c) => {
          c.key.arn = keyArn(5);
          c.after.Rules[0]!.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID = keyArn(5);
        },
        status: 'PLAN-MISMATCH',
      },
      { field: 'after: the key written, alone', bucket: 'prod-sse-s3', edit: (c) => void (c.after.Rules[0]!.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID = keyArn(5)), status: 'INCONSISTENT' },
      { field: 'after: BucketKeyEnabled', bucket: 'prod-sse-s3', edit: (c) => void (c.after.Rules[0]!.BucketKeyEnabled = false), status: 'PLAN-MISMATCH' },
      {
        field: 'after: algorithm (DSSE-KMS)',
        bucket: 'prod-sse-s3',
        edit: (c) => {
          c.after.Rules[0]!.ApplyServerSideEncryptionByDefault!.SSEAlgorithm = 'aws:kms:dsse';
          c.after.Rules[0]!.BucketKeyEnabled = false;
        },
        status: 'PLAN-MISMATCH',
      },
      {
        field: 'requireCustomerManaged off, with the AWS managed key',
        bucket: 'prod-sse-s3',
        edit: (c) => {
          c.requireCustomerManaged = false;
          c.key = { ...c.key, arn: awsManagedKeyArn, manager: 'AWS', spelling: 'alias/aws/s3', aliases: ['alias/aws/s3'] };
          c.after.Rules[0]!.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID = awsManagedKeyArn;
        },
        status: 'PLAN-MISMATCH',
      },
      { field: 'key manager', bucket: 'prod-sse-s3', edit: (c) => void (c.key.manager = 'AWS'), status: 'PLAN-MISMATCH' },
      { field: 'key state', bucket: 'prod-sse-s3', edit: (c) => void (c.key.state = 'PendingDeletion'), status: 'PLAN-MISMATCH' },
      { field: 'key region', bucket: 'prod-sse-s3', edit: (c) => void (c.key.region = 'eu-west-1'), status: 'PLAN-MISMATCH' },
      { field: 'target spelling', bucket: 'prod-sse-s3', edit: (c) => void (c.key.spelling = 'alias/scratch'), status: 'PLAN-MISMATCH' },
      { field: 'key aliases', bucket: 'prod-sse-s3', edit: (c) => void (c.key.aliases = []), status: 'PLAN-MISMATCH' },
      { field: 'finding ids', bucket: 'prod-sse-s3', edit: (c) => void (c.fixes[0]!.id = '0000000000000000'), status: 'PLAN-MISMATCH' },
      { field: 'policies', bucket: 'prod-sse-s3', edit: (c) => void (c.policies = ['baseline']), status: 'PLAN-MISMATCH' },
      // The bucket's region: the key (in us-east-1) no longer passes the region precondition, checked first.
      { field: 'bucket region', bucket: 'prod-sse-s3', edit: (c) => void (c.region = 'eu-west-1'), status: 'PRECONDITION' },
      { field: 'kept key: after BucketKeyEnabled', bucket: 'prod-bucket-key-off', edit: (c) => void (c.after.Rules[0]!.BucketKeyEnabled = false), status: 'PLAN-MISMATCH' },
      { field: 'kept key: kind', bucket: 'prod-bucket-key-off', edit: (c) => void (c.kind = 'policy-target'), status: 'PLAN-MISMATCH' },
    ];
    const runs = new Map<string, CliRun>();
    let untouched: Map<string, string>;

    before(async () => {
      const made = await cli(box.sb, ['remediate', '--policies', TRUST, '--out', out, '--name', 'trust']);
      expect(made.code, made.stderr).to.equal(0);
      plan = await readPlan(planPath());
      expect(plan.changes.map((c) => `${c.bucket}:${c.kind}`)).to.deep.equal(['prod-bucket-key-off:kept-key', 'prod-sse-s3:policy-target']);
      const kms = kmsFor(box.sb, 'prod');
      awsManagedKeyArn = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.Arn!;
      kms.destroy();
      untouched = await snapshot(box.sb);
      // Each edited plan holds only its edited change; refused changes touch nothing, so they can run side by side.
      const queue = EDITS.map((e, i) => ({ e, i }));
      const worker = async (): Promise<void> => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const edited = JSON.parse(JSON.stringify(plan)) as RemediationPlan;
          const c = changeOf(edited, next.e.bucket);
          next.e.edit(c);
          edited.changes = [c];
          const path = join(out, `edit-${next.i}.plan.json`);
          await writeFile(path, JSON.stringify(edited, null, 2));
          runs.set(next.e.field, await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', path, '--policies', TRUST, '--out', out, '--name', `edit-${next.i}`]));
        }
      };
      await Promise.all([worker(), worker(), worker()]);
    });

    for (const e of EDITS) {
      it(`${e.field}: refused (${e.status}), nothing journaled`, async () => {
        const run = runs.get(e.field)!;
        expect(run.code, run.stdout + run.stderr).to.equal(1);
        expect(run.stdout).to.match(new RegExp(`${e.status}\\s+${e.bucket} \\(111122223333, `));
        expect(run.stdout).to.contain('planned 1 · applied 0 · verified 0 · failed 0 · refused 1');
        const i = EDITS.indexOf(e);
        expect(intents((await readJournal(join(out, `edit-${i}.journal.jsonl`))).records)).to.deep.equal([]);
      });
    }

    it('a mismatch says which fields differ from what the policy and AWS give now', () => {
      expect(runs.get('key ARN and after, consistently, to another usable customer managed key of the account')!.stdout).to.contain(
        `not the change the policy file and AWS give now: after.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID is "${keyArn(5)}" in the plan, "${keyArn(1)}" now`,
      );
      expect(runs.get('target spelling')!.stdout).to.contain('key.spelling is "alias/scratch" in the plan, "alias/prod-data" now');
    });

    it('no bucket was touched by any edited plan', async () => {
      expect(await snapshot(box.sb)).to.deep.equal(untouched);
    });

    it('a policy file changed since the plan: every change is judged by the policy as it is now', async () => {
      const changed = join(out, 'trust-scratch.yaml');
      await writeFile(changed, (await readFile(TRUST, 'utf8')).replaceAll('alias/prod-data', 'alias/scratch'));
      const run = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', planPath(), '--policies', changed, '--out', out, '--name', 'policy-changed']);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.contain('is not the policy file the plan was made with (its sha256 differs)');
      expect(run.stderr).to.contain('2 of 2 saved changes are not what the policy file and AWS give now');
      expect(run.stdout).to.match(/PLAN-MISMATCH\s+prod-sse-s3 .*KMSMasterKeyID is "arn:aws:kms:us-east-1:111122223333:key\/1111aaaa-0000-4000-8000-000000000001" in the plan, "arn:aws:kms:us-east-1:111122223333:key\/1111aaaa-0000-4000-8000-000000000005" now/);
      expect(await snapshot(box.sb)).to.deep.equal(untouched);
    });

    it('the unedited plan applies and verifies; S3 then accepts an upload under the new configuration', async () => {
      const run = await cli(box.sb, ['remediate', '--apply', '--yes', '--plan', planPath(), '--policies', TRUST, '--out', out, '--name', 'unedited']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.contain('planned 2 · applied 2 · verified 2 · failed 0 · refused 0');
      expect(await upload(box.sb, 'prod-sse-s3')).to.equal('ok');
    });
  });

  describe('rollback of a journal cut short: a warning and exit 4, never 0', () => {
    const box = useSandbox();
    let original: Map<string, string>;
    let lines: string[];
    let buckets: string[];
    const full = (): string => join(out, 'cut.journal.jsonl');

    /** A copy of the journal's first `n` lines (and `extra` text after them), rolled back. */
    async function rollbackCut(name: string, n: number, extra = ''): Promise<CliRun> {
      const path = join(out, `${name}.journal.jsonl`);
      await writeFile(path, lines.slice(0, n).map((l) => `${l}\n`).join('') + extra);
      return cli(box.sb, ['rollback', path, '--yes']);
    }

    before(async () => {
      original = await snapshot(box.sb);
      // One change at a time: the journal is start, then intent/result pairs, then end.
      const applied = await cli(box.sb, ['remediate', '--apply', '--yes', '--concurrency', '1', '--out', out, '--name', 'cut']);
      expect(applied.code, applied.stderr).to.equal(3); // prod-access-denied cannot be read: by design
      lines = (await readFile(full(), 'utf8')).trimEnd().split('\n');
      buckets = intents((await readJournal(full())).records).map((r) => r.bucket);
      expect(buckets.length).to.be.greaterThan(4);
    });

    it('cut after the start record: nothing to restore, the warning says nothing was started, exit 4', async () => {
      const before = await snapshot(box.sb);
      const run = await rollbackCut('cut-after-start', 1);
      expect(run.code, run.stdout + run.stderr).to.equal(4);
      expect(run.stdout).to.contain('Nothing to roll back');
      expect(run.stderr).to.contain(`is incomplete: its start record planned ${buckets.length} changes, it has 0 intent records and no end record`);
      expect(run.stderr).to.contain(`${buckets.length} planned changes have no intent record, so rollback cannot restore them from this journal`);
      expect(run.stderr).to.contain('If the process died, they were never started');
      expect(await snapshot(box.sb)).to.deep.equal(before);
    });

    it('cut after an intent, before its result: that bucket is read and restored, named in the warning, exit 4', async () => {
      const run = await rollbackCut('cut-after-intent', 2);
      expect(run.code, run.stdout + run.stderr).to.equal(4);
      expect(run.stderr).to.contain(`${buckets.length - 1} planned changes have no intent record`);
      expect(run.stderr).to.contain(`1 change was started with no result recorded`);
      expect(run.stderr).to.contain(`    ${buckets[0]} (111122223333, `);
      expect(run.stdout).to.match(new RegExp(`RESTORED(-DEFAULT)?\\s+${buckets[0]} `));
    });

    it('cut after some results: restores what it records, exit 4', async () => {
      const run = await rollbackCut('cut-after-results', 7);
      expect(run.code, run.stdout + run.stderr).to.equal(4);
      expect(run.stderr).to.contain(`it has 3 intent records and no end record`);
      expect(run.stderr).to.not.contain('started with no result');
      expect(run.stdout).to.match(new RegExp(`ALREADY\\s+${buckets[0]} `));
      for (const b of buckets.slice(1, 3)) expect(run.stdout).to.match(new RegExp(`RESTORED(-DEFAULT)?\\s+${b} `));
    });

    it('cut in the middle of a result line: the line is ignored, its intent is open, exit 4', async () => {
      const run = await rollbackCut('cut-mid-line', 8, lines[8]!.slice(0, 20));
      expect(run.code, run.stdout + run.stderr).to.equal(4);
      expect(run.stderr).to.contain('was cut short (a crash while writing it) and is ignored');
      expect(run.stderr).to.contain(`    ${buckets[3]} (111122223333, `);
    });

    it('the whole journal: every bucket restored, exit 0', async () => {
      const run = await cli(box.sb, ['rollback', full(), '--yes']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stderr).to.not.contain('incomplete');
      const now = await snapshot(box.sb);
      const sseS3Default = original.get('prod-sse-s3')!;
      for (const [b, xml] of now) expect(xml, b).to.equal(LEGACY.includes(b) ? sseS3Default : original.get(b));
    });
  });
});
