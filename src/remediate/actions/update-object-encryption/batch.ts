/**
 * Object changes as S3 Batch Operations jobs (`remediate --objects --apply --batch`): one job per account,
 * region, target key and Bucket Key setting (a job's UpdateObjectEncryption operation names one key), over a
 * CSV manifest of the planned object versions that the tool uploads next to the completion report. The
 * batch record (<out>/<name>.batch.json) keeps each job's id and the objects' states before, so `status`
 * can read the completion report, verify a sample with HeadObject and list the failures with S3's result
 * codes.
 *
 * Rollback of a batch record creates the reverse jobs: for the rows the completion report says succeeded and
 * that were under a KMS key before, one job per previous key and Bucket Key setting; rows that were SSE-S3
 * cannot be reversed by this operation and are listed instead.
 *
 * Not done yet: a manifest generator filtered by MatchAnyObjectEncryption instead of an uploaded manifest.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { headObjectState } from '../../../aws/object-encryption.js';
import { createUpdateEncryptionJob, describeJob, getText, putText, type BatchJobStatus, type ControlTarget } from '../../../aws/s3-control.js';
import type { AccountSession } from '../../../aws/session.js';
import { toFactError } from '../../../aws/errors.js';
import { UsageError } from '../../../domain/errors.js';
import { temporarySibling } from '../../../paths.js';
import { rename } from 'node:fs/promises';
import { batchRoleProblem } from './batch-role.js';
import type { ObjectEncryptionState, PlannedObjectChange } from './types.js';

export const BATCH_KIND = 's3-kms-audit/remediation-batch';

export interface BatchJobRecord {
  account: string;
  region: string;
  jobId: string;
  keyArn: string;
  bucketKeyEnabled: boolean;
  manifest: { bucket: string; key: string; etag: string };
  report: { bucket: string; prefix: string };
  objects: { bucket: string; key: string; versionId?: string; before: ObjectEncryptionState; irreversible: boolean }[];
}

export interface BatchRecord {
  v: 1;
  kind: typeof BATCH_KIND;
  planRunId: string;
  created: string;
  confirmationRequired: boolean;
  /** The role the jobs run as (rollback's reverse jobs use it too). */
  roleArn: string;
  /** Set on the record of a rollback: the batch record it reverses. */
  reverses?: string;
  jobs: BatchJobRecord[];
}

export interface SubmitOptions {
  sessions: readonly AccountSession[];
  roleArn: string;
  reportBucket: string;
  name: string;
  planRunId: string;
  confirmationRequired: boolean;
  endpoint?: string;
}

/**
 * A manifest row (User Guide, "Specifying a manifest"): Bucket,Key[,VersionId], the key URL-encoded with "/"
 * kept as in AWS's examples. "The manifest must either include version IDs for all objects or omit version
 * IDs for all objects": with versions, an object without one is written as the version "null".
 */
const manifestRow = (c: PlannedObjectChange, withVersions: boolean): string =>
  [c.bucket, encodeURIComponent(c.object.key).replace(/%2F/g, '/'), ...(withVersions ? [c.object.versionId ?? 'null'] : [])].join(',');

const groupOf = (c: PlannedObjectChange): string => JSON.stringify([c.account, c.region, c.after.kmsKeyArn, c.after.bucketKeyEnabled]);

/** A job that could not be created, and why: the step that failed, on what, with S3's error code. */
export interface BatchJobFailure {
  /** 1-based, of `of` jobs this run was to create. */
  job: number;
  of: number;
  account: string;
  region: string;
  objects: number;
  step: 'manifest upload' | 'CreateJob';
  /** s3://bucket/key of the manifest. */
  manifest: string;
  code: string;
  message: string;
}

/**
 * What was submitted: the record of every job created, and, when one could not be created, why — the jobs
 * after it are not attempted. The record is never lost with the error: the jobs it holds run all the same.
 */
export interface BatchSubmission {
  record: BatchRecord;
  failure?: BatchJobFailure;
}

