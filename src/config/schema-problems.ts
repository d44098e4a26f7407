/**
 * Turn Ajv errors into ConfigProblems with positions and "did you mean" suggestions.
 * Ajv's instancePath is a JSON pointer into the data; we map it to the YAML node. For an unknown
 * key we point at the key itself, not at the mapping that holds it.
 */
import type { AnySchema, ErrorObject } from 'ajv';
import type { ConfigProblem } from '../domain/errors.js';
import { validateAgainst } from '../schema/ajv.js';
import { describePath, problemAt, type DataPath, type YamlSource } from './yaml-source.js';
import { suggest } from './suggest.js';

export function pointerToPath(pointer: string): DataPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

type Schemaish = { properties?: Record<string, unknown>; description?: string; pattern?: string } | undefined;

/** Keys a condition leaf could have been meant as: its operators plus the composites. */
function keyCandidates(parentSchema: Schemaish): string[] {
  const keys = Object.keys(parentSchema?.properties ?? {});
  if (keys.includes('path') && keys.includes('eq')) keys.push('all', 'any', 'not');
  return keys;
}

function problemFor(error: ErrorObject, source: YamlSource): ConfigProblem | null {
  const path = pointerToPath(error.instancePath);
  const where = describePath(path);
  const parentSchema = error.parentSchema as Schemaish;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      // "must match then schema": the real error is reported from inside the branch.
      return null;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = keyCandidates(parentSchema);
      const suggestion = suggest(key, allowed);
      const inWhere = path.length ? ` in ${where}` : '';
      return problemAt(source, [...path, key], `unknown key "${key}"${inWhere}; allowed keys: ${allowed.join(', ')}`, { key: true, suggestion });
    }
    case 'required':
      return problemAt(source, path, `${where} is missing the required key "${String(params.missingProperty)}"`);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = error.data;
      const suggestion = typeof value === 'string' ? suggest(value, allowed) : undefined;
      return problemAt(source, path, `${where}: ${show(value)} is not one of ${allowed.join(', ')}`, { suggestion });
    }
    case 'const':
      return problemAt(source, path, `${where} must be ${show(params.allowedValue)}, got ${show(error.data)}`);
    case 'type': {
      const expected = String(params.type).replace(/,/g, ' or ');
      const got = error.data === null ? 'null' : Array.isArray(error.data) ? 'a list' : typeof error.data === 'object' ? 'a mapping' : `${typeof error.data} ${show(error.data)}`;
      const hint = expected === 'string' && typeof error.data === 'number' ? ` (quote it: "${String(error.data)}")` : '';
      const name = expected === 'object' ? 'a mapping' : expected === 'array' ? 'a list' : `a ${expected}`;
      return problemAt(source, path, `${where} must be ${name}, got ${got}${hint}`);
    }
    case 'pattern': {
      const what = parentSchema?.description ? `must be ${parentSchema.description}` : `does not match ${String(params.pattern)}`;
      return problemAt(source, path, `${where}: ${show(error.data)} ${what}`);
    }
    case 'minLength':
      return problemAt(source, path, params.limit === 1 ? `${where} must not be empty` : `${where} must have at least ${String(params.limit)} characters`);
    case 'minItems':
      return problemAt(source, path, params.limit === 1 ? `${where} must not be an empty list` : `${where} must have at least ${String(params.limit)} items`);
    default:
      return problemAt(source, path, `${where} ${error.message ?? 'is invalid'}`);
  }
}

/** Validate a YAML source against a schema; problems carry positions. */
export function schemaProblems(schema: AnySchema, source: YamlSource): ConfigProblem[] {
  const errors = validateAgainst(schema, source.data);
  // An unknown key next to a missing required one is almost always the same typo ("nme" for
  // "name"): report the unknown key, with its suggestion, once.
  const withUnknownKeys = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  const out: ConfigProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'required' && withUnknownKeys.has(e.instancePath)) continue;
    const p = problemFor(e, source);
    if (p) out.push(p);
  }
  return out;
}

