/**
 * Amazon Athena for the `metadata` object mode: start a query, wait for it, read its rows, stop it.
 * @aws-sdk/client-athena is imported lazily, on the first query: a scan without a metadata policy never
 * loads it (the CLI's start-up cost is measured by bench:startup).
 *
 * API: https://docs.aws.amazon.com/athena/latest/APIReference/ — StartQueryExecution (ExecutionParameters,
 * QueryExecutionContext, ResultConfiguration.OutputLocation, WorkGroup), GetQueryExecution (Status.State
 * QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED, Statistics.DataScannedInBytes) and GetQueryResults
 * (pages of at most 1000 rows; the first row of the first page is the column names).
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import { commonConfig, type Agents, type CredentialSource } from './clients.js';
import { trimMiddleware } from './lean-stack.js';
import type { AwsOptions } from './options.js';

type AthenaModule = typeof import('@aws-sdk/client-athena');
let athenaModule: Promise<AthenaModule> | undefined;
const sdk = (): Promise<AthenaModule> => (athenaModule ??= import('@aws-sdk/client-athena'));

export type { AthenaClient };

export async function createAthenaClient(opts: AwsOptions, region: string, credentials: CredentialSource | undefined, agents: Agents): Promise<AthenaClient> {
  const { AthenaClient: Client } = await sdk();
  return trimMiddleware(new Client(commonConfig(opts, region, credentials, agents)));
}

export interface QueryRequest {
  sql: string;
  /** Literal values for the query's `?` placeholders, in order (Athena's ExecutionParameters). */
  parameters: string[];
  workGroup: string;
  outputLocation: string;
  catalog?: string;
}

export async function startQuery(client: AthenaClient, q: QueryRequest, signal?: AbortSignal): Promise<string> {
  const { StartQueryExecutionCommand } = await sdk();
  const out = await client.send(
    new StartQueryExecutionCommand({
      QueryString: q.sql,
      ...(q.parameters.length > 0 ? { ExecutionParameters: q.parameters } : {}),
      WorkGroup: q.workGroup,
      ResultConfiguration: { OutputLocation: q.outputLocation },
      ...(q.catalog ? { QueryExecutionContext: { Catalog: q.catalog } } : {}),
    }),
    signal ? { abortSignal: signal } : {},
  );
  if (!out.QueryExecutionId) throw new Error('StartQueryExecution answered without a QueryExecutionId');
  return out.QueryExecutionId;
}

export interface QueryOutcome {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  dataScannedBytes: number;
}

/** Polls GetQueryExecution until the query ends: every 100 ms at first, backing off to 2 s (a long query costs a few calls a minute). */
export async function waitForQuery(client: AthenaClient, id: string, signal?: AbortSignal, sleep = defaultSleep): Promise<QueryOutcome> {
  const { GetQueryExecutionCommand } = await sdk();
  let wait = 100;
  for (;;) {
    const out = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), signal ? { abortSignal: signal } : {});
    const status = out.QueryExecution?.Status;
    const state = status?.State;
    if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') {
      return { state, ...(status?.StateChangeReason ? { reason: status.StateChangeReason } : {}), dataScannedBytes: out.QueryExecution?.Statistics?.DataScannedInBytes ?? 0 };
    }
    await sleep(wait, signal);
    wait = Math.min(2000, wait * 2);
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });

/** Every data row of a finished query (the header row skipped), page by page; NULL is null. */
export async function* queryRows(client: AthenaClient, id: string, signal?: AbortSignal): AsyncGenerator<(string | null)[]> {
  const { GetQueryResultsCommand } = await sdk();
  let token: string | undefined;
  let first = true;
  do {
    const out = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }), signal ? { abortSignal: signal } : {});
    const rows = out.ResultSet?.Rows ?? [];
    for (let i = first ? 1 : 0; i < rows.length; i++) yield (rows[i]!.Data ?? []).map((d) => d.VarCharValue ?? null);
    first = false;
    token = out.NextToken;
  } while (token);
}

export async function stopQuery(client: AthenaClient, id: string): Promise<void> {
  const { StopQueryExecutionCommand } = await sdk();
  await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
}
