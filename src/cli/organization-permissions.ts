/**
 * `permissions scan --organization`: the three IAM documents of an organisation-wide audit, as one
 * JSON object (pick one with jq, e.g. `jq .memberRolePolicy`):
 *   - callerPolicy: for the principal that runs the scan, in the management account or a delegated
 *     administrator account — read the organisation, and sts:AssumeRole on the audit role in every account;
 *   - memberRolePolicy: the audit role's permissions in each member account (read-only S3 and KMS);
 *   - memberRoleTrustPolicy: who may assume that role — the scanning principal, with sts:ExternalId when given.
 * Not OrganizationAccountAccessRole: that role, which Organizations creates in the accounts it makes,
 * has AdministratorAccess; an audit needs only the reads below.
 */
import { iamActionsOf, ORGANIZATION_OPERATIONS } from '../aws/permissions.js';

/** An IAM identity policy (permissions.ts builds the member role's; this module only places it). */
export interface IamPolicy {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string | string[] }[];
}

/** What a trust policy names when --trusted-principal is not given: to be replaced before use. */
export const TRUSTED_PRINCIPAL_PLACEHOLDER = 'arn:aws:iam::TOOLING_ACCOUNT_ID:role/TOOLING_ROLE_NAME';

export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Principal: { AWS: string }; Action: 'sts:AssumeRole'; Condition?: { StringEquals: Record<string, string> } }[];
}

export interface OrganizationPermissions {
  callerPolicy: IamPolicy;
  memberRolePolicy: IamPolicy;
  memberRoleTrustPolicy: TrustPolicy;
}

export function organizationPermissions(memberPolicy: IamPolicy, roleName: string, trustedPrincipal: string, externalId?: string): OrganizationPermissions {
  return {
    callerPolicy: {
      Version: '2012-10-17',
      Statement: [
        // DescribeOrganization and ListAccounts accept only "*"; ListAccountsForParent and ListChildren could be narrowed to
        // your root and OU ARNs (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
        { Sid: 'S3KmsAuditReadOrganization', Effect: 'Allow', Action: iamActionsOf(ORGANIZATION_OPERATIONS), Resource: '*' },
        { Sid: 'S3KmsAuditAssumeMemberRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: [`arn:aws:iam::*:role/${roleName}`] },
      ],
    },
    memberRolePolicy: memberPolicy,
    memberRoleTrustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'S3KmsAuditTrustTheScanner',
          Effect: 'Allow',
          Principal: { AWS: trustedPrincipal },
          Action: 'sts:AssumeRole',
          ...(externalId !== undefined ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
        },
      ],
    },
  };
}
