/**
 * ListObjectsV2: one page of a bucket's current objects and common prefixes, rendered as S3 does.
 */
import type { SandboxResponse } from '../protocol.js';
import { el, s3Root, type XmlElement } from '../xml.js';
import type { BucketContext } from './context.js';
import { invalidArgument } from './errors.js';
import { decodeToken, encodeToken, parseEncodingType, parseMaxKeys, s3UrlEncode } from './pagination.js';
import { type ListedObject, listPage } from './store/listing.js';
import { owner, xmlResponse } from './wire.js';

/**
 * ListObjectsV2 (GET /<bucket>?list-type=2). max-keys defaults to 1000 and is capped at 1000;
 * common prefixes count toward it; NextContinuationToken is present only when IsTruncated; with
 * encoding-type=url, Key, Prefix, Delimiter, StartAfter and CommonPrefixes/Prefix are encoded.
 */
export function listObjectsV2({ req, estate, bucket }: BucketContext): SandboxResponse {
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
