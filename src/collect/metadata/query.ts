/**
 * The SQL of the metadata object mode, generated from what the rules need and parameterised: bucket
 * names, prefixes, key ARNs and every other value travel as Athena ExecutionParameters (`?`), never in
 * the query text. The only names in the text are the table's catalog, namespace and table — SQL cannot
 * take identifiers as parameters — and each is checked against a strict pattern before it is quoted.
 * The UNLOAD destination is a literal too (UNLOAD … TO takes no parameter); it is built only from the
 * policy's validated outputLocation and a validated bucket name, and quoted.
 *
 * Columns: the S3 Metadata live inventory table schema
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-inventory-schema.html). The table
 * may hold several versions of a key; the newest (largest sequence_number) is the key's current state,
 * and a key whose newest version is a delete marker has no current object.
 */

export interface InventoryTable {
  catalog: string;
  namespace: string;
  table: string;
}

/** Catalog, namespace and table names we accept: letters, digits and _ . / - (S3 Tables and Athena names fit). */
const SAFE_IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,254}$/;
/** S3 general purpose bucket names (User Guide, "Bucket naming rules"). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An s3:// location made only of characters that need no escaping in a SQL string. */
const SAFE_LOCATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9!_.*()\/=-]*)?$/;

export class UnsafeNameError extends Error {
  constructor(what: string, value: string) {
    super(`${what} ${JSON.stringify(value)} is not a name the auditor puts in a query (allowed: letters, digits, _ . / -)`);
    this.name = 'UnsafeNameError';
  }
}

/** "name", after checking it is a plain name (so it cannot close the quotes). */
export function quoteIdentifier(what: string, name: string): string {
  if (!SAFE_IDENTIFIER.test(name)) throw new UnsafeNameError(what, name);
  return `"${name}"`;
}

export function qualifiedTable(t: InventoryTable): string {
  return `${quoteIdentifier('catalog', t.catalog)}.${quoteIdentifier('namespace', t.namespace)}.${quoteIdentifier('table', t.table)}`;
}

/**
 * One ExecutionParameters entry: Athena takes each as a SQL literal (Athena User Guide, "Use
 * parameterized queries", https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html),
 * so a string is single-quoted with its quotes doubled; it stays one literal whatever it holds.
 */
