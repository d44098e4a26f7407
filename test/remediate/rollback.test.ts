/**
 * applyPlan and rollbackJournal as library calls against an in-process sandbox: a bucket changed by
 * someone else after the apply is skipped (and reported) unless forced, a change journaled but never
 * made is recognised from the bucket's state, and a rollback can itself be rolled back.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetBucketEncryptionCommand, PutBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
import { loadAuditConfig } from '../../src/run/audit.js';
import type { AwsOptions } from '../../src/aws/options.js';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import { packageRoot } from '../../src/paths.js';
import { applyPlan } from '../../src/remediate/apply.js';
import { JournalWriter, readJournal } from '../../src/remediate/journal.js';
import { restoreTargets, rollbackJournal } from '../../src/remediate/rollback.js';
import { makePlan } from '../../src/run/remediation.js';
import type { RemediationPlan } from '../../src/remediate/types.js';
import { accountOf, s3For, useSandbox } from '../helpers/sandbox.js';

const POLICY = resolve(packageRoot(), 'test/fixtures/remediate/kinds.yaml');

describe('remediate: apply and rollback (library, sandbox)', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  let dir: string;
  let sessions: AccountSession[];
  let s3: S3Client;
  let plan: RemediationPlan;
  const read = async (bucket: string): Promise<unknown> => (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollback-'));
    const prod = accountOf(ctx.sb, 'prod');
    const aws: AwsOptions = { endpoint: ctx.sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey }, maxAttempts: 2 };
    sessions = await openSessions(aws);
    s3 = s3For(ctx.sb, 'prod');
    plan = (await makePlan(loadAuditConfig(POLICY), { aws, sessions, concurrency: 4, maxChanges: 25 })).plan;
  });
  after(async () => {
    for (const s of sessions) s.destroy();
    s3.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('skips a bucket someone changed after the apply, restores the rest, and restores it too with force', async () => {
    expect(plan.changes.map((c) => c.bucket).sort()).to.deep.equal(['prod-archive-expired', 'prod-dsse', 'prod-sse-s3']);
    const journal = await JournalWriter.create(join(dir, 'apply.journal.jsonl'), 'apply-run');
    const applied = await applyPlan({ plan, sessions, journal, concurrency: 2, toolVersion: 'test' });
    await journal.close();
    expect(applied).to.include({ planned: 3, verified: 3, failed: 0, refused: 0 });

    const meddled = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/scratch' }, BucketKeyEnabled: false }] };
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'prod-dsse', ServerSideEncryptionConfiguration: meddled }));

    const { records } = await readJournal(join(dir, 'apply.journal.jsonl'));
    const first = await JournalWriter.create(join(dir, 'rollback-1.jsonl'), 'rb-1');
    const careful = await rollbackJournal({ targets: restoreTargets(records), sessions, journal: first, source: 'apply', concurrency: 2, force: false, toolVersion: 'test' });
    await first.close();
    expect(careful).to.include({ buckets: 3, restored: 2, skipped: 1, failed: 0 });
    const skipped = careful.outcomes.find((o) => o.status === 'changed-since')!;
    expect(skipped.target.bucket).to.equal('prod-dsse');
    expect(skipped.found).to.deep.equal(meddled);
    expect(await read('prod-dsse')).to.deep.equal(meddled);
    for (const c of plan.changes.filter((x) => x.bucket !== 'prod-dsse')) expect(await read(c.bucket), c.bucket).to.deep.equal(c.before);

    const forced = await JournalWriter.create(join(dir, 'rollback-2.jsonl'), 'rb-2');
    const again = await rollbackJournal({ targets: restoreTargets(records), sessions, journal: forced, source: 'apply', concurrency: 2, force: true, toolVersion: 'test' });
    await forced.close();
    expect(again).to.include({ restored: 1, already: 2, skipped: 0, failed: 0 });
    for (const c of plan.changes) expect(await read(c.bucket), c.bucket).to.deep.equal(c.before);

    // The rollback journal has the same shape: rolling it back re-applies what it undid.
    const { records: rbRecords } = await readJournal(join(dir, 'rollback-2.jsonl'));
    const redo = await JournalWriter.create(join(dir, 'redo.jsonl'), 'redo');
    const redone = await rollbackJournal({ targets: restoreTargets(rbRecords), sessions, journal: redo, source: 'rollback-2', concurrency: 2, force: false, toolVersion: 'test' });
    await redo.close();
    expect(redone).to.include({ restored: 1, failed: 0 });
    expect(await read('prod-dsse')).to.deep.equal(meddled);
  });

  it('an intent whose change never happened (the process died before the PUT) is recognised as already restored', async () => {
    const change = plan.changes.find((c) => c.bucket === 'prod-sse-s3')!;
    expect(await read('prod-sse-s3')).to.deep.equal(change.before);
    const crashed = await JournalWriter.create(join(dir, 'crashed.journal.jsonl'), 'crashed');
    await crashed.append({ phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: 'test' }, source: plan.run.id, planned: 1 });
    await crashed.append({ phase: 'intent', account: change.account, region: change.region, bucket: change.bucket, before: change.before, after: change.after });
    await crashed.close();
    const { records } = await readJournal(join(dir, 'crashed.journal.jsonl'));
    const journal = await JournalWriter.create(join(dir, 'crashed.rollback.jsonl'), 'rb');
    const summary = await rollbackJournal({ targets: restoreTargets(records), sessions, journal, source: 'crashed', concurrency: 1, force: false, toolVersion: 'test' });
    await journal.close();
    expect(summary).to.include({ buckets: 1, already: 1, restored: 0, failed: 0 });
    const { records: written } = await readJournal(join(dir, 'crashed.rollback.jsonl'));
    expect(written.filter((r) => r.phase === 'intent')).to.deep.equal([]);
  });

  it('an interrupted apply starts no change after the signal and says how many were not started', async () => {
    const stop = new AbortController();
    stop.abort();
    const journal = await JournalWriter.create(join(dir, 'stopped.journal.jsonl'), 'stopped');
    const summary = await applyPlan({ plan, sessions, journal, concurrency: 2, stop: stop.signal, toolVersion: 'test' });
    await journal.close();
    expect(summary).to.include({ planned: 3, applied: 0, notStarted: 3, interrupted: true });
    const { records } = await readJournal(join(dir, 'stopped.journal.jsonl'));
    expect(records.map((r) => r.phase)).to.deep.equal(['start', 'end']);
  });
});
