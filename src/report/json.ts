/**
 * The JSON report (docs/architecture.md "Contracts", schemaVersion 1) as text, and its JSON Schema.
 * The report object itself is assembled by the run layer (src/run/report.ts); the writer (writer.ts)
 * is the only module that puts a report on disk.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditReport } from '../domain/report.js';
import { packageRoot } from '../paths.js';

export const REPORT_SCHEMA_VERSION = 1;

/** The report as it is written to `<name>.json`. */
export function renderJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Where the report's JSON Schema lives (read from the package, not dist: tsc does not copy it). */
export const reportSchemaPath = (): string => resolve(packageRoot(), 'src/schema/report.schema.json');

let schemaCache: object | undefined;
/** The report's JSON Schema, parsed once; compile it with the shared Ajv instance (src/schema/ajv.ts). */
export function loadReportSchema(): object {
  schemaCache ??= JSON.parse(readFileSync(reportSchemaPath(), 'utf8')) as object;
  return schemaCache;
}
