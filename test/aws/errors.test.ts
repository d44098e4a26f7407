import { expect } from 'chai';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { isNotFound, redact, toFactError } from '../../src/aws/errors.js';
import { regionFromLocationConstraint, regionFromRedirect } from '../../src/aws/s3.js';

describe('aws/errors: toFactError', () => {
  it('takes the code from an SDK service exception name and keeps the operation and message', () => {
    const err = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, attempts: 1 }, message: 'Access Denied' });
    expect(toFactError(err, 'GetBucketEncryption')).to.deep.equal({ code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' });
  });

  it('says how many attempts were made when the SDK retried', () => {
    const err = new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 5 }, message: 'Rate exceeded' });
    const fe = toFactError(err, 'DescribeKey');
    expect(fe.code).to.equal('ThrottlingException');
    expect(fe.message).to.equal('Rate exceeded (after 5 attempts)');
  });

  it('maps SDK timeouts to Timeout and socket errors to their errno code', () => {
    const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    expect(toFactError(timeout, 'ListBuckets').code).to.equal('Timeout');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toFactError(reset, 'ListBuckets').code).to.equal('ECONNRESET');
    const etimedout = Object.assign(new Error('x'), { code: 'ETIMEDOUT' });
    expect(toFactError(etimedout, 'ListBuckets').code).to.equal('Timeout');
  });

  it('falls back to Code, then to the HTTP status, for unmodelled errors', () => {
    expect(toFactError(Object.assign(new Error('m'), { Code: 'Weird' }), 'Op').code).to.equal('Weird');
    expect(toFactError(Object.assign(new Error('m'), { $metadata: { httpStatusCode: 502 } }), 'Op').code).to.equal('Http502');
    expect(toFactError('just a string', 'Op')).to.deep.equal({ code: 'UnknownError', operation: 'Op', message: 'just a string' });
  });

  it('never carries access key ids or signatures in messages', () => {
    const err = new S3ServiceException({
      name: 'InvalidAccessKeyId',
      $fault: 'client',
      $metadata: {},
      message: 'The AWS Access Key Id AKIADEMOPROD00000001 you provided does not exist; X-Amz-Signature=abcdef0123 X-Amz-Security-Token=FQoGZXIvYXdzE',
    });
    const fe = toFactError(err, 'ListBuckets');
    expect(fe.message).to.not.include('AKIADEMOPROD00000001');
    expect(fe.message).to.not.include('abcdef0123');
    expect(fe.message).to.not.include('FQoGZXIvYXdzE');
    expect(redact('ASIAABCDEFGHIJKLMNOP')).to.equal('<access-key-id>');
  });
});

describe('aws/errors: isNotFound', () => {
  it('matches the given code only', () => {
    const err = new S3ServiceException({ name: 'NoSuchTagSet', $fault: 'client', $metadata: {} });
    expect(isNotFound(err, 'NoSuchTagSet')).to.equal(true);
    expect(isNotFound(err, 'NoSuchBucket')).to.equal(false);
    expect(isNotFound(undefined, 'NoSuchTagSet')).to.equal(false);
  });
});

describe('aws/s3: regionFromRedirect', () => {
  const s3Error = (name: string, status: number, headers: Record<string, string> = {}, extra: object = {}): S3ServiceException =>
    Object.assign(
      Object.defineProperty(new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name }), '$response', {
        value: { statusCode: status, headers },
      }),
      extra,
    );
  it('reads the bucket region of a 301 PermanentRedirect from x-amz-bucket-region', () => {
    expect(regionFromRedirect(s3Error('PermanentRedirect', 301, { 'x-amz-bucket-region': 'eu-west-1' }))).to.equal('eu-west-1');
    expect(regionFromRedirect(s3Error('PermanentRedirect', 301))).to.equal(undefined);
  });
  it('reads the 400 wrong-region answers, and nothing from any other error', () => {
    expect(regionFromRedirect(s3Error('IllegalLocationConstraintException', 400, { 'x-amz-bucket-region': 'af-south-1' }))).to.equal('af-south-1');
    expect(regionFromRedirect(s3Error('AuthorizationHeaderMalformed', 400, {}, { Region: 'eu-central-1' }))).to.equal('eu-central-1');
    // A denial is never a region problem, whatever headers it carries.
    expect(regionFromRedirect(s3Error('AccessDenied', 403, { 'x-amz-bucket-region': 'eu-west-1' }))).to.equal(undefined);
    expect(regionFromRedirect(s3Error('InvalidRequest', 400, { 'x-amz-bucket-region': 'eu-west-1' }))).to.equal(undefined);
    expect(regionFromRedirect(new Error('socket hang up'))).to.equal(undefined);
  });
});

describe('aws/s3: regionFromLocationConstraint', () => {
  it('reads null/empty as us-east-1 and the legacy EU constraint as eu-west-1', () => {
    expect(regionFromLocationConstraint(null)).to.equal('us-east-1');
    expect(regionFromLocationConstraint(undefined)).to.equal('us-east-1');
    expect(regionFromLocationConstraint('')).to.equal('us-east-1');
    expect(regionFromLocationConstraint('EU')).to.equal('eu-west-1');
    expect(regionFromLocationConstraint('ap-southeast-2')).to.equal('ap-southeast-2');
  });
});
