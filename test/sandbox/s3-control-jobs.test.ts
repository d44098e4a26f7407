/**
 * S3 Batch Operations in the sandbox (S3 Control, REST-XML under /v20180820/), through the real
 * @aws-sdk/client-s3-control over HTTP: CreateJob with the S3UpdateObjectEncryption operation over an
 * uploaded CSV manifest, confirmation (Suspended until UpdateJobStatus Ready), the job running
 * asynchronously, DescribeJob's progress, ListJobs, cancellation, an injected fault failing one task, and the
 * completion report in AWS's format. SDK-level only: Debian's AWS CLI 2.9.19 knows `s3control create-job`
 * but not the S3UpdateObjectEncryption operation.
 */
import { expect } from 'chai';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, DescribeJobCommand, ListJobsCommand, S3ControlClient, UpdateJobStatusCommand, type JobStatus } from '@aws-sdk/client-s3-control';
import { rejection } from '../helpers/errors.js';
import { accountOf, s3For, useSandbox } from '../helpers/sandbox.js';

const ACCOUNT = '111122223333';
const PROD_DATA = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1111aaaa-0000-4000-8000-000000000001`;
const MIXED = 'prod-objects-mixed';
const REPORTS = 'prod-cmk-by-arn';

describe('sandbox S3 Control: Batch Operations UpdateObjectEncryption jobs (SDK)', function () {
  this.timeout(60_000);
  const ctx = useSandbox();
  let s3: S3Client;
  let control: S3ControlClient;
  let n = 0;
  before(() => {
    s3 = s3For(ctx.sb, 'prod', 'us-east-1');
    const prod = accountOf(ctx.sb, 'prod');
    // A client pointed at one address: AWS's <account>.s3-control host prefix cannot be used with an IP.
    control = new S3ControlClient({
      region: 'us-east-1',
      credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey },
      endpointProvider: () => ({ url: new URL(ctx.sb.endpoint) }),
    });
  });
  after(() => control.destroy());

  async function manifest(keys: string[]): Promise<{ ObjectArn: string; ETag: string }> {
    const key = `manifests/m-${++n}.csv`;
    const body = keys.map((k) => `${MIXED},${encodeURIComponent(k)}`).join('\n') + '\n';
    const put = await s3.send(new PutObjectCommand({ Bucket: REPORTS, Key: key, Body: body }));
    return { ObjectArn: `arn:aws:s3:::${REPORTS}/${key}`, ETag: put.ETag! };
  }

  const create = async (keys: string[], confirm: boolean): Promise<string> => {
    const out = await control.send(
      new CreateJobCommand({
        AccountId: ACCOUNT,
        ConfirmationRequired: confirm,
        ClientRequestToken: `token-${process.pid}-${++n}`,
        Priority: 10,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/BatchOperationsRole`,
        Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: PROD_DATA, BucketKeyEnabled: true } } } },
        Manifest: { Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] }, Location: await manifest(keys) },
        Report: { Enabled: true, Bucket: `arn:aws:s3:::${REPORTS}`, Format: 'Report_CSV_20180820', Prefix: 'reports', ReportScope: 'AllTasks' },
      }),
    );
    return out.JobId!;
  };

  async function until(jobId: string, statuses: JobStatus[]): Promise<NonNullable<Awaited<ReturnType<typeof describe>>>> {
    for (let i = 0; i < 500; i++) {
      const job = await describe(jobId);
      if (statuses.includes(job!.Status!)) return job!;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${jobId} never reached ${statuses.join('/')}`);
  }
  const describe = async (jobId: string) => (await control.send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId: jobId }))).Job;

  it('waits for confirmation, runs every task when made Ready, and writes the completion report', async () => {
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'index.html' }))).ETag;
    const jobId = await create(['index.html', 'uploads/managed.json', 'dsse/ledger.parquet'], true);
    const waiting = await describe(jobId);
    expect(waiting).to.deep.include({ Status: 'Suspended', SuspendedCause: 'AwaitingConfirmation', ConfirmationRequired: true });
    expect(waiting!.Operation?.S3UpdateObjectEncryption?.ObjectEncryption?.SSEKMS).to.deep.equal({ KMSKeyArn: PROD_DATA, BucketKeyEnabled: true });
    const ready = await control.send(new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: jobId, RequestedJobStatus: 'Ready' }));
    expect(ready.Status).to.be.oneOf(['Ready', 'Active']);
    const done = await until(jobId, ['Complete']);
    expect(done.ProgressSummary).to.deep.include({ TotalNumberOfTasks: 3, NumberOfTasksSucceeded: 2, NumberOfTasksFailed: 1 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'index.html' }));
    expect(head).to.include({ SSEKMSKeyId: PROD_DATA, ETag: etag });

    const manifestJson = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: REPORTS, Key: `reports/job-${jobId}/manifest.json` }))).Body!.transformToString()) as {
      Format: string;
      Results: { TaskExecutionStatus: string; Bucket: string; Key: string }[];
      ReportSchema: string;
    };
    expect(manifestJson.Format).to.equal('Report_CSV_20180820');
    expect(manifestJson.ReportSchema).to.equal('Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage');
    const failed = manifestJson.Results.find((r) => r.TaskExecutionStatus === 'failed')!;
    const rows = await (await s3.send(new GetObjectCommand({ Bucket: failed.Bucket, Key: failed.Key }))).Body!.transformToString();
    expect(rows.trim()).to.match(/^prod-objects-mixed,dsse%2Fledger\.parquet,,failed,400,InvalidRequest,/);
  });

  it('a job without confirmation runs at once; an injected fault fails its task with that code; ListJobs lists it', async () => {
    ctx.sb.estate.buckets.get(MIXED)!.faults.push({ operation: 'UpdateObjectEncryption', keys: 'reports/2025/q3.csv', error: 'SlowDown' });
    const jobId = await create(['reports/2025/q1.csv', 'reports/2025/q3.csv'], false);
    const done = await until(jobId, ['Complete']);
    expect(done.ProgressSummary).to.deep.include({ NumberOfTasksSucceeded: 1, NumberOfTasksFailed: 1 });
    const listed = await control.send(new ListJobsCommand({ AccountId: ACCOUNT, JobStatuses: ['Complete'] }));
    expect(listed.Jobs!.map((j) => j.JobId)).to.include(jobId);
    expect(listed.Jobs!.find((j) => j.JobId === jobId)).to.deep.include({ Operation: 'S3UpdateObjectEncryption', Status: 'Complete' });
  });

  it('cancels a job awaiting confirmation, and refuses to confirm it afterwards', async () => {
    const jobId = await create(['uploads/legacy-1.bin'], true);
    const cancelled = await control.send(new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: jobId, RequestedJobStatus: 'Cancelled' }));
    expect(cancelled.Status).to.equal('Cancelled');
    const err = await rejection(control.send(new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: jobId, RequestedJobStatus: 'Ready' })));
    expect(err.name).to.equal('JobStatusException');
    const head = await s3.send(new HeadObjectCommand({ Bucket: MIXED, Key: 'uploads/legacy-1.bin' }));
    expect(head.ServerSideEncryption).to.equal('AES256');
  });

  it('fails a job whose manifest ETag does not match, and answers NotFoundException for an unknown job', async () => {
    const location = await manifest(['index.html']);
    const out = await control.send(
      new CreateJobCommand({
        AccountId: ACCOUNT,
        ClientRequestToken: `etag-${process.pid}`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/BatchOperationsRole`,
        Priority: 1,
        Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: PROD_DATA } } } },
        Manifest: { Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] }, Location: { ...location, ETag: '"0000"' } },
        Report: { Enabled: false },
      }),
    );
    const job = await describe(out.JobId!);
    expect(job!.Status).to.equal('Failed');
    expect(job!.FailureReasons?.[0]?.FailureCode).to.equal('ManifestETagMismatch');
    const missing = await rejection(control.send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId: '00000000-0000-0000-0000-000000000000' })));
    expect(missing.name).to.equal('NotFoundException');
  });
});
