/**
 * `--accounts FILE`: the accounts to scan, for users without Organizations read access. CSV (a header
 * row naming the columns account_id, role_arn and optionally name, external_id) or YAML (a list, or
 * `accounts:` holding one, of { id, roleArn, name?, externalId? }). Every problem is reported as
 * file:line:col and the file is refused (exit 2) before any AWS call.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { AccountTarget } from '../domain/accounts.js';
import { ConfigError, type ConfigProblem } from '../domain/errors.js';
import { problemAt, readYamlFile, tidyProblems, type YamlSource } from './yaml-source.js';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
// STS ExternalId: 2 to 1224 characters of [\w+=,.@:/-] (AssumeRole API reference).
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

const CSV_COLUMNS = ['account_id', 'role_arn', 'name', 'external_id'] as const;
const REQUIRED_COLUMNS = ['account_id', 'role_arn'] as const;

/** What is wrong with one account's fields, field by field (empty: nothing). */
function fieldProblems(t: { id?: unknown; roleArn?: unknown; name?: unknown; externalId?: unknown }): { field: 'id' | 'roleArn' | 'name' | 'externalId'; message: string }[] {
  const out: { field: 'id' | 'roleArn' | 'name' | 'externalId'; message: string }[] = [];
  const idOk = typeof t.id === 'string' && ACCOUNT_ID.test(t.id);
  // YAML reads an unquoted 012345678901 as a number (and drops its leading zero): say so.
  if (!idOk) out.push({ field: 'id', message: `account id ${JSON.stringify(t.id ?? '')} is not 12 digits${typeof t.id === 'number' ? ' (quote it: YAML read a number)' : ''}` });
  if (typeof t.roleArn !== 'string' || !ROLE_ARN.test(t.roleArn)) {
    out.push({ field: 'roleArn', message: `${JSON.stringify(t.roleArn ?? '')} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)` });
  } else if (idOk && ROLE_ARN.exec(t.roleArn)![1] !== t.id) {
    out.push({ field: 'roleArn', message: `the role is in account ${ROLE_ARN.exec(t.roleArn)![1]}, not ${t.id}` });
  }
  if (t.name !== undefined && (typeof t.name !== 'string' || t.name === '')) out.push({ field: 'name', message: 'name must be non-empty text' });
  if (t.externalId !== undefined && (typeof t.externalId !== 'string' || !EXTERNAL_ID.test(t.externalId))) {
    out.push({ field: 'externalId', message: 'external id must be 2 to 1224 characters of letters, digits and +=,.@:/-_' });
  }
  return out;
}

const target = (t: { id: string; roleArn: string; name?: string | undefined; externalId?: string | undefined }): AccountTarget => ({
  id: t.id,
  roleArn: t.roleArn,
  ...(t.name ? { name: t.name } : {}),
  ...(t.externalId ? { externalId: t.externalId } : {}),
});

