/**
 * The remediation plan against the sandbox: a real scan over HTTP with the real SDK, the plan-time reads,
 * then the pure planner. Covers every kind of failing bucket in the demo estate under the repo's
 * policies.yaml, every refusal (test/fixtures/remediate/refusals.yaml), kept keys, DSSE-KMS and carried
 * BlockedEncryptionTypes (kinds.yaml), and the plan file's schema.
 */
import { expect } from 'chai';
import { resolve } from 'node:path';
import { GetBucketEncryptionCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { loadAuditConfig } from '../../src/run/audit.js';
import type { AwsOptions } from '../../src/aws/options.js';
import { openSessions } from '../../src/aws/session.js';
import type { Finding } from '../../src/domain/finding.js';
import { packageRoot } from '../../src/paths.js';
import { changedSinceScan, computePlan, type BucketObservation } from '../../src/remediate/actions/put-bucket-encryption/plan.js';
import { loadPlanSchema, parsePlan, renderPlanJson } from '../../src/remediate/plan-file.js';
import { renderPlan } from '../../src/report/remediation.js';
import { makePlan, type MadePlan } from '../../src/run/remediation.js';
import type { PlannedChange, Refusal, RemediationPlan } from '../../src/remediate/actions/put-bucket-encryption/types.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf, s3For, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const ROLE = (account: string): string => `arn:aws:iam::${account}:role/S3KmsAuditRole`;
const keyArn = (n: number, region = 'us-east-1'): string => `arn:aws:kms:${region}:${PROD}:key/1111aaaa-0000-4000-8000-00000000000${n}`;
const POLICIES = resolve(packageRoot(), 'policies.yaml');
const fixture = (name: string): string => resolve(packageRoot(), 'test/fixtures/remediate', name);

function awsOptions(sb: Sandbox, bothAccounts: boolean): AwsOptions {
  const prod = accountOf(sb, 'prod');
  return {
    endpoint: sb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey },
    maxAttempts: 2,
    ...(bothAccounts ? { assumeRoles: [ROLE(PROD), ROLE(DEV)] } : {}),
  };
}

/** Without `objects`, makePlan plans only the bucket action: its changes are the bucket action's. */
type BucketMadePlan = Omit<MadePlan, 'plan'> & { plan: RemediationPlan };

async function planWith(sb: Sandbox, policies: string, opts: { bothAccounts?: boolean; maxChanges?: number } = {}): Promise<BucketMadePlan> {
  const aws = awsOptions(sb, opts.bothAccounts ?? false);
  const sessions = await openSessions(aws);
  try {
    return (await makePlan(loadAuditConfig(policies), { aws, sessions, concurrency: 8, maxChanges: opts.maxChanges ?? 25 })) as BucketMadePlan;
  } finally {
    for (const s of sessions) s.destroy();
  }
}

const changeOf = (plan: RemediationPlan, bucket: string): PlannedChange => {
  const c = plan.changes.find((x) => x.bucket === bucket);
  if (!c) throw new Error(`no change planned for ${bucket}; changes: ${plan.changes.map((x) => x.bucket).join(', ')}`);
  return c;
};
const refusalOf = (plan: RemediationPlan, bucket: string): Refusal => {
  const r = plan.refusals.find((x) => x.bucket === bucket);
  if (!r) throw new Error(`no refusal for ${bucket}; refusals: ${plan.refusals.map((x) => `${x.bucket}:${x.code}`).join(', ')}`);
  return r;
};
const kmsConfig = (arn: string, bucketKey = true, algorithm = 'aws:kms') => ({
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm, KMSMasterKeyID: arn }, BucketKeyEnabled: bucketKey }],
});
const fixed = (c: PlannedChange): string[] => c.fixes.map((f) => `${f.policy}/${f.rule}`).sort();

