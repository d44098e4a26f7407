/**
 * One bucket's objects for a `metadata` object policy group, with no request per object:
 * GetBucketMetadataConfiguration (the live inventory table must be ENABLED and ACTIVE), then ONE Athena
 * query that groups the current objects by encryption (groupsQuery), then each group is handed to the
 * caller as one FactContext — its KMS key resolved once through the run's KeyResolver, as for buckets —
 * with its object count and sample keys. `exportFailingObjects` UNLOADs the objects of the groups that
 * failed as a Batch Operations manifest.
 *
 * Unknown is not compliant: no configuration, a table not ACTIVE, a refused call or a failed query gives
 * the bucket one context whose `object` aspect is unreadable (every rule: `error`, with the cause).
 */
import { queryRows, startQuery, stopQuery, waitForQuery, type AthenaClient } from '../../aws/athena.js';
import { toFactError } from '../../aws/errors.js';
import { getMetadataInventoryTable } from '../../aws/s3-metadata.js';
import type { BucketFacts, FactContext, FactError, ObjectEncryption, ObjectFacts } from '../../domain/facts.js';
import type { MetadataScanInfo, RunError } from '../../domain/report.js';
import { emptyScanCounts, type ObjectBucketTarget, type ObjectScanCounts } from '../objects.js';
import { objectContext, objectKeyWants, type ObjectKeyWants } from '../object-context.js';
import type { ObjectPolicyGroup } from '../objects-options.js';
import type { KeyResolver } from '../keys.js';
import { countRequest, counted, type CollectStats } from '../stats.js';
import { groupsQuery, manifestLocation, qualifiedTable, unloadQuery, UnsafeNameError, type GroupColumns, type GroupKey, type InventoryTable } from './query.js';

export interface MetadataGroup {
  key: GroupKey;
  /** Current objects in the group. */
  objects: number;
  /** The first keys of the group in key order, at most `sampleKeys`. */
  sampleKeys: string[];
}

export interface MetadataScanDeps {
  keys: KeyResolver;
  stats: CollectStats;
  signal?: AbortSignal;
}

/** Receives each group's context (group undefined: the bucket could not be read, one `error` context). */
export type MetadataSink = (ctx: FactContext, group: MetadataGroup | undefined) => void;

export interface MetadataScanResult {
  scan: ObjectScanCounts & { metadata?: MetadataScanInfo };
  errors: RunError[];
  /** Set when the table was queried: what exportFailingObjects needs. */
  queried?: { table: InventoryTable; columns: GroupColumns; athena: AthenaClient; groups: MetadataGroup[] };
}

/** The object key shown for a group of objects: findings about a group name `s3://bucket/*`. */
export const GROUP_KEY = '*';

/** encryption_status as the live inventory table spells it → the object's encryption as HeadObject would report it. */
const ENCRYPTION_OF_STATUS: Readonly<Record<string, ObjectEncryption | null>> = {
  'SSE-S3': 'AES256',
  'SSE-KMS': 'aws:kms',
  'DSSE-KMS': 'aws:kms:dsse',
  'SSE-C': 'SSE-C',
  'NOT-SSE': null,
};

const groupFacts = (bucket: string, sse: ObjectEncryption | null, g: GroupKey, errors: Record<string, FactError>): ObjectFacts => ({
  bucket,
  key: GROUP_KEY,
  size: 0,
  lastModified: '',
  sse,
  ...(g.kmsKeyArn ? { kmsKeyId: g.kmsKeyArn } : {}),
  bucketKeyEnabled: g.bucketKeyEnabled === true,
  errors,
});

function unreadableContext(bucket: BucketFacts, error: FactError): FactContext {
  const errors = { object: error };
  return { bucket, object: groupFacts(bucket.name, null, { encryptionStatus: null, bucketKeyEnabled: null }, errors), errors: { ...errors } };
}

