/**
 * Amazon Athena, JSON 1.1 protocol (`X-Amz-Target: AmazonAthena.<Operation>`): the query operations the
 * auditor's `metadata` object mode uses — StartQueryExecution, GetQueryExecution, GetQueryResults,
 * StopQueryExecution — with the shapes of the Athena API Reference
 * (https://docs.aws.amazon.com/athena/latest/APIReference/). Queries run for real on an embedded engine
 * (engine.ts) over the S3 Metadata live inventory tables of the caller's buckets, named as Athena names
 * them through the S3 Tables integration: "s3tablescatalog/aws-s3"."b_<bucket>"."inventory"
 * (User Guide, "Querying metadata tables",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-querying.html).
 *
 * A query moves QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. Results are written, as Athena writes
 * them, to `<OutputLocation><QueryExecutionId>.csv` in the sandbox's S3 store; UNLOAD writes its files
 * under its TO location instead.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Estate } from '../model.js';
import { AwsError, parseJsonInput as parseInput, type JsonInput, type SandboxRequest, type SandboxResponse, type ServiceHandler } from '../protocol.js';
import { INVENTORY_TABLE, METADATA_TABLE_BUCKET, metadataNamespace } from '../s3/bucket-metadata.js';
import { runSql, type EngineResult, type EngineTable } from './engine.js';
import { INVENTORY_COLUMNS, inventoryRows, type InventoryValue } from './inventory-rows.js';
import { writeResultObject, s3PrefixIsEmpty } from './output.js';
import { parseParameter, parseS3Uri, parseUnload, tablesNamed, type ParameterValue, type TableRef } from './sql.js';

type Json = JsonInput;
type State = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** The catalog Athena gives the AWS managed table bucket of S3 Metadata (s3tablescatalog/<table bucket>). */
export const METADATA_CATALOG = `s3tablescatalog/${METADATA_TABLE_BUCKET}`;

interface QueryExecution {
  id: string;
  account: string;
  region: string;
  sql: string;
  params: string[];
  workGroup: string;
  outputLocation: string;
  catalog?: string;
  database?: string;
  state: State;
  reason?: string;
  submitted: Date;
  completed?: Date;
  scannedBytes: number;
  result?: EngineResult;
  done: Promise<void>;
}

const executions = new WeakMap<Estate, Map<string, QueryExecution>>();
const executionsOf = (estate: Estate): Map<string, QueryExecution> => {
  let m = executions.get(estate);
  if (!m) executions.set(estate, (m = new Map()));
  return m;
};

const invalid = (message: string): AwsError => new AwsError('InvalidRequestException', 400, message);

function str(input: Json, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsError('SerializationException', 400, `${name} must be a string`);
  return v;
}
const obj = (input: Json, name: string): Json => {
  const v = input[name];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
};

/** The live inventory table a query names, if the caller may read it and it is ACTIVE; else the failure Athena would report. */
function inventoryTable(estate: Estate, req: SandboxRequest, ref: TableRef): EngineTable | string {
  const missing = `TABLE_NOT_FOUND: Table '${ref.catalog}.${ref.database}.${ref.table}' does not exist`;
  if (ref.catalog !== METADATA_CATALOG || !ref.database.startsWith('b_') || ref.table !== INVENTORY_TABLE) return missing;
  const bucket = estate.buckets.get(ref.database.slice(2));
  if (!bucket || bucket.account !== req.account.id || bucket.region !== req.region || metadataNamespace(bucket.name) !== ref.database) return missing;
  const inv = bucket.metadata?.inventory;
  if (!inv || inv.configurationState !== 'ENABLED' || (inv.tableStatus ?? 'ACTIVE') !== 'ACTIVE') return missing;
  return { ref, columns: INVENTORY_COLUMNS, rows: inventoryRows(estate, bucket) };
}

/** Bytes Athena would read: a columnar table is read only in the columns the query names. */
function countingScan(table: EngineTable, sql: string, tally: { bytes: number }): EngineTable {
  const used = table.columns.map(([name], i) => (new RegExp(`\\b${name}\\b`).test(sql) ? i : -1)).filter((i) => i >= 0);
  const size = (v: InventoryValue): number => (v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : typeof v === 'boolean' ? 1 : 8);
  const rows = table.rows;
  return {
    ...table,
    rows: (function* () {
      for (const row of rows) {
        for (const i of used) tally.bytes += size(row[i]!);
        yield row;
      }
    })(),
  };
}

/** Athena's results CSV: a header row, every value double-quoted, NULL as an empty field. */
function resultsCsv(result: EngineResult): Buffer {
  const q = (v: string | null): string => (v === null ? '' : `"${v.replace(/"/g, '""')}"`);
  const lines = [result.columns.map((c) => q(c.name)).join(','), ...result.rows.map((r) => r.map(q).join(','))];
  return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
}

