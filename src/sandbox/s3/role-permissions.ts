/**
 * What an estate role's (modelled) identity policy refuses: a role may declare `deny: [ListBuckets, …]`
 * S3 operations it is not allowed, so a request signed with its session is answered 403 AccessDenied
 * as S3 answers a missing permission — e.g. an audit role deployed without s3:ListAllMyBuckets.
 */
import { AwsError, type SandboxRequest } from '../protocol.js';

const ASSUMED_ROLE = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\//;

export function checkRoleAllows(req: SandboxRequest, operation: string): void {
  const roleName = ASSUMED_ROLE.exec(req.principalArn)?.[1];
  if (roleName === undefined) return;
  const role = req.account.roles.find((r) => r.name === roleName);
  if (role?.deny?.includes(operation)) throw new AwsError('AccessDenied', 403, 'Access Denied');
}