/** Why the bucket's live inventory table cannot be queried, or undefined when it can. */
function notQueryable(inv: Awaited<ReturnType<typeof getMetadataInventoryTable>>): FactError | undefined {
  const operation = 'GetBucketMetadataConfiguration';
  const guide = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-overview.html';
  if (inv === 'none') return { code: 'NoMetadataConfiguration', operation, message: `the bucket has no S3 Metadata configuration; create one with a live inventory table (${guide})` };
  if (inv.configurationState !== 'ENABLED') return { code: 'InventoryTableNotEnabled', operation, message: `the bucket's S3 Metadata configuration has no live inventory table enabled (${guide})` };
  if (inv.tableStatus !== 'ACTIVE') {
    const why = inv.error?.message ? `: ${inv.error.code ?? ''} ${inv.error.message}`.replace(/\s+/g, ' ') : '';
    return { code: 'InventoryTableNotActive', operation, message: `the live inventory table is ${inv.tableStatus ?? 'not ready'}, not ACTIVE${why}` };
  }
  return undefined;
}

export async function scanBucketMetadata(target: ObjectBucketTarget, group: ObjectPolicyGroup, deps: MetadataScanDeps, sink: MetadataSink): Promise<MetadataScanResult> {
  const { bucket, session } = target;
  const { options } = group;
  const athenaOptions = options.athena;
  if (!athenaOptions) throw new Error('metadata object scans need athena options');
  const scan: MetadataScanResult['scan'] = emptyScanCounts('metadata', options.prefix, false);
  const unreadable = (e: FactError): MetadataScanResult => {
    scan.unreadable = 1;
    sink(unreadableContext(bucket, e), undefined);
    return { scan, errors: [] };
  };

  let inv;
  try {
    inv = await counted(deps.stats, 'GetBucketMetadataConfiguration', () => getMetadataInventoryTable(session.s3(bucket.region), bucket.name, deps.signal));
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    return unreadable(toFactError(err, 'GetBucketMetadataConfiguration'));
  }
  const refusal = notQueryable(inv);
  if (refusal || inv === 'none') return unreadable(refusal!);

  const table: InventoryTable = { catalog: athenaOptions.catalog, namespace: inv.namespace ?? `b_${bucket.name}`, table: inv.tableName ?? 'inventory' };
  const wants = objectKeyWants(group.aspects);
  const columns: GroupColumns = { kmsKeyArn: wants.key };
  let query;
  try {
    query = groupsQuery(table, bucket.name, options.prefix, columns, options.sampleKeys ?? 10);
  } catch (e) {
    if (e instanceof UnsafeNameError) return unreadable({ code: 'UnsafeName', operation: 'GetBucketMetadataConfiguration', message: e.message });
    throw e;
  }
  if (!session.athena) return unreadable({ code: 'NoAthena', operation: 'StartQueryExecution', message: 'this session has no Athena client' });
  const info: MetadataScanInfo = { table: qualifiedTable(table), queryExecutionIds: [], dataScannedBytes: 0, groups: 0 };
  scan.metadata = info;

  let athena: AthenaClient;
  const groups: MetadataGroup[] = [];
  let operation = 'StartQueryExecution';
  try {
    athena = await session.athena(bucket.region);
    countRequest(deps.stats, 'StartQueryExecution');
    const id = await startQuery(athena, { sql: query.sql, parameters: query.parameters, workGroup: athenaOptions.workgroup, outputLocation: athenaOptions.outputLocation, catalog: athenaOptions.catalog }, deps.signal);
    info.queryExecutionIds.push(id);
    operation = 'GetQueryExecution';
    const outcome = await stopOnAbort(athena, id, deps, () => waitForQuery(athena, id, deps.signal));
    info.dataScannedBytes += outcome.dataScannedBytes;
    if (outcome.state !== 'SUCCEEDED') return unreadable({ code: `Query${outcome.state === 'FAILED' ? 'Failed' : 'Cancelled'}`, operation, message: `Athena query ${id} ${outcome.state}: ${outcome.reason ?? 'no reason given'}` });
    operation = 'GetQueryResults';
    let current: MetadataGroup | undefined;
    const width = columns.kmsKeyArn ? 3 : 2;
    for await (const row of queryRows(athena, id, deps.signal)) {
      const bk = row[1] === null ? null : row[1] === 'true';
      const key: GroupKey = { encryptionStatus: row[0] ?? null, bucketKeyEnabled: bk, ...(columns.kmsKeyArn ? { kmsKeyArn: row[2] ?? null } : {}) };
      const objects = Number(row[width]);
      const sample = row[width + 1];
      if (!current || JSON.stringify(current.key) !== JSON.stringify(key)) groups.push((current = { key, objects, sampleKeys: [] }));
      if (sample !== null && sample !== undefined) current.sampleKeys.push(sample);
    }
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    return unreadable(toFactError(err, operation));
  }

  info.groups = groups.length;
  for (const g of groups) {
    scan.listed += g.objects;
    scan.selected += g.objects;
  }
  for (const g of groups) sink(await contextOf(target, g, wants, deps), g);
  return { scan, errors: [], queried: { table, columns, athena: athena!, groups } };
}

