/**
 * The sandbox's S3 REST/XML API (path-style: `/` service, `/<bucket>` bucket, `/<bucket>/<key>`
 * object; sub-resources by query string). The HTTP server has already verified SigV4, applied
 * global faults and removed aws-chunked framing; this module finds the operation, applies S3's own
 * checks in S3's order (bucket exists → right region → owner → per-bucket faults) and hands the
 * request to the operation's module. The operations answer with the shapes, headers, error codes
 * and statuses of the Amazon S3 API Reference (https://docs.aws.amazon.com/AmazonS3/latest/API/);
 * where a wire detail comes from observed AWS answers rather than the reference, the comment there
 * says so.
 */
import { AwsError, type SandboxResponse, type ServiceHandler } from '../protocol.js';
import { checkOwner, checkRegion, injectBucketFault } from './bucket-checks.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './bucket-encryption.js';
import { createBucketMetadataConfiguration, deleteBucketMetadataConfiguration, getBucketMetadataConfiguration } from './bucket-metadata.js';
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from './bucket-policy.js';
import { deleteBucketTagging, getBucketTagging, putBucketTagging } from './bucket-tagging.js';
import { getBucketVersioning, putBucketVersioning } from './bucket-versioning.js';
import { deleteBucket, getBucketLocation, headBucket } from './buckets.js';
import type { BucketContext, ObjectContext } from './context.js';
import { createBucket } from './create-bucket.js';
import { noSuchBucket, notImplemented } from './errors.js';
import { listBuckets } from './list-buckets.js';
import { checkRoleAllows } from './role-permissions.js';
import { listObjectVersions } from './list-object-versions.js';
import { listObjectsV2 } from './list-objects.js';
import { getObject } from './object-reads.js';
import { copyObject, deleteObject, putObject } from './object-writes.js';
import { operationName, unmodelledName } from './operation-name.js';
import { updateObjectEncryption } from './update-object-encryption.js';
import { handleS3Control, S3_CONTROL_PREFIX } from '../s3-control/handler.js';
import {
  deleteBucketInventoryConfiguration,
  getBucketInventoryConfiguration,
  listBucketInventoryConfigurations,
  putBucketInventoryConfiguration,
} from './inventory/configuration.js';

const BUCKET_OPERATIONS: Record<string, (ctx: BucketContext) => SandboxResponse> = {
  GetBucketLocation: getBucketLocation,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketEncryption: getBucketEncryption,
  PutBucketEncryption: putBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  GetBucketMetadataConfiguration: getBucketMetadataConfiguration,
  CreateBucketMetadataConfiguration: createBucketMetadataConfiguration,
  DeleteBucketMetadataConfiguration: deleteBucketMetadataConfiguration,
  PutBucketInventoryConfiguration: putBucketInventoryConfiguration,
  GetBucketInventoryConfiguration: getBucketInventoryConfiguration,
  ListBucketInventoryConfigurations: listBucketInventoryConfigurations,
  DeleteBucketInventoryConfiguration: deleteBucketInventoryConfiguration,
};

const OBJECT_OPERATIONS: Record<string, (ctx: ObjectContext) => SandboxResponse> = {
  PutObject: putObject,
  CopyObject: copyObject,
  GetObject: (ctx) => getObject(ctx, false),
  HeadObject: (ctx) => getObject(ctx, true),
  DeleteObject: deleteObject,
  UpdateObjectEncryption: updateObjectEncryption,
};

/** The bucket and key a path-style URL path names, percent-decoded (no bucket: the service itself). */
function splitPath(rawPath: string): { bucket?: string; key?: string } {
  const rest = rawPath.replace(/^\/+/, '');
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  const rawBucket = slash < 0 ? rest : rest.slice(0, slash);
  const rawKey = slash < 0 ? '' : rest.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(rawBucket), key: rawKey === '' ? undefined : decodeURIComponent(rawKey) };
  } catch {
    throw new AwsError('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: rawPath });
  }
}

export const handleS3: ServiceHandler = (req, estate) => {
  // S3 Control (Batch Operations) is signed for service "s3" too; its paths start with the API version.
  if (req.rawPath.startsWith(S3_CONTROL_PREFIX)) return handleS3Control(req, estate);
  const { bucket: bucketName, key } = splitPath(req.rawPath);
  if (bucketName === undefined) {
    if (req.method === 'GET') {
      checkRoleAllows(req, 'ListBuckets');
      return listBuckets(req, estate);
    }
    throw notImplemented(unmodelledName(req.method, 'Bucket', 'Service'));
  }
  const operation = operationName(req, key);
  const handler = key === undefined ? BUCKET_OPERATIONS[operation] : OBJECT_OPERATIONS[operation];
  if (operation === 'CreateBucket') return createBucket(req, estate, bucketName);
  if (!handler) throw notImplemented(operation);

  const bucket = estate.buckets.get(bucketName);
  if (!bucket) throw noSuchBucket(bucketName);
  checkRegion(req, bucket, operation);
  checkOwner(req, bucket, operation);
  injectBucketFault(bucket, operation, key);
  checkRoleAllows(req, operation);
  if (key === undefined) return (handler as (ctx: BucketContext) => SandboxResponse)({ req, estate, bucket });
  return (handler as (ctx: ObjectContext) => SandboxResponse)({ req, estate, bucket, key });
};
