/**
 * The options that make a scan cover many accounts: an AWS Organization (--organization, with
 * --role-name and the selection) or an accounts file (--accounts). Declared here, apart from the
 * command table, and spread into `scan` (commands.ts); like the table, this module loads no SDK.
 *
 * CLI flags rather than an `accounts:` section in policies.yaml: the policy file says what is
 * compliant, and one policy file serves many organisations, CI gates and shards; which accounts a run
 * covers — and through which role — belongs to the run, as --assume-role and --region already do.
 */
import { ORGANIZATION_ADMIN_ROLE } from '../domain/accounts.js';
import { UsageError } from '../domain/errors.js';
import { validateGlob } from '../engine/glob.js';
import { listOption, switchOption, valueOption } from './spec.js';
import { path } from './values.js';

const ACCOUNT_ID = /^\d{12}$/;
const UNIT_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
// IAM role names (with an optional path): https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** STS AssumeRole DurationSeconds: 900 s to 12 h (the role's maximum session may be lower). */
export const SESSION_DURATION_RANGE = [900, 43_200] as const;

function accountId(text: string, source: string): string {
  if (!ACCOUNT_ID.test(text)) throw new UsageError(`${source}: "${text}" is not an AWS account id (12 digits)`);
  return text;
}

function unitId(text: string, source: string): string {
  if (!UNIT_ID.test(text)) throw new UsageError(`${source}: "${text}" is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)`);
  return text;
}

function nameGlob(text: string, source: string): string {
  const problem = text === '' ? 'give a glob' : validateGlob(text);
  if (problem) throw new UsageError(`${source}: "${text}": ${problem}`);
  return text;
}

function roleName(text: string, source: string): string {
  if (!ROLE_NAME.test(text)) throw new UsageError(`${source}: "${text}" is not an IAM role name (letters, digits and +=,.@_-, up to 64; a path/ prefix is allowed)`);
  return text;
}

function externalId(text: string, source: string): string {
  if (!EXTERNAL_ID.test(text)) throw new UsageError(`${source}: the external id must be 2 to 1224 characters of letters, digits and +=,.@:/-_`);
  return text;
}