export async function submitBatch(changes: readonly PlannedObjectChange[], opts: SubmitOptions): Promise<BatchSubmission> {
  // Every job is created in its objects' account and must run as a role of that account (batch-role.ts).
  const foreignRole = batchRoleProblem(opts.roleArn, changes.map((c) => c.account), 'every');
  if (foreignRole) throw new UsageError(foreignRole);
  const groups = new Map<string, PlannedObjectChange[]>();
  for (const c of changes) {
    const g = groups.get(groupOf(c));
    if (g) g.push(c);
    else groups.set(groupOf(c), [c]);
  }
  // Every job's credentials before the first upload: a missing account must not stop the run half-way.
  const missing = [...groups.values()].map((m) => m[0]!.account).find((a) => !opts.sessions.some((s) => s.account === a));
  if (missing !== undefined) throw new UsageError(`no credentials for account ${missing} (pass --assume-role for it)`);
  const jobs: BatchJobRecord[] = [];
  const record = (): BatchRecord => ({ v: 1, kind: BATCH_KIND, planRunId: opts.planRunId, created: new Date().toISOString(), confirmationRequired: opts.confirmationRequired, roleArn: opts.roleArn, jobs });
  let n = 0;
  for (const members of groups.values()) {
    const first = members[0]!;
    const session = opts.sessions.find((s) => s.account === first.account)!;
    const s3 = session.s3(first.region);
    const base = `s3-kms-audit/${opts.name}/${++n}`;
    const manifestKey = `${base}/manifest.csv`;
    const failed = (step: BatchJobFailure['step'], err: unknown): BatchSubmission => {
      const { code, message } = toFactError(err, step === 'CreateJob' ? 'CreateJob' : 'PutObject');
      const failure = { job: n, of: groups.size, account: first.account, region: first.region, objects: members.length, step, manifest: `s3://${opts.reportBucket}/${manifestKey}`, code, message };
      return { record: record(), failure };
    };
    const withVersions = members.some((c) => c.object.versionId !== undefined);
    let etag: string;
    try {
      etag = await putText(s3, opts.reportBucket, manifestKey, members.map((c) => manifestRow(c, withVersions)).join('\n') + '\n');
    } catch (err) {
      return failed('manifest upload', err);
    }
    const target: ControlTarget = { s3, region: first.region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) };
    const report = { bucket: opts.reportBucket, prefix: `${base}/report` };
    let jobId: string;
    try {
      jobId = await createUpdateEncryptionJob(target, {
        account: first.account,
        region: first.region,
        token: `${opts.planRunId}-${n}`.slice(0, 64),
        description: `s3-kms-audit ${opts.name}: ${members.length} objects to ${first.after.kmsKeyArn}`,
        roleArn: opts.roleArn,
        keyArn: first.after.kmsKeyArn!,
        bucketKeyEnabled: first.after.bucketKeyEnabled,
        manifest: { bucket: opts.reportBucket, key: manifestKey, etag, fields: withVersions ? ['Bucket', 'Key', 'VersionId'] : ['Bucket', 'Key'] },
        report,
        confirmationRequired: opts.confirmationRequired,
      });
    } catch (err) {
      return failed('CreateJob', err);
    }
    jobs.push({
      account: first.account,
      region: first.region,
      jobId,
      keyArn: first.after.kmsKeyArn!,
      bucketKeyEnabled: first.after.bucketKeyEnabled,
      manifest: { bucket: opts.reportBucket, key: manifestKey, etag },
      report,
      objects: members.map((c) => ({ bucket: c.bucket, key: c.object.key, ...(c.object.versionId ? { versionId: c.object.versionId } : {}), before: c.before, irreversible: c.irreversible })),
    });
  }
  return { record: record() };
}

