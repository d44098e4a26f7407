/**
 * Body integrity headers on S3 writes: Content-MD5 checking, the operations that require an
 * integrity header, and the x-amz-checksum-* values echoed back. Kept apart from the operations
 * because PutObject, PutBucketEncryption, PutBucketTagging and PutBucketPolicy all apply them.
 */
import { createHash } from 'node:crypto';
import { AwsError, header, type SandboxRequest } from '../protocol.js';

/**
 * Content-MD5, when sent, must be the base64 MD5 of the body: InvalidDigest when it is not an MD5
 * at all, BadDigest when it differs (Error responses, Amazon S3 API Reference).
 */
export function checkContentMd5(req: SandboxRequest): void {
  const declared = header(req, 'content-md5');
  if (declared === undefined) return;
  const bytes = Buffer.from(declared, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== declared.trim()) {
    throw new AwsError('InvalidDigest', 400, 'The Content-MD5 you specified was not valid.', { 'Content-MD5': declared });
  }
  const actual = createHash('md5').update(req.body).digest('base64');
  if (actual !== declared.trim()) {
    throw new AwsError('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.', {
      ExpectedDigest: declared,
      CalculatedDigest: actual,
    });
  }
}

/**
 * PutBucketEncryption and PutBucketTagging require an integrity header (the S3 model marks them
 * `requestChecksumRequired`, so the SDKs always send Content-MD5 or an x-amz-checksum-* header;
 * see @aws-sdk/client-s3's commandBuilder). Without one S3 answers InvalidRequest "Missing required
 * header for this request: Content-MD5", as recorded in aws/aws-cli#229 and aws/aws-sdk-js#67.
 */
export function requireIntegrityHeader(req: SandboxRequest): void {
  const names = Object.keys(req.headers);
  const hasChecksum =
    names.includes('content-md5') ||
    names.some((n) => n.startsWith('x-amz-checksum-') && n !== 'x-amz-checksum-type') ||
    /x-amz-checksum-/i.test(header(req, 'x-amz-trailer') ?? '');
  if (!hasChecksum) throw new AwsError('InvalidRequest', 400, 'Missing required header for this request: Content-MD5');
  checkContentMd5(req);
}

/** The request's x-amz-checksum-* values, echoed on the response as S3 does for PutObject. */
export function checksumEcho(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-checksum-') && typeof value === 'string') out[name] = value;
  }
  return out;
}
