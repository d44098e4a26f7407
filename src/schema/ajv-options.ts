/**
 * The options of the project's single Ajv instance, which compiles every JSON Schema in src/schema
 * at build time (src/schema/build-validators.ts), so that formats, strictness and error shape are the
 * same everywhere.
 *
 * - allErrors: a user fixing a policy file wants every problem at once, not one per run.
 * - strict: a typo in one of our own schemas (an unknown keyword) must fail loudly.
 * - allowUnionTypes: a condition value may be a string, number, boolean, null or list.
 * - verbose: errors carry their `parentSchema`, which is how config/ finds the allowed keys
 *   and enum values to build "did you mean …" suggestions.
 */
import type { Options } from 'ajv';

export const AJV_OPTIONS = { allErrors: true, strict: true, verbose: true, allowUnionTypes: true } as const satisfies Options;
