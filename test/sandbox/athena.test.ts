/**
 * The sandbox's S3 Metadata configuration and Athena endpoint through the real SDK clients: the V2
 * metadata configuration shapes, queries that really run (parameters, paging with a header row, the
 * results CSV in the output location, UNLOAD files), the states a query moves through, Athena's
 * refusals, and SigV4 checked as for every other service.
 */
import { expect } from 'chai';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, type GetQueryExecutionCommandOutput } from '@aws-sdk/client-athena';
import {
  CreateBucketCommand,
  CreateBucketMetadataConfigurationCommand,
  DeleteBucketMetadataConfigurationCommand,
  GetBucketMetadataConfigurationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { settleAthena } from '../../src/sandbox/athena/handler.js';
import { groupsQuery, type InventoryTable } from '../../src/collect/metadata/query.js';
import { runSql } from '../../src/sandbox/athena/engine.js';
import { INVENTORY_COLUMNS, type InventoryValue } from '../../src/sandbox/athena/inventory-rows.js';
import { parseParameter } from '../../src/sandbox/athena/sql.js';
import { accountOf, s3For, useSandbox } from '../helpers/sandbox.js';

const BUCKET = 'prod-objects-mixed';
const RESULTS = 'prod-athena-results';
const TABLE = `"s3tablescatalog/aws-s3"."b_${BUCKET}"."inventory"`;
const OUTPUT = `s3://${RESULTS}/q/`;

describe('sandbox: S3 Metadata configuration and Athena', function () {
  this.timeout(60_000);
  const box = useSandbox();
  let s3: S3Client;
  let athena: AthenaClient;

  before(async () => {
    s3 = s3For(box.sb, 'prod');
    const a = accountOf(box.sb, 'prod');
    athena = new AthenaClient({ endpoint: box.sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: RESULTS }));
    await s3.send(new CreateBucketMetadataConfigurationCommand({ Bucket: BUCKET, MetadataConfiguration: { JournalTableConfiguration: { RecordExpiration: { Expiration: 'DISABLED' } }, InventoryTableConfiguration: { ConfigurationState: 'ENABLED' } } }));
  });
  after(() => {
    s3.destroy();
    athena.destroy();
  });

  async function run(sql: string, parameters: string[] = [], output = OUTPUT): Promise<GetQueryExecutionCommandOutput> {
    const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, ...(parameters.length ? { ExecutionParameters: parameters } : {}), WorkGroup: 'primary', ResultConfiguration: { OutputLocation: output } }));
    for (;;) {
      const out = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = out.QueryExecution!.Status!.State!;
      expect(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']).to.include(state);
      if (state !== 'QUEUED' && state !== 'RUNNING') return out;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('GetBucketMetadataConfiguration: the V2 result, with the live inventory table in aws-s3 / b_<bucket>', async () => {
    const out = await s3.send(new GetBucketMetadataConfigurationCommand({ Bucket: BUCKET }));
    const r = out.GetBucketMetadataConfigurationResult!.MetadataConfigurationResult!;
    expect(r.DestinationResult).to.deep.include({ TableBucketType: 'aws', TableBucketArn: 'arn:aws:s3tables:us-east-1:111122223333:bucket/aws-s3', TableNamespace: `b_${BUCKET}` });
    expect(r.InventoryTableConfigurationResult).to.deep.include({ ConfigurationState: 'ENABLED', TableStatus: 'ACTIVE', TableName: 'inventory' });
    expect(r.JournalTableConfigurationResult).to.deep.include({ TableStatus: 'ACTIVE', TableName: 'journal' });
  });

  it('a bucket without a configuration answers 404; Delete removes one', async () => {
    const none = await s3.send(new GetBucketMetadataConfigurationCommand({ Bucket: 'prod-cmk-by-id' })).then(() => undefined, (e: { $metadata: { httpStatusCode: number } }) => e);
    expect(none?.$metadata.httpStatusCode).to.equal(404);
    await s3.send(new CreateBucketMetadataConfigurationCommand({ Bucket: 'prod-cmk-by-id', MetadataConfiguration: { JournalTableConfiguration: { RecordExpiration: { Expiration: 'DISABLED' } } } }));
    const journalOnly = await s3.send(new GetBucketMetadataConfigurationCommand({ Bucket: 'prod-cmk-by-id' }));
    expect(journalOnly.GetBucketMetadataConfigurationResult!.MetadataConfigurationResult!.InventoryTableConfigurationResult).to.deep.equal({ ConfigurationState: 'DISABLED' });
    await s3.send(new DeleteBucketMetadataConfigurationCommand({ Bucket: 'prod-cmk-by-id' }));
    const gone = await s3.send(new GetBucketMetadataConfigurationCommand({ Bucket: 'prod-cmk-by-id' })).then(() => undefined, (e: { $metadata: { httpStatusCode: number } }) => e);
    expect(gone?.$metadata.httpStatusCode).to.equal(404);
  });

  it('runs a parameterised query: SUCCEEDED, bytes scanned, results paged with the header row first, CSV in the output location', async () => {
    const done = await run(`SELECT key, encryption_status FROM ${TABLE} WHERE bucket = ? AND NOT is_delete_marker ORDER BY key`, [`'${BUCKET}'`]);
    const qe = done.QueryExecution!;
    expect(qe.Status!.State).to.equal('SUCCEEDED');
    expect(qe.Statistics!.DataScannedInBytes).to.be.greaterThan(0);
    expect(qe.ResultConfiguration!.OutputLocation).to.equal(`${OUTPUT}${qe.QueryExecutionId}.csv`);
    const rows: (string | undefined)[][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId, MaxResults: 5, ...(token ? { NextToken: token } : {}) }));
      if (pages === 0) expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type])).to.deep.equal([['key', 'varchar'], ['encryption_status', 'varchar']]);
      rows.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue)));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).to.equal(3); // 1 header + 12 objects, 5 per page
    expect(rows[0]).to.deep.equal(['key', 'encryption_status']);
    expect(rows.slice(1).map((r) => r[0])).to.include.members(['index.html', 'restricted/keys.txt', 'dsse/ledger.parquet']);
    expect(rows.find((r) => r[0] === 'index.html')![1]).to.equal('SSE-S3');
    expect(rows.find((r) => r[0] === 'dsse/ledger.parquet')![1]).to.equal('DSSE-KMS');
    const csv = await (await s3.send(new GetObjectCommand({ Bucket: RESULTS, Key: `q/${qe.QueryExecutionId}.csv` }))).Body!.transformToString();
    expect(csv.split('\n')[0]).to.equal('"key","encryption_status"');
    expect(csv.split('\n').filter((l) => l !== '')).to.have.length(13);
  });

  it('UNLOAD writes its rows under the TO location, uncompressed when asked', async () => {
    const done = await run(`UNLOAD (SELECT bucket, key FROM ${TABLE} WHERE encryption_status = ?) TO 's3://${RESULTS}/unload/' WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'NONE')`, ["'SSE-S3'"]);
    expect(done.QueryExecution!.Status!.State).to.equal('SUCCEEDED');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: RESULTS, Prefix: 'unload/' }));
    expect(listed.Contents).to.have.length(1);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: RESULTS, Key: listed.Contents![0]!.Key! }))).Body!.transformToString();
    expect(body.split('\n').filter((l) => l !== '').sort()).to.deep.equal([`${BUCKET},index.html`, `${BUCKET},restricted/keys.txt`, `${BUCKET},uploads/legacy-1.bin`, `${BUCKET},uploads/legacy-2.bin`]);
    const again = await run(`UNLOAD (SELECT key FROM ${TABLE}) TO 's3://${RESULTS}/unload/' WITH (format = 'TEXTFILE')`);
    expect(again.QueryExecution!.Status!.StateChangeReason).to.match(/^HIVE_PATH_ALREADY_EXISTS/);
  });

  it('a table that is not ACTIVE, or a bucket without one, cannot be queried: FAILED with TABLE_NOT_FOUND', async () => {
    box.sb.estate.buckets.get('prod-sse-s3')!.metadata = { inventory: { configurationState: 'ENABLED', tableStatus: 'BACKFILLING' } };
    for (const bucket of ['prod-sse-s3', 'prod-dsse']) {
      const done = await run(`SELECT count(*) FROM "s3tablescatalog/aws-s3"."b_${bucket}"."inventory"`);
      expect(done.QueryExecution!.Status!.State).to.equal('FAILED');
      expect(done.QueryExecution!.Status!.StateChangeReason).to.match(/^TABLE_NOT_FOUND/);
    }
  });

  it('refuses what Athena refuses: no output location, a parameter that is not a literal; stopping a finished query changes nothing', async () => {
    const noOutput = await athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })).then(() => undefined, (e: Error) => e);
    expect(noOutput?.name).to.equal('InvalidRequestException');
    const badParam = await athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT ?', ExecutionParameters: ["'a' OR 1=1"], ResultConfiguration: { OutputLocation: OUTPUT } })).then(() => undefined, (e: Error) => e);
    expect(badParam?.name).to.equal('InvalidRequestException');
    const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ResultConfiguration: { OutputLocation: OUTPUT } }));
    await settleAthena(box.sb.estate);
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId }));
    const stopped = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    expect(stopped.QueryExecution!.Status!.State).to.equal('SUCCEEDED');
    const unknown = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: 'no-such-query' })).then(() => undefined, (e: Error) => e);
    expect(unknown?.name).to.equal('InvalidRequestException');
  });

  it('checks SigV4 like every other service: a wrong secret is refused in Athena JSON', async () => {
    const a = accountOf(box.sb, 'prod');
    const wrong = new AthenaClient({ endpoint: box.sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: a.accessKeyId, secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    const e = await wrong.send(new GetQueryExecutionCommand({ QueryExecutionId: 'nope' })).then(() => undefined, (err: Error) => err);
    wrong.destroy();
    expect(e?.name).to.equal('InvalidSignatureException');
  });
});

