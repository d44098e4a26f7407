/**
 * The names of the report formats (`--format`). Apart from formats.ts, which loads every renderer,
 * because the CLI's option table needs only the names and `--version`/`--help` must start fast.
 */
export const REPORT_FORMATS = ['json', 'console', 'html', 'md', 'junit', 'sarif', 'csv'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];
export type FileFormatName = Exclude<ReportFormatName, 'console'>;

export const isFileFormat = (format: ReportFormatName): format is FileFormatName => format !== 'console';
