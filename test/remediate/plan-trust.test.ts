/**
 * A saved plan's change is applied only when it is exactly the change the policy file and live state
 * give now: every field a person could edit, edited, is a mismatch naming the field. Pure.
 */
import { expect } from 'chai';
import { checkSavedChanges, differences } from '../../src/remediate/plan-trust.js';
import type { PlannedChange, RemediationPlan } from '../../src/remediate/actions/put-bucket-encryption/types.js';

const PROD = '111122223333';
const keyArn = (n: number, region = 'us-east-1'): string => `arn:aws:kms:${region}:${PROD}:key/1111aaaa-0000-4000-8000-00000000000${n}`;
const finding = (id: string, rule: string) => ({ id, policy: 'kms-baseline', rule, severity: 'high' as const, status: 'fail' as const, message: 'm' });

function change(): PlannedChange {
  return {
    id: '0123456789abcdef',
    account: PROD,
    region: 'us-east-1',
    bucket: 'prod-sse-s3',
    arn: 'arn:aws:s3:::prod-sse-s3',
    kind: 'policy-target',
    before: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
    after: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn(1) }, BucketKeyEnabled: true }] },
    key: { arn: keyArn(1), spelling: 'alias/prod-data', aliases: ['alias/prod-data'], account: PROD, region: 'us-east-1', manager: 'CUSTOMER', state: 'Enabled' },
    policies: ['kms-baseline'],
    requireCustomerManaged: true,
    fixes: [finding('f1', 's3-bucket-sse-kms'), finding('f2', 's3-bucket-cmk')],
    stillFailing: [],
  };
}

const planOf = (changes: PlannedChange[], refusals: RemediationPlan['refusals'] = []): RemediationPlan => ({
  schemaVersion: 1,
  kind: 's3-kms-audit/remediation-plan',
  tool: { name: 's3-kms-audit', version: '0' },
  run: { id: 'now', created: '2026-01-01T00:00:00.000Z', policyFile: 'p', policyFileSha256: '0'.repeat(64), accounts: [PROD], scanComplete: true },
  limit: { maxChanges: 25, exceeded: false },
  changes,
  refusals,
});

const rule0 = (c: PlannedChange) => c.after.Rules[0]!;