async function execute(estate: Estate, req: SandboxRequest, qe: QueryExecution): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (qe.state !== 'QUEUED') return;
  qe.state = 'RUNNING';
  const fail = (reason: string): void => {
    if (qe.state !== 'RUNNING') return;
    qe.state = 'FAILED';
    qe.reason = reason;
    qe.completed = new Date();
  };
  try {
    const params: ParameterValue[] = qe.params.map(parseParameter);
    const unload = parseUnload(qe.sql);
    const select = unload ? unload.select : qe.sql;
    const tally = { bytes: 0 };
    const tables: EngineTable[] = [];
    const seen = new Set<string>();
    for (const ref of tablesNamed(select)) {
      const k = JSON.stringify(ref);
      if (seen.has(k)) continue;
      seen.add(k);
      const table = inventoryTable(estate, req, ref);
      if (typeof table === 'string') return fail(table);
      tables.push(countingScan(table, select, tally));
    }
    if (unload) {
      const to = parseS3Uri(unload.to);
      if (!to || !estate.buckets.has(to.bucket)) return fail(`Unable to verify/create output bucket ${to?.bucket ?? unload.to}`);
      if (unload.format !== 'TEXTFILE') return fail(`NOT_SUPPORTED: the sandbox's UNLOAD writes format TEXTFILE only, not ${unload.format}`);
      if (!s3PrefixIsEmpty(estate, to.bucket, to.key)) return fail(`HIVE_PATH_ALREADY_EXISTS: Target directory for table already exists: ${unload.to}`);
    }
    let result: EngineResult;
    try {
      result = await runSql(select, params, tables);
    } catch (e) {
      return fail(`SYNTAX_ERROR: ${(e as Error).message}`);
    }
    qe.scannedBytes = tally.bytes;
    if (qe.state !== 'RUNNING') return;
    const out = parseS3Uri(qe.outputLocation);
    if (!out || !estate.buckets.has(out.bucket)) return fail(`Unable to verify/create output bucket ${out?.bucket ?? qe.outputLocation}`);
    if (unload) {
      const to = parseS3Uri(unload.to)!;
      const prefix = to.key === '' || to.key.endsWith('/') ? to.key : `${to.key}/`;
      const text = result.rows.map((r) => r.map((v) => v ?? '\\N').join(unload.delimiter) + '\n').join('');
      const gzip = unload.compression === 'GZIP';
      writeResultObject(estate, to.bucket, `${prefix}${qe.id}_00000${gzip ? '.gz' : ''}`, gzip ? gzipSync(text) : Buffer.from(text, 'utf8'));
      qe.result = { columns: [], rows: [] };
    } else qe.result = result;
    writeResultObject(estate, out.bucket, `${out.key}${qe.id}.csv`, resultsCsv(qe.result));
    qe.state = 'SUCCEEDED';
    qe.completed = new Date();
  } catch (e) {
    fail(`INVALID_PARAMETER_USAGE: ${(e as Error).message}`);
  }
}

const startQueryExecution = (req: SandboxRequest, estate: Estate, input: Json): Json => {
  const sql = str(input, 'QueryString');
  if (!sql) throw invalid("1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null");
  const context = obj(input, 'QueryExecutionContext');
  const outputLocation = str(obj(input, 'ResultConfiguration'), 'OutputLocation');
  if (!outputLocation) {
    throw invalid('No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.');
  }
  if (!parseS3Uri(outputLocation)) throw invalid(`The S3 location provided to save your query results is invalid: ${outputLocation}`);
  const rawParams = input.ExecutionParameters;
  if (rawParams !== undefined && (!Array.isArray(rawParams) || rawParams.some((p) => typeof p !== 'string'))) throw new AwsError('SerializationException', 400, 'ExecutionParameters must be a list of strings');
  const params = (rawParams as string[] | undefined) ?? [];
  for (const p of params) {
    try {
      parseParameter(p);
    } catch (e) {
      throw invalid((e as Error).message);
    }
  }
  const catalog = str(context, 'Catalog');
  const database = str(context, 'Database');
  const qe: QueryExecution = {
    id: randomUUID(),
    account: req.account.id,
    region: req.region,
    sql,
    params,
    workGroup: str(input, 'WorkGroup') ?? 'primary',
    outputLocation: outputLocation.endsWith('/') ? outputLocation : `${outputLocation}/`,
    ...(catalog ? { catalog } : {}),
    ...(database ? { database } : {}),
    state: 'QUEUED',
    submitted: new Date(),
    scannedBytes: 0,
    done: Promise.resolve(),
  };
  qe.done = execute(estate, req, qe).catch((e: unknown) => {
    console.error('sandbox: athena query failed unexpectedly:', e);
  });
  executionsOf(estate).set(qe.id, qe);
  return { QueryExecutionId: qe.id };
};