/** Splits one CSV line into fields with their 1-based columns (RFC 4180 quotes: "a,b" and "" for a quote). */
export function splitCsvLine(line: string): { value: string; column: number }[] | string {
  const fields: { value: string; column: number }[] = [];
  let i = 0;
  for (;;) {
    const column = i + 1;
    let value = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return `column ${column}: a quoted field is not closed`;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      if (i < line.length && line[i] !== ',') return `column ${i + 1}: expected a comma after the quoted field`;
    } else {
      const end = line.indexOf(',', i);
      value = (end < 0 ? line.slice(i) : line.slice(i, end)).trim();
      i = end < 0 ? line.length : end;
    }
    fields.push({ value, column });
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

export function parseAccountsCsv(text: string, file: string): { targets: AccountTarget[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const targets: AccountTarget[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let header: string[] | undefined;
  const seen = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fields = splitCsvLine(raw);
    if (typeof fields === 'string') {
      problems.push({ file, line, column: Number(/^column (\d+)/.exec(fields)?.[1] ?? 1), message: fields.replace(/^column \d+: /, '') });
      return;
    }
    if (!header) {
      header = fields.map((f) => f.value.toLowerCase());
      fields.forEach((f, i) => {
        if (!(CSV_COLUMNS as readonly string[]).includes(header![i]!)) problems.push({ file, line, column: f.column, message: `unknown column "${f.value}" (columns: ${CSV_COLUMNS.join(', ')})` });
        // A row would be read by the first of the two columns only: the other value would be ignored silently.
        else if (header!.indexOf(header![i]!) < i) problems.push({ file, line, column: f.column, message: `column "${f.value}" is named twice (also column ${fields[header!.indexOf(header![i]!)]!.column})` });
      });
      for (const required of REQUIRED_COLUMNS) if (!header.includes(required)) problems.push({ file, line, column: 1, message: `the header row must name the column ${required}` });
      return;
    }
    if (fields.length > header.length) {
      problems.push({ file, line, column: fields[header.length]!.column, message: `${fields.length} fields, but the header names ${header.length} columns` });
      return;
    }
    const get = (name: string): { value: string; column: number } | undefined => {
      const i = header!.indexOf(name);
      const f = i < 0 ? undefined : fields[i];
      return f && f.value !== '' ? f : undefined;
    };
    const values = { id: get('account_id')?.value, roleArn: get('role_arn')?.value, name: get('name')?.value, externalId: get('external_id')?.value };
    const columnOf = { id: 'account_id', roleArn: 'role_arn', name: 'name', externalId: 'external_id' } as const;
    const found = fieldProblems(values);
    for (const p of found) problems.push({ file, line, column: get(columnOf[p.field])?.column ?? fields[header.indexOf(columnOf[p.field])]?.column ?? 1, message: p.message });
    if (found.length > 0) return;
    const earlier = seen.get(values.id!);
    if (earlier !== undefined) problems.push({ file, line, column: get('account_id')!.column, message: `account ${values.id} is already listed on line ${earlier}` });
    else seen.set(values.id!, line);
    targets.push(target(values as { id: string; roleArn: string; name?: string; externalId?: string }));
  });
  if (!header && problems.length === 0) problems.push({ file, line: 1, column: 1, message: `no header row: the first line must name the columns (${CSV_COLUMNS.join(',')})` });
  else if (header && targets.length === 0 && problems.length === 0) problems.push({ file, line: 1, column: 1, message: 'the file lists no account' });
  return { targets, problems };
}

const YAML_FIELDS = ['id', 'roleArn', 'name', 'externalId'];

export function parseAccountsYaml(source: YamlSource): { targets: AccountTarget[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const targets: AccountTarget[] = [];
  const data = source.data as unknown;
  const wrapped = typeof data === 'object' && data !== null && !Array.isArray(data);
  const list = wrapped ? (data as Record<string, unknown>).accounts : data;
  const base = wrapped ? ['accounts'] : [];
  if (wrapped) {
    for (const key of Object.keys(data as object)) if (key !== 'accounts') problems.push(problemAt(source, [key], `unknown key "${key}" (expected: accounts)`, { key: true }));
  }
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(problemAt(source, base, 'expected a list of accounts ({ id, roleArn, name?, externalId? })'));
    return { targets, problems };
  }
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const at = [...base, i];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(problemAt(source, at, 'expected a mapping { id, roleArn, name?, externalId? }'));
      return;
    }
    const t = item as Record<string, unknown>;
    for (const key of Object.keys(t)) if (!YAML_FIELDS.includes(key)) problems.push(problemAt(source, [...at, key], `unknown key "${key}" (expected: ${YAML_FIELDS.join(', ')})`, { key: true }));
    const found = fieldProblems(t);
    for (const p of found) problems.push(problemAt(source, t[p.field] === undefined ? at : [...at, p.field], p.message));
    if (found.length > 0) return;
    if (seen.has(t.id as string)) problems.push(problemAt(source, [...at, 'id'], `account ${t.id as string} is listed twice`));
    seen.add(t.id as string);
    targets.push(target(t as { id: string; roleArn: string; name?: string; externalId?: string }));
  });
  return { targets, problems };
}

/** Reads an accounts file (CSV by its .csv extension, else YAML); throws ConfigError listing every problem. */
export function loadAccountsFile(file: string): AccountTarget[] {
  let result: { targets: AccountTarget[]; problems: ConfigProblem[] };
  if (extname(file).toLowerCase() === '.csv') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new ConfigError([{ file, line: 1, column: 1, message: err.code === 'ENOENT' ? 'file not found' : err.message }]);
    }
    result = parseAccountsCsv(text, file);
  } else {
    const read = readYamlFile(file);
    if (!read.source) throw new ConfigError(tidyProblems(read.problems));
    result = parseAccountsYaml(read.source);
    result.problems.unshift(...read.problems);
  }
  if (result.problems.length > 0) throw new ConfigError(tidyProblems(result.problems));
  return result.targets;
}
