/**
 * The accounts a scan covers when it is given many (an AWS Organization, or an accounts file): who
 * to assume into, and what became of each account. The report's optional `accounts` section.
 */

/** An account's status as AWS Organizations reports it (State when given, else Status). */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED' | 'PENDING_ACTIVATION';

/** One account to scan through a role. */
export interface AccountTarget {
  id: string;
  roleArn: string;
  name?: string;
  externalId?: string;
}

/** What the run did with one account. */
export type AccountResult = 'scanned' | 'skipped' | 'error';

export interface AccountEntry {
  id: string;
  name?: string;
  /** From Organizations; absent for accounts read from a file. */
  status?: AccountStatus;
  /** The id of the organizational unit the account sits in, when it was found through units (--ou). */
  ou?: string;
  roleArn?: string;
  result: AccountResult;
  /** Why it was skipped (its status) or why it failed (operation, code, message). */
  reason?: string;
}

export interface AccountsSection {
  /** Where the list came from: `organization` (--organization) or `file` (--accounts FILE). */
  source: 'organization' | 'file';
  organization?: { id: string; managementAccount: string };
  /** The accounts the selection kept, by id (code-unit order). Deselected accounts are not listed. */
  list: AccountEntry[];
}

/** The role an organisation-wide scan assumes in each member account. */
export const roleArnFor = (accountId: string, roleName: string, partition = 'aws'): string => `arn:${partition}:iam::${accountId}:role/${roleName}`;

/** The role AWS creates in accounts made by Organizations: full administrator, so never the audit role. */
export const ORGANIZATION_ADMIN_ROLE = 'OrganizationAccountAccessRole';