/** What a job that could not be created means, in one line: the step, its target, S3's code, and what was not submitted. */
export function describeBatchFailure(f: BatchJobFailure, created: number): string {
  const what = f.step === 'manifest upload' ? `the manifest upload to ${f.manifest} failed with ${f.code}` : `CreateJob (manifest ${f.manifest}) failed with ${f.code}`;
  const later = f.of - f.job;
  return (
    `S3 Batch Operations job ${f.job} of ${f.of} (${f.account}, ${f.region}, ${f.objects} objects) was not created: ${what}: ${f.message}` +
    (later > 0 ? `; the ${later} job${later === 1 ? '' : 's'} after it ${later === 1 ? 'was' : 'were'} not attempted` : '') +
    `. ${created} job${created === 1 ? ' was' : 's were'} created.` +
    (f.step === 'manifest upload' ? ' Check --report-bucket: it must exist in the job\'s region and accept the upload.' : '')
  );
}

/** What the reverse jobs of a batch record are made of, from its jobs' completion reports. */
export interface ReversePlan {
  /** Object changes back to the state before (after = before of the original), reversible rows only. */
  changes: PlannedObjectChange[];
  /** Succeeded rows that cannot be reversed (they were SSE-S3), and jobs whose report could not be read. */
  irreversible: string[];
  unreadable: string[];
}

export async function reversePlanOf(record: BatchRecord, sessions: readonly AccountSession[], opts: { endpoint?: string }): Promise<ReversePlan> {
  const plan: ReversePlan = { changes: [], irreversible: [], unreadable: [] };
  for (const report of await batchStatus(record, sessions, { sample: 0, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) })) {
    const { job } = report;
    if (!report.rows) {
      plan.unreadable.push(`job ${job.jobId}: ${'error' in report.status ? report.status.error : `${report.status.status}, no completion report yet`}`);
      continue;
    }
    const byObject = new Map(job.objects.map((o) => [rowRef(o.bucket, o.key, o.versionId), o] as const));
    for (const row of report.rows.filter((r) => r.succeeded)) {
      const o = byObject.get(rowRef(row.bucket, row.key, row.versionId));
      if (!o) continue;
      if (o.before.sse !== 'aws:kms' || o.before.kmsKeyArn === undefined) {
        plan.irreversible.push(`${o.bucket}/${o.key}`);
        continue;
      }
      const after: ObjectEncryptionState = { ...o.before };
      plan.changes.push({
        id: `${job.jobId}/${o.key}`,
        action: 'update-object-encryption',
        account: job.account,
        region: job.region,
        bucket: o.bucket,
        arn: `arn:aws:s3:::${o.bucket}/${o.key}`,
        object: { key: o.key, ...(o.versionId ? { versionId: o.versionId } : {}) },
        before: { ...o.before, sse: 'aws:kms', kmsKeyArn: job.keyArn, bucketKeyEnabled: job.bucketKeyEnabled },
        after,
        key: { arn: o.before.kmsKeyArn, spelling: o.before.kmsKeyArn, aliases: [], account: job.account, region: job.region, manager: 'CUSTOMER', state: 'Unknown' },
        policies: [],
        requireCustomerManaged: false,
        irreversible: false,
        fixes: [],
        stillFailing: [],
      });
    }
  }
  return plan;
}

export async function writeBatchRecord(path: string, record: BatchRecord): Promise<void> {
  const tmp = temporarySibling(path);
  await writeFile(tmp, JSON.stringify(record, null, 2) + '\n');
  await rename(tmp, path);
}

