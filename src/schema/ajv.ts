/**
 * The project's single Ajv instance (docs/architecture.md, layer 0: one Ajv instance validates every schema).
 * Every JSON Schema in src/schema is compiled here so that formats, strictness and error
 * shape are the same everywhere.
 *
 * - allErrors: a user fixing a policy file wants every problem at once, not one per run.
 * - strict: a typo in one of our own schemas (an unknown keyword) must fail loudly.
 * - allowUnionTypes: a condition value may be a string, number, boolean, null or list.
 * - verbose: errors carry their `parentSchema`, which is how config/ finds the allowed keys
 *   and enum values to build "did you mean …" suggestions.
 */
import { Ajv } from 'ajv';
import type { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import encryptionTargetSchema from './encryption-target.schema.json' with { type: 'json' };

export type { ErrorObject, ValidateFunction };

export const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });

// Schemas other schemas $ref by their $id: the policy file's remediation block is an action's params schema.
ajv.addSchema(encryptionTargetSchema);

const compiled = new Map<AnySchema, ValidateFunction>();

/** Compile once per schema object and keep the validator (compiling is the slow part). */
export function validatorFor<T = unknown>(schema: AnySchema): ValidateFunction<T> {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn as ValidateFunction<T>;
}

/** Validate and return the errors (empty when valid). */
export function validateAgainst(schema: AnySchema, data: unknown): ErrorObject[] {
  const fn = validatorFor(schema);
  return fn(data) ? [] : [...(fn.errors ?? [])];
}

/** One line per error, for places without source positions (e.g. validating a generated report). */
export function errorsToText(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('\n');
}
