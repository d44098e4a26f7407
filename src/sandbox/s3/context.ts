/**
 * What an S3 operation handler receives once the request has been routed and its bucket checked:
 * the request, the estate, the bucket and, for object operations, the decoded key.
 */
import type { Estate, SandboxBucket } from '../model.js';
import type { SandboxRequest } from '../protocol.js';

export interface BucketContext {
  req: SandboxRequest;
  estate: Estate;
  bucket: SandboxBucket;
}
export interface ObjectContext extends BucketContext {
  key: string;
}
