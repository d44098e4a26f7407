/**
 * STS, Query protocol (form-encoded POST, XML answers in the 2011-06-15 namespace):
 * GetCallerIdentity and AssumeRole. https://docs.aws.amazon.com/STS/latest/APIReference/
 *
 * Also owns principal naming (IAM user and assumed-role ARNs, unique ids), which the server
 * needs to describe every authenticated request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Estate, SandboxAccount, SandboxSession } from './model.js';
import { AwsError, type SandboxRequest, type SandboxResponse, type ServiceHandler } from './protocol.js';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The IAM user whose long-term access key an estate account hands out: `<account name>-auditor`. */
export const iamUserName = (account: SandboxAccount): string => `${account.name}-auditor`;
export const iamUserArn = (account: SandboxAccount): string => `arn:aws:iam::${account.id}:user/${iamUserName(account)}`;
export const assumedRoleArn = (account: string, roleName: string, sessionName: string): string =>
  `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A stable AWS-style unique id (AIDA… for users, AROA… for roles): prefix + 17 chars from a hash. */
export function uniqueId(prefix: 'AIDA' | 'AROA', seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = prefix;
  for (let i = 0; i < 17; i++) id += ID_ALPHABET[digest[i]! % 32];
  return id;
}

export interface Principal {
  arn: string;
  userId: string;
}

export function userPrincipal(account: SandboxAccount): Principal {
  return { arn: iamUserArn(account), userId: uniqueId('AIDA', iamUserArn(account)) };
}

export function sessionPrincipal(session: SandboxSession): Principal {
  const roleName = session.roleArn.slice(session.roleArn.indexOf(':role/') + ':role/'.length).split('/').pop()!;
  return {
    arn: assumedRoleArn(session.account, roleName, session.sessionName),
    userId: `${uniqueId('AROA', session.roleArn)}:${session.sessionName}`,
  };
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function xmlResponse(action: string, resultXml: string, requestId: string): SandboxResponse {
  const body =
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    `  <${action}Result>\n${resultXml}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

/** The Query protocol allows parameters in the URL or in a form-encoded body; merge both. */
function queryParameters(req: SandboxRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  if (req.body.length > 0) for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.append(k, v);
  return params;
}

/** The message AWS's Query services use for a constraint violation (one violation at a time here). */
function validationError(detail: string): AwsError {
  return new AwsError('ValidationError', 400, `1 validation error detected: ${detail}`);
}

function getCallerIdentity(req: SandboxRequest): SandboxResponse {
  return xmlResponse(
    'GetCallerIdentity',
    `    <Arn>${xmlEscape(req.principalArn)}</Arn>\n    <UserId>${xmlEscape(req.userId)}</UserId>\n    <Account>${req.account.id}</Account>\n`,
    req.requestId,
  );
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Random strings shaped like AWS's temporary credentials. */
function temporaryCredentials(): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  const bytes = randomBytes(16);
  let accessKeyId = 'ASIA';
  for (let i = 0; i < 16; i++) accessKeyId += ID_ALPHABET[bytes[i]! % 32];
  return {
    accessKeyId,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: 'IQoJb3JpZ2luX2VjE' + randomBytes(96).toString('base64'),
  };
}

/**
 * AssumeRole into any role the estate declares, in any estate account (the sandbox acts as if
 * every role's trust policy trusts every estate account — the usual audit-role set-up — except a
 * role declared with `trust: none`, whose trust policy is broken, or with an `externalId` the
 * request does not send).
 */
function assumeRole(req: SandboxRequest, estate: Estate, params: URLSearchParams): SandboxResponse {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (roleArn === null) throw validationError("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (sessionName === null) throw validationError("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  if (!SESSION_NAME.test(sessionName)) {
    throw validationError(
      `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const durationText = params.get('DurationSeconds');
  const duration = durationText === null ? 3600 : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900) {
    throw validationError(`Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  }
  if (duration > 43200) {
    throw validationError(`Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`);
  }
  // Role chaining (a role session assuming a role) is limited to one hour (AssumeRole API reference).
  if (req.principalArn.startsWith('arn:aws:sts::') && duration > 3600) {
    throw new AwsError('ValidationError', 400, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  const match = ROLE_ARN.exec(roleArn);
  const target = match ? estate.accounts.get(match[1]!) : undefined;
  // The whole ARN, path included: `role/ops/Auditor` is not `role/Auditor` (IAM identifies a role by
  // its ARN; the name alone is unique per account, but a request naming the wrong path names no role).
  const role = target?.roles.find((r) => r.arn === roleArn);
  // A role whose trust policy trusts no estate principal (`trust: none`) exists, and is refused alike.
  // A trust policy with an sts:ExternalId condition refuses a request without that ExternalId.
  const externalIdMismatch = role?.externalId !== undefined && params.get('ExternalId') !== role.externalId;
  if (!match || !target || !role || role.trustBroken || externalIdMismatch) {
    throw new AwsError('AccessDenied', 403, `User: ${req.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
  const creds = temporaryCredentials();
  // AWS reports expiration with whole seconds.
  const expiration = new Date(Math.floor(Date.now() / 1000) * 1000 + duration * 1000);
  const session: SandboxSession = { ...creds, account: target.id, roleArn: role.arn, sessionName, expiration };
  estate.sessions.set(session.accessKeyId, session);
  const principal = sessionPrincipal(session);
  return xmlResponse(
    'AssumeRole',
    `    <AssumedRoleUser>\n      <AssumedRoleId>${xmlEscape(principal.userId)}</AssumedRoleId>\n      <Arn>${xmlEscape(principal.arn)}</Arn>\n    </AssumedRoleUser>\n` +
      `    <Credentials>\n      <AccessKeyId>${creds.accessKeyId}</AccessKeyId>\n      <SecretAccessKey>${xmlEscape(creds.secretAccessKey)}</SecretAccessKey>\n` +
      `      <SessionToken>${xmlEscape(creds.sessionToken)}</SessionToken>\n      <Expiration>${expiration.toISOString().replace('.000Z', 'Z')}</Expiration>\n    </Credentials>\n`,
    req.requestId,
  );
}

export const handleSts: ServiceHandler = (req, estate) => {
  const params = queryParameters(req);
  const action = params.get('Action');
  switch (action) {
    case 'GetCallerIdentity':
      return getCallerIdentity(req);
    case 'AssumeRole':
      return assumeRole(req, estate, params);
    case null:
      throw new AwsError('MissingAction', 400, 'Missing Action');
    default:
      throw new AwsError('InvalidAction', 400, `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
  }
};
