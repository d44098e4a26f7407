/**
 * The sandbox's S3 REST/XML API (path-style: `/` service, `/<bucket>` bucket, `/<bucket>/<key>`
 * object; sub-resources by query string). The server (server.ts) has already verified SigV4,
 * applied global faults and removed aws-chunked framing; this module finds the operation, applies
 * S3's own checks in S3's order (bucket exists → right region → owner → per-bucket faults) and
 * answers with the shapes, headers, error codes and statuses of the Amazon S3 API Reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/). Where a wire detail comes from observed AWS
 * answers rather than the reference, the comment says so.
 */
import { createHash } from 'node:crypto';
import { assertDecryptable, keyForEncryption } from './kms-usability.js';
import type { Estate, SandboxBucket, SandboxEncryption, SandboxKey, SandboxObject } from './model.js';
import { AwsError, ConnectionReset, type SandboxRequest, type SandboxResponse, type ServiceHandler } from './protocol.js';
import { etagFor, findObject, hasObjects, listPage, placeholderBody, removeObject, type ListedObject } from './s3-objects.js';
import { compareKeys, findVersion, removeVersion, storeVersion, versionsOf } from './s3-objects.js';
import { childNamed, childrenNamed, childText, el, parseXml, renderXml, s3Root, XmlParseError, type XmlElement, type XmlNode } from './xml.js';

type Sse = SandboxObject['sse'];
const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
const isSse = (v: string): v is Sse => SSE_ALGORITHMS.includes(v);
const isKms = (sse: Sse): boolean => sse !== 'AES256';

/** What every new bucket gets, and what DeleteBucketEncryption resets to (SSE-S3 by default since 5 January 2023). */
const DEFAULT_ENCRYPTION: SandboxEncryption = { algorithm: 'AES256', bucketKeyEnabled: false };

// ---------------------------------------------------------------------------------------------
// Small helpers

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

const xmlResponse = (root: XmlElement, headers: Record<string, string> = {}, status = 200): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/xml', ...headers },
  body: renderXml(root),
});

const NO_CONTENT: SandboxResponse = { status: 204 };

/** S3's canonical user id for an account: 64 hex characters, stable per account. */
const canonicalUserId = (account: string): string => createHash('sha256').update(`canonical-user:${account}`).digest('hex');

const invalidArgument = (message: string, name: string, value?: string): AwsError =>
  new AwsError('InvalidArgument', 400, message, value === undefined ? { ArgumentName: name } : { ArgumentName: name, ArgumentValue: value });

const malformedXml = (): AwsError =>
  new AwsError('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

const noSuchBucket = (name: string): AwsError => new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: name });

const accessDenied = (headers: Record<string, string> = {}): AwsError => new AwsError('AccessDenied', 403, 'Access Denied', {}, headers);

