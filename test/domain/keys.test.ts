import { expect } from 'chai';
import { keyFactsFor, parseKeySpelling, partitionOf } from '../../src/domain/keys.js';
import { keyFactsFor as keyFactsForFromKeys } from '../../src/collect/keys.js';
import type { KeyFacts } from '../../src/domain/facts.js';

describe('collect/keyref: parseKeySpelling', () => {
  const acct = '111122223333';
  const id = '1234abcd-12ab-34cd-56ef-1234567890ab';

  it('reads an absent key id as alias/aws/s3 of the bucket account and region', () => {
    const s = parseKeySpelling(undefined, acct, 'eu-west-1');
    expect(s).to.deep.include({ spelling: 'alias/aws/s3', kind: 'alias', account: acct, region: 'eu-west-1' });
    expect(s.arn).to.equal(`arn:aws:kms:eu-west-1:${acct}:alias/aws/s3`);
  });

  it('places a bare key id and an alias name in the bucket account and region', () => {
    expect(parseKeySpelling(id, acct, 'us-east-1').arn).to.equal(`arn:aws:kms:us-east-1:${acct}:key/${id}`);
    expect(parseKeySpelling('alias/app', acct, 'us-east-1').arn).to.equal(`arn:aws:kms:us-east-1:${acct}:alias/app`);
  });

  it('takes account and region from a key ARN or alias ARN, whatever the bucket', () => {
    const keyArn = `arn:aws:kms:eu-west-1:444455556666:key/${id}`;
    expect(parseKeySpelling(keyArn, acct, 'us-east-1')).to.deep.equal({
      spelling: keyArn, valid: true, kind: 'key', partition: 'aws', account: '444455556666', region: 'eu-west-1', name: id, arn: keyArn,
    });
    const aliasArn = 'arn:aws-us-gov:kms:us-gov-west-1:444455556666:alias/x/y';
    expect(parseKeySpelling(aliasArn, acct, 'us-east-1')).to.deep.include({ kind: 'alias', partition: 'aws-us-gov', name: 'alias/x/y' });
  });

  it('keeps the stored spelling exactly: a space is not trimmed away, it makes the spelling invalid', () => {
    expect(parseKeySpelling(' alias/app', acct, 'us-east-1')).to.deep.include({ spelling: ' alias/app', valid: false });
    expect(parseKeySpelling('alias/app ', acct, 'us-east-1')).to.deep.include({ spelling: 'alias/app ', valid: false });
    expect(parseKeySpelling('', acct, 'us-east-1')).to.deep.include({ spelling: '', valid: false });
    expect(parseKeySpelling('mrk-1234abcd12ab34cd56ef1234567890ab', acct, 'us-east-1').valid).to.equal(true);
    expect(parseKeySpelling(`${id};`, acct, 'us-east-1').valid).to.equal(false);
  });

  it('builds ARNs in the session partition', () => {
    expect(parseKeySpelling(id, acct, 'cn-north-1', 'aws-cn').arn).to.equal(`arn:aws-cn:kms:cn-north-1:${acct}:key/${id}`);
    expect(partitionOf('arn:aws-cn:iam::1:user/x')).to.equal('aws-cn');
    expect(partitionOf(undefined)).to.equal('aws');
  });
});

describe('collect/keyref: keyFactsFor (key facts relative to the resource)', () => {
  const id = '4444bbbb-0000-4000-8000-0000000000aa';
  const keyArn = `arn:aws:kms:us-east-1:444455556666:key/${id}`;
  const aliasArn = 'arn:aws:kms:us-east-1:444455556666:alias/prod-data';
  const key: KeyFacts = {
    exists: true, ref: keyArn, arn: keyArn, id, account: '444455556666', region: 'us-east-1',
    aliases: ['alias/prod-data', aliasArn], manager: 'CUSTOMER', state: 'Enabled', spellings: [id, keyArn, 'alias/prod-data', aliasArn],
  };

  it('keeps every spelling for a resource in the key account and region', () => {
    expect(keyFactsFor(key, '444455556666', 'us-east-1').spellings).to.deep.equal([id, keyArn, 'alias/prod-data', aliasArn]);
  });

  it('keeps only ARN spellings for a resource of another account or another region', () => {
    expect(keyFactsFor(key, '111122223333', 'us-east-1').spellings).to.deep.equal([keyArn, aliasArn]);
    expect(keyFactsFor(key, '444455556666', 'eu-west-1').spellings).to.deep.equal([keyArn, aliasArn]);
  });

  it('leaves the key itself alone: aliases stay whole and the cached facts are not changed', () => {
    const seen = keyFactsFor(key, '111122223333', 'us-east-1');
    expect(seen.aliases).to.deep.equal(['alias/prod-data', aliasArn]);
    expect(seen).to.deep.include({ arn: keyArn, id, account: '444455556666' });
    expect(key.spellings).to.have.length(4);
    expect(seen).to.not.equal(key);
  });

  it('is the one function keys.ts exports too', () => {
    expect(keyFactsForFromKeys).to.equal(keyFactsFor);
  });
});

describe('domain/keyFactsFor: derived facts', () => {
  const arn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const base: KeyFacts = {
    exists: true, ref: 'alias/aws/s3', arn, id: '1234abcd-12ab-34cd-56ef-1234567890ab', account: '111122223333', region: 'us-east-1',
    aliases: [], manager: 'CUSTOMER', state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', spellings: [arn],
  };

  it('treats a key reached through an alias/aws/ alias as AWS managed, whatever the backend reported', () => {
    expect(keyFactsFor(base, '111122223333', 'us-east-1').manager).to.equal('AWS');
    expect(keyFactsFor({ ...base, ref: arn, aliases: ['arn:aws:kms:us-east-1:111122223333:alias/aws/ebs'] }, '111122223333', 'us-east-1').manager).to.equal('AWS');
    expect(keyFactsFor({ ...base, ref: arn }, '111122223333', 'us-east-1').manager).to.equal('CUSTOMER');
    expect(keyFactsFor({ ...base, ref: 'alias/awsome' }, '111122223333', 'us-east-1').manager).to.equal('CUSTOMER');
  });

  it('judges S3 usability relative to the resource region', () => {
    expect(keyFactsFor(base, '111122223333', 'us-east-1')).to.deep.include({ s3Usable: true, s3UnusableReason: null });
    expect(keyFactsFor(base, '111122223333', 'eu-west-1').s3UnusableReason).to.equal("is in us-east-1, not the bucket's region eu-west-1: S3 uses only a key in the same Region");
  });
});
