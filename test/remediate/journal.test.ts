/**
 * The journal's file discipline (append, sequence, refuse to overwrite, tolerate a cut-short last line)
 * and the pure pieces rollback is built on: configuration comparison and restore targets.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/domain/errors.js';
import { buildConfiguration, isSseS3Default, matchesRestored, sameConfiguration } from '../../src/remediate/actions/put-bucket-encryption/configuration.js';
import { JournalWriter, readJournal } from '../../src/remediate/journal.js';
import { restoreTargets } from '../../src/remediate/rollback.js';
import type { JournalRecord } from '../../src/remediate/types.js';
import type { EncryptionState } from '../../src/remediate/actions/put-bucket-encryption/types.js';

const kms = (key: string, bucketKey?: boolean): EncryptionState => ({
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key }, ...(bucketKey === undefined ? {} : { BucketKeyEnabled: bucketKey }) }],
});
const SSE_S3: EncryptionState = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] };

describe('remediate: journal and configurations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'journal-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per record, numbered in order even when appends overlap', async () => {
    const path = join(dir, 'run.journal.jsonl');
    const journal = await JournalWriter.create(path, 'run-1', () => new Date('2026-01-02T03:04:05.000Z'));
    await journal.append({ phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: '0' }, source: 'plan-1', planned: 3 });
    await Promise.all(
      ['a', 'b', 'c'].map((bucket) => journal.append({ phase: 'intent', account: '111122223333', region: 'us-east-1', bucket, before: 'none', after: kms('k', true) })),
    );
    await journal.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as JournalRecord);
    expect(lines.map((r) => r.seq)).to.deep.equal([1, 2, 3, 4]);
    expect(lines.every((r) => r.runId === 'run-1' && r.v === 1 && r.time === '2026-01-02T03:04:05.000Z')).to.equal(true);
    expect((await readJournal(path)).records).to.deep.equal(lines);
  });

  it('never overwrites an existing journal (it may be needed to roll back another run)', async () => {
    const path = join(dir, 'taken.journal.jsonl');
    await writeFile(path, 'precious\n');
    const err = await JournalWriter.create(path, 'r').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.contain('already exists');
    expect(await readFile(path, 'utf8')).to.equal('precious\n');
  });

  it('ignores a last line cut short by a crash, but refuses a broken line in the middle', async () => {
    const path = join(dir, 'crash.journal.jsonl');
    const start = JSON.stringify({ v: 1, runId: 'r', seq: 1, time: 't', phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: '0' }, source: 'p', planned: 1 });
    const intent = JSON.stringify({ v: 1, runId: 'r', seq: 2, time: 't', phase: 'intent', account: '111122223333', region: 'us-east-1', bucket: 'b', before: 'none', after: kms('k') });
    await writeFile(path, `${start}\n${intent}\n{"v":1,"runId":"r","seq":3,"ti`);
    const read = await readJournal(path);
    expect(read.truncatedTail).to.equal(true);
    expect(read.records).to.have.length(2);
    await writeFile(path, `${start}\n{not json}\n${intent}\n`);
    const err = await readJournal(path).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.equal(`${path}:2: not a JSON line`);
  });

  it('restore targets: one per bucket, back to the first before, expecting the last after, latest first', () => {
    const rec = (seq: number, bucket: string, before: EncryptionState, after: EncryptionState): JournalRecord => ({
      v: 1, runId: 'r', seq, time: 't', phase: 'intent', account: '111122223333', region: 'us-east-1', bucket, before, after,
    });
    const targets = restoreTargets([rec(2, 'a', 'none', kms('k1')), rec(4, 'b', SSE_S3, kms('k1')), rec(6, 'a', kms('k1'), kms('k2'))]);
    expect(targets.map((t) => [t.bucket, t.before, t.after])).to.deep.equal([
      ['a', 'none', kms('k2')],
      ['b', SSE_S3, kms('k1')],
    ]);
  });

  it('compares configurations by meaning: absent BucketKeyEnabled is false, the key spelling matters', () => {
    expect(sameConfiguration(kms('alias/x'), kms('alias/x', false))).to.equal(true);
    expect(sameConfiguration(kms('alias/x', true), kms('alias/x', false))).to.equal(false);
    expect(sameConfiguration(kms('alias/x'), kms('arn:aws:kms:us-east-1:111122223333:alias/x'))).to.equal(false);
    expect(sameConfiguration('none', SSE_S3)).to.equal(false);
    // "none" cannot be recreated on today's S3: DeleteBucketEncryption's SSE-S3 default counts as restored.
    expect(isSseS3Default(SSE_S3)).to.equal(true);
    expect(matchesRestored(SSE_S3, 'none')).to.equal(true);
    expect(matchesRestored(kms('k'), 'none')).to.equal(false);
  });

  it('builds the new configuration with DSSE-KMS never using a Bucket Key and blocked types carried over', () => {
    const blocked: EncryptionState = { Rules: [{ ...SSE_S3.Rules[0]!, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }] };
    expect(buildConfiguration({ algorithm: 'aws:kms:dsse', keyArn: 'arn:k', bucketKeyEnabled: true }, blocked)).to.deep.equal({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: 'arn:k' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }],
    });
    expect(buildConfiguration({ algorithm: 'aws:kms', keyArn: 'arn:k', bucketKeyEnabled: true }, 'none')).to.deep.equal(kms('arn:k', true));
  });
});
