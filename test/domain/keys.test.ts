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
      spelling: keyArn, kind: 'key', partition: 'aws', account: '444455556666', region: 'eu-west-1', name: id, arn: keyArn,
    });
    const aliasArn = 'arn:aws-us-gov:kms:us-gov-west-1:444455556666:alias/x/y';
    expect(parseKeySpelling(aliasArn, acct, 'us-east-1')).to.deep.include({ kind: 'alias', partition: 'aws-us-gov', name: 'alias/x/y' });
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
