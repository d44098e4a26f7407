/**
 * A bucket's tags: GetBucketTagging, PutBucketTagging (with S3's tag restrictions) and
 * DeleteBucketTagging.
 */
import { AwsError, type SandboxResponse } from '../protocol.js';
import { childNamed, childrenNamed, el, s3Root } from '../xml.js';
import type { BucketContext } from './context.js';
import { malformedXml } from './errors.js';
import { requireIntegrityHeader } from './integrity.js';
import { NO_CONTENT, parseBody, xmlResponse } from './wire.js';

export function getBucketTagging({ bucket }: BucketContext): SandboxResponse {
  if (bucket.tags === null) throw new AwsError('NoSuchTagSet', 404, 'The TagSet does not exist', { BucketName: bucket.name });
  return xmlResponse(
    s3Root(
      'Tagging',
      el(
        'TagSet',
        Object.entries(bucket.tags).map(([k, v]) => el('Tag', el('Key', k), el('Value', v))),
      ),
    ),
  );
}

/**
 * PutBucketTagging (204). Tag restrictions (API reference, PutBucketTagging; User Guide, "Using
 * cost allocation S3 bucket tags"): keys 1–128 characters, values up to 256, at most 50 tags,
 * unique keys, no "aws:" prefix — each violation is 400 InvalidTag.
 */
export function putBucketTagging({ req, bucket }: BucketContext): SandboxResponse {
  requireIntegrityHeader(req);
  const root = parseBody(req.body);
  const tagSet = root.name === 'Tagging' ? childNamed(root, 'TagSet') : undefined;
  if (!tagSet) throw malformedXml();
  const tags: Record<string, string> = {};
  const invalidTag = (message: string, key?: string): AwsError => new AwsError('InvalidTag', 400, message, key === undefined ? {} : { TagKey: key });
  const entries = childrenNamed(tagSet, 'Tag');
  if (entries.length > 50) throw invalidTag('Bucket tag count cannot be greater than 50');
  for (const tag of entries) {
    const key = childNamed(tag, 'Key')?.text;
    const value = childNamed(tag, 'Value')?.text;
    if (key === undefined || value === undefined) throw malformedXml();
    if (key.length < 1 || key.length > 128) throw invalidTag('The TagKey you have provided is invalid', key);
    if (value.length > 256) throw invalidTag('The TagValue you have provided is invalid', key);
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag('System tags cannot be added/updated by requester', key);
    if (Object.hasOwn(tags, key)) throw invalidTag('Cannot provide multiple Tags with the same key', key);
    tags[key] = value;
  }
  bucket.tags = tags;
  return NO_CONTENT;
}

export function deleteBucketTagging({ bucket }: BucketContext): SandboxResponse {
  bucket.tags = null;
  return NO_CONTENT;
}
