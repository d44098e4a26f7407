/**
 * End to end (the compiled CLI against the sandbox over HTTP) on objects that are neither SSE-S3 nor SSE-KMS
 * and on version histories: an object stored before default encryption fails s3-object-sse-kms as "no
 * server-side encryption"; an SSE-C object, whose HeadObject S3 refuses without the customer key, fails it as
 * SSE-C (never an error, never a pass) and fails the key rules; a key whose latest version is a delete marker
 * is not listed by ListObjectsV2 and is never HEADed as such (no false error); in `versions: true` mode every
 * version is judged on its own encryption, delete markers are left out. Plus s3-bucket-sse-c-blocked.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/domain/finding.js';
import { useSandbox } from '../helpers/sandbox.js';
import { fixture, findingOf, scanWith } from './run-cli.js';

async function objectFindings(path: string): Promise<Finding[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Finding);
}

const line = (f: Finding): string => `${f.policy} ${f.resource.key}${f.resource.versionId !== undefined ? `@${f.resource.versionId === 'null' ? 'null' : 'v'}` : ''} ${f.rule} ${f.status}`;

describe('e2e: legacy unencrypted objects, SSE-C objects, delete markers and version histories', function () {
  this.timeout(120_000);
  const box = useSandbox({ estate: fixture('object-history.estate.yaml') });
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'e2e-history-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('judges every object and version as S3 shows it, with no error outcome', async () => {
    const { report, run } = await scanWith(box.sb, out, 'object-history.yaml', [], 'history');
    expect(run.stderr).to.not.contain('Error');

    // The bucket rule: SSE-C allowed (NONE) fails, blocked passes.
    expect(findingOf(report, 'hist-legacy', 's3-bucket-sse-c-blocked').status).to.equal('fail');
    expect(findingOf(report, 'hist-legacy', 's3-bucket-sse-c-blocked').message).to.contain('BlockedEncryptionTypes is NONE');
    expect(report.summary.byStatus.error).to.equal(0);

    const objects = await objectFindings(report.objects!.jsonl!);
    expect(objects.every((f) => f.status !== 'error'), objects.filter((f) => f.status === 'error').map((f) => f.message).join('\n')).to.equal(true);
    const legacy = objects.filter((f) => f.policy === 'legacy-objects');
    const status = (key: string, rule: string): string => legacy.find((f) => f.resource.key === key && f.rule === rule)!.status;
    expect(['s3-object-sse-kms', 's3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key'].map((r) => status('good.csv', r))).to.deep.equal(['pass', 'pass', 'pass', 'pass']);
    expect(['s3-object-sse-kms', 's3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key'].map((r) => status('legacy.txt', r))).to.deep.equal(['fail', 'fail', 'fail', 'skip']);
    expect(['s3-object-sse-kms', 's3-object-cmk', 's3-object-allowed-keys', 's3-object-matches-bucket-key'].map((r) => status('locked.bin', r))).to.deep.equal(['fail', 'fail', 'fail', 'skip']);
    const message = (key: string): string => legacy.find((f) => f.resource.key === key && f.rule === 's3-object-sse-kms')!.message;
    expect(message('legacy.txt')).to.contain('s3://hist-legacy/legacy.txt has no server-side encryption (it was stored before January 2023), not SSE-KMS');
    expect(message('locked.bin')).to.contain('s3://hist-legacy/locked.bin is encrypted with SSE-C (a customer-provided key), not SSE-KMS');

    // Latest versions only: gone.csv (latest a delete marker) is not listed, so neither judged nor an error.
    const latest = objects.filter((f) => f.policy === 'latest-versions').map(line).sort();
    expect(latest).to.deep.equal(['latest-versions a.csv s3-object-sse-kms pass', 'latest-versions b.csv s3-object-sse-kms pass']);

    // Every version: each one on its own encryption; the delete markers are not objects to judge.
    const versions = objects.filter((f) => f.policy === 'every-version');
    expect(versions).to.have.length(7);
    expect(versions.filter((f) => f.resource.key === 'a.csv').map((f) => f.status).sort()).to.deep.equal(['fail', 'fail', 'pass']);
    expect(versions.filter((f) => f.resource.key === 'gone.csv').map((f) => f.status).sort()).to.deep.equal(['fail', 'pass']);
    expect(versions.filter((f) => f.resource.key === 'b.csv').map((f) => f.status).sort()).to.deep.equal(['fail', 'pass']);
    const goneSseC = versions.find((f) => f.resource.key === 'gone.csv' && f.status === 'fail')!;
    expect(goneSseC.message).to.contain('is encrypted with SSE-C (a customer-provided key), not SSE-KMS');
    expect(versions.find((f) => f.resource.key === 'a.csv' && f.message.includes('no server-side encryption'))).to.not.equal(undefined);
  });
});