/**
 * Waits for a query; when the scan is interrupted (SIGINT, SIGTERM) while it runs, asks Athena to stop it,
 * so an abandoned scan does not go on billing for a query nobody will read.
 */
async function stopOnAbort<T>(athena: AthenaClient, id: string, deps: MetadataScanDeps, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    if (deps.signal?.aborted) {
      countRequest(deps.stats, 'StopQueryExecution');
      await stopQuery(athena, id).catch(() => undefined);
    }
    throw err;
  }
}

/** A group's context: its facts, its KMS key (resolved once for the group), the bucket default's key. */
function contextOf(target: ObjectBucketTarget, g: MetadataGroup, wants: ObjectKeyWants, deps: MetadataScanDeps): Promise<FactContext> {
  const status = g.key.encryptionStatus ?? 'NOT-SSE';
  const errors: Record<string, FactError> = {};
  const sse = ENCRYPTION_OF_STATUS[status];
  if (sse === undefined) errors.object = { code: 'UnknownEncryptionStatus', operation: 'GetQueryResults', message: `the live inventory table reports encryption_status ${status}, which the auditor does not know` };
  const object = groupFacts(target.bucket.name, sse ?? null, g.key, errors);
  return objectContext(target, object, object.kmsKeyId, wants, deps.keys);
}

/**
 * UNLOADs the current objects of `failing` groups as a Batch Operations manifest to
 * <outputLocation>/s3-kms-audit-manifests/<runStamp>/<account>/<bucket>/; Athena writes the files, so no
 * object key passes through this process. Records the manifest in `info`, or returns why it was not written.
 */
export async function exportFailingObjects(
  target: ObjectBucketTarget,
  group: ObjectPolicyGroup,
  queried: NonNullable<MetadataScanResult['queried']>,
  failing: readonly MetadataGroup[],
  runStamp: string,
  info: MetadataScanInfo,
  deps: MetadataScanDeps,
): Promise<RunError | undefined> {
  const { bucket } = target;
  const athenaOptions = group.options.athena!;
  let operation = 'StartQueryExecution';
  try {
    const location = manifestLocation(athenaOptions.outputLocation, runStamp, bucket.account, bucket.name);
    const q = unloadQuery(queried.table, bucket.name, group.options.prefix, queried.columns, failing.map((g) => g.key), location);
    countRequest(deps.stats, 'StartQueryExecution');
    const id = await startQuery(queried.athena, { sql: q.sql, parameters: q.parameters, workGroup: athenaOptions.workgroup, outputLocation: athenaOptions.outputLocation, catalog: athenaOptions.catalog }, deps.signal);
    info.queryExecutionIds.push(id);
    operation = 'GetQueryExecution';
    const outcome = await stopOnAbort(queried.athena, id, deps, () => waitForQuery(queried.athena, id, deps.signal));
    info.dataScannedBytes += outcome.dataScannedBytes;
    if (outcome.state !== 'SUCCEEDED') throw Object.assign(new Error(`Athena UNLOAD ${id} ${outcome.state}: ${outcome.reason ?? 'no reason given'}`), { name: 'QueryFailed' });
    info.manifest = { location, objects: failing.reduce((n, g) => n + g.objects, 0) };
    return undefined;
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    const e = toFactError(err, operation);
    return { account: bucket.account, region: bucket.region, bucket: bucket.name, operation: e.operation, code: e.code, message: `the manifest of failing objects was not written: ${e.message}` };
  }
}
