/**
 * What the sandbox's Athena reads from a query's text before the engine runs it: the execution
 * parameters (each must be one SQL literal, as Athena's EXECUTE … USING takes them), the metadata tables
 * it names, and an UNLOAD's inner query, destination and options (Athena User Guide, "UNLOAD",
 * https://docs.aws.amazon.com/athena/latest/ug/unload.html).
 */

export type ParameterValue = string | number | boolean | null;

/**
 * One ExecutionParameters entry as a value: a single-quoted string ('' for a quote), an integer or
 * decimal, TRUE, FALSE or NULL. Anything else is refused, so a parameter can never add SQL.
 * (Athena User Guide, "Use parameterized queries": execution parameters are literal values.)
 */
export function parseParameter(text: string): ParameterValue {
  const t = text.trim();
  const quoted = /^'((?:[^']|'')*)'$/s.exec(t);
  if (quoted) return quoted[1]!.replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  const word = t.toUpperCase();
  if (word === 'TRUE') return true;
  if (word === 'FALSE') return false;
  if (word === 'NULL') return null;
  throw new Error(`execution parameter ${JSON.stringify(text)} is not a literal`);
}

/** A table the query names as "catalog"."database"."table" (double-quoted identifiers, "" for a quote). */
export interface TableRef {
  catalog: string;
  database: string;
  table: string;
}

const IDENT = '"((?:[^"]|"")+)"';
const unquote = (s: string): string => s.replace(/""/g, '"');

/** Every fully qualified, quoted three-part table name in the query. */
export function tablesNamed(sql: string): TableRef[] {
  const out: TableRef[] = [];
  const re = new RegExp(`${IDENT}\\s*\\.\\s*${IDENT}\\s*\\.\\s*${IDENT}`, 'g');
  for (const m of sql.matchAll(re)) out.push({ catalog: unquote(m[1]!), database: unquote(m[2]!), table: unquote(m[3]!) });
  return out;
}

export interface Unload {
  /** The SELECT inside UNLOAD ( … ). */
  select: string;
  /** s3://bucket/prefix/ */
  to: string;
  format: string;
  delimiter: string;
  compression: string;
}

/** UNLOAD (select) TO 's3://…' WITH (name = 'value', …), or undefined for any other statement. */
export function parseUnload(sql: string): Unload | undefined {
  const m = /^\s*UNLOAD\s*\(([\s\S]*)\)\s*TO\s*'((?:[^']|'')*)'\s*WITH\s*\(([\s\S]*)\)\s*;?\s*$/i.exec(sql);
  if (!m) return undefined;
  const options: Record<string, string> = {};
  for (const o of m[3]!.matchAll(/(\w+)\s*=\s*'((?:[^']|'')*)'/g)) options[o[1]!.toLowerCase()] = o[2]!.replace(/''/g, "'");
  return {
    select: m[1]!,
    to: m[2]!.replace(/''/g, "'"),
    format: (options.format ?? 'PARQUET').toUpperCase(),
    delimiter: options.field_delimiter ?? '\u0001',
    // "The default compression for TEXTFILE and JSON is gzip" (Athena User Guide, "UNLOAD").
    compression: (options.compression ?? 'GZIP').toUpperCase(),
  };
}

/** Splits s3://bucket/key into its parts, or undefined. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}
