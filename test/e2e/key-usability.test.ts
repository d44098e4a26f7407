/**
 * End to end: keys S3 can and cannot use (test/fixtures/e2e/keys/), scanned through the CLI with the real
 * SDK against the sandbox, then checked against the service itself: for every bucket, one upload with
 * the real AWS CLI that relies on the bucket default. `s3-bucket-key-usable` pass ⇔ the upload succeeds,
 * fail ⇔ S3 rejects it with a KMS.* error. The sandbox judges keys with its own code
 * (src/sandbox/s3/kms-keys.ts), not the auditor's, so the two can disagree.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditReport } from '../../src/domain/report.js';
import { awsCli, requireAwsCli } from '../helpers/awscli.js';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { cliCreds, kmsFor, useSandbox } from '../helpers/sandbox.js';
import { E2E_FIXTURES, findingOf, scanWith } from './run-cli.js';

type Verdict = 'pass' | 'fail' | 'skip' | 'error';

// bucket → [s3-bucket-key-usable, s3-bucket-key-pinned, s3-bucket-allowed-keys (policy "usable")]
const EXPECTED: Record<string, [Verdict, Verdict, Verdict]> = {
  'keys-sym': ['pass', 'fail', 'pass'],
  'keys-sym-arn': ['pass', 'pass', 'pass'],
  'keys-sym-id': ['pass', 'fail', 'pass'],
  'keys-aws-managed': ['pass', 'fail', 'fail'],
  'keys-rsa': ['fail', 'fail', 'fail'],
  'keys-ecc': ['fail', 'fail', 'fail'],
  'keys-hmac': ['fail', 'fail', 'fail'],
  'keys-byok-pending': ['fail', 'fail', 'fail'],
  'keys-byok': ['pass', 'fail', 'fail'],
  'keys-hsm-down': ['fail', 'fail', 'fail'],
  'keys-hsm': ['pass', 'fail', 'fail'],
  'keys-disabled': ['fail', 'fail', 'fail'],
  'keys-mrk-primary-here': ['pass', 'pass', 'fail'],
  'keys-mrk-primary-elsewhere': ['fail', 'pass', 'fail'],
  'keys-mrk-replica': ['pass', 'pass', 'fail'],
  'keys-mrk-alias-replica': ['pass', 'fail', 'fail'],
  'keys-trailing-space': ['fail', 'fail', 'fail'],
  'keys-leading-space': ['fail', 'fail', 'fail'],
  // A deleted alias is not approved, although the list names alias/gone.
  'keys-deleted-alias': ['fail', 'fail', 'fail'],
  // Approved through the dev account's alias ARN, resolved with DescribeKey: there is no dev session to list its aliases.
  'keys-cross-account': ['pass', 'pass', 'pass'],
  'keys-sse-s3': ['skip', 'skip', 'fail'],
};

describe('e2e: key usability, pinning and approved keys, as S3 would judge them', function () {
  this.timeout(180_000);
  const box = useSandbox({ estate: resolve(E2E_FIXTURES, 'keys/estate.yaml') });
  let out: string;
  let report: AuditReport;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3ka-e2e-keys-'));
    const scan = await scanWith(box.sb, out, 'keys/policies.yaml', [], 'prod');
    expect([0, 1], scan.run.stderr).to.include(scan.run.code);
    report = scan.report;
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("precondition: the sandbox's DescribeKey answers origin, key store and multi-Region fields as KMS does", async () => {
    const kms = kmsFor(box.sb, 'prod', 'eu-west-1');
    const kmsUs = kmsFor(box.sb, 'prod', 'us-east-1');
    try {
      const replica = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/global' }))).KeyMetadata!;
      expect(replica).to.deep.include({ MultiRegion: true, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' });
      expect(replica.MultiRegionConfiguration).to.deep.equal({
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab', Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab', Region: 'eu-west-1' }],
      });
      const hsm = (await kmsUs.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:us-east-1:111122223333:alias/hsm-down' }))).KeyMetadata!;
      expect(hsm).to.deep.include({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0', KeyState: 'Unavailable', MultiRegion: false });
      expect(hsm.MultiRegionConfiguration).to.equal(undefined);
    } finally {
      kms.destroy();
      kmsUs.destroy();
    }
  });

  it('judges every bucket as the table says', () => {
    const actual = Object.fromEntries(
      Object.keys(EXPECTED).map((b) => [
        b,
        (['s3-bucket-key-usable', 's3-bucket-key-pinned', 's3-bucket-allowed-keys'] as const).map((r) => findingOf(report, b, r, 'usable').status),
      ]),
    );
    expect(actual).to.deep.equal(EXPECTED);
  });

  it('says why a key is unusable', () => {
    const message = (b: string): string => findingOf(report, b, 's3-bucket-key-usable').message;
    expect(message('keys-rsa')).to.contain('is an asymmetric RSA_2048 key (usage ENCRYPT_DECRYPT): S3 uses only symmetric encryption keys');
    expect(message('keys-hmac')).to.contain('is an HMAC HMAC_256 key');
    expect(message('keys-ecc')).to.contain('asymmetric ECC_NIST_P256 key (usage SIGN_VERIFY)');
    expect(message('keys-byok-pending')).to.contain('is pending import: its key material (origin EXTERNAL) has not been imported');
    expect(message('keys-hsm-down')).to.contain('custom key store cks-1234567890abcdef0 is disconnected');
    expect(message('keys-mrk-primary-elsewhere')).to.contain("is in us-east-1, not the bucket's region eu-west-1: S3 treats a multi-Region key as a single-Region key");
    expect(message('keys-trailing-space')).to.contain('not a valid key id, key ARN, alias name or alias ARN (stored as "alias/sym ")');
    expect(message('keys-leading-space')).to.contain('(stored as " arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-0000000000a1")');
    expect(message('keys-deleted-alias')).to.contain('does not exist');
    expect(findingOf(report, 'keys-aws-managed', 's3-bucket-key-pinned').message).to.contain('KMSMasterKeyID is absent, so S3 uses the AWS managed key aws/s3');
  });

  it('reports an approved-key list entry KMS will not resolve as error where the verdict depends on it, and only there', () => {
    const cross = findingOf(report, 'keys-cross-account', 's3-bucket-allowed-keys', 'unresolvable-list');
    expect(cross.status).to.equal('error');
    expect(cross.cause).to.include({ operation: 'DescribeKey', code: 'AccessDeniedException' });
    expect(cross.message).to.contain('arn:aws:kms:us-east-1:999988887777:alias/elsewhere could not be resolved');
    // The bucket's own key has its aliases listed: the entry cannot name it, and the verdict is known.
    expect(findingOf(report, 'keys-sym', 's3-bucket-allowed-keys', 'unresolvable-list').status).to.equal('fail');
  });

  it('agrees with S3: the upload relying on the default succeeds exactly where s3-bucket-key-usable passes', async function () {
    if (!requireAwsCli(this)) return;
    const body = join(out, 'probe.txt');
    await writeFile(body, 'probe\n');
    const buckets = Object.keys(EXPECTED).filter((b) => EXPECTED[b]![0] !== 'skip');
    const uploads = await Promise.all(
      buckets.map(async (bucket) => {
        const region = report.findings.find((f) => f.resource.bucket === bucket)!.resource.region;
        const r = await awsCli(box.sb.endpoint, cliCreds(box.sb, 'prod'), region, ['s3api', 'put-object', '--bucket', bucket, '--key', 'probe', '--body', body]);
        return { bucket, r };
      }),
    );
    for (const { bucket, r } of uploads) {
      const verdict = findingOf(report, bucket, 's3-bucket-key-usable').status;
      if (verdict === 'pass') expect(r.code, `${bucket}: S3 refused an upload the audit passed:\n${r.stderr}`).to.equal(0);
      else {
        expect(r.code, `${bucket}: S3 accepted an upload the audit failed`).to.not.equal(0);
        expect(r.stderr, bucket).to.match(/KMS\.(NotFoundException|DisabledException|KMSInvalidStateException|InvalidKeyUsageException)/);
      }
    }
  });
});
