/**
 * ListObjectsV2 pages without the SDK's per-call pipeline, for the object audit's listing
 * (lean-request.ts: same endpoint provider, credentials, signer and agents as the client). The SDK's
 * XML parse and deserialisation of a page cost about 33 µs per listed object in a profile.
 *
 * Read here: a 2xx answer whose ListBucketResult document the strict reader (lean-xml.ts) understands,
 * turned into exactly the object the SDK returns (its schema for ListObjectsV2Output in
 * @aws-sdk/client-s3, read as @aws-sdk/core's XmlShapeDeserializer reads it). Anything else — an error
 * status (403, NoSuchBucket, a wrong-region 301, 503 SlowDown), a document outside what the reader
 * repeats exactly, a date the reader does not parse as the SDK does, a RequestCharged header, a network
 * error or timeout — is not interpreted: the caller sends the same call through the SDK, which retries,
 * names errors and reports redirects exactly as before (one extra request then).
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { encodeSegment, headerOf, sendLean } from './lean-request.js';
import { parseStrictXml, type XmlElement } from './lean-xml.js';

export type LeanListObjectsV2Answer = Omit<ListObjectsV2CommandOutput, '$metadata'>;

export interface LeanListObjectsV2Request {
  bucket: string;
  /** '' for none. */
  prefix: string;
  continuationToken?: string;
}

/**
 * One page as the SDK's ListObjectsV2Command({ Bucket, EncodingType: 'url', MaxKeys: 1000, Prefix?,
 * ContinuationToken? }) returns it (without $metadata), when this path could read it (see the file
 * comment); undefined otherwise: the caller then makes the call through the SDK.
 */
export async function listObjectsV2Lean(client: S3Client, r: LeanListObjectsV2Request, signal?: AbortSignal): Promise<LeanListObjectsV2Answer | undefined> {
  const query: Record<string, string> = { 'list-type': '2', 'encoding-type': 'url', 'max-keys': '1000' };
  let search = '?list-type=2&encoding-type=url&max-keys=1000';
  if (r.prefix) {
    query['prefix'] = r.prefix;
    search += '&prefix=' + encodeSegment(r.prefix);
  }
  if (r.continuationToken) {
    query['continuation-token'] = r.continuationToken;
    search += '&continuation-token=' + encodeSegment(r.continuationToken);
  }
  const response = await sendLean(client, { method: 'GET', bucket: r.bucket, subPath: '', query, search }, signal);
  if (!response || response.status < 200 || response.status > 299) return undefined;
  // The one header-bound member of the output: left to the SDK rather than repeated.
  if (headerOf(response.headers, 'x-amz-request-charged') !== undefined) return undefined;
  try {
    return readListObjectsV2(response.body);
  } catch {
    // A document deep enough to exhaust the stack: the SDK reads it.
    return undefined;
  }
}

/** How the SDK reads one member (the member types of its schema). */
type Kind = 'string' | 'number' | 'boolean' | 'date' | Struct | { flattened: Kind };
type Struct = ReadonlyMap<string, Kind>;

const struct = (members: Record<string, Kind>): Struct => new Map(Object.entries(members));

// The SDK's schema (schemas_0.js): Owner$, RestoreStatus$, _Object$, CommonPrefix$, ListObjectsV2Output$.
const OWNER = struct({ DisplayName: 'string', ID: 'string' });
const RESTORE_STATUS = struct({ IsRestoreInProgress: 'boolean', RestoreExpiryDate: 'date' });
const OBJECT = struct({
  Key: 'string',
  LastModified: 'date',
  ETag: 'string',
  ChecksumAlgorithm: { flattened: 'string' },
  ChecksumType: 'string',
  Size: 'number',
  StorageClass: 'string',
  Owner: OWNER,
  RestoreStatus: RESTORE_STATUS,
});
const COMMON_PREFIX = struct({ Prefix: 'string' });
const LIST_OBJECTS_V2_OUTPUT = struct({
  IsTruncated: 'boolean',
  Contents: { flattened: OBJECT },
  Name: 'string',
  Prefix: 'string',
  Delimiter: 'string',
  MaxKeys: 'number',
  CommonPrefixes: { flattened: COMMON_PREFIX },
  EncodingType: 'string',
  KeyCount: 'number',
  ContinuationToken: 'string',
  NextContinuationToken: 'string',
  StartAfter: 'string',
});

/**
 * The ListObjectsV2Output the SDK deserialises from `body` (a 2xx ListObjectsV2 answer; without
 * $metadata and the header-bound RequestCharged), or undefined when the document is outside what this
 * reader repeats exactly. As the SDK: a member is set when its element is present, even empty (an empty
 * structure element is {}); a flattened list collects every element of its name, in document order;
 * unknown elements are ignored. Unlike the SDK, the root's name is checked, and a repeated non-list
 * member (which the SDK reads as an array, or throws on) and a structure element holding text are refused.
 */
export function readListObjectsV2(body: string): LeanListObjectsV2Answer | undefined {
  const root = parseStrictXml(body);
  if (!root || root.name !== 'ListBucketResult') return undefined;
  return readStruct(root, LIST_OBJECTS_V2_OUTPUT) as LeanListObjectsV2Answer | undefined;
}

function readStruct(el: XmlElement, members: Struct): Record<string, unknown> | undefined {
  if (el.text !== '') return undefined;
  const out: Record<string, unknown> = {};
  for (const child of el.children) {
    const kind = members.get(child.name);
    if (kind === undefined) continue;
    if (typeof kind === 'object' && 'flattened' in kind) {
      const item = readMember(child, kind.flattened);
      if (item === undefined) return undefined;
      const list = out[child.name] as unknown[] | undefined;
      if (list) list.push(item);
      else out[child.name] = [item];
      continue;
    }
    if (child.name in out) return undefined;
    const value = readMember(child, kind);
    if (value === undefined) return undefined;
    out[child.name] = value;
  }
  return out;
}

function readMember(el: XmlElement, kind: Kind): unknown {
  if (typeof kind === 'object') return 'flattened' in kind ? undefined : readStruct(el, kind);
  // A scalar element holding elements: the SDK reads an object there (or throws); not repeated here.
  if (el.children.length > 0) return undefined;
  switch (kind) {
    case 'string':
      return el.text;
    case 'number':
      return Number(el.text);
    case 'boolean':
      return el.text.toLowerCase() === 'true';
    case 'date':
      return dateOf(el.text);
  }
}

/**
 * S3's timestamps (2026-01-02T03:04:05.000Z), as @smithy/core's _parseRfc3339DateTimeWithOffset reads
 * them (restXml's default timestamp format is date-time): the same fields, ranges and arithmetic.
 * Offsets other than Z, a lower-case t or z and anything that does not match are refused (the SDK
 * accepts offsets and throws on the rest).
 */
const RFC3339_UTC = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$/;

function dateOf(text: string): Date | undefined {
  const m = RFC3339_UTC.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hours, minutes, seconds, fraction] = m;
  const inRange = (s: string, lo: number, hi: number): boolean => Number(s) >= lo && Number(s) <= hi;
  if (!inRange(month!, 1, 12) || !inRange(day!, 1, 31) || !inRange(hours!, 0, 23) || !inRange(minutes!, 0, 59) || !inRange(seconds!, 0, 60)) return undefined;
  const ms = fraction !== undefined && Number(fraction) ? Math.round(parseFloat(`0.${fraction}`) * 1000) : 0;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds), ms));
  date.setUTCFullYear(Number(year));
  return date;
}
