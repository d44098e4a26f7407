/**
 * The report formats the CLI offers (`--format`), and how each file format is rendered and named.
 * Every format renders from the JSON report alone (AuditReport), so `s3-kms-audit report` can
 * re-render a saved report byte for byte as the scan wrote it. `console` prints to stdout and is
 * handled by the CLI; the others become `<out>/<name>.<extension>` through writer.ts.
 */
import type { AuditReport } from '../domain/report.js';
import { render as renderCsv } from './csv.js';
import { render as renderHtml } from './html.js';
import { renderJson } from './json.js';
import { JUNIT_EXTENSION, render as renderJunit } from './junit.js';
import { render as renderMarkdown } from './md.js';
import { render as renderSarif } from './sarif.js';
import type { Rendering } from './writer.js';
import { isFileFormat, type FileFormatName, type ReportFormatName } from './format-names.js';

export { REPORT_FORMATS, isFileFormat, type FileFormatName, type ReportFormatName } from './format-names.js';


export interface FileFormat {
  /** File name extension without the leading dot. */
  extension: string;
  render(report: AuditReport): string;
}

export const FILE_FORMATS: Readonly<Record<FileFormatName, FileFormat>> = {
  json: { extension: 'json', render: renderJson },
  html: { extension: 'html', render: (r) => renderHtml(r) },
  md: { extension: 'md', render: (r) => renderMarkdown(r) },
  junit: { extension: JUNIT_EXTENSION, render: renderJunit },
  sarif: { extension: 'sarif', render: renderSarif },
  csv: { extension: 'csv', render: renderCsv },
};

/** The files to write for the chosen formats, in the order given (console is not a file). */
export function fileRenderings(report: AuditReport, formats: readonly ReportFormatName[]): Rendering[] {
  return formats.filter(isFileFormat).map((f) => ({ extension: FILE_FORMATS[f].extension, content: FILE_FORMATS[f].render(report) }));
}
