/**
 * AWS Organizations, JSON 1.1 protocol (`X-Amz-Target: AWSOrganizationsV20161128.<Operation>`): the
 * read-only operations an auditor uses to find the accounts to scan. Shapes, error codes and paging
 * follow the API reference (https://docs.aws.amazon.com/organizations/latest/APIReference/).
 *
 * Only principals of the management account may call them (a delegated administrator is not
 * modelled): a member account gets AccessDeniedException, an estate without an organisation
 * AWSOrganizationsNotInUseException.
 */
import type { Estate, OrganizationMember, OrganizationalUnit, SandboxOrganization } from '../model.js';
import { AwsError, parseJsonInput, type SandboxRequest, type SandboxResponse, type ServiceHandler } from '../protocol.js';
import { invalidInput, requiredString, type Json } from './input.js';
import { pageOf } from './pagination.js';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

type Operation = (org: SandboxOrganization, input: Json) => Json;

const ACCOUNT_ID = /^\d{12}$/;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

const arnBase = (org: SandboxOrganization): string => `arn:aws:organizations::${org.managementAccount}`;
// JSON 1.1 timestamps are epoch seconds.
const epochSeconds = (d: Date): number => d.getTime() / 1000;

function accountShape(org: SandboxOrganization, a: OrganizationMember): Json {
  return {
    Id: a.id,
    Arn: `${arnBase(org)}:account/${org.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.state,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: epochSeconds(a.joinedTimestamp),
  };
}

const unitShape = (org: SandboxOrganization, u: OrganizationalUnit): Json => ({ Id: u.id, Arn: `${arnBase(org)}:ou/${org.id}/${u.id}`, Name: u.name });

function parentOf(org: SandboxOrganization, input: Json): string {
  const parentId = requiredString(input, 'ParentId', PARENT_ID, 'INVALID_PARTY_TYPE_TARGET');
  if (parentId !== org.rootId && !org.units.has(parentId)) {
    throw new AwsError('ParentNotFoundException', 400, "We can't find a root or OU with the ParentId that you specified.");
  }
  return parentId;
}

const describeOrganization: Operation = (org) => {
  const management = org.members.get(org.managementAccount)!;
  return {
    Organization: {
      Id: org.id,
      Arn: `${arnBase(org)}:organization/${org.id}`,
      FeatureSet: 'ALL',
      MasterAccountArn: `${arnBase(org)}:account/${org.id}/${org.managementAccount}`,
      MasterAccountId: org.managementAccount,
      MasterAccountEmail: management.email,
      AvailablePolicyTypes: [],
    },
  };
};

const listRoots: Operation = (org, input) => {
  const { items, NextToken } = pageOf([org.rootId], input, 'ListRoots');
  return { Roots: items.map((id) => ({ Id: id, Arn: `${arnBase(org)}:root/${org.id}/${id}`, Name: 'Root', PolicyTypes: [] })), ...(NextToken ? { NextToken } : {}) };
};

const listAccounts: Operation = (org, input) => {
  const { items, NextToken } = pageOf([...org.members.values()], input, 'ListAccounts');
  return { Accounts: items.map((a) => accountShape(org, a)), ...(NextToken ? { NextToken } : {}) };
};

const listAccountsForParent: Operation = (org, input) => {
  const parentId = parentOf(org, input);
  const { items, NextToken } = pageOf(
    [...org.members.values()].filter((a) => a.parentId === parentId),
    input,
    `ListAccountsForParent/${parentId}`,
  );
  return { Accounts: items.map((a) => accountShape(org, a)), ...(NextToken ? { NextToken } : {}) };
};

const listOrganizationalUnitsForParent: Operation = (org, input) => {
  const parentId = parentOf(org, input);
  const { items, NextToken } = pageOf(
    [...org.units.values()].filter((u) => u.parentId === parentId),
    input,
    `ListOrganizationalUnitsForParent/${parentId}`,
  );
  return { OrganizationalUnits: items.map((u) => unitShape(org, u)), ...(NextToken ? { NextToken } : {}) };
};

const listChildren: Operation = (org, input) => {
  const parentId = parentOf(org, input);
  const childType = input.ChildType;
  if (childType === undefined || childType === null) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for ChildType.');
  if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') throw invalidInput('INVALID_ENUM', 'You specified an invalid value for ChildType.');
  const ids =
    childType === 'ACCOUNT'
      ? [...org.members.values()].filter((a) => a.parentId === parentId).map((a) => a.id)
      : [...org.units.values()].filter((u) => u.parentId === parentId).map((u) => u.id);
  const { items, NextToken } = pageOf(ids, input, `ListChildren/${parentId}/${childType}`);
  return { Children: items.map((id) => ({ Id: id, Type: childType })), ...(NextToken ? { NextToken } : {}) };
};

const describeAccount: Operation = (org, input) => {
  const id = requiredString(input, 'AccountId', ACCOUNT_ID, 'INVALID_FULL_NAME_TARGET');
  const account = org.members.get(id);
  if (!account) throw new AwsError('AccountNotFoundException', 400, "You specified an account that doesn't exist.");
  return { Account: accountShape(org, account) };
};

const OPERATIONS: Record<string, Operation> = {
  DescribeOrganization: describeOrganization,
  DescribeAccount: describeAccount,
  ListRoots: listRoots,
  ListAccounts: listAccounts,
  ListAccountsForParent: listAccountsForParent,
  ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
  ListChildren: listChildren,
};

/** The organisation the caller may read, or the error AWS gives a caller outside it or in a member account. */
function callersOrganization(req: SandboxRequest, estate: Estate): SandboxOrganization {
  const org = estate.organization;
  if (!org || !org.members.has(req.account.id)) {
    throw new AwsError('AWSOrganizationsNotInUseException', 400, 'Your account is not a member of an organization.');
  }
  if (req.account.id !== org.managementAccount) {
    throw new AwsError('AccessDeniedException', 400, "You don't have permissions to access this resource.");
  }
  return org;
}

export const handleOrganizations: ServiceHandler = (req, estate): SandboxResponse => {
  const target = req.headers['x-amz-target'];
  const name = typeof target === 'string' && target.startsWith(ORGANIZATIONS_TARGET_PREFIX) ? target.slice(ORGANIZATIONS_TARGET_PREFIX.length) : undefined;
  const operation = name === undefined ? undefined : OPERATIONS[name];
  if (req.method !== 'POST' || !operation) throw new AwsError('UnknownOperationException', 400, '');
  const input = parseJsonInput(req.body);
  const output = operation(callersOrganization(req, estate), input);
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(output) };
};
