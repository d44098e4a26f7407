/**
 * S3 Batch Operations for object remediation: a job that runs UpdateObjectEncryption over a CSV manifest
 * (S3 Control CreateJob with the S3UpdateObjectEncryption operation, API reference
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateJob.html and
 * API_control_S3UpdateObjectEncryptionOperation.html), its status (DescribeJob), confirmation and
 * cancellation (UpdateJobStatus), and the S3 reads and writes around it (the manifest uploaded, the
 * completion report read). @aws-sdk/client-s3-control is loaded only when a batch command runs, so a
 * scan never pays for it.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface BatchJobRequest {
  account: string;
  region: string;
  /** A unique token: CreateJob is idempotent by it. */
  token: string;
  description: string;
  roleArn: string;
  keyArn: string;
  bucketKeyEnabled: boolean;
  manifest: { bucket: string; key: string; etag: string; fields: ('Bucket' | 'Key' | 'VersionId')[] };
  report: { bucket: string; prefix: string };
  confirmationRequired: boolean;
}

export interface BatchJobStatus {
  jobId: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  failureReasons: string[];
}

export interface ControlTarget {
  /** The S3 client of the account and region (its credentials are reused). */
  s3: S3Client;
  region: string;
  /** --endpoint-url: every S3 Control request goes to it, without AWS's <account>. host prefix. */
  endpoint?: string;
}

type ControlModule = typeof import('@aws-sdk/client-s3-control');
let loaded: Promise<ControlModule> | undefined;
const control = (): Promise<ControlModule> => (loaded ??= import('@aws-sdk/client-s3-control'));

async function clientFor(t: ControlTarget) {
  const { S3ControlClient } = await control();
  return new S3ControlClient({
    region: t.region,
    credentials: t.s3.config.credentials,
    ...(t.endpoint ? { endpointProvider: () => ({ url: new URL(t.endpoint!) }) } : {}),
  });
}

/** Uploads a manifest (or any small text object); returns its ETag. */
export async function putText(s3: S3Client, bucket: string, key: string, text: string, contentType = 'text/csv'): Promise<string> {
  const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }));
  return out.ETag ?? '';
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

export async function createUpdateEncryptionJob(t: ControlTarget, r: BatchJobRequest): Promise<string> {
  const { CreateJobCommand } = await control();
  const client = await clientFor(t);
  try {
    const out = await client.send(
      new CreateJobCommand({
        AccountId: r.account,
        ConfirmationRequired: r.confirmationRequired,
        ClientRequestToken: r.token,
        Description: r.description,
        Priority: 10,
        RoleArn: r.roleArn,
        Operation: { S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: r.keyArn, BucketKeyEnabled: r.bucketKeyEnabled } } } },
        Manifest: {
          Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: r.manifest.fields },
          Location: { ObjectArn: `arn:aws:s3:::${r.manifest.bucket}/${r.manifest.key}`, ETag: r.manifest.etag },
        },
        Report: { Enabled: true, Bucket: `arn:aws:s3:::${r.report.bucket}`, Format: 'Report_CSV_20180820', Prefix: r.report.prefix, ReportScope: 'AllTasks' },
      }),
    );
    if (!out.JobId) throw new Error('CreateJob answered no JobId');
    return out.JobId;
  } finally {
    client.destroy();
  }
}

export async function describeJob(t: ControlTarget, account: string, jobId: string): Promise<BatchJobStatus> {
  const { DescribeJobCommand } = await control();
  const client = await clientFor(t);
  try {
    const job = (await client.send(new DescribeJobCommand({ AccountId: account, JobId: jobId }))).Job;
    return {
      jobId,
      status: job?.Status ?? 'Unknown',
      total: job?.ProgressSummary?.TotalNumberOfTasks ?? 0,
      succeeded: job?.ProgressSummary?.NumberOfTasksSucceeded ?? 0,
      failed: job?.ProgressSummary?.NumberOfTasksFailed ?? 0,
      failureReasons: (job?.FailureReasons ?? []).map((f) => `${f.FailureCode ?? ''}: ${f.FailureReason ?? ''}`),
    };
  } finally {
    client.destroy();
  }
}

export async function confirmJob(t: ControlTarget, account: string, jobId: string): Promise<string> {
  const { UpdateJobStatusCommand } = await control();
  const client = await clientFor(t);
  try {
    return (await client.send(new UpdateJobStatusCommand({ AccountId: account, JobId: jobId, RequestedJobStatus: 'Ready' }))).Status ?? 'Unknown';
  } finally {
    client.destroy();
  }
}
