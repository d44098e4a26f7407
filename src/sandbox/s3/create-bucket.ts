/**
 * CreateBucket: bucket naming rules, where a bucket goes for a LocationConstraint and endpoint, and
 * the global bucket namespace. Apart from the other bucket operations because it runs before any
 * bucket exists, so none of the per-bucket checks apply.
 */
import type { Estate } from '../model.js';
import { AwsError, type SandboxRequest, type SandboxResponse } from '../protocol.js';
import { childText } from '../xml.js';
import { malformedXml } from './errors.js';
import { newBucketEncryption } from './sse.js';
import { nowToTheSecond, parseBody } from './wire.js';

/**
 * Bucket naming rules (User Guide, "General purpose bucket naming rules"): 3–63 characters of
 * lowercase letters, digits, dots and hyphens; begins and ends with a letter or digit; no two
 * adjacent periods; not an IP address; reserved prefixes and suffixes refused.
 */
export function isValidBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false;
  if (name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return false;
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return false;
  return true;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;

/**
 * Regions that opened before 20 March 2019. The us-east-1 (global) endpoint still creates buckets
 * in these when the LocationConstraint names them; for newer (opt-in) regions it answers
 * IllegalLocationConstraintException — "For all Regions that launched after March 20, 2019, if a
 * request arrives at the wrong Amazon S3 location, Amazon S3 returns an HTTP 400" (boto/boto3#2728,
 * af-south-1 refused from us-east-1 while older regions worked).
 */
const LEGACY_REGIONS = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-south-1',
  'us-gov-west-1', 'us-gov-east-1', 'cn-north-1', 'cn-northwest-1',
]);

/** Where CreateBucket puts the bucket, or the error S3 gives for the constraint and endpoint. */
function bucketPlacement(req: SandboxRequest): { region: string; locationConstraint: string | null } {
  let constraint: string | undefined;
  if (req.body.length > 0 && req.body.toString('utf8').trim() !== '') {
    const root = parseBody(req.body);
    if (root.name !== 'CreateBucketConfiguration') throw malformedXml();
    const value = childText(root, 'LocationConstraint');
    constraint = value === '' ? undefined : value;
  }
  const incompatible = (what: string): AwsError =>
    new AwsError('IllegalLocationConstraintException', 400, `The ${what} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  if (constraint === undefined) {
    // Without a constraint a bucket goes to us-east-1, so only that endpoint may create it.
    if (req.region !== 'us-east-1') throw incompatible('unspecified');
    return { region: 'us-east-1', locationConstraint: null };
  }
  // "EU" is the legacy spelling of eu-west-1 that GetBucketLocation keeps answering.
  const region = constraint === 'EU' ? 'eu-west-1' : constraint;
  // us-east-1 is never named explicitly: it is the absence of a constraint.
  if (region === 'us-east-1' || !REGION.test(region)) {
    throw new AwsError('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid', { LocationConstraint: constraint });
  }
  if (req.region !== region && !(req.region === 'us-east-1' && LEGACY_REGIONS.has(region))) throw incompatible(constraint);
  return { region, locationConstraint: constraint };
}

/**
 * CreateBucket (PUT /<bucket>). Names are global: another account's bucket → 409
 * BucketAlreadyExists; your own → 409 BucketAlreadyOwnedByYou, except that "For legacy
 * compatibility, if you re-create an existing bucket that you already own in the North Virginia
 * Region, Amazon S3 returns 200 OK" (API reference, BucketAlreadyOwnedByYou). New buckets get
 * SSE-S3 default encryption with BucketKeyEnabled false, as every bucket has since January 2023, and
 * (since April 2026) SSE-C blocked: see newBucketEncryption.
 */
export function createBucket(req: SandboxRequest, estate: Estate, name: string): SandboxResponse {
  if (!isValidBucketName(name)) throw new AwsError('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: name });
  const placement = bucketPlacement(req);
  const existing = estate.buckets.get(name);
  if (existing) {
    if (existing.account !== req.account.id) {
      throw new AwsError(
        'BucketAlreadyExists',
        409,
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        { BucketName: name },
      );
    }
    if (existing.region === 'us-east-1' && placement.region === 'us-east-1') return { status: 200, headers: { location: `/${name}` } };
    throw new AwsError('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name });
  }
  estate.buckets.set(name, {
    name,
    account: req.account.id,
    region: placement.region,
    locationConstraint: placement.locationConstraint,
    creationDate: nowToTheSecond(),
    encryption: newBucketEncryption(placement.region),
    tags: null,
    policy: null,
    objects: new Map(),
    faults: [],
  });
  const location = placement.region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/`;
  return { status: 200, headers: { location } };
}
