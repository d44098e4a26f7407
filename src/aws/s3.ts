/**
 * The S3 calls the collector makes, each turning an SDK answer into a plain value. Documented
 * "not configured" answers become values here (no encryption configuration, no tag set); every other
 * failure is thrown as the SDK raised it, for the caller to map with toFactError.
 */
import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  type S3Client,
  type ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import type { BucketEncryption, SseAlgorithm } from '../domain/facts.js';
import { isNotFound } from './errors.js';
import { getBucketEncryptionLean, NO_ENCRYPTION_CONFIGURATION } from './lean-bucket-encryption.js';
import { headObjectLean, type LeanHeadAnswer } from './lean-head.js';
import { listObjectsV2Lean } from './lean-list-objects.js';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand } from '@aws-sdk/client-s3';

export interface ListedBucket {
  name: string;
  /** BucketRegion from ListBuckets; absent when the endpoint did not give it. */
  region?: string;
}

export const DEFAULT_LIST_PAGE_SIZE = 1000;

/**
 * ListBuckets page by page with MaxBuckets and ContinuationToken. Sending MaxBuckets also makes S3
 * include BucketRegion for each bucket ("If the request contains at least one valid parameter, it is
 * included in the response" — ListBuckets API reference), which saves a GetBucketLocation per bucket.
 * `onPage` is called once per request, for request counting.
 */
export async function* listBucketPages(
  client: S3Client,
  pageSize: number,
  signal?: AbortSignal,
  onPage?: () => void,
): AsyncGenerator<ListedBucket[]> {
  let token: string | undefined;
  do {
    onPage?.();
    const out = await client.send(
      new ListBucketsCommand({ MaxBuckets: pageSize, ...(token ? { ContinuationToken: token } : {}) }),
      { abortSignal: signal },
    );
    const page: ListedBucket[] = [];
    for (const b of out.Buckets ?? []) {
      if (b.Name) page.push({ name: b.Name, ...(b.BucketRegion ? { region: b.BucketRegion } : {}) });
    }
    yield page;
    const next = out.ContinuationToken || undefined;
    // A server that hands back the token it was given would loop forever; stop loudly instead.
    if (next !== undefined && next === token) {
      throw Object.assign(new Error('ListBuckets returned the same ContinuationToken twice'), { name: 'PaginationLoop' });
    }
    token = next;
  } while (token);
}

/**
 * The region named by a GetBucketLocation LocationConstraint: empty/null means us-east-1 and the legacy
 * `EU` constraint means eu-west-1 (GetBucketLocation API reference).
 */
export function regionFromLocationConstraint(constraint: string | null | undefined): string {
  if (!constraint) return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

export async function getBucketRegion(client: S3Client, bucket: string, signal?: AbortSignal): Promise<string> {
  const out = await client.send(new GetBucketLocationCommand({ Bucket: bucket }), { abortSignal: signal });
  return regionFromLocationConstraint(out.LocationConstraint);
}

/**
 * The bucket's region when `err` is S3 saying the request reached the wrong region: 301 PermanentRedirect
 * or a 400 IllegalLocationConstraintException with the x-amz-bucket-region header (the answers the SDK's
 * own region-redirect middleware follows), or a 400 AuthorizationHeaderMalformed naming the expected
 * region (header or <Region> in the body, as botocore's redirector reads it). undefined for any other
 * error, AccessDenied included. Regions launched after 20 March 2019 may answer a wrong-region request
 * with another 400 ("Request routing", S3 API reference:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/UsingRouting.html); the caller then falls back to
 * GetBucketLocation.
 *
 * The SDK's `followRegionRedirects` option would retry the call in the right region by itself, but it
 * does not tell the caller which region answered, and the collector needs it (the bucket's region is
 * a fact, a scope and where every later call for the bucket goes): hence the redirect is read here.
 */
export function regionFromRedirect(err: unknown): string | undefined {
  const e = err as
    | { name?: string; Region?: unknown; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string | undefined> } }
    | null;
  const header = e?.$response?.headers?.['x-amz-bucket-region'] || undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (status === 301 || (status === 400 && e?.name === 'IllegalLocationConstraintException')) return header;
  if (status === 400 && e?.name === 'AuthorizationHeaderMalformed') return header ?? (typeof e.Region === 'string' && e.Region ? e.Region : undefined);
  return undefined;
}

