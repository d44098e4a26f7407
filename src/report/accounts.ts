/**
 * The `accounts` section of a many-account run (--organization, --accounts) in each human format:
 * how many accounts were scanned, skipped (with their status) or failed (with the cause). Scanned
 * accounts are only counted; the others are listed, since they are what a reader must act on.
 */
import type { AccountEntry, AccountsSection } from '../domain/accounts.js';
import type { AuditReport } from '../domain/report.js';
import { escapeControl, plural } from '../domain/text.js';
import { html, mdText } from './escape.js';

/** Console lines of unscanned accounts shown without --verbose. */
const CONSOLE_LIMIT = 10;

const notScanned = (section: AccountsSection): AccountEntry[] => section.list.filter((a) => a.result !== 'scanned');

/** "organization o-… (management 111122223333)" or "accounts file". */
function sourceText(section: AccountsSection): string {
  return section.organization ? `organization ${section.organization.id}, management account ${section.organization.managementAccount}` : 'accounts file';
}

/** "2 scanned · 1 skipped · 1 error". */
export function accountCountsText(section: AccountsSection): string {
  const count = (r: AccountEntry['result']): number => section.list.filter((a) => a.result === r).length;
  return `${count('scanned')} scanned · ${count('skipped')} skipped · ${plural(count('error'), 'error')}`;
}

const entryText = (a: AccountEntry): string => `${a.id}${a.name ? ` ${a.name}` : ''}: ${a.result === 'skipped' ? (a.status ?? 'skipped') : (a.reason ?? 'error')}`;

/** The console header's `accounts` line for a many-account run, then one line per account not scanned. */
export function accountsConsoleLines(section: AccountsSection, verbose: boolean): string[] {
  const others = notScanned(section);
  const shown = verbose ? others : others.slice(0, CONSOLE_LIMIT);
  const lines = [`  accounts  ${accountCountsText(section)} (${escapeControl(sourceText(section))})`];
  for (const a of shown) lines.push(`            ${a.result} ${escapeControl(entryText(a))}`);
  if (shown.length < others.length) lines.push(`            … ${plural(others.length - shown.length, 'more account')} not scanned: see the JSON report (or run with --verbose)`);
  return lines;
}

export function accountsMarkdown(report: AuditReport): string[] {
  const section = report.accounts;
  if (!section) return [];
  const others = notScanned(section);
  const lines = ['', `### Accounts (${section.list.length})`, '', `${mdText(sourceText(section))}: ${accountCountsText(section)}.`];
  if (others.length === 0) return lines;
  lines.push('', '| account | name | result | status or cause |', '|:--|:--|:--|:--|');
  for (const a of others) lines.push(`| ${mdText(a.id)} | ${mdText(a.name ?? '')} | ${a.result} | ${mdText(a.result === 'skipped' ? (a.status ?? '') : (a.reason ?? ''))} |`);
  return lines;
}

export function accountsHtml(report: AuditReport): string {
  const section = report.accounts;
  if (!section) return '';
  const cell = (v: string | undefined): string => `<td>${html(v ?? '')}</td>`;
  return [
    `<section id="accounts"><h2>Accounts (${section.list.length})</h2>`,
    `<p>${html(sourceText(section))}: ${html(accountCountsText(section))}</p>`,
    '<table id="accounts-table"><thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">OU</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead><tbody>',
    ...section.list.map((a) => `<tr data-result="${html(a.result)}">${cell(a.id)}${cell(a.name)}${cell(a.status)}${cell(a.ou)}${cell(a.result)}${cell(a.reason)}</tr>`),
    '</tbody></table></section>',
  ].join('\n');
}
