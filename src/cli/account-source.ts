/**
 * The many-account options of `scan` as the AccountSource the audit takes. An accounts file is read
 * and checked here, before any AWS call: a bad file is exit 2 with file:line:col problems.
 */
import { loadAccountsFile } from '../config/accounts-file.js';
import type { AccountSource } from '../run/accounts.js';
import type { ScanArgs } from './commands.js';

export function accountSourceFrom(args: ScanArgs): AccountSource | undefined {
  const selection = { include: args.includeAccounts, exclude: args.excludeAccounts, nameGlobs: args.accountNames, units: args.units };
  if (args.organization) {
    // checkAccountOptions (account-options.ts) made --role-name required with --organization.
    return { kind: 'organization', roleName: args.roleName!, ...(args.externalId !== undefined ? { externalId: args.externalId } : {}), selection };
  }
  if (args.accountsFile === undefined) return undefined;
  const targets = loadAccountsFile(args.accountsFile).map((t) =>
    t.externalId === undefined && args.externalId !== undefined ? { ...t, externalId: args.externalId } : t,
  );
  return { kind: 'file', targets, selection };
}
