/**
 * S3 Batch Operations jobs in the sandbox, for the UpdateObjectEncryption operation only: the job store (per
 * estate), the asynchronous runner over the manifest's tasks, and the completion report.
 *
 * Lifecycle (User Guide, "Batch Operations job statuses",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-job-status.html): a job that needs
 * confirmation waits as Suspended until UpdateJobStatus Ready; then Active while its tasks run, and Complete
 * (or Failed, when the manifest cannot be read). UpdateJobStatus Cancelled makes it Cancelling, then Cancelled
 * once the running tasks stop. Each task is the same change the UpdateObjectEncryption API makes (and meets
 * the same per-bucket faults), so injected faults fail some tasks with S3's result codes.
 *
 * Completion report (User Guide, "Examples: S3 Batch Operations completion reports",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html):
 * `<prefix>/job-<id>/manifest.json` naming one CSV of succeeded and one of failed tasks under
 * `<prefix>/job-<id>/results/`, rows "Bucket,Key,VersionId,TaskStatus,HTTPStatusCode,ErrorCode,ResultMessage"
 * — the order of the documented example rows (the ReportSchema line names ErrorCode before HTTPStatusCode,
 * but the example rows and AWS's reports put the status code first).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Estate, SandboxBucket, SandboxObject } from '../model.js';
import { AwsError } from '../protocol.js';
import { injectBucketFault } from '../s3/bucket-checks.js';
import { etagFor } from '../s3/store/etag.js';
import { findObject } from '../s3/store/objects.js';
import { findVersion, storeVersion } from '../s3/store/versions.js';
import { changeObjectEncryption } from '../s3/update-object-encryption.js';

export type JobStatus = 'Active' | 'Cancelled' | 'Cancelling' | 'Complete' | 'Completing' | 'Failed' | 'Failing' | 'New' | 'Paused' | 'Pausing' | 'Preparing' | 'Ready' | 'Suspended';

export interface JobTask {
  bucket: string;
  key: string;
  versionId?: string;
}

export interface TaskResult {
  task: JobTask;
  succeeded: boolean;
  httpStatus: number;
  code: string;
  message: string;
}

export interface Job {
  id: string;
  account: string;
  region: string;
  status: JobStatus;
  confirmationRequired: boolean;
  description?: string;
  priority: number;
  roleArn: string;
  clientRequestToken: string;
  keyArn: string;
  bucketKeyEnabled: boolean;
  manifest: { objectArn: string; etag?: string; versionId?: string; fields: string[] };
  report: { enabled: boolean; bucket?: string; prefix?: string; scope?: string };
  creationTime: Date;
  terminationDate?: Date;
  suspendedCause?: string;
  failureReasons: { code: string; reason: string }[];
  tasks: JobTask[];
  results: TaskResult[];
}

const stores = new WeakMap<Estate, Map<string, Job>>();
export function jobsOf(estate: Estate): Map<string, Job> {
  let jobs = stores.get(estate);
  if (!jobs) stores.set(estate, (jobs = new Map()));
  return jobs;
}

/** Tasks run a few at a time per tick, so a job is visibly Active for a while and can be cancelled part-way. */
const TASKS_PER_TICK = 4;

const parseS3Arn = (arn: string): { bucket: string; key: string } | undefined => {
  const m = /^arn:aws[a-z-]*:s3:::([^/]+)\/(.+)$/.exec(arn);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
};
export const bucketOfArn = (arn: string): string | undefined => /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(arn)?.[1];

/** Manifest CSV: bucket,key[,versionId] per line; keys URL-encoded (User Guide, "Specifying a manifest"). */
function parseManifest(text: string, fields: string[]): JobTask[] {
  const tasks: JobTask[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const at = (name: string): string | undefined => {
      const i = fields.indexOf(name);
      return i >= 0 ? cells[i] : undefined;
    };
    const bucket = at('Bucket');
    const key = at('Key');
    if (!bucket || key === undefined) throw new Error(`malformed manifest line: ${line}`);
    const versionId = at('VersionId');
    tasks.push({ bucket, key: decodeURIComponent(key.replace(/\+/g, ' ')), ...(versionId ? { versionId } : {}) });
  }
  return tasks;
}

/** Reads the manifest at creation: a missing object or a different ETag fails the job (as S3 does before running it). */
export function loadTasks(estate: Estate, job: Job): void {
  const where = parseS3Arn(job.manifest.objectArn);
  const bucket = where && estate.buckets.get(where.bucket);
  const object = bucket && where && (job.manifest.versionId ? findVersion(estate, bucket, where.key, job.manifest.versionId) : findObject(estate, bucket, where.key));
  if (!object || !object.body) {
    fail(job, 'ManifestNotFound', `Reading the manifest ${job.manifest.objectArn} failed: the object does not exist`);
    return;
  }
  if (job.manifest.etag !== undefined && job.manifest.etag.replace(/"/g, '') !== object.etag.replace(/"/g, '')) {
    fail(job, 'ManifestETagMismatch', `The manifest ETag ${job.manifest.etag} does not match the object's ETag ${object.etag}`);
    return;
  }
  try {
    job.tasks = parseManifest(object.body.toString('utf8'), job.manifest.fields);
  } catch (e) {
    fail(job, 'ManifestMalformed', (e as Error).message);
  }
}

