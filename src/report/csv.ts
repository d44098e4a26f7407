/**
 * CSV: one row per finding, for spreadsheets and ad-hoc analysis. Pure render(report) → string.
 *
 * - RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): CRLF between records, a header record, a
 *   field is quoted when it holds a comma, a double quote, CR or LF, and a quote inside is doubled.
 * - Safe to open in a spreadsheet: a field that starts with tab, CR, LF or NUL, or with `=`, `+`,
 *   `-`, `@` or their full-width forms after any leading whitespace, is prefixed with `'`, so Excel,
 *   LibreOffice and Google Sheets show it as text instead of evaluating a formula (OWASP "CSV
 *   Injection", https://owasp.org/www-community/attacks/CSV_Injection; ASVS 5.0 V1.2.10 adds the
 *   NUL character, and LF is treated like CR here). That `'` is the only change: a
 *   CSV parser gets every other value back exactly (control characters included: this is data),
 *   except a lone UTF-16 surrogate, which no UTF-8 file can hold: it is written as U+FFFD.
 * - The `baseline` column marks each finding against the baseline (new, still-failing, resolved) so
 *   the counts are one filter away; it is empty without --baseline. Baseline failures whose bucket
 *   is gone from this run are not findings of this run, so they have no row (the JSON diff lists them).
 */
import type { Finding } from '../domain/finding.js';
import type { AuditReport } from '../domain/report.js';
import { diffMarks } from './diff.js';

export const CSV_COLUMNS = [
  'id',
  'status',
  'severity',
  'policy',
  'rule',
  'rule_title',
  'account',
  'region',
  'bucket',
  'key',
  'version_id',
  'arn',
  'message',
  'cause_code',
  'cause_operation',
  'cause_message',
  'exception_reason',
  'exception_expires',
  'exception_expired',
  'baseline',
  'evidence',
] as const;

/**
 * Cells a spreadsheet may read as a formula: a leading tab, CR, LF or NUL (which can hide one), or a
 * formula character — ASCII or full-width (＝＋－＠, which an IME-driven input may turn into ASCII) —
 * after any leading whitespace, which a spreadsheet may trim before parsing (" =HYPERLINK(...)").
 * Over-matching costs a visible `'`; under-matching costs a formula.
 */
const FORMULA_START = /^(?:[\t\r\n\u0000]|[\s\u0000]*[=+\-@\uff1d\uff0b\uff0d\uff20])/;

/** UTF-8 cannot encode a lone surrogate: the file would hold U+FFFD anyway, so the text says so. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** RFC 4180: a field holding a comma, double quote, CR or LF is quoted, with quotes doubled. */
export function quoteField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Neutralises a formula, then quotes per RFC 4180 when needed. */
export function csvField(value: string): string {
  const text = value.replace(LONE_SURROGATE, '\ufffd');
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return quoteField(safe);
}

function row(f: Finding, ruleTitle: string, mark: string): string[] {
  return [
    f.id,
    f.status,
    f.severity,
    f.policy,
    f.rule,
    ruleTitle,
    f.resource.account,
    f.resource.region,
    f.resource.bucket,
    f.resource.key ?? '',
    f.resource.versionId ?? '',
    f.resource.arn,
    f.message,
    f.cause?.code ?? '',
    f.cause?.operation ?? '',
    f.cause?.message ?? '',
    f.exception?.reason ?? '',
    f.exception?.expires ?? '',
    f.exception ? String(f.exception.expired) : '',
    mark,
    JSON.stringify(f.evidence),
  ];
}

export function render(report: AuditReport): string {
  const rules = report.rules ?? {};
  const mark = diffMarks(report);
  const records = [
    [...CSV_COLUMNS],
    ...report.findings.map((f) => row(f, Object.hasOwn(rules, f.rule) ? rules[f.rule]!.title : '', mark(f) ?? '')),
  ];
  return records.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}
