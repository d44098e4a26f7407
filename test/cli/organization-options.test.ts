/** The many-account options of scan and permissions: what goes together, and the refusal to default the role. */
import { expect } from 'chai';
import { adminRoleWarning, checkAccountOptions, checkOrganizationPermissionOptions } from '../../src/cli/account-options.js';
import { organizationPermissions } from '../../src/cli/organization-permissions.js';

const base = { organization: false, includeAccounts: [], excludeAccounts: [], accountNames: [], units: [], assumeRoles: [] };

describe('cli: organisation options', () => {
  it('--organization without --role-name is refused, naming the administrator role it will not use', () => {
    expect(() => checkAccountOptions({ ...base, organization: true })).to.throw(/--role-name NAME.*OrganizationAccountAccessRole.*administrator role/s);
    expect(() => checkAccountOptions({ ...base, organization: true, roleName: 'S3KmsAuditRole' })).to.not.throw();
  });

  it('naming the administrator role explicitly works, with a warning to use a read-only role', () => {
    expect(adminRoleWarning('OrganizationAccountAccessRole')).to.match(/^warning: --role-name OrganizationAccountAccessRole is the administrator role .*read-only audit role/);
    expect(adminRoleWarning('admin/OrganizationAccountAccessRole')).to.match(/^warning:/);
    expect(adminRoleWarning('S3KmsAuditRole')).to.equal(undefined);
    expect(adminRoleWarning(undefined)).to.equal(undefined);
  });

  it('refuses combinations that mean nothing', () => {
    expect(() => checkAccountOptions({ ...base, organization: true, roleName: 'R', accountsFile: 'a.csv' })).to.throw(/give one/);
    expect(() => checkAccountOptions({ ...base, accountsFile: 'a.csv', assumeRoles: ['arn:aws:iam::111122223333:role/R'] })).to.throw(/drop --assume-role/);
    expect(() => checkAccountOptions({ ...base, units: ['ou-abcd-12345678'] })).to.throw(/--ou selects among many accounts/);
    expect(() => checkAccountOptions({ ...base, accountsFile: 'a.csv', units: ['ou-abcd-12345678'] })).to.throw(/--ou .* needs --organization/);
    expect(() => checkAccountOptions({ ...base, roleName: 'R' })).to.throw(/--role-name goes with --organization/);
  });

  it('permissions --organization: caller, member role and trust policy (external id as a condition)', () => {
    const member = { Version: '2012-10-17' as const, Statement: [{ Sid: 'S', Effect: 'Allow' as const, Action: ['s3:ListAllMyBuckets'], Resource: '*' }] };
    const docs = organizationPermissions(member, 'S3KmsAuditRole', 'arn:aws:iam::123456789012:role/Tooling', 'ext-1');
    expect(docs.callerPolicy.Statement.flatMap((s) => s.Action)).to.deep.equal([
      'organizations:DescribeOrganization',
      'organizations:ListAccounts',
      'organizations:ListAccountsForParent',
      'organizations:ListChildren',
      'sts:AssumeRole',
    ]);
    expect(docs.callerPolicy.Statement[1]!.Resource).to.deep.equal(['arn:aws:iam::*:role/S3KmsAuditRole']);
    expect(docs.memberRolePolicy).to.equal(member);
    expect(docs.memberRoleTrustPolicy.Statement[0]).to.deep.include({
      Principal: { AWS: 'arn:aws:iam::123456789012:role/Tooling' },
      Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
    });
    expect(organizationPermissions(member, 'R', 'arn:aws:iam::123456789012:root').memberRoleTrustPolicy.Statement[0]).to.not.have.property('Condition');
  });

  it('permissions: --organization only for scan, and needs --role-name', () => {
    expect(() => checkOrganizationPermissionOptions({ command: 'remediate', organization: true, roleName: 'R', assumeRoles: [] })).to.throw(/only scan/);
    expect(() => checkOrganizationPermissionOptions({ command: 'scan', organization: true, assumeRoles: [] })).to.throw(/--role-name/);
    expect(() => checkOrganizationPermissionOptions({ command: 'scan', organization: false, externalId: 'x1', assumeRoles: [] })).to.throw(/goes with --organization/);
  });
});
