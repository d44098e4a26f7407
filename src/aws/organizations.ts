/**
 * AWS Organizations, read only: the organisation, and its member accounts — all of them
 * (ListAccounts) or those under some organizational units, nested units included
 * (ListAccountsForParent and ListChildren for the nested units, recursively). Called with the
 * caller's own credentials: the management account or a delegated administrator.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/
 *
 * @aws-sdk/client-organizations is imported on first use only, so scans of one account, `validate`
 * and `--help` never load it.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AccountStatus } from '../domain/accounts.js';
import { commonConfig, type Agents } from './clients.js';
import { AwsSessionError, errorCode, toFactError } from './errors.js';
import { trimMiddleware } from './lean-stack.js';
import { DEFAULT_MAX_SOCKETS, homeRegion, type AwsOptions } from './options.js';

export interface OrganizationAccount {
  id: string;
  name: string;
  status: AccountStatus;
  /** The id of the unit the account sits in, when it was found through units (--ou). */
  ou?: string;
}

export interface OrganizationListing {
  id: string;
  managementAccount: string;
  accounts: OrganizationAccount[];
}

type Sdk = typeof import('@aws-sdk/client-organizations');

/** The finer `State` when the answer has it (accounts closing or closed), else `Status`. */
function statusOf(a: { Status?: string; State?: string }): AccountStatus {
  return (a.State ?? a.Status ?? 'ACTIVE') as AccountStatus;
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    throw new AwsSessionError(operation, errorCode(err), toFactError(err, operation).message);
  }
}

/** Every page of a NextToken-paged list. */
async function allPages<T>(operation: string, page: (token: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const out = await call(operation, () => page(token));
    items.push(...out.items);
    token = out.next;
  } while (token);
  return items;
}

/**
 * The organisation and its accounts: every member (ListAccounts) when `units` is empty, else the
 * members under each of `units` and their nested units. Throws AwsSessionError on any failure.
 */
export async function listOrganization(opts: AwsOptions, units: readonly string[]): Promise<OrganizationListing> {
  const sdk: Sdk = await import('@aws-sdk/client-organizations');
  const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const agents: Agents = { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
  const client: OrganizationsClient = trimMiddleware(new sdk.OrganizationsClient(commonConfig(opts, homeRegion(opts), opts.credentials, agents)));
  try {
    const described = await call('DescribeOrganization', () => client.send(new sdk.DescribeOrganizationCommand({})));
    const org = described.Organization;
    if (!org?.Id || !org.MasterAccountId) throw new AwsSessionError('DescribeOrganization', 'InvalidResponse', 'no Organization Id or MasterAccountId in the answer');
    const accounts = units.length === 0 ? await listAll(sdk, client) : await listUnder(sdk, client, units);
    return { id: org.Id, managementAccount: org.MasterAccountId, accounts };
  } finally {
    client.destroy();
    agents.http.destroy();
    agents.https.destroy();
  }
}

async function listAll(sdk: Sdk, client: OrganizationsClient): Promise<OrganizationAccount[]> {
  const accounts = await allPages('ListAccounts', async (NextToken) => {
    const out = await client.send(new sdk.ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }));
    return { items: out.Accounts ?? [], next: out.NextToken };
  });
  return accounts.filter((a) => a.Id).map((a) => ({ id: a.Id!, name: a.Name ?? '', status: statusOf(a) }));
}

/** The accounts under each unit, depth first through nested units; an account met twice (nested selections) is kept once. */
async function listUnder(sdk: Sdk, client: OrganizationsClient, units: readonly string[]): Promise<OrganizationAccount[]> {
  const found = new Map<string, OrganizationAccount>();
  const visit = async (parentId: string): Promise<void> => {
    const accounts = await allPages('ListAccountsForParent', async (NextToken) => {
      const out = await client.send(new sdk.ListAccountsForParentCommand({ ParentId: parentId, ...(NextToken ? { NextToken } : {}) }));
      return { items: out.Accounts ?? [], next: out.NextToken };
    });
    for (const a of accounts) {
      if (a.Id && !found.has(a.Id)) found.set(a.Id, { id: a.Id, name: a.Name ?? '', status: statusOf(a), ou: parentId });
    }
    const children = await allPages('ListChildren', async (NextToken) => {
      const out = await client.send(new sdk.ListChildrenCommand({ ParentId: parentId, ChildType: 'ORGANIZATIONAL_UNIT', ...(NextToken ? { NextToken } : {}) }));
      return { items: out.Children ?? [], next: out.NextToken };
    });
    for (const unit of children) if (unit.Id) await visit(unit.Id);
  };
  for (const unit of units) await visit(unit);
  return [...found.values()];
}