const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** Default encryption; `algorithm: null` when the bucket has none (404 ServerSideEncryptionConfigurationNotFoundError). */
export async function getBucketEncryption(client: S3Client, bucket: string, signal?: AbortSignal): Promise<BucketEncryption> {
  try {
    // A 2xx or "no configuration" answer is read without the SDK's pipeline; anything else goes through the SDK (lean-bucket-encryption.ts).
    const lean = await getBucketEncryptionLean(client, bucket, signal);
    if (lean === NO_ENCRYPTION_CONFIGURATION) return { algorithm: null, bucketKeyEnabled: false };
    const out = lean ?? (await client.send(new GetBucketEncryptionCommand({ Bucket: bucket }), { abortSignal: signal }));
    // S3 allows exactly one rule today; the first one is the bucket's default.
    const rule = out.ServerSideEncryptionConfiguration?.Rules?.[0];
    const byDefault = rule?.ApplyServerSideEncryptionByDefault;
    const algorithm = byDefault?.SSEAlgorithm;
    if (!algorithm) return { algorithm: null, bucketKeyEnabled: false };
    if (!SSE_ALGORITHMS.includes(algorithm)) {
      throw Object.assign(new Error(`unknown SSEAlgorithm ${algorithm} in the encryption configuration`), { name: 'UnknownAlgorithm' });
    }
    return {
      algorithm: algorithm as SseAlgorithm,
      // Kept exactly, even empty or blank: that is the string S3 will hand to KMS (only an absent one means aws/s3).
      ...(byDefault.KMSMasterKeyID !== undefined ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
      bucketKeyEnabled: rule?.BucketKeyEnabled === true,
      // Read as S3 answers it; the s3:GetEncryptionConfiguration permission already covers it.
      ...(rule?.BlockedEncryptionTypes?.EncryptionType ? { blockedEncryptionTypes: [...rule.BlockedEncryptionTypes.EncryptionType] } : {}),
    };
  } catch (err) {
    if (isNotFound(err, 'ServerSideEncryptionConfigurationNotFoundError')) return { algorithm: null, bucketKeyEnabled: false };
    throw err;
  }
}

/** Tags of the bucket; `{}` when it has none (404 NoSuchTagSet). */
export async function getBucketTags(client: S3Client, bucket: string, signal?: AbortSignal): Promise<Record<string, string>> {
  try {
    const out = await client.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal });
    const tags: Record<string, string> = {};
    for (const t of out.TagSet ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    return tags;
  } catch (err) {
    if (isNotFound(err, 'NoSuchTagSet')) return {};
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Remediation: the raw configuration, exactly as S3 answers it, and the two calls that change it.

/** One rule of a bucket's default encryption configuration, field for field as GetBucketEncryption returns it. */
export interface RawEncryptionRule {
  ApplyServerSideEncryptionByDefault?: { SSEAlgorithm: string; KMSMasterKeyID?: string };
  BucketKeyEnabled?: boolean;
  /** Encryption types S3 refuses for new objects (today only SSE-C; S3 blocks it on new buckets since 2026). */
  BlockedEncryptionTypes?: { EncryptionType?: string[] };
}

export interface RawEncryptionConfiguration {
  Rules: RawEncryptionRule[];
}

/**
 * A bucket's default encryption as stored: the configuration document, or "none" for a bucket that has
 * no configuration at all (404 ServerSideEncryptionConfigurationNotFoundError, legacy buckets).
 */
export type EncryptionState = RawEncryptionConfiguration | 'none';

/** A plain JSON copy of an SDK structure: no undefined members, no prototypes, safe to journal and compare. */
const plainJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * GetBucketEncryption, unnormalised: what a journal must record so that a rollback can put back exactly
 * what was there (every field, including ones this tool does not interpret, such as BlockedEncryptionTypes).
 */
export async function getBucketEncryptionRaw(client: S3Client, bucket: string, signal?: AbortSignal): Promise<EncryptionState> {
  try {
    const out = await client.send(new GetBucketEncryptionCommand({ Bucket: bucket }), { abortSignal: signal });
    const config = out.ServerSideEncryptionConfiguration;
    if (!config) throw Object.assign(new Error('GetBucketEncryption answered without a ServerSideEncryptionConfiguration'), { name: 'InvalidResponse' });
    return plainJson({ ...config, Rules: config.Rules ?? [] }) as RawEncryptionConfiguration;
  } catch (err) {
    if (isNotFound(err, 'ServerSideEncryptionConfigurationNotFoundError')) return 'none';
    throw err;
  }
}

/**
 * PutBucketEncryption with the given document. S3 does not check the KMS key ("Amazon S3 doesn't validate
 * the KMS key ID provided in PutBucketEncryption requests", API reference): callers check it first.
 */
export async function putBucketEncryption(client: S3Client, bucket: string, config: RawEncryptionConfiguration, signal?: AbortSignal): Promise<void> {
  await client.send(
    new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: config as ServerSideEncryptionConfiguration }),
    { abortSignal: signal },
  );
}