/** The endpoint S3 names in a PermanentRedirect for a region (us-east-1 is the legacy global endpoint). */
const regionalEndpoint = (region: string): string => (region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`);

function parseBody(body: Buffer): XmlNode {
  try {
    return parseXml(body.toString('utf8'));
  } catch (e) {
    if (e instanceof XmlParseError) throw malformedXml();
    throw e;
  }
}

/**
 * Content-MD5, when sent, must be the base64 MD5 of the body: InvalidDigest when it is not an MD5
 * at all, BadDigest when it differs (Error responses, Amazon S3 API Reference).
 */
function checkContentMd5(req: SandboxRequest): void {
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
function requireIntegrityHeader(req: SandboxRequest): void {
  const names = Object.keys(req.headers);
  const hasChecksum =
    names.includes('content-md5') ||
    names.some((n) => n.startsWith('x-amz-checksum-') && n !== 'x-amz-checksum-type') ||
    /x-amz-checksum-/i.test(header(req, 'x-amz-trailer') ?? '');
  if (!hasChecksum) throw new AwsError('InvalidRequest', 400, 'Missing required header for this request: Content-MD5');
  checkContentMd5(req);
}

/** The request's x-amz-checksum-* values, echoed on the response as S3 does for PutObject. */
function checksumEcho(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-checksum-') && typeof value === 'string') out[name] = value;
  }
  return out;
}

/** Opaque pagination tokens: base64 of a versioned marker, so a forged or foreign token is rejected. */
const encodeToken = (marker: string): string => Buffer.from(`v1\n${marker}`, 'utf8').toString('base64');
function decodeToken(token: string, argumentName: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith('v1\n') || encodeToken(text.slice(3)) !== token) {
    throw invalidArgument('The continuation token provided is incorrect', argumentName, token);
  }
  return text.slice(3);
}

/**
 * `encoding-type=url` as S3 applies it: form-style encoding with space as "+" and "/" kept, e.g.
 * "a b.txt" → "a+b.txt", "a+b.txt" → "a%2Bb.txt", "한글/x" → "%ED%95%9C%EA%B8%80/x" (measured
 * against S3 and recorded in brekkylab/backlot#178; botocore decodes with unquote_plus to match).
 */
export function s3UrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function parseMaxKeys(raw: string | null, name: string, fallback: number): number {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw invalidArgument('Provided max-keys not an integer or within integer range', name, raw);
  return Number(raw);
}

function parseEncodingType(req: SandboxRequest): boolean {
  const encoding = req.query.get('encoding-type');
  if (encoding === null) return false;
  if (encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  return true;
}

interface TargetEncryption {
  sse: Sse;
  key?: SandboxKey;
  bucketKeyEnabled: boolean;
}

/**
 * The encryption a new object gets (PutObject, CopyObject destination): the request's SSE headers,
 * else the bucket's default, else SSE-S3 — S3 encrypts every new object since January 2023.
 * - aws:kms without a key id uses aws/s3 (PutObject API reference).
 * - Without the bucket-key header, an SSE-KMS object follows the bucket's BucketKeyEnabled
 *   (User Guide, "Configuring an S3 Bucket Key at the object level").
 * - Bucket Keys exist only for SSE-KMS: not SSE-S3, not DSSE-KMS (User Guide, bucket-key).
 */
function targetEncryption(req: SandboxRequest, estate: Estate, bucket: SandboxBucket): TargetEncryption {
  const sseHeader = header(req, 'x-amz-server-side-encryption');
  const keyHeader = header(req, 'x-amz-server-side-encryption-aws-kms-key-id');
  const bucketKeyHeader = header(req, 'x-amz-server-side-encryption-bucket-key-enabled');
  if (sseHeader !== undefined && !isSse(sseHeader)) {
    // Recorded answer for an unsupported value (aws/aws-sdk-cpp#1771).
    throw invalidArgument('The encryption method specified is not supported', 'x-amz-server-side-encryption', sseHeader);
  }
  if (keyHeader !== undefined && (sseHeader === undefined || sseHeader === 'AES256')) {
    // Recorded answer, aws/aws-cli#1431.
    throw invalidArgument(
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      'x-amz-server-side-encryption',
      sseHeader ?? 'null',
    );
  }
  if (bucketKeyHeader !== undefined && !/^(true|false)$/i.test(bucketKeyHeader)) {
    throw invalidArgument('The value of x-amz-server-side-encryption-bucket-key-enabled must be true or false', 'x-amz-server-side-encryption-bucket-key-enabled', bucketKeyHeader);
  }
  const defaults = bucket.encryption ?? DEFAULT_ENCRYPTION;
  const sse: Sse = sseHeader ?? defaults.algorithm;
  const spelling = sseHeader !== undefined ? keyHeader : defaults.kmsKeyId;
  const bucketKey = bucketKeyHeader !== undefined ? bucketKeyHeader.toLowerCase() === 'true' : defaults.bucketKeyEnabled;
  if (sse === 'AES256') return { sse, bucketKeyEnabled: false };
  const key = keyForEncryption(estate, bucket, spelling, req.account.id);
  return { sse, key, bucketKeyEnabled: sse === 'aws:kms' && bucketKey };
}

/** x-amz-server-side-encryption* response headers: the key always as its full ARN, bucket key only when on. */
function sseHeaders(o: { sse: Sse; kmsKeyArn?: string; bucketKeyEnabled: boolean }): Record<string, string> {
  const h: Record<string, string> = { 'x-amz-server-side-encryption': o.sse };
  if (isKms(o.sse) && o.kmsKeyArn) h['x-amz-server-side-encryption-aws-kms-key-id'] = o.kmsKeyArn;
  // S3 leaves the header out when the bucket key is off (LocalStack AWS-validated snapshots).
  if (o.bucketKeyEnabled) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return h;
}

/** S3 object timestamps have one-second resolution (listings show .000Z). */
const nowToTheSecond = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);

function newObject(key: string, body: Buffer, enc: TargetEncryption): SandboxObject {
  const md5 = createHash('md5').update(body).digest('hex');
  const kmsKeyArn = enc.key?.arn;
  return {
    key,
    versionId: 'null',
    size: body.length,
    etag: etagFor(md5, enc.sse, kmsKeyArn),
    lastModified: nowToTheSecond(),
    sse: enc.sse,
    kmsKeyArn,
    bucketKeyEnabled: enc.bucketKeyEnabled,
    body,
  };
}

// ---------------------------------------------------------------------------------------------
// Operation routing

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
function unmodelledName(method: string, scope: 'Bucket' | 'Object', subresource: string | undefined): string {
  const irregular = IRREGULAR_NAMES[`${method} ${scope} ${subresource}`];
  if (irregular) return irregular;
  const verb = METHOD_VERB[method] ?? method;
  const sub = subresource ? subresource.charAt(0).toUpperCase() + subresource.slice(1) : '';
  return `${verb}${scope}${sub}`;
}

const notImplemented = (operation: string): AwsError =>
  new AwsError('NotImplemented', 501, `A header you provided implies functionality that is not implemented: the sandbox does not model ${operation}`);

/** The S3 API operation name of a bucket- or object-level request (the names faults match on). */
function operationName(req: SandboxRequest, key: string | undefined): string {
  const subresources = [...req.query.keys()].filter((n) => !isOrdinary(n));
  const only = subresources.length === 1 ? subresources[0] : undefined;
  if (subresources.length > 1) return unmodelledName(req.method, key === undefined ? 'Bucket' : 'Object', subresources.join('+'));
  const m = req.method;
  if (key !== undefined) {
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
  };
  if (only !== undefined) return table[only]?.[m] ?? unmodelledName(m, 'Bucket', only);
  if (m === 'GET') return req.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  if (m === 'PUT') return 'CreateBucket';
  if (m === 'DELETE') return 'DeleteBucket';
  if (m === 'HEAD') return 'HeadBucket';
  return unmodelledName(m, 'Bucket', undefined);
}

interface BucketContext {
  req: SandboxRequest;
  estate: Estate;
  bucket: SandboxBucket;
}
interface ObjectContext extends BucketContext {
  key: string;
}

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
};

const OBJECT_OPERATIONS: Record<string, (ctx: ObjectContext) => SandboxResponse> = {
  PutObject: putObject,
  CopyObject: copyObject,
  GetObject: (ctx) => getObject(ctx, false),
  HeadObject: (ctx) => getObject(ctx, true),
  DeleteObject: deleteObject,
};

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
  const { bucket: bucketName, key } = splitPath(req.rawPath);
  if (bucketName === undefined) {
    if (req.method === 'GET') return listBuckets(req, estate);
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
  if (key === undefined) return (handler as (ctx: BucketContext) => SandboxResponse)({ req, estate, bucket });
  return (handler as (ctx: ObjectContext) => SandboxResponse)({ req, estate, bucket, key });
};

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
function checkRegion(req: SandboxRequest, bucket: SandboxBucket, operation: string): void {
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
function checkOwner(req: SandboxRequest, bucket: SandboxBucket, operation: string): void {
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
function injectBucketFault(bucket: SandboxBucket, operation: string, key: string | undefined): void {
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

// ---------------------------------------------------------------------------------------------
// Service level: ListBuckets

/**
 * ListBuckets (GET /): only the caller's buckets, by name. Paginated when any of max-buckets,
 * continuation-token, prefix or bucket-region is given ("Amazon S3 applies a default page size of
 * 10,000 and provides a continuation token if there are more buckets"); ContinuationToken appears
 * only while more remain. MaxBuckets range 1–10000.
 *
 * BucketRegion is answered only for such a paginated request: "If the request contains at least one
 * valid parameter, it is included in the response" (ListBuckets API reference, Bucket.BucketRegion),
 * so a bare `GET /` (the AWS CLI v2's list-buckets, an SDK call without parameters) gets names and
 * dates only and the caller needs GetBucketLocation for regions.
 *
 * bucket-region: "Requests made to a Regional endpoint that is different from the bucket-region
 * parameter are not supported" (API reference). S3 then answers 400 InvalidArgument "Requests with
 * bucket-region specified must be made to the corresponding regional endpoint" (observed and quoted
 * in versity/versitygw#1930); the sandbox's endpoint stands for the signing region's.
 */
function listBuckets(req: SandboxRequest, estate: Estate): SandboxResponse {
  const q = req.query;
  const maxRaw = q.get('max-buckets');
  const token = q.get('continuation-token');
  const prefix = q.get('prefix');
  const region = q.get('bucket-region');
  if (region !== null && region !== req.region) {
    throw invalidArgument('Requests with bucket-region specified must be made to the corresponding regional endpoint', 'bucket-region', region);
  }
  const paginated = maxRaw !== null || token !== null || prefix !== null || region !== null;
  let pageSize = Infinity;
  if (maxRaw !== null) {
    const n = /^\d{1,6}$/.test(maxRaw) ? Number(maxRaw) : NaN;
    if (!(n >= 1 && n <= 10000)) throw invalidArgument('Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', maxRaw);
    pageSize = n;
  } else if (paginated) {
    pageSize = 10000;
  }
  const after = token !== null && token !== '' ? decodeToken(token, 'continuation-token') : undefined;
  const mine = [...estate.buckets.values()]
    .filter((b) => b.account === req.account.id)
    .filter((b) => prefix === null || b.name.startsWith(prefix))
    .filter((b) => region === null || b.region === region)
    .filter((b) => after === undefined || b.name > after)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = mine.slice(0, pageSize);
  const more = mine.length > page.length;
  return xmlResponse(
    s3Root(
      'ListAllMyBucketsResult',
      el('Owner', el('ID', canonicalUserId(req.account.id))),
      el(
        'Buckets',
        page.map((b) => el('Bucket', el('Name', b.name), el('CreationDate', b.creationDate), paginated ? el('BucketRegion', b.region) : null)),
      ),
      more ? el('ContinuationToken', encodeToken(page[page.length - 1]!.name)) : null,
      prefix !== null ? el('Prefix', prefix) : null,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Buckets

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
 * SSE-S3 default encryption with BucketKeyEnabled false, as every bucket has since January 2023.
 */
function createBucket(req: SandboxRequest, estate: Estate, name: string): SandboxResponse {
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
    encryption: { ...DEFAULT_ENCRYPTION },
    tags: null,
    policy: null,
    objects: new Map(),
    faults: [],
  });
  const location = placement.region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/`;
  return { status: 200, headers: { location } };
}

