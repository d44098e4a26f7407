/**
 * The checks S3 makes on every bucket-addressed request before the operation runs, in S3's order
 * after the bucket is found: the request reached the bucket's region, the caller owns the bucket,
 * and no per-bucket fault from the estate answers instead.
 */
import type { SandboxBucket } from '../model.js';
import { AwsError, ConnectionReset, header, type SandboxRequest } from '../protocol.js';
import { accessDenied } from './errors.js';

/** The endpoint S3 names in a PermanentRedirect for a region (us-east-1 is the legacy global endpoint). */
const regionalEndpoint = (region: string): string => (region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`);

/**
 * A bucket addressed through another region's endpoint. For a path-style request to a regional
 * endpoint S3 answers 301 PermanentRedirect with the bucket's endpoint and an x-amz-bucket-region
 * header (the SDKs' region-redirect logic reads that header; HEAD answers carry no body, so the
 * header is all a HeadBucket caller gets). The 400 AuthorizationHeaderMalformed "the region 'X' is
 * wrong; expecting 'Y'" variant is what virtual-hosted requests get, after DNS has already routed
 * them to the bucket's region — the sandbox has one endpoint that stands for the signing region's,
 * so the path-style answer is the faithful one. GetBucketLocation works from any region (that is
 * how clients find the region), as does CreateBucket (its region rules are its own).
 */
export function checkRegion(req: SandboxRequest, bucket: SandboxBucket, operation: string): void {
  if (operation === 'GetBucketLocation' || req.region === bucket.region) return;
  throw new AwsError(
    'PermanentRedirect',
    301,
    'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
    { Bucket: bucket.name, Endpoint: regionalEndpoint(bucket.region) },
    { 'x-amz-bucket-region': bucket.region },
  );
}

/**
 * Buckets of another account are denied (the sandbox models no cross-account bucket policies), as
 * is any request whose x-amz-expected-bucket-owner names another account. HeadBucket's 403 still
 * carries x-amz-bucket-region, as S3's does.
 */
export function checkOwner(req: SandboxRequest, bucket: SandboxBucket, operation: string): void {
  const expected = header(req, 'x-amz-expected-bucket-owner');
  if (bucket.account === req.account.id && (expected === undefined || expected === bucket.account)) return;
  throw accessDenied(operation === 'HeadBucket' ? { 'x-amz-bucket-region': bucket.region } : {});
}

/** A `*` glob as an anchored regular expression. */
const globToRegExp = (glob: string): RegExp => new RegExp('^' + glob.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');

const FAULT_ERRORS: Record<string, { status: number; message: string }> = {
  AccessDenied: { status: 403, message: 'Access Denied' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
  // An object deleted between a listing and a read of it (the object audit's "vanished" case).
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
};

/**
 * The estate's per-bucket faults: the first one that matches the operation (or `*`) and, when it
 * names `keys`, the object key, answers instead of the operation. A fault with `times` fails only
 * that many matching requests (the counter lives on the fault, so a retry then succeeds). An error
 * code the table does not know is answered as a 400 with that code.
 */
export function injectBucketFault(bucket: SandboxBucket, operation: string, key: string | undefined): void {
  for (const fault of bucket.faults) {
    if (fault.operation !== '*' && fault.operation !== operation) continue;
    if (fault.keys !== undefined && (key === undefined || !globToRegExp(fault.keys).test(key))) continue;
    if (fault.times !== undefined) {
      if (fault.times <= 0) continue;
      fault.times -= 1;
    }
    if (fault.error === 'Reset') throw new ConnectionReset();
    const known = FAULT_ERRORS[fault.error];
    throw new AwsError(fault.error, known?.status ?? 400, known?.message ?? `Injected fault: ${fault.error}`);
  }
}
