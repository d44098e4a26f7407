import { expect } from 'chai';
import { levenshtein, suggest } from '../../src/config/suggest.js';
import { checkAccount, checkDate, checkKmsKeySpelling, checkRegion, kmsKeySpellingKind } from '../../src/config/values.js';

describe('config/suggest', () => {
  it('computes edit distances', () => {
    expect(levenshtein('kitten', 'sitting')).to.equal(3);
    expect(levenshtein('', 'abc')).to.equal(3);
    expect(levenshtein('same', 'same')).to.equal(0);
  });
  it('suggests the nearest candidate, a synonym, or a prefix match', () => {
    expect(suggest('rulez', ['name', 'rules', 'scope'])).to.equal('rules');
    expect(suggest('Resource', ['name', 'resource'])).to.equal('resource');
    expect(suggest('equals', ['eq', 'ne', 'exists'])).to.equal('eq');
    expect(suggest('greater-than', ['gt', 'lt'])).to.equal('gt');
    expect(suggest('s3-bucket-sse', ['s3-bucket-sse-kms', 's3-bucket-cmk'])).to.equal('s3-bucket-sse-kms');
  });
  it('suggests nothing for a word far from every candidate', () => {
    expect(suggest('zebra', ['name', 'rules', 'scope'])).to.equal(undefined);
    expect(suggest('x', [])).to.equal(undefined);
  });
});

describe('config/values', () => {
  it('accepts the four KMS key spellings', () => {
    expect(kmsKeySpellingKind('1234abcd-12ab-34cd-56ef-1234567890ab')).to.equal('key-id');
    expect(kmsKeySpellingKind('mrk-1234abcd12ab34cd56ef1234567890ab')).to.equal('key-id');
    expect(kmsKeySpellingKind('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).to.equal('key-arn');
    expect(kmsKeySpellingKind('arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab')).to.equal('key-arn');
    expect(kmsKeySpellingKind('alias/prod/data_2-x')).to.equal('alias');
    expect(kmsKeySpellingKind('arn:aws:kms:eu-west-1:111122223333:alias/prod-eu')).to.equal('alias-arn');
  });
  it('rejects malformed key spellings with a hint', () => {
    expect(checkKmsKeySpelling('prod-data')?.message).to.contain('alias/prod-data?');
    expect(checkKmsKeySpelling('alias/has space')?.message).to.contain('alias names use only');
    expect(checkKmsKeySpelling('arn:aws:kms:us-east-1:1111:key/x')?.message).to.contain('expected arn:aws:kms:REGION');
    expect(checkKmsKeySpelling('1234abcd-12ab')?.message).to.contain('a key id is a UUID');
    expect(checkKmsKeySpelling(42)?.message).to.contain('must be a string');
    expect(checkKmsKeySpelling('arn:aws:kms:us-esat-1:111122223333:alias/x')).to.deep.equal({ message: '"us-esat-1" is not an AWS Region name', suggestion: 'us-east-1' });
  });
  it('checks region names', () => {
    expect(checkRegion('eu-central-1')).to.equal(null);
    expect(checkRegion('us-gov-west-1')).to.equal(null);
    expect(checkRegion('us-east1')?.suggestion).to.equal('us-east-1');
  });
  it('checks dates: real calendar days, with a time zone for timestamps', () => {
    expect(checkDate('2027-06-30')).to.equal(null);
    expect(checkDate('2028-02-29')).to.equal(null);
    expect(checkDate('2027-06-30T12:00:00Z')).to.equal(null);
    expect(checkDate('2027-06-30T12:00:00.5+02:00')).to.equal(null);
    expect(checkDate('2027-02-29')?.message).to.contain('not a real calendar date');
    expect(checkDate('2027-02-30')?.message).to.contain('not a real calendar date');
    expect(checkDate('2027-13-01')?.message).to.contain('not a real calendar date');
    expect(checkDate('2027-06-30T12:00:00')?.message).to.contain('is not a date');
    expect(checkDate('30/06/2027')?.message).to.contain('is not a date');
  });
  it('checks account ids', () => {
    expect(checkAccount('012345678901')).to.equal(null);
    expect(checkAccount(12345678901)?.message).to.contain('quoted string');
    expect(checkAccount('1234')?.message).to.contain('12 digits');
  });
});