/** DeleteBucket: 204, or 409 BucketNotEmpty while any object remains. */
function deleteBucket({ estate, bucket }: BucketContext): SandboxResponse {
  if (hasObjects(estate, bucket)) {
    throw new AwsError('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket.name });
  }
  estate.buckets.delete(bucket.name);
  return NO_CONTENT;
}

/** HeadBucket: 200 with the bucket's region (errors are bare statuses: HEAD answers have no body). */
function headBucket({ bucket }: BucketContext): SandboxResponse {
  return { status: 200, headers: { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' } };
}

/**
 * GetBucketLocation: an empty LocationConstraint for us-east-1 ("Buckets in Region us-east-1 have
 * a LocationConstraint of null"), "EU" for buckets created with that legacy constraint, the region
 * otherwise.
 */
function getBucketLocation({ bucket }: BucketContext): SandboxResponse {
  const constraint = bucket.locationConstraint ?? (bucket.region === 'us-east-1' ? null : bucket.region);
  return xmlResponse(s3Root('LocationConstraint', constraint));
}

// --- default encryption ----------------------------------------------------------------------

/**
 * GetBucketEncryption. A bucket with no configuration (`encryption: null`, a legacy bucket from
 * before 2023) answers 404 ServerSideEncryptionConfigurationNotFoundError "The server side
 * encryption configuration was not found" (boto/boto3#1899; terraform-provider-aws#24232 shows
 * the 404), with the BucketName.
 */
function getBucketEncryption({ bucket }: BucketContext): SandboxResponse {
  const enc = bucket.encryption;
  if (!enc) {
    throw new AwsError('ServerSideEncryptionConfigurationNotFoundError', 404, 'The server side encryption configuration was not found', {
      BucketName: bucket.name,
    });
  }
  return xmlResponse(
    s3Root(
      'ServerSideEncryptionConfiguration',
      el(
        'Rule',
        el('ApplyServerSideEncryptionByDefault', el('SSEAlgorithm', enc.algorithm), enc.kmsKeyId !== undefined ? el('KMSMasterKeyID', enc.kmsKeyId) : null),
        el('BucketKeyEnabled', enc.bucketKeyEnabled),
        enc.blockedEncryptionTypes !== undefined
          ? el('BlockedEncryptionTypes', enc.blockedEncryptionTypes.map((t) => el('EncryptionType', t)))
          : null,
      ),
    ),
  );
}

function parseBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw malformedXml();
}

/**
 * PutBucketEncryption. Exactly one Rule with ApplyServerSideEncryptionByDefault; an unknown
 * SSEAlgorithm, no rule or two rules → 400 MalformedXML; KMSMasterKeyID with AES256 → 400
 * InvalidArgument (answers recorded from S3 in LocalStack's AWS-validated
 * test_s3_default_bucket_encryption_exc, 2026-02-21). The key id is stored verbatim and not
 * checked: "Amazon S3 doesn't validate the KMS key ID provided in PutBucketEncryption requests"
 * (API reference) — a bad key only fails later uploads.
 */
function putBucketEncryption({ req, bucket }: BucketContext): SandboxResponse {
  requireIntegrityHeader(req);
  const root = parseBody(req.body);
  if (root.name !== 'ServerSideEncryptionConfiguration') throw malformedXml();
  const rules = childrenNamed(root, 'Rule');
  if (rules.length !== 1) throw malformedXml();
  const rule = rules[0]!;
  const byDefault = childNamed(rule, 'ApplyServerSideEncryptionByDefault');
  if (!byDefault) throw malformedXml();
  const algorithm = childText(byDefault, 'SSEAlgorithm');
  if (algorithm === undefined || !isSse(algorithm)) throw malformedXml();
  // Stored exactly as sent, spaces included: S3 does not validate the key id ("Amazon S3 doesn't validate
  // the KMS key ID provided in PutBucketEncryption requests"), and KMS later gets that very string.
  const kmsKeyId = childNamed(byDefault, 'KMSMasterKeyID')?.text;
  if (kmsKeyId !== undefined && algorithm === 'AES256') {
    throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
  }
  const bucketKeyEnabled = parseBoolean(childText(rule, 'BucketKeyEnabled')) ?? false;
  const blockedEncryptionTypes = parseBlockedEncryptionTypes(rule);
  bucket.encryption = { algorithm, bucketKeyEnabled, ...(kmsKeyId ? { kmsKeyId } : {}), ...(blockedEncryptionTypes ? { blockedEncryptionTypes } : {}) };
  return { status: 200 };
}

/**
 * The rule's BlockedEncryptionTypes: a flattened list of EncryptionType, each NONE or SSE-C (API reference,
 * BlockedEncryptionTypes: "Valid Values: NONE | SSE-C"); any other value is not in S3's model → MalformedXML.
 * A PutBucketEncryption without the element leaves the bucket with none stored, as the sandbox cannot know
 * better; GetBucketEncryption answers the element only when it was set.
 */
function parseBlockedEncryptionTypes(rule: XmlNode): string[] | undefined {
  const blocked = childNamed(rule, 'BlockedEncryptionTypes');
  if (!blocked) return undefined;
  const types = childrenNamed(blocked, 'EncryptionType').map((t) => t.text.trim());
  if (types.some((t) => t !== 'NONE' && t !== 'SSE-C')) throw malformedXml();
  return types;
}

/**
 * DeleteBucketEncryption "resets the default encryption for the bucket as server-side encryption
 * with Amazon S3 managed keys (SSE-S3)" (API reference), so GetBucketEncryption then answers the
 * SSE-S3 document, not an error ("This is also true after you delete the bucket encryption - the
 * default will be returned and not an Error", ceph/s3-tests#613, observed on S3 in 2025).
 */
function deleteBucketEncryption({ bucket }: BucketContext): SandboxResponse {
  bucket.encryption = { ...DEFAULT_ENCRYPTION };
  return NO_CONTENT;
}

// --- tagging ---------------------------------------------------------------------------------

function getBucketTagging({ bucket }: BucketContext): SandboxResponse {
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
function putBucketTagging({ req, bucket }: BucketContext): SandboxResponse {
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

function deleteBucketTagging({ bucket }: BucketContext): SandboxResponse {
  bucket.tags = null;
  return NO_CONTENT;
}

// --- policy ----------------------------------------------------------------------------------

function getBucketPolicy({ bucket }: BucketContext): SandboxResponse {
  if (bucket.policy === null) throw new AwsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: bucket.name });
  return { status: 200, headers: { 'content-type': 'application/json' }, body: bucket.policy };
}

/** PutBucketPolicy (204): the document must be a JSON object with a Statement, else 400 MalformedPolicy. */
function putBucketPolicy({ req, bucket }: BucketContext): SandboxResponse {
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

function deleteBucketPolicy({ bucket }: BucketContext): SandboxResponse {
  bucket.policy = null;
  return NO_CONTENT;
}

// --- listings --------------------------------------------------------------------------------

const owner = (bucket: SandboxBucket): XmlElement => el('Owner', el('ID', canonicalUserId(bucket.account)));

/**
 * ListObjectsV2 (GET /<bucket>?list-type=2). max-keys defaults to 1000 and is capped at 1000;
 * common prefixes count toward it; NextContinuationToken is present only when IsTruncated; with
 * encoding-type=url, Key, Prefix, Delimiter, StartAfter and CommonPrefixes/Prefix are encoded.
 */
function listObjectsV2({ req, estate, bucket }: BucketContext): SandboxResponse {
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const maxKeys = parseMaxKeys(q.get('max-keys'), 'max-keys', 1000);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  const fetchOwner = q.get('fetch-owner') === 'true';
  const url = parseEncodingType(req);
  const enc = (s: string): string => (url ? s3UrlEncode(s) : s);
  if (token === '') throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  // A continuation token carries on from where the previous page ended; StartAfter then no longer applies.
  const after = token !== null ? decodeToken(token, 'continuation-token') : startAfter || undefined;
  const page = listPage(estate, bucket, { prefix, delimiter, after, maxKeys: Math.min(maxKeys, 1000) });
  const contents = (o: ListedObject): XmlElement =>
    el(
      'Contents',
      el('Key', enc(o.key)),
      el('LastModified', o.lastModified),
      el('ETag', o.etag),
      el('Size', o.size),
      el('StorageClass', 'STANDARD'),
      fetchOwner ? owner(bucket) : null,
    );
  return xmlResponse(
    s3Root(
      'ListBucketResult',
      el('Name', bucket.name),
      el('Prefix', enc(prefix)),
      delimiter !== undefined ? el('Delimiter', enc(delimiter)) : null,
      el('MaxKeys', maxKeys),
      url ? el('EncodingType', 'url') : null,
      el('KeyCount', page.objects.length + page.commonPrefixes.length),
      el('IsTruncated', page.isTruncated),
      token !== null ? el('ContinuationToken', token) : null,
      page.isTruncated && page.last !== undefined ? el('NextContinuationToken', encodeToken(page.last)) : null,
      startAfter !== null ? el('StartAfter', enc(startAfter)) : null,
      page.objects.map(contents),
      page.commonPrefixes.map((p) => el('CommonPrefixes', el('Prefix', enc(p)))),
    ),
  );
}

/**
 * ListObjectVersions (GET /<bucket>?versions): keys in UTF-8 binary order, each key's versions newest
 * first (the current one with IsLatest true). Versions and common prefixes count toward max-keys, so a
 * page may end inside a key: NextKeyMarker is then that key and NextVersionIdMarker the last version
 * listed, and a request with both resumes after that version. key-marker alone resumes after the key.
 * Buckets that never had versioning list every object once with VersionId "null". Delete markers are
 * not modelled (the sandbox refuses DeleteObject without a version id on a versioned bucket).
 */
function listObjectVersions({ req, estate, bucket }: BucketContext): SandboxResponse {
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const maxKeys = parseMaxKeys(q.get('max-keys'), 'max-keys', 1000);
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker');
  const url = parseEncodingType(req);
  const enc = (s: string): string => (url ? s3UrlEncode(s) : s);
  if (versionIdMarker !== null && versionIdMarker !== '' && keyMarker === '') {
    throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionIdMarker);
  }
  const limit = Math.min(maxKeys, 1000);
  const versions: { key: string; v: SandboxObject; latest: boolean }[] = [];
  const prefixes: string[] = [];
  let last: { key: string; versionId?: string } | undefined;
  let truncated = false;
  const count = (): number => versions.length + prefixes.length;

  /** Adds `key`'s versions after `afterVersion` (all when undefined); false when the page filled first. */
  const addVersions = (key: string, afterVersion?: string): boolean => {
    const all = versionsOf(estate, bucket, key);
    let from = 0;
    if (afterVersion !== undefined) {
      const at = all.findIndex((v) => v.versionId === afterVersion);
      from = at < 0 ? all.length : at + 1;
    }
    for (let i = from; i < all.length; i++) {
      if (count() >= limit) {
        truncated = limit > 0;
        return false;
      }
      versions.push({ key, v: all[i]!, latest: i === 0 });
      last = { key, versionId: all[i]!.versionId };
    }
    return true;
  };

  let after: string | undefined = keyMarker || undefined;
  let more = true;
  // Resuming inside a key: the rest of its versions come first.
  if (keyMarker !== '' && versionIdMarker !== null && versionIdMarker !== '' && keyMarker.startsWith(prefix)) {
    more = addVersions(keyMarker, versionIdMarker);
  }
  while (more) {
    const page = listPage(estate, bucket, { prefix, delimiter, after, maxKeys: Math.max(1, limit - count()) });
    const entries: (string | ListedObject)[] = [...page.objects, ...page.commonPrefixes].sort((a, b) =>
      compareListed(typeof a === 'string' ? a : a.key, typeof b === 'string' ? b : b.key),
    );
    for (const entry of entries) {
      if (typeof entry === 'string') {
        if (count() >= limit) {
          truncated = limit > 0;
          more = false;
          break;
        }
        prefixes.push(entry);
        last = { key: entry };
      } else if (!addVersions(entry.key)) {
        more = false;
        break;
      }
    }
    if (!more) break;
    if (!page.isTruncated || page.last === undefined) break;
    if (count() >= limit) {
      truncated = limit > 0;
      break;
    }
    after = page.last;
  }
  return xmlResponse(
    s3Root(
      'ListVersionsResult',
      el('Name', bucket.name),
      el('Prefix', enc(prefix)),
      el('KeyMarker', enc(keyMarker)),
      el('VersionIdMarker', versionIdMarker ?? ''),
      el('MaxKeys', maxKeys),
      delimiter !== undefined ? el('Delimiter', enc(delimiter)) : null,
      url ? el('EncodingType', 'url') : null,
      el('IsTruncated', truncated),
      truncated && last !== undefined ? el('NextKeyMarker', enc(last.key)) : null,
      truncated && last?.versionId !== undefined ? el('NextVersionIdMarker', last.versionId) : null,
      versions.map(({ key, v, latest }) =>
        el(
          'Version',
          el('Key', enc(key)),
          el('VersionId', v.versionId),
          el('IsLatest', latest),
          el('LastModified', v.lastModified),
          el('ETag', v.etag),
          el('Size', v.size),
          el('StorageClass', 'STANDARD'),
          owner(bucket),
        ),
      ),
      prefixes.map((p) => el('CommonPrefixes', el('Prefix', enc(p)))),
    ),
  );
}

/** Listing order of keys and common prefixes together (UTF-8 binary order). */
const compareListed = (a: string, b: string): number => compareKeys(a, b);

/** GetBucketVersioning: an empty configuration for a bucket that never had versioning, else its Status. */
function getBucketVersioning({ bucket }: BucketContext): SandboxResponse {
  return xmlResponse(s3Root('VersioningConfiguration', bucket.versioning !== undefined ? el('Status', bucket.versioning) : null));
}

/** PutBucketVersioning: Status Enabled or Suspended (MFADelete is not modelled). Once enabled, never back to "never". */
function putBucketVersioning({ req, bucket }: BucketContext): SandboxResponse {
  const root = parseBody(req.body);
  if (root.name !== 'VersioningConfiguration') throw malformedXml();
  const status = childText(root, 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  bucket.versioning = status;
  return { status: 200 };
}

// ---------------------------------------------------------------------------------------------
// Objects

const noSuchKey = (key: string): AwsError => new AwsError('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });

/** Only the "null" version exists in an unversioned bucket; any other id is malformed. */
function checkVersionId(req: SandboxRequest): void {
  const versionId = req.query.get('versionId');
  if (versionId !== null && versionId !== 'null') throw invalidArgument('Invalid version id specified', 'versionId', versionId);
}

const noSuchVersion = (key: string, versionId: string): AwsError =>
  new AwsError('NoSuchVersion', 404, 'The specified version does not exist.', { Key: key, VersionId: versionId });

/**
 * The object a read addresses: the current version, or with ?versionId= that version. An unversioned
 * bucket knows only "null" (any other id is malformed, 400); a versioned one answers 404 NoSuchVersion
 * for an id it does not hold.
 */
function addressedObject(req: SandboxRequest, estate: Estate, bucket: SandboxBucket, key: string): SandboxObject {
  const versionId = req.query.get('versionId');
  if (versionId === null || bucket.versioning === undefined) {
    checkVersionId(req);
    const object = findObject(estate, bucket, key);
    if (!object) throw noSuchKey(key);
    return object;
  }
  const object = findVersion(estate, bucket, key, versionId);
  if (!object) throw noSuchVersion(key, versionId);
  return object;
}

/** x-amz-version-id on answers about an object of a bucket that has (or had) versioning. */
const versionHeader = (bucket: SandboxBucket, o: SandboxObject): Record<string, string> =>
  bucket.versioning !== undefined ? { 'x-amz-version-id': o.versionId } : {};

/** PutObject: stores the body, encrypted per the request or the bucket default. */
function putObject({ req, estate, bucket, key }: ObjectContext): SandboxResponse {
  checkContentMd5(req);
  const enc = targetEncryption(req, estate, bucket);
  const object = storeVersion(estate, bucket, newObject(key, req.body, enc));
  return { status: 200, headers: { etag: object.etag, ...sseHeaders(object), ...versionHeader(bucket, object), ...checksumEcho(req) } };
}

function objectHeaders(o: SandboxObject): Record<string, string> {
  return {
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'content-type': 'binary/octet-stream',
    'accept-ranges': 'bytes',
    ...sseHeaders(o),
  };
}

/** A single `bytes=` range as [start, end] inclusive, or undefined when the header is absent or not one range. */
function byteRange(rangeHeader: string | undefined, size: number): [number, number] | undefined {
  const m = rangeHeader !== undefined ? /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new AwsError('InvalidRange', 416, 'The requested range is not satisfiable', { RangeRequested: rangeHeader ?? '', ActualObjectSize: String(size) });
  }
  return [start, end];
}

/**
 * GetObject and HeadObject. SSE request headers are refused on reads of SSE-S3 / SSE-KMS objects
 * ("you'll get an HTTP 400 Bad Request error", API reference, GetObject and HeadObject). GetObject
 * decrypts, so a KMS object whose key is disabled or pending deletion fails with the KMS error;
 * HeadObject reads metadata only and still answers.
 */
function getObject({ req, estate, bucket, key }: ObjectContext, head: boolean): SandboxResponse {
  const object = addressedObject(req, estate, bucket, key);
  if (header(req, 'x-amz-server-side-encryption') !== undefined || header(req, 'x-amz-server-side-encryption-aws-kms-key-id') !== undefined) {
    throw invalidArgument('x-amz-server-side-encryption header is not supported for this operation.', 'x-amz-server-side-encryption');
  }
  const headers = { ...objectHeaders(object), ...versionHeader(bucket, object) };
  if (head) return { status: 200, headers: { ...headers, 'content-length': String(object.size) } };
  assertDecryptable(estate, bucket, object);
  const body = object.body ?? placeholderBody(object.size);
  const range = byteRange(header(req, 'range'), object.size);
  if (!range) return { status: 200, headers, body };
  const [start, end] = range;
  return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${object.size}` }, body: body.subarray(start, end + 1) };
}

/** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally "?versionId=…". */
function parseCopySource(value: string): { bucket: string; key: string } {
  const bad = (): AwsError => invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', value);
  const [path = '', query = ''] = value.split('?', 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '');
  } catch {
    throw bad();
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw bad();
  const versionId = new URLSearchParams(query).get('versionId');
  if (versionId !== null && versionId !== 'null') throw invalidArgument('Invalid version id specified', 'x-amz-copy-source', value);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

const sameEncryption = (a: SandboxObject, b: TargetEncryption): boolean =>
  a.sse === b.sse && (a.kmsKeyArn ?? '') === (b.key?.arn ?? '') && a.bucketKeyEnabled === b.bucketKeyEnabled;

/**
 * CopyObject (PUT with x-amz-copy-source). The copy gets the requested encryption or, with no SSE
 * header, the destination bucket's default ("if you don't specify encryption information in your
 * copy request, the encryption setting of the target object is set to the default encryption
 * configuration of the destination bucket", API reference). Copying an object onto itself must
 * change something, else 400 InvalidRequest. Any SSE header counts as a change even when the value
 * is unchanged, and so does a bucket default that differs from the object's current encryption
 * (LocalStack's AWS-validated test_s3_copy_object_in_place_with_encryption and
 * test_copy_in_place_with_bucket_encryption).
 */
function copyObject({ req, estate, bucket, key }: ObjectContext): SandboxResponse {
  const source = parseCopySource(header(req, 'x-amz-copy-source') ?? '');
  const sourceBucket = estate.buckets.get(source.bucket);
  if (!sourceBucket) throw noSuchBucket(source.bucket);
  if (sourceBucket.account !== req.account.id) throw accessDenied();
  const original = findObject(estate, sourceBucket, source.key);
  if (!original) throw noSuchKey(source.key);
  const directive = header(req, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);

  const enc = targetEncryption(req, estate, bucket);
  const inPlace = sourceBucket === bucket && source.key === key;
  const changesSomething =
    directive === 'REPLACE' ||
    header(req, 'x-amz-storage-class') !== undefined ||
    header(req, 'x-amz-website-redirect-location') !== undefined ||
    header(req, 'x-amz-server-side-encryption') !== undefined ||
    header(req, 'x-amz-server-side-encryption-aws-kms-key-id') !== undefined ||
    header(req, 'x-amz-server-side-encryption-bucket-key-enabled') !== undefined ||
    !sameEncryption(original, enc);
  if (inPlace && !changesSomething) {
    throw new AwsError(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  // Reading the source decrypts it: its KMS key must be usable.
  assertDecryptable(estate, sourceBucket, original);
  const copy = storeVersion(estate, bucket, newObject(key, original.body ?? placeholderBody(original.size), enc));
  return xmlResponse(s3Root('CopyObjectResult', el('LastModified', copy.lastModified), el('ETag', copy.etag)), { ...sseHeaders(copy), ...versionHeader(bucket, copy) });
}

/**
 * DeleteObject: 204 whether or not the key existed (S3 does not say). On a versioned bucket a version id
 * deletes that version for good; without one S3 would add a delete marker, which the sandbox does not
 * model, so it answers NotImplemented rather than pretend.
 */
function deleteObject({ req, estate, bucket, key }: ObjectContext): SandboxResponse {
  const versionId = req.query.get('versionId');
  if (bucket.versioning !== undefined) {
    if (versionId === null) throw notImplemented('DeleteObject without versionId on a versioned bucket (delete markers)');
    removeVersion(estate, bucket, key, versionId);
    return { status: 204, headers: { 'x-amz-version-id': versionId } };
  }
  checkVersionId(req);
  removeObject(bucket, key);
  return NO_CONTENT;
}