/**
 * DeleteBucketEncryption: "resets the default encryption for the bucket as server-side encryption with
 * Amazon S3 managed keys (SSE-S3)" (API reference) — since 2023 no bucket can be left without one.
 */
export async function deleteBucketEncryption(client: S3Client, bucket: string, signal?: AbortSignal): Promise<void> {
  await client.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }), { abortSignal: signal });
}

// ---------------------------------------------------------------------------------------------
// Objects (object-level audit)

/** One object (or object version) as a listing names it. */
export interface ListedObjectEntry {
  key: string;
  /** Only from ListObjectVersions ("null" for objects stored while versioning was never enabled or suspended). */
  versionId?: string;
  isLatest?: boolean;
  size: number;
  /** Epoch milliseconds (a number, not a Date: a page of a thousand of these stays small). */
  lastModified: number;
  /** As S3 sends it, quotes included. */
  etag: string;
}

/**
 * `encoding-type=url` answers encode keys form-style (space as "+"), so a key holding characters XML 1.0
 * cannot carry still lists; botocore decodes the same fields with unquote_plus. The SDK for JavaScript
 * does not decode them, so it is done here.
 */
export function decodeListedKey(encoded: string): string {
  // Most keys need no decoding: skip the regex and decoder for them (an inventory audit decodes every row).
  if (!encoded.includes('%') && !encoded.includes('+')) return encoded;
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/**
 * ListObjectsV2, page by page (MaxKeys 1000, the API's maximum), with EncodingType=url. The next page is
 * requested only when the caller asks for it, so a slow consumer holds the listing back.
 */
export async function* listObjectPages(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  onPage?: () => void,
): AsyncGenerator<ListedObjectEntry[]> {
  let token: string | undefined;
  do {
    onPage?.();
    // A 2xx page the lean reader understands is read without the SDK's pipeline; anything else goes through the SDK (lean-list-objects.ts).
    const lean = await listObjectsV2Lean(client, { bucket, prefix, ...(token ? { continuationToken: token } : {}) }, signal);
    const out =
      lean ??
      (await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          EncodingType: 'url',
          MaxKeys: 1000,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: signal },
      ));
    const page: ListedObjectEntry[] = [];
    for (const o of out.Contents ?? []) {
      if (o.Key === undefined) continue;
      page.push({ key: decodeListedKey(o.Key), size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0, etag: o.ETag ?? '' });
    }
    yield page;
    token = out.IsTruncated ? out.NextContinuationToken || undefined : undefined;
  } while (token);
}

/**
 * ListObjectVersions, page by page, every version of every key (newest first within a key, as S3 lists
 * them). Delete markers are left out: they hold no data, so there is no encryption to check.
 */
export async function* listObjectVersionPages(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  onPage?: () => void,
): AsyncGenerator<ListedObjectEntry[]> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let truncated = false;
  do {
    onPage?.();
    const out = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        EncodingType: 'url',
        MaxKeys: 1000,
        ...(prefix ? { Prefix: prefix } : {}),
        ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
        ...(versionIdMarker !== undefined ? { VersionIdMarker: versionIdMarker } : {}),
      }),
      { abortSignal: signal },
    );
    const page: ListedObjectEntry[] = [];
    for (const v of out.Versions ?? []) {
      if (v.Key === undefined) continue;
      page.push({
        key: decodeListedKey(v.Key),
        versionId: v.VersionId ?? 'null',
        isLatest: v.IsLatest === true,
        size: v.Size ?? 0,
        lastModified: v.LastModified?.getTime() ?? 0,
        etag: v.ETag ?? '',
      });
    }
    yield page;
    truncated = out.IsTruncated === true;
    // NextKeyMarker is URL-encoded like the keys; NextVersionIdMarker never is.
    keyMarker = out.NextKeyMarker !== undefined ? decodeListedKey(out.NextKeyMarker) : undefined;
    versionIdMarker = out.NextVersionIdMarker || undefined;
  } while (truncated && keyMarker !== undefined);
}

