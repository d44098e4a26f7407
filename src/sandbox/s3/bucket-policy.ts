/**
 * A bucket's policy document: GetBucketPolicy, PutBucketPolicy and DeleteBucketPolicy. The sandbox
 * stores the document and checks its outline only; it does not evaluate it.
 */
import { AwsError, type SandboxResponse } from '../protocol.js';
import type { BucketContext } from './context.js';
import { checkContentMd5 } from './integrity.js';
import { NO_CONTENT } from './wire.js';

export function getBucketPolicy({ bucket }: BucketContext): SandboxResponse {
  if (bucket.policy === null) throw new AwsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: bucket.name });
  return { status: 200, headers: { 'content-type': 'application/json' }, body: bucket.policy };
}

/** PutBucketPolicy (204): the document must be a JSON object with a Statement, else 400 MalformedPolicy. */
export function putBucketPolicy({ req, bucket }: BucketContext): SandboxResponse {
  checkContentMd5(req);
  const text = req.body.toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicy', 400, "Policies must be valid JSON and the first byte must be '{'");
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AwsError('MalformedPolicy', 400, "Policies must be valid JSON and the first byte must be '{'");
  }
  if (!('Statement' in doc)) throw new AwsError('MalformedPolicy', 400, 'Missing required field Statement');
  bucket.policy = text;
  return NO_CONTENT;
}

export function deleteBucketPolicy({ bucket }: BucketContext): SandboxResponse {
  bucket.policy = null;
  return NO_CONTENT;
}
