/**
 * Many accounts in one scan: the accounts of an AWS Organization (--organization) or of an accounts
 * file (--accounts), narrowed by the selection, each opened through its role. What becomes of every
 * selected account is kept for the report's `accounts` section: scanned, skipped (not ACTIVE: its
 * status says why) or error (its role could not be assumed, or its ListBuckets failed) — never
 * silently dropped. One account's failure is a run error for that account; the others are scanned.
 */
import { roleArnFor, type AccountEntry, type AccountStatus, type AccountTarget, type AccountsSection } from '../domain/accounts.js';
import type { RunError } from '../domain/report.js';
import { compareText } from '../domain/text.js';
import { globMatches } from '../engine/glob.js';
import type { AwsOptions } from '../aws/options.js';
import { listOrganization } from '../aws/organizations.js';
import { openTargetSessions, type AccountSession } from '../aws/session.js';

export interface AccountSelection {
  /** Account ids to scan (with `nameGlobs`: either matches); empty: every account. */
  include: readonly string[];
  exclude: readonly string[];
  /** Account-name globs (src/engine/glob.ts syntax). */
  nameGlobs: readonly string[];
  /** Organizational unit ids: only accounts under them (nested units included). Organizations only. */
  units: readonly string[];
}

export type AccountSource =
  | { kind: 'organization'; roleName: string; externalId?: string; selection: AccountSelection }
  | { kind: 'file'; targets: readonly AccountTarget[]; selection: AccountSelection };

export interface OpenedAccounts {
  sessions: AccountSession[];
  /** Roles that could not be assumed, and included ids the source does not know. */
  runErrors: RunError[];
  section: AccountsSection;
}

/** A listed account, before the selection. */
interface Candidate extends AccountTarget {
  status?: AccountStatus;
  ou?: string;
}

/** Whether the selection keeps an account (ids and name globs include, ids exclude; exclusion wins). */
export function selects(selection: AccountSelection, account: { id: string; name?: string }): boolean {
  if (selection.exclude.includes(account.id)) return false;
  if (selection.include.length === 0 && selection.nameGlobs.length === 0) return true;
  if (selection.include.includes(account.id)) return true;
  return account.name !== undefined && selection.nameGlobs.some((g) => globMatches(g, account.name!));
}

/**
 * Splits the listed accounts into targets to open and entries already decided (skipped by status), and
 * reports each included id that is not listed: a mistyped id must not pass as "nothing to scan".
 */
export function planAccounts(candidates: readonly Candidate[], selection: AccountSelection, where: string): { targets: Candidate[]; skipped: AccountEntry[]; runErrors: RunError[] } {
  const kept = candidates.filter((c) => selects(selection, c));
  const targets = kept.filter((c) => c.status === undefined || c.status === 'ACTIVE');
  const skipped = kept
    .filter((c) => c.status !== undefined && c.status !== 'ACTIVE')
    .map((c): AccountEntry => ({ ...entryOf(c), result: 'skipped', reason: `account status ${c.status}: not scanned` }));
  const known = new Set(candidates.map((c) => c.id));
  const runErrors: RunError[] = selection.include
    .filter((id) => !known.has(id))
    .map((id) => ({ account: id, operation: 'SelectAccounts', code: 'AccountNotFound', message: `account ${id} was asked for but is not in ${where}` }));
  // A name glob that matches no account is a mistake as likely as a mistyped id (a renamed account, a
  // wrong case): it is reported the same way, not passed over.
  for (const glob of selection.nameGlobs) {
    if (!candidates.some((c) => c.name !== undefined && globMatches(glob, c.name))) {
      runErrors.push({ operation: 'SelectAccounts', code: 'AccountNotFound', message: `no account of ${where} has a name matching --account-name ${JSON.stringify(glob)}` });
    }
  }
  // Nothing left to scan is never a clean pass: a gate that audited no account has decided nothing
  // (fail closed: the run is incomplete, exit 3 unless --allow-incomplete).
  if (targets.length === 0) {
    const why = kept.length === 0 ? 'the selection keeps none of its accounts' : `the selected accounts are not ACTIVE (${skipped.map((e) => `${e.id} ${e.status}`).join(', ')})`;
    runErrors.push({ operation: 'SelectAccounts', code: 'NoAccountSelected', message: `nothing to scan in ${where}: ${why}` });
  }
  return { targets, skipped, runErrors };
}

function entryOf(c: Candidate): Omit<AccountEntry, 'result'> {
  return {
    id: c.id,
    ...(c.name !== undefined && c.name !== '' ? { name: c.name } : {}),
    ...(c.status !== undefined ? { status: c.status } : {}),
    ...(c.ou !== undefined ? { ou: c.ou } : {}),
    roleArn: c.roleArn,
  };
}

export async function openAccounts(aws: AwsOptions, source: AccountSource, durationSeconds?: number): Promise<OpenedAccounts> {
  let candidates: Candidate[];
  let organization: AccountsSection['organization'];
  if (source.kind === 'organization') {
    const listing = await listOrganization(aws, source.selection.units);
    organization = { id: listing.id, managementAccount: listing.managementAccount };
    candidates = listing.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      status: a.status,
      ...(a.ou !== undefined ? { ou: a.ou } : {}),
      roleArn: roleArnFor(a.id, source.roleName),
      ...(source.externalId !== undefined ? { externalId: source.externalId } : {}),
    }));
  } else candidates = [...source.targets];
  const where = source.kind === 'organization' ? `organization ${organization!.id}${source.selection.units.length > 0 ? ` under ${source.selection.units.join(', ')}` : ''}` : 'the accounts file';
  const { targets, skipped, runErrors } = planAccounts(candidates, source.selection, where);

  const opened = await openTargetSessions(aws, targets, durationSeconds);
  const failed = new Map(opened.failures.map((f) => [f.account, f]));
  for (const f of opened.failures) runErrors.push({ account: f.account, operation: f.operation, code: f.code, message: f.message });
  const entries: AccountEntry[] = [
    ...skipped,
    ...targets.map((t): AccountEntry => {
      const failure = failed.get(t.id);
      return failure ? { ...entryOf(t), result: 'error', reason: `${failure.operation}: ${failure.code}` } : { ...entryOf(t), result: 'scanned' };
    }),
  ].sort((a, b) => compareText(a.id, b.id));
  return {
    sessions: opened.sessions,
    runErrors,
    section: { source: source.kind, ...(organization ? { organization } : {}), list: entries },
  };
}

/** The section once the buckets were listed: an account whose ListBuckets failed is an error, not scanned. */
export function withListingErrors(section: AccountsSection, errors: readonly RunError[]): AccountsSection {
  const listFailures = new Map(errors.filter((e) => e.account !== undefined && e.bucket === undefined && e.operation === 'ListBuckets').map((e) => [e.account!, e]));
  return {
    ...section,
    list: section.list.map((entry) => {
      const failure = listFailures.get(entry.id);
      return entry.result === 'scanned' && failure ? { ...entry, result: 'error', reason: `${failure.operation}: ${failure.code}` } : entry;
    }),
  };
}