function fail(job: Job, code: string, reason: string): void {
  job.status = 'Failed';
  job.failureReasons.push({ code, reason });
  job.terminationDate = new Date();
}

/** One task: the object version's encryption changed exactly as UpdateObjectEncryption would. */
function runTask(estate: Estate, job: Job, task: JobTask): TaskResult {
  try {
    const bucket: SandboxBucket | undefined = estate.buckets.get(task.bucket);
    if (!bucket) throw new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist');
    if (bucket.account !== job.account) throw new AwsError('AccessDenied', 403, 'Access Denied');
    injectBucketFault(bucket, 'UpdateObjectEncryption', task.key);
    const object = task.versionId !== undefined && bucket.versioning !== undefined ? findVersion(estate, bucket, task.key, task.versionId) : findObject(estate, bucket, task.key);
    if (!object || object.deleteMarker) throw new AwsError(task.versionId ? 'NoSuchVersion' : 'NoSuchKey', 404, 'The specified key does not exist.');
    changeObjectEncryption(estate, bucket, object, { keyArn: job.keyArn, bucketKeyEnabled: job.bucketKeyEnabled });
    return { task, succeeded: true, httpStatus: 200, code: '', message: 'Successful' };
  } catch (e) {
    if (e instanceof AwsError) return { task, succeeded: false, httpStatus: e.status, code: e.code, message: e.message };
    return { task, succeeded: false, httpStatus: 500, code: 'InternalError', message: e instanceof Error ? e.message : String(e) };
  }
}

/** Runs the job's remaining tasks on later ticks; the job may be cancelled between ticks. */
export function startJob(estate: Estate, job: Job): void {
  job.status = 'Active';
  const step = (): void => {
    if (job.status === 'Cancelling') {
      finish(estate, job, 'Cancelled');
      return;
    }
    for (let i = 0; i < TASKS_PER_TICK && job.results.length < job.tasks.length; i++) {
      job.results.push(runTask(estate, job, job.tasks[job.results.length]!));
    }
    if (job.results.length >= job.tasks.length) finish(estate, job, 'Complete');
    else setTimeout(step, 1);
  };
  setTimeout(step, 1);
}

function finish(estate: Estate, job: Job, status: 'Complete' | 'Cancelled'): void {
  job.status = status;
  job.terminationDate = new Date();
  writeReport(estate, job);
}

const csvCell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const reportRow = (r: TaskResult): string =>
  [r.task.bucket, encodeURIComponent(r.task.key), r.task.versionId ?? '', r.succeeded ? 'succeeded' : 'failed', String(r.httpStatus), r.code, r.message].map(csvCell).join(',');

function putReportObject(estate: Estate, bucket: SandboxBucket, key: string, text: string): string {
  const body = Buffer.from(text, 'utf8');
  const md5 = createHash('md5').update(body).digest('hex');
  const object: SandboxObject = { key, versionId: 'null', size: body.length, etag: etagFor(md5, 'AES256', undefined), lastModified: new Date(), sse: 'AES256', bucketKeyEnabled: false, body };
  storeVersion(estate, bucket, object);
  return md5;
}

/** The completion report, when the job asked for one and at least one task ran. */
function writeReport(estate: Estate, job: Job): void {
  if (!job.report.enabled || job.results.length === 0) return;
  const bucketName = job.report.bucket ? bucketOfArn(job.report.bucket) : undefined;
  const bucket = bucketName ? estate.buckets.get(bucketName) : undefined;
  if (!bucket) {
    job.failureReasons.push({ code: 'ReportBucketNotFound', reason: `The completion report bucket ${job.report.bucket ?? ''} does not exist` });
    return;
  }
  const base = `${job.report.prefix ? `${job.report.prefix.replace(/\/$/, '')}/` : ''}job-${job.id}`;
  const results: object[] = [];
  for (const [status, rows] of [
    ['succeeded', job.results.filter((r) => r.succeeded)],
    ['failed', job.results.filter((r) => !r.succeeded)],
  ] as const) {
    if (rows.length === 0 || (status === 'succeeded' && job.report.scope === 'FailedTasksOnly')) continue;
    const key = `${base}/results/${createHash('sha1').update(`${job.id}/${status}`).digest('hex')}.csv`;
    const md5 = putReportObject(estate, bucket, key, rows.map(reportRow).join('\n') + '\n');
    results.push({ TaskExecutionStatus: status, Bucket: bucket.name, MD5Checksum: md5, Key: key });
  }
  const manifest = {
    Format: 'Report_CSV_20180820',
    ReportCreationDate: new Date().toISOString(),
    Results: results,
    ReportSchema: 'Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage',
  };
  putReportObject(estate, bucket, `${base}/manifest.json`, JSON.stringify(manifest));
}

export const newJobId = (): string => randomUUID();
