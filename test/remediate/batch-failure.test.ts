/** remediate --batch: what a job that could not be created is reported as — the step, its target, S3's code. */
import { expect } from 'chai';
import { describeBatchFailure, type BatchJobFailure } from '../../src/remediate/actions/update-object-encryption/batch.js';

const failure = (over: Partial<BatchJobFailure> = {}): BatchJobFailure => ({
  job: 1,
  of: 1,
  account: '111122223333',
  region: 'us-east-1',
  objects: 4,
  step: 'manifest upload',
  manifest: 's3://missing/s3-kms-audit/n/1/manifest.csv',
  code: 'NoSuchBucket',
  message: 'The specified bucket does not exist',
  ...over,
});

describe('remediate/batch failure message', () => {
  it('a failed manifest upload names the manifest\'s bucket and key, S3\'s code, and points to --report-bucket', () => {
    expect(describeBatchFailure(failure(), 0)).to.equal(
      'S3 Batch Operations job 1 of 1 (111122223333, us-east-1, 4 objects) was not created: the manifest upload to s3://missing/s3-kms-audit/n/1/manifest.csv failed with NoSuchBucket: The specified bucket does not exist. 0 jobs were created. Check --report-bucket: it must exist in the job\'s region and accept the upload.',
    );
  });

  it('a failed CreateJob says so, with the jobs created before it and those not attempted after it', () => {
    const text = describeBatchFailure(failure({ job: 2, of: 4, step: 'CreateJob', code: 'AccessDenied', message: 'denied' }), 1);
    expect(text).to.contain('job 2 of 4').and.contain('CreateJob (manifest s3://missing/s3-kms-audit/n/1/manifest.csv) failed with AccessDenied: denied');
    expect(text).to.contain('the 2 jobs after it were not attempted. 1 job was created.');
    expect(text).to.not.contain('--report-bucket');
  });
});