describe('remediate: the plan (sandbox, demo estate)', function () {
  this.timeout(20_000);

  describe('policies.yaml over both demo accounts', () => {
    const ctx = useSandbox();
    let made: BucketMadePlan;
    before(async () => {
      made = await planWith(ctx.sb, POLICIES, { bothAccounts: true });
    });

    it('plans exactly the failing remediable buckets and refuses exactly the unknown and unreachable ones', () => {
      expect(made.plan.changes.map((c) => c.bucket).sort()).to.deep.equal([
        'prod-archive-expired', 'prod-aws-managed', 'prod-aws-s3-alias', 'prod-bucket-key-off', 'prod-disabled-key',
        'prod-key-other-region', 'prod-legacy-eu', 'prod-legacy-none', 'prod-missing-key', 'prod-pci-aws-managed',
        'prod-pending-deletion', 'prod-rotation-off', 'prod-scratch-key', 'prod-sse-s3',
      ]);
      expect(made.plan.refusals.map((r) => `${r.bucket}:${r.code}`).sort()).to.deep.equal([
        'dev-legacy:key-missing', 'dev-sse-s3:key-missing', 'prod-access-denied:state-unknown',
      ]);
      expect(made.plan.run.accounts).to.deep.equal([PROD, DEV]);
      expect(made.plan.run.scanComplete).to.equal(false);
      expect(made.plan.limit).to.deep.equal({ maxChanges: 25, exceeded: false });
    });

    it('legacy bucket without configuration: before "none", after SSE-KMS with the region\'s target key ARN and a Bucket Key', () => {
      const us = changeOf(made.plan, 'prod-legacy-none');
      expect(us.before).to.equal('none');
      expect(us.after).to.deep.equal(kmsConfig(keyArn(1)));
      expect(us.kind).to.equal('policy-target');
      expect(us.key).to.include({ arn: keyArn(1), spelling: 'alias/prod-data', manager: 'CUSTOMER', state: 'Enabled', region: 'us-east-1' });
      expect(fixed(us)).to.deep.equal(['kms-baseline/s3-bucket-sse-kms', 'prod-customer-managed-keys/s3-bucket-allowed-keys', 'prod-customer-managed-keys/s3-bucket-cmk']);
      const eu = changeOf(made.plan, 'prod-legacy-eu');
      expect(eu.before).to.equal('none');
      expect(eu.after).to.deep.equal(kmsConfig(keyArn(6, 'eu-west-1')));
    });

    it('SSE-S3 bucket: before is the AES256 document exactly as GetBucketEncryption answered it', () => {
      const c = changeOf(made.plan, 'prod-sse-s3');
      expect(c.before).to.deep.equal({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] });
      expect(c.after).to.deep.equal(kmsConfig(keyArn(1)));
    });

    it('AWS managed key (implicit and by alias): moved to the customer managed target', () => {
      const implicit = changeOf(made.plan, 'prod-aws-managed');
      expect(implicit.before).to.deep.equal({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] });
      expect(implicit.after).to.deep.equal(kmsConfig(keyArn(1)));
      const alias = changeOf(made.plan, 'prod-aws-s3-alias');
      expect(alias.after).to.deep.equal(kmsConfig(keyArn(6, 'eu-west-1')));
      expect(fixed(alias)).to.deep.equal(['prod-customer-managed-keys/s3-bucket-allowed-keys', 'prod-customer-managed-keys/s3-bucket-cmk']);
    });

    it('customer managed keys that are not allowed, disabled, pending deletion or missing: moved to the target', () => {
      for (const bucket of ['prod-scratch-key', 'prod-disabled-key', 'prod-pending-deletion', 'prod-missing-key', 'prod-rotation-off']) {
        const c = changeOf(made.plan, bucket);
        expect(c.kind, bucket).to.equal('policy-target');
        expect(c.after, bucket).to.deep.equal(kmsConfig(keyArn(1)));
      }
      // Fixes are judged by re-evaluating the rules on the new facts: rules without a remediation are fixed too.
      expect(fixed(changeOf(made.plan, 'prod-disabled-key'))).to.include('kms-baseline/s3-bucket-key-usable');
      expect(fixed(changeOf(made.plan, 'prod-rotation-off'))).to.include('prod-customer-managed-keys/s3-bucket-key-rotation');
    });

    it('a bucket using a key of another region: moved to its own region\'s target key', () => {
      const c = changeOf(made.plan, 'prod-key-other-region');
      expect(c.before).to.deep.equal(kmsConfig(keyArn(1)));
      expect(c.after).to.deep.equal(kmsConfig(keyArn(6, 'eu-west-1')));
      expect(fixed(c)).to.deep.equal(['kms-baseline/s3-bucket-key-usable', 'prod-customer-managed-keys/s3-bucket-allowed-keys']);
    });

    it('Bucket Key off on an allowed customer managed key: keeps the key (as its ARN), turns the Bucket Key on', () => {
      const c = changeOf(made.plan, 'prod-bucket-key-off');
      expect(c.kind).to.equal('kept-key');
      expect(c.before).to.deep.equal({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/prod-data' }, BucketKeyEnabled: false }] });
      expect(c.after).to.deep.equal(kmsConfig(keyArn(1)));
      expect(fixed(c)).to.deep.equal(['kms-baseline/s3-bucket-bucket-key']);
    });

    it('a policy without a remediation block is fixed along the way, never the reason for a target', () => {
      const c = changeOf(made.plan, 'prod-pci-aws-managed');
      expect(c.policies).to.deep.equal(['prod-customer-managed-keys']);
      expect(fixed(c)).to.include('pci-data/s3-bucket-cmk');
    });

    it('exceptions: an active one keeps the bucket out of the plan, an expired one does not', () => {
      expect(made.plan.changes.some((c) => c.bucket === 'prod-logs-excepted')).to.equal(false);
      expect(made.plan.refusals.some((r) => r.bucket === 'prod-logs-excepted')).to.equal(false);
      const archive = changeOf(made.plan, 'prod-archive-expired');
      const finding = made.report.findings.find((f) => f.resource.bucket === 'prod-archive-expired' && f.rule === 's3-bucket-sse-kms')!;
      expect(finding.exception?.expired).to.equal(true);
      expect(archive.fixes.map((f) => f.id)).to.include(finding.id);
    });

    it('buckets already compliant (every CMK spelling, DSSE, regional keys) are not touched', () => {
      const touched = new Set([...made.plan.changes.map((c) => c.bucket), ...made.plan.refusals.map((r) => r.bucket)]);
      for (const b of ['prod-cmk-by-id', 'prod-cmk-by-arn', 'prod-cmk-by-alias', 'prod-cmk-by-alias-arn', 'prod-dsse', 'prod-eu-cmk', 'prod-ap-cmk', 'prod-pci-cmk', 'dev-cmk']) {
        expect(touched.has(b), b).to.equal(false);
      }
    });

    it('refuses the bucket the scan could not read, and targets missing in another account', () => {
      const denied = refusalOf(made.plan, 'prod-access-denied');
      expect(denied.reason).to.contain('GetBucketEncryption failed with AccessDenied');
      expect(denied.findings.every((f) => f.status === 'error')).to.equal(true);
      expect(refusalOf(made.plan, 'dev-sse-s3').reason).to.contain(`alias/prod-data does not exist in account ${DEV}`);
    });

    it('the plan file validates against src/schema/plan.schema.json and parses back unchanged', () => {
      const text = renderPlanJson(made.plan);
      const problems = validateAgainst(loadPlanSchema(), JSON.parse(text));
      expect(problems, errorsToText(problems)).to.deep.equal([]);
      expect(parsePlan(text, 'x.plan.json')).to.deep.equal(made.plan);
      expect(() => parsePlan(text.replace('"kind": "policy-target"', '"kind": "surprise"'), 'bad.plan.json')).to.throw(/bad\.plan\.json is not a valid remediation plan/);
    });

    it('the readable plan shows current -> new configuration, the key, the findings fixed and every refusal', () => {
      const text = renderPlan(made.plan);
      expect(text).to.contain('14 changes, 3 refusals');
      expect(text).to.match(/prod-legacy-none · account 111122223333 · us-east-1\n\s+now\s+none \(no default encryption configuration\)\n\s+new\s+aws:kms with arn:aws:kms:us-east-1/);
      expect(text).to.contain('prod-bucket-key-off · account 111122223333 · us-east-1 · keeps its key');
      expect(text).to.contain('prod-access-denied · account 111122223333 · us-east-1 · state-unknown');
      expect(text).to.not.match(/[^\x20-\x7e\n·]/);
    });

    it('--max-changes: a larger plan is marked as refused as a whole', async () => {
      const small = await planWith(ctx.sb, POLICIES, { maxChanges: 13 });
      expect(small.plan.changes).to.have.length(14);
      expect(small.plan.limit).to.deep.equal({ maxChanges: 13, exceeded: true });
      expect(renderPlan(small.plan)).to.contain('re-run with --max-changes 14');
    });
  });

  describe('refusals, one per precondition (refusals.yaml)', () => {
    const ctx = useSandbox();
    let plan: RemediationPlan;
    before(async () => {
      plan = (await planWith(ctx.sb, fixture('refusals.yaml'))).plan;
    });

    it('plans nothing and refuses every bucket with the precondition that failed', () => {
      expect(plan.changes).to.deep.equal([]);
      expect(Object.fromEntries(plan.refusals.map((r) => [r.bucket, r.code]))).to.deep.equal({
        'prod-sse-s3': 'key-not-enabled',
        'prod-legacy-none': 'key-not-enabled',
        'prod-aws-managed': 'key-not-customer-managed',
        'prod-aws-s3-alias': 'key-wrong-region',
        'prod-scratch-key': 'key-not-allowed',
        'prod-archive-expired': 'key-missing',
        'prod-legacy-eu': 'no-target-for-region',
        'prod-pci-aws-managed': 'no-target',
        'prod-logs-excepted': 'conflicting-targets',
        'prod-pci-cmk': 'would-break',
        'prod-access-denied': 'state-unknown',
      });
    });

    it('says why in words that name the key and the rule', () => {
      expect(refusalOf(plan, 'prod-sse-s3').reason).to.contain(`${keyArn(3)}) is Disabled, not Enabled`);
      expect(refusalOf(plan, 'prod-legacy-none').reason).to.contain('is PendingDeletion, not Enabled');
      expect(refusalOf(plan, 'prod-aws-managed').reason).to.contain('is managed by AWS; a policy in scope requires a customer managed key (s3-bucket-cmk)');
      expect(refusalOf(plan, 'prod-aws-s3-alias').reason).to.contain("is in us-east-1; S3 can only use a KMS key in the bucket's region (eu-west-1)");
      expect(refusalOf(plan, 'prod-scratch-key').reason).to.contain("not on policy target-not-allowed's s3-bucket-allowed-keys list (alias/prod-data)");
      expect(refusalOf(plan, 'prod-archive-expired').reason).to.contain('alias/does-not-exist does not exist');
      expect(refusalOf(plan, 'prod-legacy-eu').reason).to.contain('no kmsKeyId entry for this region');
      expect(refusalOf(plan, 'prod-logs-excepted').reason).to.contain('wants-prod-data -> alias/prod-data; wants-prod-norotate -> alias/prod-norotate');
      expect(refusalOf(plan, 'prod-pci-cmk').reason).to.contain('would newly fail s3-bucket-key-rotation (target-breaks-rotation)');
    });
  });

  describe('kept keys, DSSE-KMS and settings carried over (kinds.yaml)', () => {
    const ctx = useSandbox();
    let plan: RemediationPlan;
    before(async () => {
      // A working, not-targeted CMK with its Bucket Key off; and an SSE-S3 bucket that blocks SSE-C.
      ctx.sb.estate.buckets.get('prod-scratch-key')!.encryption!.bucketKeyEnabled = false;
      const s3 = s3For(ctx.sb, 'prod');
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'prod-archive-expired',
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }] },
        }),
      );
      s3.destroy();
      plan = (await planWith(ctx.sb, fixture('kinds.yaml'))).plan;
    });

    it('keeps a working customer managed key that is not the target when only the Bucket Key is missing', () => {
      const c = changeOf(plan, 'prod-scratch-key');
      expect(c.kind).to.equal('kept-key');
      expect(c.after).to.deep.equal(kmsConfig(keyArn(5)));
      expect(c.key).to.include({ arn: keyArn(5), spelling: 'alias/scratch' });
    });

    it('DSSE-KMS asked for: aws:kms:dsse with BucketKeyEnabled false, even though the policy says true', () => {
      expect(changeOf(plan, 'prod-sse-s3').after).to.deep.equal(kmsConfig(keyArn(1), false, 'aws:kms:dsse'));
    });

    it('a DSSE-KMS bucket moved to another key stays DSSE-KMS when the policy names no algorithm', () => {
      const c = changeOf(plan, 'prod-dsse');
      expect(c.before).to.deep.equal(kmsConfig(keyArn(1), false, 'aws:kms:dsse'));
      expect(c.after).to.deep.equal(kmsConfig(keyArn(2), false, 'aws:kms:dsse'));
    });

    it('carries BlockedEncryptionTypes over, so applying the plan does not unblock SSE-C', () => {
      const c = changeOf(plan, 'prod-archive-expired');
      expect(c.after).to.deep.equal({
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn(1) }, BucketKeyEnabled: true, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }],
      });
    });
  });

  describe('computePlan is pure: the state read when planning must agree with the scan', () => {
    it('refuses a bucket whose configuration changed between the scan and the plan', () => {
      const { policyFile, rules } = loadAuditConfig(fixture('kinds.yaml'));
      const resource = { type: 'bucket' as const, arn: 'arn:aws:s3:::prod-sse-s3', account: PROD, region: 'us-east-1', bucket: 'prod-sse-s3' };
      const finding: Finding = {
        id: 'f1', policy: 'dual-layer', rule: 's3-bucket-sse-kms', severity: 'high', status: 'fail', resource,
        message: 'AES256', evidence: { 'bucket.encryption.algorithm': 'AES256' },
      };
      const observation: BucketObservation = {
        account: PROD, region: 'us-east-1', bucket: 'prod-sse-s3', arn: resource.arn,
        state: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/x' }, BucketKeyEnabled: true }] },
        currentKey: { code: 'AccessDeniedException', operation: 'DescribeKey', message: 'no' },
      };
      const base = {
        policyFile, rules, findings: [finding], targetKeys: new Map(), maxChanges: 25,
        run: { id: 'r', created: '2026-01-01T00:00:00.000Z', policyFile: 'p', policyFileSha256: '0'.repeat(64), accounts: [PROD], scanComplete: true },
        tool: { name: 's3-kms-audit' as const, version: '0' },
      };
      // The current key could not be described: unknown, refused before anything else.
      let plan = computePlan({ ...base, observations: new Map([[`${PROD}/prod-sse-s3`, observation]]) });
      expect(plan.refusals.map((r) => r.code)).to.deep.equal(['state-unknown']);
      plan = computePlan({ ...base, observations: new Map([[`${PROD}/prod-sse-s3`, { ...observation, currentKey: null }]]) });
      expect(plan.refusals.map((r) => r.code)).to.deep.equal(['changed-since-scan']);
      expect(plan.changes).to.deep.equal([]);
    });
  });

  describe('changedSinceScan: the configured key counts too', () => {
    const resource = { type: 'bucket' as const, arn: 'arn:aws:s3:::b', account: PROD, region: 'us-east-1', bucket: 'b' };
    const finding = (evidence: Record<string, unknown>): Finding => ({
      id: 'f', policy: 'p', rule: 's3-bucket-allowed-keys', severity: 'high', status: 'fail', resource, message: 'm', evidence,
    });
    const kms = (key: string) => ({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key }, BucketKeyEnabled: true }] });
    const scanned = { 'bucket.encryption.algorithm': 'aws:kms', 'key.spellings': [keyArn(1), 'alias/one', '1111aaaa-0000-4000-8000-000000000001'] };

    it('same algorithm and Bucket Key, but another key since the scan: changed (key.spellings evidence)', () => {
      expect(changedSinceScan([finding(scanned)], kms('alias/one'))).to.equal(undefined);
      expect(changedSinceScan([finding(scanned)], kms(keyArn(1)))).to.equal(undefined);
      expect(changedSinceScan([finding(scanned)], kms(keyArn(2)))).to.equal(`the scan saw key ${keyArn(1)}, now ${keyArn(2)}`);
    });

    it('bucket.encryption.kmsKeyId evidence is compared exactly, "no key id" included', () => {
      const seen = finding({ 'bucket.encryption.algorithm': 'aws:kms', 'bucket.encryption.kmsKeyId': 'alias/one' });
      expect(changedSinceScan([seen], kms('alias/one'))).to.equal(undefined);
      expect(changedSinceScan([seen], kms('alias/two'))).to.equal('the scan saw key alias/one, now alias/two');
      const none = finding({ 'bucket.encryption.algorithm': 'aws:kms', 'bucket.encryption.kmsKeyId': null });
      expect(changedSinceScan([none], kms('alias/two'))).to.equal('the scan saw key none, now alias/two');
    });
  });

  it('reads of the bucket at plan time are what `before` records (SDK read of the same bucket)', async () => {
    // Guard against the planner normalising `before`: it must equal the SDK's own answer field for field.
    const { startSandbox } = await import('../../src/sandbox/server.js');
    const sb = await startSandbox({ port: 0 });
    try {
      const { plan } = await planWith(sb, POLICIES);
      const s3 = s3For(sb, 'prod');
      for (const bucket of ['prod-sse-s3', 'prod-aws-managed', 'prod-bucket-key-off', 'prod-scratch-key']) {
        const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
        expect(changeOf(plan, bucket).before, bucket).to.deep.equal(JSON.parse(JSON.stringify(got.ServerSideEncryptionConfiguration)));
      }
      s3.destroy();
    } finally {
      await sb.stop();
    }
  });
});
