/**
 * The `organization:` section of an estate: an AWS Organization over (some of) the estate's accounts,
 * with nested organizational units and member accounts that need not be estate accounts (a suspended
 * account has no credentials worth modelling). Checks what the schema cannot: references, uniqueness.
 */
import type { Estate, OrganizationAccountState, OrganizationMember, OrganizationalUnit, SandboxOrganization } from '../model.js';

export interface OrganizationSpec {
  id: string;
  managementAccount: string;
  units?: { id: string; name: string; parent?: string }[];
  accounts: { id: string; name?: string; email?: string; status?: OrganizationAccountState; parent?: string; joined?: string }[];
}

type Problem = (path: (string | number)[], message: string) => void;

const DEFAULT_JOINED = '2024-01-01T00:00:00Z';

/**
 * The root's id. AWS derives OU ids from the root's (ou-<root part>-…); an estate names its OUs freely,
 * and the root gets `r-` and the first four characters of the organisation id's suffix.
 */
export const rootIdOf = (organizationId: string): string => `r-${organizationId.slice(2, 6)}`;

export function buildOrganization(spec: OrganizationSpec, estate: Estate, problem: Problem): SandboxOrganization {
  const rootId = rootIdOf(spec.id);
  const units = new Map<string, OrganizationalUnit>();
  (spec.units ?? []).forEach((u, i) => {
    if (units.has(u.id)) problem(['units', i, 'id'], `organizational unit ${u.id} is declared twice`);
    const parentId = u.parent ?? rootId;
    // Parents first: a unit may only sit in the root or in a unit declared above it, so no cycle is possible.
    if (parentId !== rootId && !units.has(parentId)) problem(['units', i, 'parent'], `parent ${parentId} is neither the root (${rootId}) nor a unit declared above`);
    units.set(u.id, { id: u.id, name: u.name, parentId });
  });

  const members = new Map<string, OrganizationMember>();
  const declared = spec.accounts.some((a) => a.id === spec.managementAccount) ? spec.accounts : [{ id: spec.managementAccount }, ...spec.accounts];
  declared.forEach((a) => {
    const at = spec.accounts.indexOf(a as (typeof spec.accounts)[number]);
    const path = (field: string): (string | number)[] => (at >= 0 ? ['accounts', at, field] : ['managementAccount']);
    if (members.has(a.id)) problem(path('id'), `account ${a.id} is declared twice`);
    const parentId = a.parent ?? rootId;
    if (parentId !== rootId && !units.has(parentId)) problem(path('parent'), `parent ${parentId} is neither the root (${rootId}) nor a declared unit`);
    const name = a.name ?? estate.accounts.get(a.id)?.name;
    if (name === undefined) problem(path('name'), `account ${a.id} is not an estate account: give it a name`);
    const state: OrganizationAccountState = a.status ?? 'ACTIVE';
    if (a.id === spec.managementAccount && state !== 'ACTIVE') problem(path('status'), 'the management account is always ACTIVE');
    members.set(a.id, {
      id: a.id,
      name: name ?? a.id,
      email: a.email ?? `aws+${(name ?? a.id).toLowerCase().replace(/[^a-z0-9]+/g, '-')}@example.com`,
      // A closed account keeps Status SUSPENDED for its 90-day post-closure period; State says CLOSED.
      status: state === 'CLOSED' ? 'SUSPENDED' : state,
      state,
      parentId,
      joinedMethod: a.id === spec.managementAccount ? 'CREATED' : 'INVITED',
      joinedTimestamp: new Date(a.joined ?? DEFAULT_JOINED),
    });
  });
  if (!estate.accounts.has(spec.managementAccount)) problem(['managementAccount'], `the management account ${spec.managementAccount} must be an estate account (it calls Organizations)`);
  return { id: spec.id, managementAccount: spec.managementAccount, rootId, units, members };
}
