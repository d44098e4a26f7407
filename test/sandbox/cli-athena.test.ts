/**
 * Conformance with an independent client: the real AWS CLI v2 (/usr/bin/aws, botocore) runs an Athena
 * query against the sandbox (start-query-execution with execution parameters, get-query-execution,
 * get-query-results) over a bucket's S3 Metadata live inventory table. Skipped with a message when the
 * CLI is missing, a failure in CI.
 */
import { expect } from 'chai';
import { awsCli, requireAwsCli, type CliResult } from '../helpers/awscli.js';
import { cliCreds, useSandbox } from '../helpers/sandbox.js';

const BUCKET = 'prod-objects-mixed';

function json(result: CliResult): Record<string, any> {
  expect(result.code, `aws exited ${result.code}: ${result.stderr}`).to.equal(0);
  return JSON.parse(result.stdout) as Record<string, any>;
}

describe('AWS CLI conformance: Athena over an S3 Metadata inventory table', function () {
  this.timeout(180_000);
  const sandbox = useSandbox();
  before(function () {
    requireAwsCli(this);
    const estate = sandbox.sb.estate;
    estate.buckets.get(BUCKET)!.metadata = { inventory: { configurationState: 'ENABLED', tableStatus: 'ACTIVE' } };
  });
  const aws = (args: string[]) => awsCli(sandbox.sb.endpoint, cliCreds(sandbox.sb, 'prod'), 'us-east-1', args);

  it('start-query-execution → get-query-execution → get-query-results', async () => {
    json(await aws(['s3api', 'create-bucket', '--bucket', 'prod-athena-results']));
    const started = json(
      await aws([
        'athena',
        'start-query-execution',
        '--query-string',
        `SELECT encryption_status, count(*) AS objects FROM "s3tablescatalog/aws-s3"."b_${BUCKET}"."inventory" WHERE bucket = ? GROUP BY encryption_status ORDER BY encryption_status`,
        '--execution-parameters',
        `'${BUCKET}'`,
        '--work-group',
        'primary',
        '--result-configuration',
        'OutputLocation=s3://prod-athena-results/cli/',
      ]),
    );
    const id = started.QueryExecutionId as string;
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    let execution: Record<string, any>;
    for (;;) {
      execution = json(await aws(['athena', 'get-query-execution', '--query-execution-id', id])).QueryExecution;
      if (!['QUEUED', 'RUNNING'].includes(execution.Status.State)) break;
    }
    expect(execution.Status.State).to.equal('SUCCEEDED');
    expect(execution.Statistics.DataScannedInBytes).to.be.greaterThan(0);
    expect(execution.ExecutionParameters).to.deep.equal([`'${BUCKET}'`]);
    const results = json(await aws(['athena', 'get-query-results', '--query-execution-id', id]));
    const rows = (results.ResultSet.Rows as { Data: { VarCharValue?: string }[] }[]).map((r) => r.Data.map((d) => d.VarCharValue));
    expect(rows).to.deep.equal([
      ['encryption_status', 'objects'],
      ['DSSE-KMS', '1'],
      ['SSE-KMS', '7'],
      ['SSE-S3', '4'],
    ]);
    expect(results.ResultSet.ResultSetMetadata.ColumnInfo.map((c: { Type: string }) => c.Type)).to.deep.equal(['varchar', 'bigint']);
  });
});
