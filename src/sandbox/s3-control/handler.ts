/**
 * The sandbox's S3 Control API for S3 Batch Operations (REST-XML under /v20180820/, signed for service
 * "s3", the account in x-amz-account-id): CreateJob, DescribeJob, UpdateJobStatus and ListJobs, for jobs
 * whose operation is S3UpdateObjectEncryption (API reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateJob.html and
 * API_control_S3UpdateObjectEncryptionOperation.html). Other operations answer 501 NotImplemented.
 *
 * On AWS the endpoint is <account>.s3-control.<region>.amazonaws.com; a client pointed at the sandbox
 * sends the same request to its one address (src/aws/s3-control.ts turns off the account host prefix).
 */
import { AwsError, header, type SandboxRequest, type SandboxResponse } from '../protocol.js';
import type { Estate } from '../model.js';
import { childNamed, childrenNamed, childText, el, elAttrs, renderXml, type XmlContent, type XmlNode } from '../xml.js';
import { parseBody } from '../s3/wire.js';
import { bucketOfArn, jobsOf, loadTasks, newJobId, startJob, type Job, type JobStatus } from './jobs.js';

const NAMESPACE = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
export const S3_CONTROL_PREFIX = '/v20180820/';

const xml = (name: string, ...children: XmlContent[]): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': 'application/xml' },
  body: renderXml(elAttrs(name, { xmlns: NAMESPACE }, ...children)),
});

const invalidRequest = (message: string): AwsError => new AwsError('InvalidRequest', 400, message);

function accountOf(req: SandboxRequest): string {
  const account = header(req, 'x-amz-account-id');
  if (account === undefined) throw invalidRequest('Missing required header x-amz-account-id');
  // A caller manages only its own account's jobs.
  if (account !== req.account.id) throw new AwsError('AccessDenied', 403, 'Access Denied');
  return account;
}

function jobOf(estate: Estate, account: string, id: string): Job {
  const job = jobsOf(estate).get(id);
  if (!job || job.account !== account) throw new AwsError('NotFoundException', 404, `Job ${id} does not exist`);
  return job;
}

function bool(text: string | undefined, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw invalidRequest(`Invalid boolean ${text}`);
}

