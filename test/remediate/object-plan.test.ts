/**
 * The object planner (update-object-encryption), pure: findings, HeadObject states and target keys in,
 * changes and refusals out. Every refusal the action defines, irreversibility, what `after` keeps, the
 * plan schema's object change, and the apply-time check of a hand-edited change.
 */
import { expect } from 'chai';
import { resolve } from 'node:path';
import type { FactError, KeyFacts } from '../../src/domain/facts.js';
import type { Finding } from '../../src/domain/finding.js';
import { packageRoot } from '../../src/paths.js';
import { objectRef } from '../../src/remediate/actions/update-object-encryption/candidates.js';
import { COPY_IN_PLACE_DOC, lockReason, planObjects } from '../../src/remediate/actions/update-object-encryption/plan.js';
import { checkAfterMatchesTarget, unwritable } from '../../src/remediate/actions/update-object-encryption/steps.js';
import type { ObjectEncryptionState, PlannedObjectChange } from '../../src/remediate/actions/update-object-encryption/types.js';
import { keyRef } from '../../src/remediate/actions/put-bucket-encryption/plan.js';
import { assemblePlan } from '../../src/remediate/plan.js';
import { loadPlanSchema } from '../../src/remediate/plan-file.js';
import { loadAuditConfig } from '../../src/run/audit.js';
import { renderPlan } from '../../src/report/remediation.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';

const ACCOUNT = '111122223333';
const BUCKET = 'prod-objects-mixed';
const TARGET_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1111aaaa-0000-4000-8000-000000000001`;
const AWS_S3_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/4086d36d-526e-459d-be18-a051163f0ccd`;
const config = loadAuditConfig(resolve(packageRoot(), 'test/fixtures/remediate/objects.yaml'));

const target = (over: Partial<KeyFacts> = {}): KeyFacts => ({
  exists: true,
  ref: 'alias/prod-data',
  arn: TARGET_ARN,
  id: '1111aaaa-0000-4000-8000-000000000001',
  account: ACCOUNT,
  region: 'us-east-1',
  aliases: ['alias/prod-data'],
  manager: 'CUSTOMER',
  state: 'Enabled',
  spec: 'SYMMETRIC_DEFAULT',
  usage: 'ENCRYPT_DECRYPT',
  origin: 'AWS_KMS',
  spellings: [TARGET_ARN, '1111aaaa-0000-4000-8000-000000000001', 'alias/prod-data'],
  ...over,
});

const state = (over: Partial<ObjectEncryptionState> = {}): ObjectEncryptionState => ({
  sse: 'AES256',
  bucketKeyEnabled: false,
  etag: '"76861274baebb528a0f3a367e409c99a"',
  lastModified: '2025-03-01T09:00:00.000Z',
  storageClass: 'STANDARD',
  size: 32,
  ...over,
});

let n = 0;
function finding(key: string, rule: string, status: Finding['status'], evidence: Record<string, unknown>): Finding {
  return {
    id: `f${++n}`,
    policy: 'objects-cmk',
    rule,
    severity: 'high',
    status,
    resource: { type: 'object', arn: `arn:aws:s3:::${BUCKET}/${key}`, account: ACCOUNT, region: 'us-east-1', bucket: BUCKET, key },
    message: `${rule} ${status}`,
    evidence,
    ...(status === 'error' ? { cause: { code: 'AccessDenied', operation: 'HeadObject', message: 'denied' } } : {}),
  };
}

const sseS3Findings = (key: string): Finding[] => [
  finding(key, 's3-object-sse-kms', 'fail', { 'object.sse': 'AES256' }),
  finding(key, 's3-object-cmk', 'fail', { 'object.sse': 'AES256', 'key.manager': null }),
];

function plan(findings: Finding[], objects: Record<string, ObjectEncryptionState | FactError>, key: KeyFacts | FactError = target(), now = new Date('2026-06-01T00:00:00Z')) {
  const byRef = new Map(Object.entries(objects).map(([k, v]) => [objectRef({ account: ACCOUNT, bucket: BUCKET, key: k }), v] as const));
  return planObjects({
    policyFile: config.policyFile,
    rules: config.rules,
    findings,
    objects: byRef,
    targetKeys: new Map([[keyRef(ACCOUNT, 'us-east-1', 'alias/prod-data'), key]]),
    now,
  });
}

