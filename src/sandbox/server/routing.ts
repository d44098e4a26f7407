/**
 * Which service (S3, KMS, STS, Athena or Organizations) a request is for, and the handler that answers it. A signed
 * request names its service in the SigV4 credential scope; an unsigned or foreign-signed one is
 * recognised by its X-Amz-Target header or Query API Action, so its error is answered in kind.
 */
import type { IncomingMessage } from 'node:http';
import { handleKms } from '../kms.js';
import type { Estate } from '../model.js';
import type { SandboxRequest, SandboxResponse, ServiceHandler, ServiceName } from '../protocol.js';
import { handleS3 } from '../s3/handler.js';
import type { ParsedAuthorization } from '../sigv4.js';
import { handleSts } from '../sts.js';
import { handleAthena } from '../athena/handler.js';
import { handleOrganizations, ORGANIZATIONS_TARGET_PREFIX } from '../organizations/handler.js';

const HANDLERS: Record<ServiceName, ServiceHandler> = { s3: handleS3, kms: handleKms, sts: handleSts, athena: handleAthena, organizations: handleOrganizations };

/** Which protocol an unsigned (or foreign-signed) request speaks, to answer it in kind. */
function guessService(req: IncomingMessage, body: Buffer): ServiceName {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('TrentService.')) return 'kms';
  if (typeof target === 'string' && target.startsWith('AmazonAthena.')) return 'athena';
  if (typeof target === 'string' && target.startsWith(ORGANIZATIONS_TARGET_PREFIX)) return 'organizations';
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded') && /(^|&)Action=/.test(body.toString('latin1'))) return 'sts';
  if (/[?&]Action=/.test(req.url ?? '')) return 'sts';
  return 's3';
}

export const isOurService = (s: string): s is ServiceName => s === 's3' || s === 'kms' || s === 'sts' || s === 'athena' || s === 'organizations';

/** The service a request is for: the one it was signed for when the sandbox serves that, else a guess from its shape. */
export function serviceFor(auth: ParsedAuthorization | undefined, req: IncomingMessage, body: Buffer): ServiceName {
  return auth && isOurService(auth.service) ? auth.service : guessService(req, body);
}

/** Hands an authenticated request to its service's handler. */
export function dispatch(request: SandboxRequest, estate: Estate): Promise<SandboxResponse> | SandboxResponse {
  return HANDLERS[request.service](request, estate);
}