function createJob(req: SandboxRequest, estate: Estate): SandboxResponse {
  const account = accountOf(req);
  const root: XmlNode = parseBody(req.body);
  if (root.name !== 'CreateJobRequest') throw new AwsError('MalformedXML', 400, 'The XML you provided was not well-formed');
  const token = childText(root, 'ClientRequestToken');
  if (!token) throw invalidRequest('ClientRequestToken is required');
  // Idempotent by client request token.
  const existing = [...jobsOf(estate).values()].find((j) => j.account === account && j.clientRequestToken === token);
  if (existing) return xml('CreateJobResult', el('JobId', existing.id));

  const operation = childNamed(root, 'Operation');
  const update = operation && childNamed(operation, 'S3UpdateObjectEncryption');
  if (!operation) throw invalidRequest('Operation is required');
  if (!update) throw new AwsError('NotImplemented', 501, `the sandbox runs only S3UpdateObjectEncryption jobs (got ${operation.children.map((c) => c.name).join(', ')})`);
  const sseKms = childNamed(childNamed(update, 'ObjectEncryption') ?? update, 'SSE-KMS');
  const keyArn = sseKms && childText(sseKms, 'KMSKeyArn');
  if (!keyArn) throw invalidRequest('S3UpdateObjectEncryption requires ObjectEncryption SSE-KMS KMSKeyArn');
  const manifest = childNamed(root, 'Manifest');
  const location = manifest && childNamed(manifest, 'Location');
  const spec = manifest && childNamed(manifest, 'Spec');
  if (!location || !spec) throw invalidRequest('Manifest (Spec and Location) is required; the sandbox does not run manifest generators');
  if (childText(spec, 'Format') !== 'S3BatchOperations_CSV_20180820') throw invalidRequest('The sandbox reads only S3BatchOperations_CSV_20180820 manifests');
  const fieldsNode = childNamed(spec, 'Fields');
  const fields = fieldsNode ? childrenNamed(fieldsNode, 'member').map((m) => m.text.trim()) : [];
  const roleArn = childText(root, 'RoleArn');
  if (!roleArn || !/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/.test(roleArn)) throw invalidRequest('RoleArn must be an IAM role ARN');
  const report = childNamed(root, 'Report');
  if (!report) throw invalidRequest('Report is required');
  const reportEnabled = bool(childText(report, 'Enabled'), false);
  const reportBucket = childText(report, 'Bucket');
  if (reportEnabled && (!reportBucket || !bucketOfArn(reportBucket))) throw invalidRequest('Report Bucket must be a bucket ARN');

  const description = childText(root, 'Description');
  const etag = childText(location, 'ETag');
  const manifestVersion = childText(location, 'ObjectVersionId');
  const prefix = childText(report, 'Prefix');
  const scope = childText(report, 'ReportScope');
  const job: Job = {
    id: newJobId(),
    account,
    region: req.region,
    status: 'New',
    confirmationRequired: bool(childText(root, 'ConfirmationRequired'), false),
    ...(description !== undefined ? { description } : {}),
    priority: Number(childText(root, 'Priority') ?? '0'),
    roleArn,
    clientRequestToken: token,
    keyArn,
    bucketKeyEnabled: bool(childText(sseKms!, 'BucketKeyEnabled'), false),
    manifest: { objectArn: childText(location, 'ObjectArn') ?? '', ...(etag !== undefined ? { etag } : {}), ...(manifestVersion ? { versionId: manifestVersion } : {}), fields },
    report: { enabled: reportEnabled, ...(reportBucket ? { bucket: reportBucket } : {}), ...(prefix ? { prefix } : {}), ...(scope ? { scope } : {}) },
    creationTime: new Date(),
    failureReasons: [],
    tasks: [],
    results: [],
  };
  jobsOf(estate).set(job.id, job);
  loadTasks(estate, job);
  if (job.status !== 'Failed') {
    if (job.confirmationRequired) {
      job.status = 'Suspended';
      job.suspendedCause = 'AwaitingConfirmation';
    } else startJob(estate, job);
  }
  return xml('CreateJobResult', el('JobId', job.id));
}

function progress(job: Job): XmlContent {
  const failed = job.results.filter((r) => !r.succeeded).length;
  return el(
    'ProgressSummary',
    el('TotalNumberOfTasks', job.tasks.length),
    el('NumberOfTasksSucceeded', job.results.length - failed),
    el('NumberOfTasksFailed', failed),
  );
}

function describeJob(req: SandboxRequest, estate: Estate, id: string): SandboxResponse {
  const job = jobOf(estate, accountOf(req), id);
  return xml(
    'DescribeJobResult',
    el(
      'Job',
      el('JobId', job.id),
      el('ConfirmationRequired', job.confirmationRequired),
      job.description !== undefined ? el('Description', job.description) : null,
      el('JobArn', `arn:aws:s3:${job.region}:${job.account}:job/${job.id}`),
      el('Status', job.status),
      el(
        'Manifest',
        el('Spec', el('Format', 'S3BatchOperations_CSV_20180820'), el('Fields', job.manifest.fields.map((f) => el('member', f)))),
        el('Location', el('ObjectArn', job.manifest.objectArn), job.manifest.versionId ? el('ObjectVersionId', job.manifest.versionId) : null, job.manifest.etag !== undefined ? el('ETag', job.manifest.etag) : null),
      ),
      el('Operation', el('S3UpdateObjectEncryption', el('ObjectEncryption', el('SSE-KMS', el('KMSKeyArn', job.keyArn), el('BucketKeyEnabled', job.bucketKeyEnabled))))),
      el('Priority', job.priority),
      progress(job),
      job.failureReasons.length > 0 ? el('FailureReasons', job.failureReasons.map((f) => el('member', el('FailureCode', f.code), el('FailureReason', f.reason)))) : null,
      el(
        'Report',
        job.report.bucket ? el('Bucket', job.report.bucket) : null,
        el('Format', 'Report_CSV_20180820'),
        el('Enabled', job.report.enabled),
        job.report.prefix ? el('Prefix', job.report.prefix) : null,
        job.report.scope ? el('ReportScope', job.report.scope) : null,
      ),
      el('CreationTime', job.creationTime.toISOString()),
      job.terminationDate ? el('TerminationDate', job.terminationDate.toISOString()) : null,
      el('RoleArn', job.roleArn),
      job.suspendedCause ? el('SuspendedCause', job.suspendedCause) : null,
    ),
  );
}