describe('remediate: the object plan (update-object-encryption, pure)', () => {
  it('SSE-S3 → SSE-KMS under the target key ARN: only the encryption changes, and the change is irreversible', () => {
    const { changes, refusals } = plan(sseS3Findings('index.html'), { 'index.html': state() });
    expect(refusals).to.deep.equal([]);
    const c = changes[0]!;
    expect(c.object).to.deep.equal({ key: 'index.html' });
    expect(c.after).to.deep.equal({ ...state(), sse: 'aws:kms', kmsKeyArn: TARGET_ARN, bucketKeyEnabled: true });
    expect(c.irreversible).to.equal(true);
    expect(c.fixes.map((f) => f.rule).sort()).to.deep.equal(['s3-object-cmk', 's3-object-sse-kms']);
    expect(c.stillFailing).to.deep.equal([]);
  });

  it('aws/s3 → the customer managed key is reversible, and pins the version HeadObject answered', () => {
    const findings = [finding('uploads/managed.json', 's3-object-cmk', 'fail', { 'object.sse': 'aws:kms', 'key.manager': 'AWS', 'key.arn': AWS_S3_ARN })];
    const { changes } = plan(findings, { 'uploads/managed.json': state({ sse: 'aws:kms', kmsKeyArn: AWS_S3_ARN, bucketKeyEnabled: true, versionId: 'v1' }) });
    expect(changes[0]).to.deep.include({ irreversible: false, object: { key: 'uploads/managed.json', versionId: 'v1' } });
    expect(changes[0]!.before.kmsKeyArn).to.equal(AWS_S3_ARN);
  });

  const refusalOf = (findings: Finding[], obj: ObjectEncryptionState | FactError, key?: KeyFacts | FactError, now?: Date) => {
    const k = findings[0]!.resource.key!;
    const { changes, refusals } = plan(findings, { [k]: obj }, key, now);
    expect(changes, 'no change').to.deep.equal([]);
    expect(refusals).to.have.length(1);
    return refusals[0]!;
  };

  it('refuses what UpdateObjectEncryption cannot change, pointing to the copy-in-place alternative', () => {
    const sseC = refusalOf([finding('c.bin', 's3-object-sse-kms', 'fail', { 'object.sse': 'SSE-C' })], state({ sse: null, customerKey: true }));
    expect(sseC.code).to.equal('object-sse-c');
    expect(sseC.reason).to.contain(COPY_IN_PLACE_DOC);
    const plain = refusalOf([finding('old.txt', 's3-object-sse-kms', 'fail', { 'object.sse': null })], state({ sse: null }));
    expect(plain.code).to.equal('object-unencrypted');
    const dsse = refusalOf([finding('d.bin', 's3-object-cmk', 'fail', { 'object.sse': 'aws:kms:dsse', 'key.arn': AWS_S3_ARN })], state({ sse: 'aws:kms:dsse', kmsKeyArn: AWS_S3_ARN }));
    expect(dsse.code).to.equal('object-dsse-kms');
  });

  it('refuses an object that changed or went away since the scan, and one the scan could not read', () => {
    expect(refusalOf(sseS3Findings('a'), state({ sse: 'aws:kms', kmsKeyArn: TARGET_ARN })).code).to.equal('changed-since-scan');
    expect(refusalOf(sseS3Findings('b'), { code: 'NotFound', operation: 'HeadObject', message: 'gone' }).code).to.equal('changed-since-scan');
    expect(refusalOf([finding('r', 's3-object-sse-kms', 'error', {})], state()).code).to.equal('state-unknown');
    expect(refusalOf(sseS3Findings('c'), { code: 'SlowDown', operation: 'HeadObject', message: 'slow' }).code).to.equal('state-unknown');
  });

  it('refuses an object under a running Object Lock retention or legal hold; an expired retention does not block', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const compliance = refusalOf(sseS3Findings('l1'), state({ lockMode: 'COMPLIANCE', lockRetainUntil: '2030-01-01T00:00:00.000Z' }), undefined, now);
    expect(compliance.code).to.equal('object-locked');
    expect(compliance.reason).to.contain('compliance mode');
    expect(refusalOf(sseS3Findings('l2'), state({ legalHold: 'ON' }), undefined, now).code).to.equal('object-locked');
    const { changes } = plan(sseS3Findings('l3'), { l3: state({ lockMode: 'COMPLIANCE', lockRetainUntil: '2020-01-01T00:00:00.000Z' }) }, target(), now);
    expect(changes).to.have.length(1);
  });

  it('the same key refusals as buckets, and a key of another account (UpdateObjectEncryption uses only the bucket owner\'s keys)', () => {
    expect(refusalOf(sseS3Findings('k1'), state(), target({ state: 'Disabled' })).code).to.equal('key-not-enabled');
    expect(refusalOf(sseS3Findings('k2'), state(), target({ manager: 'AWS' })).code).to.equal('key-not-customer-managed');
    expect(refusalOf(sseS3Findings('k3'), state(), target({ region: 'eu-west-1' })).code).to.equal('key-wrong-region');
    const foreign = `arn:aws:kms:us-east-1:444455556666:key/4444bbbb-0000-4000-8000-000000000002`;
    expect(refusalOf(sseS3Findings('k4'), state(), target({ account: '444455556666', arn: foreign, spellings: [foreign] })).code).to.equal('key-wrong-account');
    expect(refusalOf(sseS3Findings('k5'), state(), { code: 'AccessDeniedException', operation: 'DescribeKey', message: 'no' }).code).to.equal('key-unreadable');
  });

  it('a plan with object changes and refusals is valid against the plan schema', () => {
    const part = plan([...sseS3Findings('index.html'), finding('old.txt', 's3-object-sse-kms', 'fail', { 'object.sse': null })], { 'index.html': state(), 'old.txt': state({ sse: null }) });
    const doc = assemblePlan([{ action: 'update-object-encryption', part }], {
      maxChanges: 25,
      maxObjectChanges: 5000,
      tool: { name: 's3-kms-audit', version: '0.0.0' },
      run: { id: 'r', created: '2026-06-01T00:00:00Z', policyFile: 'p.yaml', policyFileSha256: 'a'.repeat(64), accounts: [ACCOUNT], scanComplete: true },
    });
    const problems = validateAgainst(loadPlanSchema(), JSON.parse(JSON.stringify(doc)));
    expect(problems, errorsToText(problems)).to.deep.equal([]);
    expect(doc.limit).to.deep.equal({ maxChanges: 25, exceeded: false, maxObjectChanges: 5000 });
  });

  it('the console\'s brief plan summarises object changes per bucket and object refusals per bucket and code', () => {
    const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
    const findings = [...keys.flatMap((k) => sseS3Findings(k)), finding('old1', 's3-object-sse-kms', 'fail', { 'object.sse': null }), finding('old2', 's3-object-sse-kms', 'fail', { 'object.sse': null })];
    const objects = Object.fromEntries([...keys.map((k) => [k, state()] as const), ['old1', state({ sse: null })], ['old2', state({ sse: null })]]);
    const part = plan(findings, objects);
    const doc = assemblePlan([{ action: 'update-object-encryption', part }], {
      maxChanges: 25,
      maxObjectChanges: 5000,
      tool: { name: 's3-kms-audit', version: '0.0.0' },
      run: { id: 'r', created: '2026-06-01T00:00:00Z', policyFile: 'p.yaml', policyFileSha256: 'a'.repeat(64), accounts: [ACCOUNT], scanComplete: true },
    });
    const text = renderPlan(doc, {}, undefined, { brief: 5 });
    expect(text).to.contain('Changes (7; each in full with --verbose):');
    expect(text).to.match(new RegExp(`\\n  ${BUCKET}: 7 objects \\(7 IRREVERSIBLE\\) · fixes s3-object-(cmk|sse-kms), s3-object-(cmk|sse-kms)\\n`));
    expect(text).to.match(new RegExp(`  ${BUCKET}: 2 objects object-unencrypted — The object has no server-side encryption`));
    expect(text.split('\n').filter((l) => l.includes(BUCKET))).to.have.length(2);
  });

  it('apply refuses a hand-edited change: another key in `after`, a changed ETag, or an irreversible change marked reversible', () => {
    const c = plan(sseS3Findings('index.html'), { 'index.html': state() }).changes[0] as PlannedObjectChange;
    expect(checkAfterMatchesTarget(c)).to.equal(undefined);
    expect(checkAfterMatchesTarget({ ...c, after: { ...c.after, kmsKeyArn: AWS_S3_ARN } })).to.contain('not SSE-KMS with its target key');
    expect(checkAfterMatchesTarget({ ...c, after: { ...c.after, etag: '"0"' } })).to.contain('ETag');
    expect(checkAfterMatchesTarget({ ...c, irreversible: false })).to.contain('reversible');
  });

  it('Object Lock, as apply judges it again: running retention in either mode or a legal hold blocks, an expired one does not', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(lockReason(state({ lockMode: 'GOVERNANCE', lockRetainUntil: '2027-01-01T00:00:00.000Z' }), now)).to.contain('never does');
    expect(lockReason(state({ legalHold: 'ON' }), now)).to.contain('legal hold');
    expect(lockReason(state({ lockMode: 'GOVERNANCE', lockRetainUntil: '2026-01-01T00:00:00.000Z' }), now)).to.equal(undefined);
    expect(lockReason(state(), now)).to.equal(undefined);
  });

  it('rollback cannot write SSE-S3 back: only an SSE-KMS state under a key ARN is writable', () => {
    expect(unwritable(state())).to.contain('irreversible');
    expect(unwritable(state({ sse: 'aws:kms', kmsKeyArn: AWS_S3_ARN }))).to.equal(undefined);
  });
});