/** Every field of a saved change a person could edit, and the edit. */
const EDITS: { field: string; path: RegExp; edit: (c: PlannedChange) => void }[] = [
  { field: 'key ARN (and after, consistently)', path: /after\.Rules\[0\]\.ApplyServerSideEncryptionByDefault\.KMSMasterKeyID|key\.arn/, edit: (c) => { c.key.arn = keyArn(5); rule0(c).ApplyServerSideEncryptionByDefault!.KMSMasterKeyID = keyArn(5); } },
  { field: 'key ARN alone', path: /key\.arn/, edit: (c) => { c.key.arn = keyArn(5); } },
  { field: 'after: the key written', path: /KMSMasterKeyID/, edit: (c) => { rule0(c).ApplyServerSideEncryptionByDefault!.KMSMasterKeyID = keyArn(6, 'eu-west-1'); } },
  { field: 'after: BucketKeyEnabled', path: /after\.Rules\[0\]\.BucketKeyEnabled/, edit: (c) => { rule0(c).BucketKeyEnabled = false; } },
  { field: 'after: algorithm', path: /SSEAlgorithm/, edit: (c) => { rule0(c).ApplyServerSideEncryptionByDefault!.SSEAlgorithm = 'aws:kms:dsse'; rule0(c).BucketKeyEnabled = false; } },
  { field: 'after: a BlockedEncryptionTypes dropped or added', path: /BlockedEncryptionTypes/, edit: (c) => { rule0(c).BlockedEncryptionTypes = { EncryptionType: ['NONE'] }; } },
  { field: 'key manager', path: /key\.manager/, edit: (c) => { c.key.manager = 'AWS'; } },
  { field: 'key state', path: /key\.state/, edit: (c) => { c.key.state = 'Disabled'; } },
  { field: 'key region', path: /key\.region/, edit: (c) => { c.key.region = 'eu-west-1'; } },
  { field: 'key account', path: /key\.account/, edit: (c) => { c.key.account = '444455556666'; } },
  { field: 'key aliases', path: /key\.aliases/, edit: (c) => { c.key.aliases = ['alias/other']; } },
  { field: 'target spelling', path: /key\.spelling/, edit: (c) => { c.key.spelling = 'alias/scratch'; } },
  { field: 'requireCustomerManaged', path: /requireCustomerManaged/, edit: (c) => { c.requireCustomerManaged = false; } },
  { field: 'finding ids (fixes)', path: /fixes\[0\]\.id/, edit: (c) => { c.fixes[0]!.id = 'f9'; } },
  { field: 'a finding removed from fixes', path: /fixes/, edit: (c) => { c.fixes.pop(); } },
  { field: 'stillFailing', path: /stillFailing/, edit: (c) => { c.stillFailing.push(finding('f3', 's3-bucket-key-rotation')); } },
  { field: 'bucket region', path: /^.*region is "eu-west-1" in the plan/, edit: (c) => { c.region = 'eu-west-1'; } },
  { field: 'bucket ARN', path: /arn is/, edit: (c) => { c.arn = 'arn:aws:s3:::other'; } },
  { field: 'kind', path: /kind/, edit: (c) => { c.kind = 'kept-key'; } },
  { field: 'policies', path: /policies/, edit: (c) => { c.policies = ['prod-customer-managed-keys']; } },
  { field: 'before', path: /before/, edit: (c) => { c.before = 'none'; } },
  { field: 'change id', path: /^.*\bid is "ffff/, edit: (c) => { c.id = 'ffffffffffffffff'; } },
];

describe('remediate: a saved plan is checked against the plan derived now (pure)', () => {
  it('an unedited change matches, and the change applied is the one derived now (not the file\'s object)', () => {
    const now = change();
    const [check] = checkSavedChanges([change()], planOf([now]));
    expect(check!.mismatch).to.equal(undefined);
    expect(check!.current).to.equal(now);
  });

  it('JSON key order in the file does not matter', () => {
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    const saved = reversed(change()) as PlannedChange;
    expect(Object.keys(saved)[0]).to.equal('stillFailing');
    expect(checkSavedChanges([saved], planOf([change()]))[0]!.mismatch).to.equal(undefined);
  });

  for (const e of EDITS) {
    it(`edited ${e.field}: refused, naming the field`, () => {
      const saved = change();
      e.edit(saved);
      const [check] = checkSavedChanges([saved], planOf([change()]));
      expect(check!.current).to.equal(undefined);
      expect(check!.mismatch).to.match(/^not the change the policy file and AWS give now: /);
      expect(check!.mismatch).to.match(e.path);
    });
  }

  it('another account or bucket name: the policy plans no such change', () => {
    const other = change();
    other.account = '444455556666';
    expect(checkSavedChanges([other], planOf([change()]))[0]!.mismatch).to.contain('now plan no change for this bucket');
  });

  it('a bucket the policy now refuses: the refusal is quoted', () => {
    const refusal = { account: PROD, region: 'us-east-1', bucket: 'prod-sse-s3', arn: 'arn:aws:s3:::prod-sse-s3', code: 'key-unusable' as const, reason: 'Target key … cannot be used by S3.', findings: [] };
    expect(checkSavedChanges([change()], planOf([], [refusal]))[0]!.mismatch).to.contain('now refuse this bucket (key-unusable: Target key');
  });

  it('the same bucket twice (a change copied into the file): both refused', () => {
    const checks = checkSavedChanges([change(), change()], planOf([change()]));
    expect(checks.map((c) => c.mismatch)).to.deep.equal([
      'the plan names this bucket 2 times; a plan made by this tool has one change per bucket, so the file was edited',
      'the plan names this bucket 2 times; a plan made by this tool has one change per bucket, so the file was edited',
    ]);
  });

  it('differences: paths and values, arrays by position, absent fields named', () => {
    expect(differences({ a: [1, { b: 2 }], c: 1 }, { a: [1, { b: 3 }], d: 1 })).to.deep.equal([
      { path: 'a[1].b', saved: 2, now: 3 },
      { path: 'c', saved: 1, now: undefined },
      { path: 'd', saved: undefined, now: 1 },
    ]);
    expect(differences([1], [1, 2], 'x')).to.deep.equal([{ path: 'x', saved: [1], now: [1, 2] }]);
  });
});
