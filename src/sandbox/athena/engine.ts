/**
 * The SQL engine behind the sandbox's Athena: DuckDB (@duckdb/node-api), an embedded SQL engine shipped
 * in an npm package, so queries really run — grouping, window functions, parameters — rather than being
 * recognised by shape. Each query gets a fresh in-memory database holding only the tables it names,
 * under the same catalog.database.table names Athena uses, so the query text runs unchanged.
 *
 * Loaded with a dynamic import, on the first Athena query only: the package is large (a native library
 * of about 70 MB) and the auditor itself never needs it.
 */
import type { TableRef, ParameterValue } from './sql.js';
import type { InventoryValue } from './inventory-rows.js';

export interface EngineTable {
  ref: TableRef;
  columns: readonly (readonly [string, string])[];
  rows: Iterable<InventoryValue[]>;
}

export interface EngineResult {
  columns: { name: string; type: string }[];
  /** Every value in Athena's text form (VarCharValue); null for SQL NULL. */
  rows: (string | null)[][];
}

type DuckModule = typeof import('@duckdb/node-api');
let duck: Promise<DuckModule> | undefined;
const loadDuck = (): Promise<DuckModule> => (duck ??= import('@duckdb/node-api'));

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Athena's lower-case type names for the DuckDB types our tables and queries produce. */
function athenaType(duckType: string): string {
  const t = duckType.toUpperCase();
  if (t === 'VARCHAR') return 'varchar';
  if (t === 'BIGINT' || t === 'HUGEINT') return 'bigint';
  if (t === 'INTEGER') return 'integer';
  if (t === 'BOOLEAN') return 'boolean';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'DOUBLE') return 'double';
  if (t.endsWith('[]')) return 'array';
  if (t.startsWith('MAP')) return 'map';
  return t.toLowerCase();
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

export async function runSql(sql: string, params: readonly ParameterValue[], tables: readonly EngineTable[]): Promise<EngineResult> {
  const { DuckDBInstance, DuckDBTimestampValue } = await loadDuck();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const catalogs = new Set<string>();
    for (const { ref, columns, rows } of tables) {
      if (!catalogs.has(ref.catalog)) {
        await connection.run(`ATTACH ':memory:' AS ${quoteIdent(ref.catalog)}`);
        catalogs.add(ref.catalog);
      }
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ref.catalog)}.${quoteIdent(ref.database)}`);
      const cols = columns.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ');
      await connection.run(`CREATE TABLE ${quoteIdent(ref.catalog)}.${quoteIdent(ref.database)}.${quoteIdent(ref.table)} (${cols})`);
      const appender = await connection.createAppender(ref.table, ref.database, ref.catalog);
      for (const row of rows) {
        row.forEach((v, i) => {
          const type = columns[i]![1];
          if (v === null) appender.appendNull();
          else if (typeof v === 'boolean') appender.appendBoolean(v);
          else if (typeof v === 'number') appender.appendBigInt(BigInt(v));
          else if (v instanceof Date) appender.appendTimestamp(new DuckDBTimestampValue(BigInt(v.getTime()) * 1000n));
          else if (type === 'VARCHAR') appender.appendVarchar(v);
          else appender.appendNull();
        });
        appender.endRow();
      }
      appender.closeSync();
    }
    const reader = await connection.runAndReadAll(sql, params.length > 0 ? [...params] : undefined);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => athenaType(String(t)));
    return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows: reader.getRows().map((r) => r.map(text)) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
