/**
 * The operations on a bucket itself once it exists: DeleteBucket, HeadBucket and GetBucketLocation.
 */
import { AwsError, type SandboxResponse } from '../protocol.js';
import { s3Root } from '../xml.js';
import type { BucketContext } from './context.js';
import { hasObjects } from './store/listing.js';
import { NO_CONTENT, xmlResponse } from './wire.js';

/** DeleteBucket: 204, or 409 BucketNotEmpty while any object remains. */
export function deleteBucket({ estate, bucket }: BucketContext): SandboxResponse {
  if (hasObjects(estate, bucket)) {
    throw new AwsError('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket.name });
  }
  estate.buckets.delete(bucket.name);
  return NO_CONTENT;
}

/** HeadBucket: 200 with the bucket's region (errors are bare statuses: HEAD answers have no body). */
export function headBucket({ bucket }: BucketContext): SandboxResponse {
  return { status: 200, headers: { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' } };
}

/**
 * GetBucketLocation: an empty LocationConstraint for us-east-1 ("Buckets in Region us-east-1 have
 * a LocationConstraint of null"), "EU" for buckets created with that legacy constraint, the region
 * otherwise.
 */
export function getBucketLocation({ bucket }: BucketContext): SandboxResponse {
  const constraint = bucket.locationConstraint ?? (bucket.region === 'us-east-1' ? null : bucket.region);
  return xmlResponse(s3Root('LocationConstraint', constraint));
}
