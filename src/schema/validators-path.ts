/**
 * Where the validators precompiled from src/schema/*.schema.json live: one CommonJS module per schema,
 * named after the last segment of the schema's $id, next to the compiled schema modules in dist/.
 * CommonJS because a validator is loaded synchronously (createRequire) the first time it is needed.
 */
import { fileURLToPath } from 'node:url';

export const validatorsDir = (): string => fileURLToPath(new URL('./validators/', import.meta.url));

/** "https://…/schema/policies.schema.json" → "policies.schema.cjs". */
export function validatorFileName(schemaId: string): string {
  const last = schemaId.slice(schemaId.lastIndexOf('/') + 1);
  return `${last.replace(/\.json$/, '')}.cjs`;
}