function find(req: SandboxRequest, estate: Estate, input: Json): QueryExecution {
  const id = str(input, 'QueryExecutionId');
  if (!id) throw invalid("1 validation error detected: Value null at 'queryExecutionId' failed to satisfy constraint: Member must not be null");
  const qe = executionsOf(estate).get(id);
  if (!qe || qe.account !== req.account.id || qe.region !== req.region) throw invalid(`QueryExecution ${id} was not found`);
  return qe;
}

const seconds = (d: Date): number => d.getTime() / 1000;

const getQueryExecution = (req: SandboxRequest, estate: Estate, input: Json): Json => {
  const qe = find(req, estate, input);
  const elapsed = (qe.completed ?? new Date()).getTime() - qe.submitted.getTime();
  return {
    QueryExecution: {
      QueryExecutionId: qe.id,
      Query: qe.sql,
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: `${qe.outputLocation}${qe.id}.csv` },
      QueryExecutionContext: { ...(qe.catalog ? { Catalog: qe.catalog } : {}), ...(qe.database ? { Database: qe.database } : {}) },
      Status: {
        State: qe.state,
        ...(qe.reason ? { StateChangeReason: qe.reason } : {}),
        SubmissionDateTime: seconds(qe.submitted),
        ...(qe.completed ? { CompletionDateTime: seconds(qe.completed) } : {}),
      },
      Statistics: { EngineExecutionTimeInMillis: elapsed, DataScannedInBytes: qe.scannedBytes, TotalExecutionTimeInMillis: elapsed },
      WorkGroup: qe.workGroup,
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      ...(qe.params.length > 0 ? { ExecutionParameters: qe.params } : {}),
    },
  };
};

/** Opaque pagination tokens. */
const encodeToken = (id: string, offset: number): string => Buffer.from(`${id}:${offset}`).toString('base64');
function decodeToken(id: string, token: string | undefined): number {
  if (token === undefined) return 0;
  const m = /^(.+):(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!m || m[1] !== id) throw invalid('The NextToken provided is not valid');
  return Number(m[2]);
}

const getQueryResults = (req: SandboxRequest, estate: Estate, input: Json): Json => {
  const qe = find(req, estate, input);
  if (qe.state === 'FAILED') throw invalid(qe.reason ?? 'Query failed');
  if (qe.state !== 'SUCCEEDED' || !qe.result) throw invalid(`Query has not yet finished. Current state: ${qe.state}`);
  const max = input.MaxResults === undefined ? 1000 : Number(input.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw invalid(`1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  const start = decodeToken(qe.id, str(input, 'NextToken'));
  const result = qe.result;
  // The first row of the first page is the header: the column names (Athena API Reference, GetQueryResults).
  const all = result.columns.length > 0 ? [result.columns.map((c) => c.name), ...result.rows] : [];
  const page = all.slice(start, start + max);
  const next = start + max < all.length ? { NextToken: encodeToken(qe.id, start + max) } : {};
  return {
    UpdateCount: 0,
    ResultSet: {
      Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
      ResultSetMetadata: {
        ColumnInfo: result.columns.map((c) => ({ CatalogName: 'hive', SchemaName: '', TableName: '', Name: c.name, Label: c.name, Type: c.type, Precision: 0, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: c.type === 'varchar' })),
      },
    },
    ...next,
  };
};

const stopQueryExecution = (req: SandboxRequest, estate: Estate, input: Json): Json => {
  const qe = find(req, estate, input);
  if (qe.state === 'QUEUED' || qe.state === 'RUNNING') {
    qe.state = 'CANCELLED';
    qe.reason = 'Query was cancelled by user';
    qe.completed = new Date();
  }
  return {};
};

const OPERATIONS: Record<string, (req: SandboxRequest, estate: Estate, input: Json) => Json> = {
  StartQueryExecution: startQueryExecution,
  GetQueryExecution: getQueryExecution,
  GetQueryResults: getQueryResults,
  StopQueryExecution: stopQueryExecution,
};

export const handleAthena: ServiceHandler = (req, estate): SandboxResponse => {
  const target = req.headers['x-amz-target'];
  const operation = typeof target === 'string' && target.startsWith('AmazonAthena.') ? OPERATIONS[target.slice('AmazonAthena.'.length)] : undefined;
  if (req.method !== 'POST' || !operation) throw new AwsError('UnknownOperationException', 400, '');
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(operation(req, estate, parseInput(req.body))) };
};

/** For tests: waits until every query started so far has finished. */
export async function settleAthena(estate: Estate): Promise<void> {
  await Promise.all([...executionsOf(estate).values()].map((q) => q.done));
}
