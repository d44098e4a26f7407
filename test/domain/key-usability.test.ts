import { expect } from 'chai';
import { s3KeyUsability, type UsabilityFacts } from '../../src/domain/key-usability.js';

describe('domain/s3KeyUsability: can S3 use this key for a resource in this region', () => {
  const key: UsabilityFacts = { ref: 'alias/prod-data', exists: true, state: 'Enabled', region: 'us-east-1', spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', multiRegion: false };
  const reason = (k: Partial<UsabilityFacts>, region = 'us-east-1'): string | null => s3KeyUsability({ ...key, ...k }, region).reason;

  it('accepts an Enabled symmetric encryption key in the same region, of any origin', () => {
    expect(s3KeyUsability(key, 'us-east-1')).to.deep.equal({ usable: true, reason: null });
    expect(reason({ origin: 'EXTERNAL' })).to.equal(null);
    expect(reason({ origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234567890abcdef0' })).to.equal(null);
    expect(reason({ multiRegion: true, multiRegionKeyType: 'REPLICA', region: 'eu-west-1' }, 'eu-west-1')).to.equal(null);
  });

  it('refuses, in this order: invalid spelling, missing key, other region, state, key type', () => {
    expect(reason({ ref: 'alias/prod-data ', exists: false })).to.contain('not a valid key id, key ARN, alias name or alias ARN (stored as "alias/prod-data ")');
    expect(reason({ exists: false, state: null })).to.equal('does not exist');
    expect(reason({ region: 'eu-west-1', state: 'Disabled' })).to.match(/^is in eu-west-1, not the bucket's region us-east-1/);
    expect(reason({ region: 'eu-west-1', multiRegion: true })).to.contain('S3 treats a multi-Region key as a single-Region key');
    expect(reason({ state: 'Disabled' })).to.equal('is disabled');
    expect(reason({ state: 'PendingDeletion' })).to.equal('is pending deletion');
    expect(reason({ state: 'PendingImport', origin: 'EXTERNAL' })).to.contain('key material (origin EXTERNAL) has not been imported');
    expect(reason({ state: 'Unavailable', customKeyStoreId: 'cks-1' })).to.contain('custom key store cks-1 is disconnected');
    expect(reason({ state: 'Creating' })).to.equal('is in state Creating, not Enabled');
    expect(reason({ spec: 'RSA_2048' })).to.match(/^is an asymmetric RSA_2048 key \(usage ENCRYPT_DECRYPT\): S3 uses only symmetric encryption keys/);
    expect(reason({ spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' })).to.match(/^is an HMAC HMAC_256 key/);
    expect(reason({ usage: 'SIGN_VERIFY' })).to.match(/^has key usage SIGN_VERIFY/);
    expect(reason({ spec: null })).to.contain('KMS did not report');
  });
});
