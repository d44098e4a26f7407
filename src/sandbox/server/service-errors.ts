/**
 * The errors each service's protocol uses for authentication failures, injected faults and
 * unexpected failures: the same failure is a different code and status in S3, KMS and STS.
 */
import type { FaultDecision } from '../faults.js';
import { AwsError, type ServiceName } from '../protocol.js';

export type AuthFailure = 'missing' | 'malformed' | 'unknown-key' | 'bad-signature' | 'bad-token' | 'expired-token' | 'skewed';

const S3_SIGNATURE_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';

export const MALFORMED_REASONS = {
  'no-date': 'AWS authentication requires a valid Date or x-amz-date header',
  'scope-date': 'The date in the credential scope does not match the date of the request (X-Amz-Date)',
  'host-unsigned': "'Host' must be a 'SignedHeader' in the AWS Authorization.",
} as const;

interface AuthErrorDetail {
  accessKeyId?: string;
  signature?: string;
  stringToSign?: string;
  canonicalRequest?: string;
  /** Why a malformed Authorization was rejected. */
  reason?: string;
}

export function authError(service: ServiceName, failure: AuthFailure, detail: AuthErrorDetail = {}): AwsError {
  const akid = detail.accessKeyId ?? '';
  const malformed = detail.reason ?? 'Authorization header requires Credential, SignedHeaders and Signature.';
  switch (service) {
    case 's3':
      switch (failure) {
        case 'missing':
          return new AwsError('AccessDenied', 403, 'Access Denied');
        case 'malformed':
          return new AwsError('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${malformed}`);
        case 'unknown-key':
          return new AwsError('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
        case 'bad-signature':
          return new AwsError('SignatureDoesNotMatch', 403, S3_SIGNATURE_MESSAGE, {
            AWSAccessKeyId: akid,
            StringToSign: detail.stringToSign ?? '',
            SignatureProvided: detail.signature ?? '',
            CanonicalRequest: detail.canonicalRequest ?? '',
          });
        case 'bad-token':
          return new AwsError('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.');
        case 'expired-token':
          return new AwsError('ExpiredToken', 400, 'The provided token has expired.');
        case 'skewed':
          return new AwsError('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.');
      }
      break;
    case 'kms':
    case 'athena':
    case 'organizations':
      // Athena and Organizations speak JSON 1.1 like KMS, and their front ends answer authentication failures alike.
      switch (failure) {
        case 'missing':
          return new AwsError('MissingAuthenticationTokenException', 400, 'Missing Authentication Token');
        case 'malformed':
          return new AwsError('IncompleteSignatureException', 400, malformed);
        case 'unknown-key':
        case 'bad-token':
          return new AwsError('UnrecognizedClientException', 400, INVALID_TOKEN_MESSAGE);
        case 'bad-signature':
          return new AwsError('InvalidSignatureException', 400, SIGNATURE_MESSAGE);
        case 'expired-token':
          return new AwsError('ExpiredTokenException', 400, 'The security token included in the request is expired');
        case 'skewed':
          return new AwsError('InvalidSignatureException', 400, 'Signature expired: the request time is more than 15 minutes from the current time.');
      }
      break;
    case 'sts':
      switch (failure) {
        case 'missing':
          return new AwsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
        case 'malformed':
          return new AwsError('IncompleteSignature', 400, malformed);
        case 'unknown-key':
        case 'bad-token':
          return new AwsError('InvalidClientTokenId', 403, INVALID_TOKEN_MESSAGE);
        case 'bad-signature':
          return new AwsError('SignatureDoesNotMatch', 403, SIGNATURE_MESSAGE);
        case 'expired-token':
          return new AwsError('ExpiredToken', 403, 'The security token included in the request is expired');
        case 'skewed':
          return new AwsError('SignatureDoesNotMatch', 403, 'Signature expired: the request time is more than 15 minutes from the current time.');
      }
  }
  throw new Error(`unreachable: ${service}/${failure}`);
}

export function faultError(service: ServiceName, decision: Exclude<FaultDecision, 'none' | 'reset'>): AwsError {
  if (decision === 'throttle') {
    if (service === 's3') return new AwsError('SlowDown', 503, 'Please reduce your request rate.');
    if (service === 'kms') return new AwsError('ThrottlingException', 400, 'Rate exceeded');
    if (service === 'athena') return new AwsError('TooManyRequestsException', 400, 'Rate exceeded');
    if (service === 'organizations') return new AwsError('TooManyRequestsException', 400, 'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.');
    return new AwsError('Throttling', 400, 'Rate exceeded');
  }
  return internalError(service, 'We encountered an internal error. Please try again.');
}

/** Each service's own 500 code (STS and other Query APIs use InternalFailure, KMS KMSInternalException). */
export function internalError(service: ServiceName, message: string): AwsError {
  if (service === 'kms') return new AwsError('KMSInternalException', 500, message);
  if (service === 'athena') return new AwsError('InternalServerException', 500, message);
  if (service === 'sts') return new AwsError('InternalFailure', 500, message);
  if (service === 'organizations') return new AwsError('ServiceException', 500, message);
  return new AwsError('InternalError', 500, message);
}
