/**
 * listOrganization against the sandbox with the real @aws-sdk/client-organizations: every page of
 * ListAccounts (more accounts than one page of 20), the accounts under a unit and its nested units
 * (ListAccountsForParent + ListChildren), statuses, and the error a member account gets.
 */
import { expect } from 'chai';
import { AwsSessionError } from '../../src/aws/errors.js';
import { listOrganization } from '../../src/aws/organizations.js';
import { generateOrganization } from '../../src/sandbox/estates/generate-organization.js';
import { awsOptionsFor, useSandbox } from '../helpers/sandbox.js';

describe('aws/organizations: listOrganization against the sandbox', function () {
  this.timeout(30_000);
  const org = generateOrganization({ accounts: 45, bucketsPerAccount: 0, seed: 3 });
  const sandbox = useSandbox({ estate: org.estate });
  const ids = Array.from({ length: 45 }, (_, i) => String(300000000000 + i));

  it('lists every account across pages, with its status (State when answered)', async () => {
    const listing = await listOrganization(awsOptionsFor(sandbox.sb, org.managementAccount.id), []);
    expect(listing).to.include({ id: org.organizationId, managementAccount: org.managementAccount.id });
    expect(listing.accounts.map((a) => a.id)).to.deep.equal(ids);
    expect(listing.accounts.find((a) => a.id === org.suspended)).to.include({ status: 'SUSPENDED', name: 'member-0001' });
    expect(listing.accounts.find((a) => a.id === org.closed)).to.include({ status: 'CLOSED' });
    expect(listing.accounts.every((a) => a.ou === undefined)).to.equal(true);
  });

  it('lists the accounts under a unit and under its nested units, each with the unit it sits in', async () => {
    const listing = await listOrganization(awsOptionsFor(sandbox.sb, org.managementAccount.id), [org.units.workloads]);
    // Members i % 3 == 1 sit in Workloads, i % 3 == 0 (but the management account) in the nested Production unit.
    const expected = ids.filter((_, i) => i > 0 && i % 3 !== 2);
    expect(listing.accounts.map((a) => a.id).sort()).to.deep.equal(expected);
    expect(listing.accounts.find((a) => a.id === '300000000003')).to.include({ ou: org.units.workloadsProd });
    expect(listing.accounts.find((a) => a.id === '300000000004')).to.include({ ou: org.units.workloads });
  });

  it('a member account gets AccessDenied from DescribeOrganization', async () => {
    const member = sandbox.sb.accounts.find((a) => a.id === '300000000005')!;
    const err = await listOrganization(awsOptionsFor(sandbox.sb, member.id), []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AwsSessionError);
    expect(err).to.include({ operation: 'DescribeOrganization', code: 'AccessDeniedException' });
  });
});