export async function readBatchRecord(path: string): Promise<BatchRecord> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: not a readable batch record (${err instanceof Error ? err.message : String(err)})`);
  }
  const r = data as Partial<BatchRecord>;
  if (r.kind !== BATCH_KIND || r.v !== 1 || !Array.isArray(r.jobs)) throw new UsageError(`${path} is not a batch record written by remediate --batch`);
  return r as BatchRecord;
}

/** One row of a completion report CSV (Bucket,Key,VersionId,TaskStatus,HTTPStatusCode,ErrorCode,ResultMessage). */
export interface ReportRow {
  bucket: string;
  key: string;
  versionId?: string;
  succeeded: boolean;
  httpStatus: string;
  code: string;
  message: string;
}

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cur), (cur = '');
    else cur += ch;
  }
  cells.push(cur);
  return cells;
}

export function parseReportRows(text: string): ReportRow[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [bucket = '', key = '', versionId = '', status = '', httpStatus = '', code = '', message = ''] = parseCsvLine(line);
      return { bucket, key: decodeURIComponent(key), ...(versionId ? { versionId } : {}), succeeded: status === 'succeeded', httpStatus, code, message };
    });
}

export interface JobReport {
  job: BatchJobRecord;
  status: BatchJobStatus | { error: string };
  /** When the job has ended and its report could be read. */
  rows?: ReportRow[];
  /** Succeeded rows read back with HeadObject: not under the job's key, or with another ETag than before. */
  sampleChecked: number;
  sampleProblems: string[];
}

const ENDED = ['Complete', 'Cancelled', 'Failed'];

/** An object's identity in a job: the manifest's "null" version is the object without a version id. */
const rowRef = (bucket: string, key: string, versionId: string | undefined): string => `${bucket}\n${key}\n${versionId && versionId !== 'null' ? versionId : ''}`;

/** DescribeJob for every job; for ended ones, the completion report and a HeadObject check of up to `sample` succeeded rows. */
export async function batchStatus(record: BatchRecord, sessions: readonly AccountSession[], opts: { endpoint?: string; sample: number }): Promise<JobReport[]> {
  const out: JobReport[] = [];
  for (const job of record.jobs) {
    const session = sessions.find((s) => s.account === job.account);
    if (!session) {
      out.push({ job, status: { error: `no credentials for account ${job.account}` }, sampleChecked: 0, sampleProblems: [] });
      continue;
    }
    const s3 = session.s3(job.region);
    const target: ControlTarget = { s3, region: job.region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) };
    const status = await describeJob(target, job.account, job.jobId).catch((err: unknown) => ({ error: `${toFactError(err, 'DescribeJob').code}: ${toFactError(err, 'DescribeJob').message}` }));
    const report: JobReport = { job, status, sampleChecked: 0, sampleProblems: [] };
    out.push(report);
    if ('error' in status || !ENDED.includes(status.status)) continue;
    report.rows = await readReport(s3, job);
    const before = new Map(job.objects.map((o) => [rowRef(o.bucket, o.key, o.versionId), o.before] as const));
    for (const row of report.rows.filter((r) => r.succeeded).slice(0, opts.sample)) {
      report.sampleChecked++;
      const was = before.get(rowRef(row.bucket, row.key, row.versionId));
      const now = await headObjectState(s3, row.bucket, row.key, row.versionId).catch((err: unknown) => toFactError(err, 'HeadObject'));
      if ('code' in now) report.sampleProblems.push(`${row.bucket}/${row.key}: HeadObject failed: ${now.code}`);
      else if (now.kmsKeyArn !== job.keyArn || now.bucketKeyEnabled !== job.bucketKeyEnabled) report.sampleProblems.push(`${row.bucket}/${row.key}: reads back under ${now.kmsKeyArn ?? now.sse ?? 'no key'}, not ${job.keyArn}`);
      else if (was && was.etag !== now.etag) report.sampleProblems.push(`${row.bucket}/${row.key}: ETag ${String(now.etag)}, was ${String(was.etag)}`);
    }
  }
  return out;
}

async function readReport(s3: ReturnType<AccountSession['s3']>, job: BatchJobRecord): Promise<ReportRow[]> {
  const base = job.report.prefix.replace(/\/$/, '');
  const manifest = JSON.parse(await getText(s3, job.report.bucket, `${base}/job-${job.jobId}/manifest.json`)) as { Results?: { Bucket: string; Key: string }[] };
  const rows: ReportRow[] = [];
  for (const result of manifest.Results ?? []) rows.push(...parseReportRows(await getText(s3, result.Bucket, result.Key)));
  return rows;
}
