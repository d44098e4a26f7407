import { expect } from 'chai';
import { parseKeySpelling, partitionOf } from '../../src/collect/keyref.js';

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