export function literal(value: string | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replace(/'/g, "''")}'`;
}

/** Which columns the groups are made of: encryption and Bucket Key always; the key ARN only when a rule reads the object's key. */
export interface GroupColumns {
  kmsKeyArn: boolean;
}

export interface BuiltQuery {
  sql: string;
  parameters: string[];
}

const groupColumns = (c: GroupColumns): string[] => ['encryption_status', 'is_bucket_key_enabled', ...(c.kmsKeyArn ? ['kms_key_arn'] : [])];

/** The current objects of the bucket (under the prefix), as a WITH clause, and its parameters. */
function currentObjects(table: InventoryTable, bucket: string, prefix: string, c: GroupColumns): BuiltQuery {
  const cols = groupColumns(c).join(', ');
  return {
    sql: [
      'WITH latest AS (',
      `  SELECT bucket, key, is_delete_marker, ${cols},`,
      '    row_number() OVER (PARTITION BY key ORDER BY sequence_number DESC) AS version_rank',
      `  FROM ${qualifiedTable(table)}`,
      `  WHERE bucket = ?${prefix ? ' AND starts_with(key, ?)' : ''}`,
      '), current_objects AS (',
      `  SELECT bucket, key, ${cols} FROM latest`,
      '  WHERE version_rank = 1 AND NOT coalesce(is_delete_marker, false)',
      ')',
    ].join('\n'),
    parameters: [literal(bucket), ...(prefix ? [literal(prefix)] : [])],
  };
}

/**
 * ONE query per bucket: every group of current objects sharing (encryption_status, is_bucket_key_enabled
 * [, kms_key_arn]), with its object count, as up to `sampleKeys` rows — one per sample key, the first keys
 * in key order — each repeating the group and its count. Columns: the group columns, objects, key.
 */
export function groupsQuery(table: InventoryTable, bucket: string, prefix: string, c: GroupColumns, sampleKeys: number): BuiltQuery {
  const base = currentObjects(table, bucket, prefix, c);
  const cols = groupColumns(c).join(', ');
  return {
    sql: [
      base.sql,
      ', ranked AS (',
      `  SELECT ${cols}, key,`,
      `    count(*) OVER (PARTITION BY ${cols}) AS objects,`,
      `    row_number() OVER (PARTITION BY ${cols} ORDER BY key) AS key_rank`,
      '  FROM current_objects',
      ')',
      `SELECT ${cols}, objects, key FROM ranked`,
      'WHERE key_rank <= ?',
      `ORDER BY ${cols}, key_rank`,
    ].join('\n'),
    parameters: [...base.parameters, String(Math.max(1, Math.floor(sampleKeys)))],
  };
}

/** One group's values, as the groups query returned them (null: SQL NULL). */
export interface GroupKey {
  encryptionStatus: string | null;
  bucketKeyEnabled: boolean | null;
  kmsKeyArn?: string | null;
}

/** The UNLOAD destination for a bucket's manifest: <outputLocation>/s3-kms-audit-manifests/<run>/<account>/<bucket>/. */
export function manifestLocation(outputLocation: string, runStamp: string, account: string, bucket: string): string {
  if (!BUCKET_NAME.test(bucket)) throw new UnsafeNameError('bucket', bucket);
  if (!/^\d{12}$/.test(account)) throw new UnsafeNameError('account', account);
  if (!/^[0-9TZ]+$/.test(runStamp)) throw new UnsafeNameError('run stamp', runStamp);
  const base = outputLocation.endsWith('/') ? outputLocation : `${outputLocation}/`;
  const location = `${base}s3-kms-audit-manifests/${runStamp}/${account}/${bucket}/`;
  if (!SAFE_LOCATION.test(location)) throw new UnsafeNameError('output location', location);
  return location;
}

/**
 * UNLOAD of every current object in the failing groups as an S3 Batch Operations manifest: CSV rows
 * `bucket,key` with the key URL-encoded as the manifest format requires (User Guide, "Specifying a
 * manifest"; url_encode writes a space as '+', which the manifest reads as a plus, hence %20). Uncompressed
 * TEXTFILE with ',' between fields (Athena User Guide, "UNLOAD"). Athena writes the rows, so they never
 * pass through this process.
 */
export function unloadQuery(table: InventoryTable, bucket: string, prefix: string, c: GroupColumns, failing: readonly GroupKey[], location: string): BuiltQuery {
  if (failing.length === 0) throw new Error('nothing to unload');
  if (!SAFE_LOCATION.test(location)) throw new UnsafeNameError('UNLOAD location', location);
  const base = currentObjects(table, bucket, prefix, c);
  const parameters = [...base.parameters];
  const matches = failing.map((g) => {
    parameters.push(literal(g.encryptionStatus), literal(g.bucketKeyEnabled));
    const parts = ['encryption_status IS NOT DISTINCT FROM ?', 'is_bucket_key_enabled IS NOT DISTINCT FROM ?'];
    if (c.kmsKeyArn) {
      parameters.push(literal(g.kmsKeyArn ?? null));
      parts.push('kms_key_arn IS NOT DISTINCT FROM ?');
    }
    return `(${parts.join(' AND ')})`;
  });
  return {
    sql: [
      'UNLOAD (',
      base.sql,
      "SELECT bucket, replace(url_encode(key), '+', '%20') AS key FROM current_objects",
      `WHERE ${matches.join('\n   OR ')}`,
      `) TO '${location}'`,
      "WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'NONE')",
    ].join('\n'),
    parameters,
  };
}
