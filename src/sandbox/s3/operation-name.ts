/**
 * Names an S3 request's API operation from its method, path scope (service, bucket, object) and
 * sub-resource query parameters, e.g. GET /<bucket>?encryption → GetBucketEncryption. Per-bucket
 * faults match on these names, and an operation the sandbox does not model is refused by name.
 */
import { header, type SandboxRequest } from '../protocol.js';

/** Query parameters that are arguments of an operation rather than sub-resources naming one. */
const ORDINARY_PARAMETERS = new Set([
  'x-id',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'encoding-type',
  'list-type',
  'key-marker',
  'version-id-marker',
  'marker',
  'max-buckets',
  'bucket-region',
  'versionId',
  'partNumber',
  // The configuration id of inventory (and analytics, metrics, …) requests.
  'id',
]);
const isOrdinary = (name: string): boolean => ORDINARY_PARAMETERS.has(name) || name.startsWith('response-') || name.toLowerCase().startsWith('x-amz-');

const METHOD_VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' };

/** API names that do not follow the verb + scope + sub-resource pattern (multipart uploads, batch delete). */
const IRREGULAR_NAMES: Record<string, string> = {
  'POST Bucket delete': 'DeleteObjects',
  'GET Bucket uploads': 'ListMultipartUploads',
  'POST Object uploads': 'CreateMultipartUpload',
  'PUT Object uploadId': 'UploadPart',
  'POST Object uploadId': 'CompleteMultipartUpload',
  'DELETE Object uploadId': 'AbortMultipartUpload',
  'GET Object uploadId': 'ListParts',
};

/** A name for an operation the sandbox does not model, for the NotImplemented message. */
export function unmodelledName(method: string, scope: 'Bucket' | 'Object', subresource: string | undefined): string {
  const irregular = IRREGULAR_NAMES[`${method} ${scope} ${subresource}`];
  if (irregular) return irregular;
  const verb = METHOD_VERB[method] ?? method;
  const sub = subresource ? subresource.charAt(0).toUpperCase() + subresource.slice(1) : '';
  return `${verb}${scope}${sub}`;
}

/** The S3 API operation name of a bucket- or object-level request (the names faults match on). */
export function operationName(req: SandboxRequest, key: string | undefined): string {
  const subresources = [...req.query.keys()].filter((n) => !isOrdinary(n));
  const only = subresources.length === 1 ? subresources[0] : undefined;
  if (subresources.length > 1) return unmodelledName(req.method, key === undefined ? 'Bucket' : 'Object', subresources.join('+'));
  const m = req.method;
  if (key !== undefined) {
    // PUT /<key>?encryption (UpdateObjectEncryption API reference).
    if (only === 'encryption' && m === 'PUT') return 'UpdateObjectEncryption';
    if (only !== undefined) return unmodelledName(m, 'Object', only);
    if (m === 'PUT') return header(req, 'x-amz-copy-source') !== undefined ? 'CopyObject' : 'PutObject';
    if (m === 'GET') return 'GetObject';
    if (m === 'HEAD') return 'HeadObject';
    if (m === 'DELETE') return 'DeleteObject';
    return unmodelledName(m, 'Object', undefined);
  }
  const table: Record<string, Record<string, string>> = {
    location: { GET: 'GetBucketLocation' },
    encryption: { GET: 'GetBucketEncryption', PUT: 'PutBucketEncryption', DELETE: 'DeleteBucketEncryption' },
    tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' },
    policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
    versions: { GET: 'ListObjectVersions' },
    versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
    metadataConfiguration: { GET: 'GetBucketMetadataConfiguration', POST: 'CreateBucketMetadataConfiguration', DELETE: 'DeleteBucketMetadataConfiguration' },
    inventory: {
      GET: req.query.has('id') ? 'GetBucketInventoryConfiguration' : 'ListBucketInventoryConfigurations',
      PUT: 'PutBucketInventoryConfiguration',
      DELETE: 'DeleteBucketInventoryConfiguration',
    },
  };
  if (only !== undefined) return table[only]?.[m] ?? unmodelledName(m, 'Bucket', only);
  if (m === 'GET') return req.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  if (m === 'PUT') return 'CreateBucket';
  if (m === 'DELETE') return 'DeleteBucket';
  if (m === 'HEAD') return 'HeadBucket';
  return unmodelledName(m, 'Bucket', undefined);
}