/** UpdateJobStatus: Ready confirms a Suspended job; Cancelled stops a job that has not ended. */
function updateJobStatus(req: SandboxRequest, estate: Estate, id: string): SandboxResponse {
  const job = jobOf(estate, accountOf(req), id);
  const requested = req.query.get('requestedJobStatus');
  const ended: JobStatus[] = ['Complete', 'Cancelled', 'Failed'];
  if (requested === 'Ready') {
    if (job.status !== 'Suspended') throw new AwsError('JobStatusException', 409, `Job ${id} is ${job.status}; only a Suspended job awaiting confirmation can be made Ready`);
    job.status = 'Ready';
    delete job.suspendedCause;
    startJob(estate, job);
  } else if (requested === 'Cancelled') {
    if (ended.includes(job.status)) throw new AwsError('JobStatusException', 409, `Job ${id} is already ${job.status}`);
    if (job.status === 'Active') job.status = 'Cancelling';
    else {
      job.status = 'Cancelled';
      job.terminationDate = new Date();
    }
  } else {
    throw invalidRequest(`requestedJobStatus must be Ready or Cancelled (got ${requested ?? 'none'})`);
  }
  const reason = req.query.get('statusUpdateReason');
  return xml('UpdateJobStatusResult', el('JobId', job.id), el('Status', job.status), reason ? el('StatusUpdateReason', reason) : null);
}

function listJobs(req: SandboxRequest, estate: Estate): SandboxResponse {
  const account = accountOf(req);
  const statuses = req.query.getAll('jobStatuses');
  const jobs = [...jobsOf(estate).values()]
    .filter((j) => j.account === account && (statuses.length === 0 || statuses.includes(j.status)))
    .sort((a, b) => b.creationTime.getTime() - a.creationTime.getTime());
  const max = Math.min(1000, Number(req.query.get('maxResults') ?? '1000') || 1000);
  const start = Number(req.query.get('nextToken') ?? '0') || 0;
  const page = jobs.slice(start, start + max);
  return xml(
    'ListJobsResult',
    start + max < jobs.length ? el('NextToken', String(start + max)) : null,
    el(
      'Jobs',
      page.map((j) =>
        el(
          'member',
          el('JobId', j.id),
          j.description !== undefined ? el('Description', j.description) : null,
          el('Operation', 'S3UpdateObjectEncryption'),
          el('Priority', j.priority),
          el('Status', j.status),
          el('CreationTime', j.creationTime.toISOString()),
          j.terminationDate ? el('TerminationDate', j.terminationDate.toISOString()) : null,
          progress(j),
        ),
      ),
    ),
  );
}

export function handleS3Control(req: SandboxRequest, estate: Estate): SandboxResponse {
  const path = req.rawPath.slice(S3_CONTROL_PREFIX.length).replace(/\/$/, '');
  const parts = path.split('/').map((p) => decodeURIComponent(p));
  if (parts[0] === 'jobs') {
    if (parts.length === 1 && req.method === 'POST') return createJob(req, estate);
    if (parts.length === 1 && req.method === 'GET') return listJobs(req, estate);
    if (parts.length === 2 && req.method === 'GET') return describeJob(req, estate, parts[1]!);
    if (parts.length === 3 && parts[2] === 'status' && req.method === 'POST') return updateJobStatus(req, estate, parts[1]!);
  }
  throw new AwsError('NotImplemented', 501, `the sandbox does not model S3 Control ${req.method} ${req.rawPath}`);
}
