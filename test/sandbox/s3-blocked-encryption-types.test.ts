/**
 * BlockedEncryptionTypes in the bucket default encryption rule (PutBucketEncryption / GetBucketEncryption):
 * the sandbox stores the list and answers it back, so remediation can be tested to carry it over instead
 * of silently unblocking SSE-C. API reference, BlockedEncryptionTypes: "Valid Values: NONE | SSE-C".
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { GetBucketEncryptionCommand, PutBucketEncryptionCommand, type EncryptionType, type S3Client } from '@aws-sdk/client-s3';
import { cliCreds, s3For, signedRequest, useSandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/errors.js';

describe('sandbox S3 BlockedEncryptionTypes', () => {
  const ctx = useSandbox();
  let s3: S3Client;
  before(() => {
    s3 = s3For(ctx.sb, 'prod', 'us-east-1');
  });

  it('round-trips BlockedEncryptionTypes through the SDK, and omits it when never set', async () => {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'prod-sse-s3',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }],
        },
      }),
    );
    const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'prod-sse-s3' }));
    expect(got.ServerSideEncryptionConfiguration?.Rules).to.deep.equal([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } },
    ]);
    const untouched = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'prod-cmk-by-id' }));
    expect(untouched.ServerSideEncryptionConfiguration?.Rules?.[0]).to.not.have.property('BlockedEncryptionTypes');
  });

  it('answers the flattened XML S3 uses: <BlockedEncryptionTypes><EncryptionType>…', async () => {
    const res = await signedRequest(ctx.sb, 's3', cliCreds(ctx.sb, 'prod'), { path: '/prod-sse-s3', query: { encryption: '' } });
    expect(res.status).to.equal(200);
    expect(res.body).to.contain('<BucketKeyEnabled>false</BucketKeyEnabled><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule>');
  });

  it('rejects an encryption type outside NONE | SSE-C with MalformedXML and stores nothing', async () => {
    const before = JSON.stringify(ctx.sb.estate.buckets.get('prod-aws-managed')!.encryption);
    const body =
      '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault>' +
      '<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>SSE-X</EncryptionType>' +
      '</BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>';
    const res = await signedRequest(ctx.sb, 's3', cliCreds(ctx.sb, 'prod'), {
      method: 'PUT',
      path: '/prod-aws-managed',
      query: { encryption: '' },
      headers: { 'content-md5': createHash('md5').update(body).digest('base64') },
      body,
    });
    expect(res.status).to.equal(400);
    expect(res.body).to.contain('<Code>MalformedXML</Code>');
    expect(JSON.stringify(ctx.sb.estate.buckets.get('prod-aws-managed')!.encryption)).to.equal(before);
    // The SDK models the enum but sends what it is given; the sandbox refuses it the same way.
    const err = await rejection(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'prod-aws-managed',
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-X' as EncryptionType] } }],
          },
        }),
      ),
    );
    expect(err.name).to.equal('MalformedXML');
  });
});
