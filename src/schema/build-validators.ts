/**
 * Build step (npm run build, after tsc): compiles every src/schema/*.schema.json with Ajv's standalone
 * code generation into dist/src/schema/validators/<name>.cjs, so no command compiles a schema at run
 * time (compiling the policy, rule and report schemas cost about a quarter of a second per process).
 * The output is a build product, not committed: it is made from the same schemas in the same build,
 * so it cannot go stale, and ajv's generated code depends only on the schemas and the options,
 * so it is reproducible.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type AnySchemaObject } from 'ajv';
// CommonJS: the default import is module.exports, which carries the function as .default too.
import standalone from 'ajv/dist/standalone/index.js';
import { packageRoot } from '../paths.js';
import { AJV_OPTIONS } from './ajv-options.js';
import { validatorFileName, validatorsDir } from './validators-path.js';

/** The source of each schema's validator module, by file name. */
export function generateValidators(schemaDir = resolve(packageRoot(), 'src/schema')): Map<string, string> {
  const schemas = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as AnySchemaObject);
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  // Every schema is added first, so a $ref by $id (the policy file's remediation block refers to an
  // action's params schema) resolves, and is inlined into the referring validator.
  for (const schema of schemas) ajv.addSchema(schema);
  const modules = new Map<string, string>();
  for (const schema of schemas) {
    const id = schema.$id;
    if (typeof id !== 'string') throw new Error(`a schema in ${schemaDir} has no $id: validators are found by it`);
    const validate = ajv.getSchema(id);
    if (!validate) throw new Error(`schema ${id} did not compile`);
    modules.set(validatorFileName(id), standalone.default(ajv, validate));
  }
  return modules;
}

export function writeValidators(outDir = validatorsDir()): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [name, code] of generateValidators()) writeFileSync(join(outDir, name), code);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) writeValidators();