const TABLE_REF: InventoryTable = { catalog: 's3tablescatalog/aws-s3', namespace: 'b_data-bucket', table: 'inventory' };

function row(bucket: string, key: string, status: string | null, seq: number, deleteMarker = false): InventoryValue[] {
  const values: Record<string, InventoryValue> = {
    bucket,
    key,
    sequence_number: String(seq).padStart(20, '0'),
    is_delete_marker: deleteMarker,
    encryption_status: deleteMarker ? null : status,
    is_bucket_key_enabled: deleteMarker ? null : false,
    kms_key_arn: null,
  };
  return INVENTORY_COLUMNS.map(([name]) => values[name] ?? null);
}

describe("the auditor's generated SQL on the sandbox's engine (DuckDB)", function () {
  this.timeout(30_000);
  const rows = [
    row('data-bucket', 'a', 'SSE-S3', 1),
    row('data-bucket', 'b', 'SSE-S3', 2),
    row('data-bucket', 'c', 'SSE-S3', 3), // an older version of c …
    row('data-bucket', 'c', 'SSE-KMS', 4), // … its current one
    row('data-bucket', 'd', 'SSE-S3', 5), // d was deleted: its newest version is a delete marker
    row('data-bucket', 'd', null, 6, true),
    row("x' OR '1'='1", 'z', 'SSE-S3', 7),
  ];
  const run = (bucket: string) => {
    const q = groupsQuery(TABLE_REF, bucket, '', { kmsKeyArn: false }, 1);
    return runSql(q.sql, q.parameters.map(parseParameter), [{ ref: { catalog: TABLE_REF.catalog, database: TABLE_REF.namespace, table: TABLE_REF.table }, columns: INVENTORY_COLUMNS, rows }]);
  };

  it('current objects only, grouped with counts and the first sample key', async () => {
    const real = await run('data-bucket');
    expect(real.columns.map((c) => c.name)).to.deep.equal(['encryption_status', 'is_bucket_key_enabled', 'objects', 'key']);
    expect(real.rows).to.deep.equal([
      ['SSE-KMS', 'false', '1', 'c'],
      ['SSE-S3', 'false', '2', 'a'],
    ]);
  });

  it('a hostile bucket name is only ever a value: it selects its own rows or none, never more', async () => {
    expect((await run("x' OR '1'='1")).rows).to.deep.equal([['SSE-S3', 'false', '1', 'z']]);
    expect((await run("y' OR '1'='1")).rows).to.deep.equal([]);
    expect((await run("data-bucket' --")).rows).to.deep.equal([]);
  });
});
