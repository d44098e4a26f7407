import { expect } from 'chai';
import type { PolicyException } from '../../src/domain/policy.js';
import { expiryInstant, matchException } from '../../src/engine/exceptions.js';

const bucketRes = { arn: 'arn:aws:s3:::prod-logs-eu', bucket: 'prod-logs-eu' };
const objectRes = { arn: 'arn:aws:s3:::prod-logs-eu/2024/01/a.log', bucket: 'prod-logs-eu' };
const now = new Date('2026-06-01T12:00:00Z');

const ex = (over: Partial<PolicyException>): PolicyException => ({ resource: 'prod-logs-*', reason: 'log targets need SSE-S3', ...over });

describe('engine/exceptions: matchException', () => {
  it('matches a bucket-name glob, for the bucket and its objects', () => {
    const list = [ex({})];
    expect(matchException(list, 'p', 'r', bucketRes, now)?.expired).to.equal(false);
    expect(matchException(list, 'p', 'r', objectRes, now)?.expired).to.equal(false);
    expect(matchException([ex({ resource: 'dev-*' })], 'p', 'r', bucketRes, now)).to.equal(undefined);
  });

  it('matches a bucket ARN exactly and covers the bucket objects', () => {
    const list = [ex({ resource: 'arn:aws:s3:::prod-logs-eu' })];
    expect(matchException(list, 'p', 'r', bucketRes, now)).to.not.equal(undefined);
    expect(matchException(list, 'p', 'r', objectRes, now)).to.not.equal(undefined);
    expect(matchException(list, 'p', 'r', { arn: 'arn:aws:s3:::prod-logs-eu2', bucket: 'prod-logs-eu2' }, now)).to.equal(undefined);
  });

  it('matches ARN globs, including object key globs', () => {
    expect(matchException([ex({ resource: 'arn:aws:s3:::prod-*' })], 'p', 'r', bucketRes, now)).to.not.equal(undefined);
    const keyGlob = [ex({ resource: 'arn:aws:s3:::prod-logs-eu/2024/*' })];
    expect(matchException(keyGlob, 'p', 'r', objectRes, now)).to.not.equal(undefined);
    expect(matchException(keyGlob, 'p', 'r', bucketRes, now)).to.equal(undefined);
  });

  it('limits to the listed rules and policies ("*" or absent = all)', () => {
    const list = [ex({ rules: ['s3-bucket-sse-kms'], policies: ['kms-everywhere'] })];
    expect(matchException(list, 'kms-everywhere', 's3-bucket-sse-kms', bucketRes, now)).to.not.equal(undefined);
    expect(matchException(list, 'kms-everywhere', 's3-bucket-cmk', bucketRes, now)).to.equal(undefined);
    expect(matchException(list, 'other-policy', 's3-bucket-sse-kms', bucketRes, now)).to.equal(undefined);
    expect(matchException([ex({ rules: ['*'] })], 'x', 'any-rule', bucketRes, now)).to.not.equal(undefined);
  });

  it('a date expiry lasts through the end of that day, UTC', () => {
    const list = [ex({ expires: '2026-06-01' })];
    expect(matchException(list, 'p', 'r', bucketRes, new Date('2026-06-01T23:59:59.999Z'))?.expired).to.equal(false);
    expect(matchException(list, 'p', 'r', bucketRes, new Date('2026-06-02T00:00:00.000Z'))?.expired).to.equal(true);
    expect(expiryInstant('2026-06-01')).to.equal(Date.parse('2026-06-01T23:59:59.999Z'));
  });

  it('a timestamp expiry is exact', () => {
    const list = [ex({ expires: '2026-06-01T12:00:00Z' })];
    expect(matchException(list, 'p', 'r', bucketRes, new Date('2026-06-01T12:00:00Z'))?.expired).to.equal(false);
    expect(matchException(list, 'p', 'r', bucketRes, new Date('2026-06-01T12:00:00.001Z'))?.expired).to.equal(true);
  });

  it('prefers an active exception over an expired one that also matches', () => {
    const old = ex({ expires: '2025-01-01', reason: 'old' });
    const renewed = ex({ expires: '2027-01-01', reason: 'renewed' });
    const hit = matchException([old, renewed], 'p', 'r', bucketRes, now);
    expect(hit?.expired).to.equal(false);
    expect(hit?.exception.reason).to.equal('renewed');
    expect(matchException([old], 'p', 'r', bucketRes, now)?.exception.reason).to.equal('old');
  });
});