/** What HeadObject says about an object's encryption (and the listing fields, as of now). */
export interface HeadObjectAnswer {
  /** null: the object is not encrypted at rest (possible for objects stored before January 2023). */
  sse: SseAlgorithm | null;
  /** x-amz-server-side-encryption-aws-kms-key-id: S3 answers the key ARN. */
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
  size: number;
  lastModified?: number;
  etag?: string;
  versionId?: string;
}

/**
 * HeadObject (s3:GetObject, or s3:GetObjectVersion with a version id). Metadata only: unlike GetObject
 * it does not decrypt, so it answers even when the object's KMS key is disabled.
 */
export async function headObject(client: S3Client, bucket: string, key: string, versionId: string | undefined, signal?: AbortSignal): Promise<HeadObjectAnswer> {
  let out: LeanHeadAnswer;
  try {
    out =
      (await headObjectLean(client, bucket, key, versionId, signal)) ??
      (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}) }), { abortSignal: signal }));
  } catch (err) {
    // The lean path's 403 and 404 are the SDK's own errors (lean-head.ts): named here like the SDK's.
    throw nameHeadError(err);
  }
  const algorithm = out.ServerSideEncryption;
  if (algorithm !== undefined && !SSE_ALGORITHMS.includes(algorithm)) {
    throw Object.assign(new Error(`unknown ServerSideEncryption ${algorithm} on the object`), { name: 'UnknownAlgorithm' });
  }
  // One literal, optional fields set after (no spreads: this runs once per object).
  const answer: HeadObjectAnswer = { sse: (algorithm as SseAlgorithm | undefined) ?? null, bucketKeyEnabled: out.BucketKeyEnabled === true, size: out.ContentLength ?? 0 };
  if (out.SSEKMSKeyId) answer.kmsKeyId = out.SSEKMSKeyId;
  if (out.LastModified) answer.lastModified = out.LastModified.getTime();
  if (out.ETag) answer.etag = out.ETag;
  if (out.VersionId) answer.versionId = out.VersionId;
  return answer;
}

/**
 * Whether the object a HeadObject answered 400 about is SSE-C. "If you encrypt an object by using server-side
 * encryption with customer-provided encryption keys (SSE-C) when you store the object in Amazon S3, then when
 * you retrieve the metadata from the object, you must use the following headers" (HeadObject API reference);
 * without them a HEAD gets a bare 400. GetObject is refused the same way but says why, with S3's recorded
 * answer 400 InvalidRequest "The object was stored using a form of Server Side Encryption. The correct
 * parameters must be provided to retrieve the object." — so one GetObject of the first byte (authorized by
 * the same s3:GetObject / s3:GetObjectVersion as the HEAD) tells SSE-C from any other 400. Without the key
 * no data comes back. false for any other answer, which leaves the HEAD's 400 as the object's error.
 */
export async function isSseCObject(client: S3Client, bucket: string, key: string, versionId: string | undefined, signal?: AbortSignal): Promise<boolean> {
  try {
    const out = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-0', ...(versionId !== undefined ? { VersionId: versionId } : {}) }),
      { abortSignal: signal },
    );
    (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
    return false;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return e.name === 'InvalidRequest' && /stored using a form of Server Side Encryption/i.test(e.message ?? '');
  }
}

/** True for the error headObject() throws when S3 answered HTTP 400 (see nameHeadError). */
export const isHeadBadRequest = (err: unknown): boolean => (err as { name?: string } | null)?.name === 'Http400';

/**
 * A HEAD answer has no body, so an error carries only its HTTP status ("if the HEAD request generates an
 * error, it returns a generic code, such as 400 Bad Request, 403 Forbidden, 404 Not Found … It's not
 * possible to retrieve the exact exception", HeadObject API reference) and the SDK names it "Unknown".
 * The status is turned into a code here. 403 becomes AccessDenied: the object was just listed, so the
 * caller has s3:ListBucket, and the remaining cause S3 documents for a 403 is a denied s3:GetObject
 * (identity or bucket policy); the message says the code was inferred.
 */
function nameHeadError(err: unknown): unknown {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (typeof err !== 'object' || err === null || e.name !== 'Unknown' || status === undefined) return err;
  if (status === 403) {
    e.name = 'AccessDenied';
    e.message = 'HeadObject answered 403 Forbidden (access denied; a HEAD answer has no error body, so the code is inferred from the status)';
  } else {
    e.name = `Http${status}`;
    e.message = `HeadObject answered HTTP ${status} (a HEAD answer has no error body)`;
  }
  return err;
}
