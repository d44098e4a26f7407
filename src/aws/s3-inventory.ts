/**
 * The S3 calls of an inventory-mode object audit: the bucket's inventory configurations, the report folders
 * in the destination bucket, and the report files themselves (whole, streamed, or by byte range). Answers
 * become plain values; failures are thrown as the SDK raised them, for the caller to map with toFactError.
 */
import {
  GetBucketInventoryConfigurationCommand,
  GetObjectCommand,
  ListBucketInventoryConfigurationsCommand,
  ListObjectsV2Command,
  type InventoryConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { decodeListedKey } from './s3.js';

/** An inventory configuration as the audit needs it (PutBucketInventoryConfiguration API reference). */
export interface InventoryConfig {
  id: string;
  enabled: boolean;
  /** Destination bucket name (the configuration holds its ARN, arn:aws:s3:::name). */
  destinationBucket: string;
  destinationAccount?: string;
  /** Destination prefix, '' when none. */
  destinationPrefix: string;
  /** CSV | ORC | Parquet */
  format: string;
  /** Current | All */
  includedVersions: string;
  /** Daily | Weekly */
  frequency: string;
  optionalFields: string[];
  /** The configuration's object filter prefix, '' when none. */
  filterPrefix: string;
}

function toConfig(c: InventoryConfiguration): InventoryConfig {
  const d = c.Destination?.S3BucketDestination;
  const arn = d?.Bucket ?? '';
  return {
    id: c.Id ?? '',
    enabled: c.IsEnabled === true,
    destinationBucket: arn.startsWith('arn:') ? arn.slice(arn.lastIndexOf(':') + 1) : arn,
    ...(d?.AccountId ? { destinationAccount: d.AccountId } : {}),
    destinationPrefix: d?.Prefix ?? '',
    format: d?.Format ?? '',
    includedVersions: c.IncludedObjectVersions ?? 'Current',
    frequency: c.Schedule?.Frequency ?? '',
    optionalFields: (c.OptionalFields ?? []).map(String),
    filterPrefix: c.Filter?.Prefix ?? '',
  };
}

/** ListBucketInventoryConfigurations, every page (s3:GetInventoryConfiguration). */
export async function listInventoryConfigurations(client: S3Client, bucket: string, signal?: AbortSignal, onPage?: () => void): Promise<InventoryConfig[]> {
  const out: InventoryConfig[] = [];
  let token: string | undefined;
  do {
    onPage?.();
    const page = await client.send(new ListBucketInventoryConfigurationsCommand({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }), { abortSignal: signal });
    for (const c of page.InventoryConfigurationList ?? []) out.push(toConfig(c));
    token = page.IsTruncated ? page.NextContinuationToken || undefined : undefined;
  } while (token);
  return out;
}

/** GetBucketInventoryConfiguration (s3:GetInventoryConfiguration); throws NoSuchConfiguration when there is none with this id. */
export async function getInventoryConfiguration(client: S3Client, bucket: string, id: string, signal?: AbortSignal): Promise<InventoryConfig> {
  const out = await client.send(new GetBucketInventoryConfigurationCommand({ Bucket: bucket, Id: id }), { abortSignal: signal });
  if (!out.InventoryConfiguration) throw Object.assign(new Error(`no inventory configuration ${id}`), { name: 'NoSuchConfiguration' });
  return toConfig(out.InventoryConfiguration);
}

/** The "folders" directly under `prefix` (ListObjectsV2 with Delimiter "/", every page; s3:ListBucket). */
export async function listSubfolders(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal, onPage?: () => void): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    onPage?.();
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', EncodingType: 'url', MaxKeys: 1000, ...(token ? { ContinuationToken: token } : {}) }),
      { abortSignal: signal },
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(decodeListedKey(p.Prefix));
    token = page.IsTruncated ? page.NextContinuationToken || undefined : undefined;
  } while (token);
  return out;
}

/** A whole (small) object's bytes: a manifest, its checksum, a symlink.txt (s3:GetObject). */
export async function getObjectBytes(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  const bytes = await out.Body!.transformToByteArray();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An object's body as a Node stream, for data files read once from start to end (s3:GetObject). */
export async function getObjectStream(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ body: Readable; size: number }> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  return { body: out.Body as Readable, size: out.ContentLength ?? 0 };
}

/** Bytes [start, end) of an object (GetObject with Range), for formats read from the end (Parquet's footer). */
export async function getObjectRange(client: S3Client, bucket: string, key: string, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (end <= start) return new Uint8Array(0);
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }), { abortSignal: signal });
  return out.Body!.transformToByteArray();
}
