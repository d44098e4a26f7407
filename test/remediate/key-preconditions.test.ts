/**
 * May a key be written into (or kept in) a bucket's default encryption: one refusal per reason S3 or the
 * policy would not accept it, each with its code. Pure: KeyFacts in, refusals out.
 */
import { expect } from 'chai';
import type { KeyFacts } from '../../src/domain/facts.js';
import { s3KeyUsability } from '../../src/domain/key-usability.js';
import { keyRefusals, type KeyRequirements } from '../../src/remediate/key-preconditions.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000001';
const usable: KeyFacts = {
  exists: true,
  ref: 'alias/prod-data',
  arn: ARN,
  id: '1111aaaa-0000-4000-8000-000000000001',
  account: '111122223333',
  region: 'us-east-1',
  aliases: ['alias/prod-data', 'arn:aws:kms:us-east-1:111122223333:alias/prod-data'],
  manager: 'CUSTOMER',
  state: 'Enabled',
  spec: 'SYMMETRIC_DEFAULT',
  usage: 'ENCRYPT_DECRYPT',
  spellings: [ARN, '1111aaaa-0000-4000-8000-000000000001', 'alias/prod-data', 'arn:aws:kms:us-east-1:111122223333:alias/prod-data'],
};
const req: KeyRequirements = { bucketRegion: 'us-east-1', requireCustomerManaged: true, allowLists: [], allowListRule: 's3-bucket-allowed-keys', cmkRule: 's3-bucket-cmk' };
const codes = (key: KeyFacts, r: Partial<KeyRequirements> = {}): string[] => keyRefusals(key, 'alias/prod-data', { ...req, ...r }).map((x) => x.code);

describe('remediate: key preconditions (pure)', () => {
  it('a usable, allowed, customer managed key in the bucket\'s region: no refusal', () => {
    expect(codes(usable, { allowLists: [{ policy: 'p', keys: ['alias/prod-data'] }] })).to.deep.equal([]);
  });

  it('a backend that does not report KeySpec/KeyUsage: refused (fail closed; real KMS always reports them)', () => {
    const { spec: _s, usage: _u, ...old } = usable;
    expect(codes(old)).to.deep.equal(['key-unusable']);
    expect(s3KeyUsability(old, 'us-east-1')).to.deep.include({ usable: false });
    expect(s3KeyUsability(old, 'us-east-1').reason).to.contain('KMS did not report');
  });

  const cases: { name: string; key: KeyFacts; r?: Partial<KeyRequirements>; code: string; says: string }[] = [
    { name: 'missing', key: { ...usable, exists: false, state: null, manager: null }, code: 'key-missing', says: 'does not exist' },
    { name: 'Disabled', key: { ...usable, state: 'Disabled' }, code: 'key-not-enabled', says: 'is Disabled, not Enabled' },
    { name: 'PendingDeletion', key: { ...usable, state: 'PendingDeletion' }, code: 'key-not-enabled', says: 'is PendingDeletion, not Enabled' },
    { name: 'EXTERNAL origin, PendingImport', key: { ...usable, state: 'PendingImport', origin: 'EXTERNAL' }, code: 'key-not-enabled', says: 'never imported' },
    { name: 'RSA encryption key', key: { ...usable, spec: 'RSA_2048' }, code: 'key-unusable', says: 'is an asymmetric RSA_2048 key (usage ENCRYPT_DECRYPT): S3 uses only symmetric encryption keys' },
    { name: 'ECC signing key', key: { ...usable, spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY' }, code: 'key-unusable', says: 'is an asymmetric ECC_NIST_P256 key (usage SIGN_VERIFY)' },
    { name: 'HMAC key', key: { ...usable, spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' }, code: 'key-unusable', says: 'is an HMAC HMAC_256 key' },
    { name: 'SM2 key', key: { ...usable, spec: 'SM2', usage: 'ENCRYPT_DECRYPT' }, code: 'key-unusable', says: 'SM2 key' },
    { name: 'symmetric spec with a signing usage', key: { ...usable, usage: 'SIGN_VERIFY' }, code: 'key-unusable', says: 'has key usage SIGN_VERIFY' },
    { name: 'another region', key: { ...usable, region: 'eu-west-1' }, code: 'key-wrong-region', says: "S3 can only use a KMS key in the bucket's region (us-east-1)" },
    { name: 'AWS managed where a CMK is required', key: { ...usable, manager: 'AWS' }, code: 'key-not-customer-managed', says: 'requires a customer managed key (s3-bucket-cmk)' },
    { name: 'not on an allow-list', key: usable, r: { allowLists: [{ policy: 'approved', keys: ['alias/other'] }] }, code: 'key-not-allowed', says: "not on policy approved's s3-bucket-allowed-keys list (alias/other)" },
  ];
  for (const c of cases) {
    it(`${c.name}: refused as ${c.code}, saying why`, () => {
      const refusals = keyRefusals(c.key, 'alias/prod-data', { ...req, ...c.r });
      expect(refusals[0]?.code).to.equal(c.code);
      expect(refusals.map((r) => r.reason).join(' ')).to.contain(c.says);
    });
  }

  it('every failed precondition is listed, the first deciding the code', () => {
    const refusals = keyRefusals({ ...usable, state: 'Disabled', manager: 'AWS', region: 'eu-west-1' }, ARN, req);
    expect(refusals.map((r) => r.code)).to.deep.equal(['key-not-enabled', 'key-not-customer-managed', 'key-wrong-region']);
    const wrongType = keyRefusals({ ...usable, spec: 'RSA_4096', region: 'eu-west-1' }, ARN, req);
    expect(wrongType.map((r) => r.code)).to.deep.equal(['key-unusable', 'key-wrong-region']);
  });

  it('s3KeyUsability: the region asked for is the resource\'s, not the key\'s', () => {
    expect(s3KeyUsability(usable, 'us-east-1').usable).to.equal(true);
    expect(s3KeyUsability(usable, 'eu-west-1')).to.deep.include({ usable: false });
    expect(s3KeyUsability({ ...usable, state: 'PendingImport' }, 'us-east-1').reason).to.contain('has not been imported');
  });
});
