/**
 * The validators of the JSON Schemas in src/schema (docs/architecture.md, layer 0: one Ajv instance
 * validates every schema). They were compiled at build time by src/schema/build-validators.ts with
 * the options in ajv-options.ts; here each is loaded the first time it is needed, so a command pays
 * only for the schemas it uses and never for Ajv's compiler.
 */
import { createRequire } from 'node:module';
import type { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import { validatorFileName, validatorsDir } from './validators-path.js';

export type { ErrorObject, ValidateFunction };

const requireValidator = createRequire(validatorsDir());
const loaded = new Map<string, ValidateFunction>();

/** The precompiled validator of a schema, found by its $id. */
export function validatorFor<T = unknown>(schema: AnySchema): ValidateFunction<T> {
  const id = typeof schema === 'object' ? schema.$id : undefined;
  if (typeof id !== 'string') throw new Error('only the schemas in src/schema (which have an $id) have validators');
  let fn = loaded.get(id);
  if (!fn) {
    const file = validatorFileName(id);
    try {
      fn = requireValidator(`./${file}`) as ValidateFunction;
    } catch (e) {
      throw new Error(`no precompiled validator for ${id} (${file}); npm run build generates them`, { cause: e });
    }
    loaded.set(id, fn);
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