function sessionDuration(text: string, source: string): number {
  const n = Number(text);
  const [min, max] = SESSION_DURATION_RANGE;
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${source}: "${text}" must be whole seconds from ${min} to ${max}`);
  return n;
}

export const ACCOUNT_OPTIONS = {
  organization: switchOption({
    flag: '--organization',
    help: "scan the ACTIVE accounts of the caller's AWS Organization (the caller: management account or delegated administrator) through --role-name; others are listed as skipped",
  }),
  roleName: valueOption({ flag: '--role-name', placeholder: 'NAME', help: 'with --organization: the read-only audit role assumed in each account (required, no default)', parse: roleName }),
  externalId: valueOption({ flag: '--external-id', placeholder: 'ID', help: "sts:ExternalId sent with each AssumeRole (--accounts: for rows without their own)", parse: externalId }),
  accountsFile: valueOption({ flag: '--accounts', placeholder: 'FILE', help: 'scan the accounts of this CSV (account_id,role_arn[,name,external_id]) or YAML file, each through its role', parse: path }),
  includeAccounts: listOption({ flag: '--account', placeholder: 'ID', help: 'with --organization or --accounts: scan this account (repeatable; with --account-name, either matches)', parse: accountId }),
  excludeAccounts: listOption({ flag: '--exclude-account', placeholder: 'ID', help: 'with --organization or --accounts: do not scan this account (repeatable; wins over any inclusion)', parse: accountId }),
  accountNames: listOption({ flag: '--account-name', placeholder: 'GLOB', help: 'with --organization or --accounts: scan the accounts whose name matches (repeatable)', parse: nameGlob }),
  units: listOption({ flag: '--ou', placeholder: 'OU_ID', help: 'with --organization: only accounts under this organizational unit, nested units included (repeatable)', parse: unitId }),
  sessionDuration: valueOption({
    flag: '--session-duration',
    placeholder: 'SECONDS',
    help: `with --organization or --accounts: DurationSeconds of each role session, ${SESSION_DURATION_RANGE[0]}-${SESSION_DURATION_RANGE[1]} (capped at 3600 when the caller is itself a role session); sessions are renewed before they end`,
    defaultNote: "STS's 3600",
    parse: sessionDuration,
  }),
};

interface AccountArgs {
  organization: boolean;
  roleName?: string | undefined;
  externalId?: string | undefined;
  accountsFile?: string | undefined;
  includeAccounts: string[];
  excludeAccounts: string[];
  accountNames: string[];
  units: string[];
  sessionDuration?: number | undefined;
  assumeRoles: string[];
}

/** The rules across these options (and --assume-role), as usage errors: nothing is scanned. */
export function checkAccountOptions(args: AccountArgs): void {
  const many = args.organization || args.accountsFile !== undefined;
  if (args.organization && args.accountsFile !== undefined) throw new UsageError('--organization and --accounts FILE are two ways to name the accounts: give one');
  if (many && args.assumeRoles.length > 0) throw new UsageError(`${args.organization ? '--organization' : '--accounts'} names the accounts and their roles: drop --assume-role`);
  if (args.organization && args.roleName === undefined) {
    throw new UsageError(
      `--organization needs --role-name NAME, the read-only audit role in each member account. There is no default: ${ORGANIZATION_ADMIN_ROLE}, ` +
        'the role Organizations creates in new accounts, is an administrator role, and an audit must not run with it (README "Organisations" shows the audit role and its trust policy)',
    );
  }
  if (args.roleName !== undefined && !args.organization) throw new UsageError('--role-name goes with --organization (an --accounts file names each role ARN)');
  if (!many) {
    const stray = [
      args.externalId !== undefined && '--external-id',
      args.includeAccounts.length > 0 && '--account',
      args.excludeAccounts.length > 0 && '--exclude-account',
      args.accountNames.length > 0 && '--account-name',
      args.units.length > 0 && '--ou',
      args.sessionDuration !== undefined && '--session-duration',
    ].filter((f): f is string => typeof f === 'string');
    if (stray.length > 0) throw new UsageError(`${stray.join(', ')} select${stray.length === 1 ? 's' : ''} among many accounts: add --organization (or --accounts FILE)`);
  }
  if (args.units.length > 0 && !args.organization) throw new UsageError('--ou selects organizational units: it needs --organization');
}

/**
 * A warning when --role-name names the administrator role Organizations creates in new accounts: it
 * works (some organisations have nothing else yet), but an audit should run with a read-only role.
 */
export function adminRoleWarning(roleName: string | undefined): string | undefined {
  if (roleName === undefined || roleName.split('/').pop() !== ORGANIZATION_ADMIN_ROLE) return undefined;
  return (
    `warning: --role-name ${roleName} is the administrator role AWS Organizations creates in new accounts; ` +
    'an audit needs only read access: create a read-only audit role (permissions scan --organization prints its policy and trust)\n'
  );
}

/** `permissions scan --organization`: the documents of an organisation-wide audit (organization-permissions.ts). */
export const ORGANIZATION_PERMISSION_OPTIONS = {
  organization: switchOption({ flag: '--organization', help: 'scan only: print the caller policy, the member audit role policy and its trust policy for scan --organization' }),
  roleName: valueOption({ flag: '--role-name', placeholder: 'NAME', help: 'with --organization: the audit role in each member account (required)', parse: roleName }),
  externalId: valueOption({ flag: '--external-id', placeholder: 'ID', help: 'with --organization: require this sts:ExternalId in the trust policy', parse: externalId }),
  trustedPrincipal: valueOption({
    flag: '--trusted-principal',
    placeholder: 'ARN',
    help: 'with --organization: the role or user that runs the scan, trusted by the member role',
    defaultNote: 'a placeholder to replace',
    parse: principalArn,
  }),
};

function principalArn(text: string, source: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$|^arn:aws[a-z-]*:iam::\d{12}:root$/.test(text)) {
    throw new UsageError(`${source}: "${text}" is not an IAM role, user or account root ARN`);
  }
  return text;
}

export function checkOrganizationPermissionOptions(args: { command: string; organization: boolean; roleName?: string | undefined; externalId?: string | undefined; trustedPrincipal?: string | undefined; assumeRoles: string[] }): void {
  if (!args.organization) {
    const stray = [args.roleName !== undefined && '--role-name', args.externalId !== undefined && '--external-id', args.trustedPrincipal !== undefined && '--trusted-principal'].filter(
      (f): f is string => typeof f === 'string',
    );
    if (stray.length > 0) throw new UsageError(`${stray.join(', ')} go${stray.length === 1 ? 'es' : ''} with --organization`);
    return;
  }
  if (args.command !== 'scan') throw new UsageError('--organization: only scan works across an organisation (permissions scan --organization)');
  if (args.assumeRoles.length > 0) throw new UsageError('--organization prints the sts:AssumeRole statement itself: drop --assume-role');
  if (args.roleName === undefined) {
    throw new UsageError(`--organization needs --role-name NAME, the read-only audit role to create in each member account (not ${ORGANIZATION_ADMIN_ROLE}, an administrator role)`);
  }
}
