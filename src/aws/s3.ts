/**
 * The S3 calls the collector makes, each turning an SDK answer into a plain value. Documented
 * "not configured" answers become values here (no encryption configuration, no tag set); every other
 * failure is thrown as the SDK raised it, for the caller to map with toFactError.
 */
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BucketEncryption, SseAlgorithm } from '../domain/facts.js';
import { isNotFound } from './errors.js';

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
    token = out.ContinuationToken || undefined;
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

const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** Default encryption; `algorithm: null` when the bucket has none (404 ServerSideEncryptionConfigurationNotFoundError). */
export async function getBucketEncryption(client: S3Client, bucket: string, signal?: AbortSignal): Promise<BucketEncryption> {
  try {
    const out = await client.send(new GetBucketEncryptionCommand({ Bucket: bucket }), { abortSignal: signal });
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
      ...(byDefault.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
      bucketKeyEnabled: rule?.BucketKeyEnabled === true,
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
