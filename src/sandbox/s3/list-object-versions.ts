/**
 * ListObjectVersions: every version of a bucket's objects with key and version-id markers. Apart
 * from ListObjectsV2 because its pages count versions, not keys, and can end inside a key.
 */
import type { SandboxObject } from '../model.js';
import type { SandboxResponse } from '../protocol.js';
import { el, s3Root } from '../xml.js';
import type { BucketContext } from './context.js';
import { invalidArgument } from './errors.js';
import { parseEncodingType, parseMaxKeys, s3UrlEncode } from './pagination.js';
import { compareKeys } from './store/key-order.js';
import { type ListedObject, listPage } from './store/listing.js';
import { keysWithoutCurrent, versionsOf } from './store/versions.js';
import { owner, xmlResponse } from './wire.js';

/**
 * ListObjectVersions (GET /<bucket>?versions): keys in UTF-8 binary order, each key's versions newest
 * first (the current one with IsLatest true). Versions and common prefixes count toward max-keys, so a
 * page may end inside a key: NextKeyMarker is then that key and NextVersionIdMarker the last version
 * listed, and a request with both resumes after that version. key-marker alone resumes after the key.
 * Buckets that never had versioning list every object once with VersionId "null". Delete markers are
 * listed in their place among the versions as <DeleteMarker> (Key, VersionId, IsLatest, LastModified,
 * Owner: API reference, DeleteMarkerEntry), including keys whose latest version is one.
 */
export function listObjectVersions({ req, estate, bucket }: BucketContext): SandboxResponse {
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

  const deletedKeys = keysWithoutCurrent(estate, bucket).sort(compareKeys);
  let after: string | undefined = keyMarker || undefined;
  let more = true;
  // Resuming inside a key: the rest of its versions come first.
  if (keyMarker !== '' && versionIdMarker !== null && versionIdMarker !== '' && keyMarker.startsWith(prefix)) {
    more = addVersions(keyMarker, versionIdMarker);
  }
  while (more) {
    const page = listPage(estate, bucket, { prefix, delimiter, after, maxKeys: Math.max(1, limit - count()), keysWithoutCurrent: deletedKeys });
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
        v.deleteMarker
          ? el('DeleteMarker', el('Key', enc(key)), el('VersionId', v.versionId), el('IsLatest', latest), el('LastModified', v.lastModified), owner(bucket))
          : el(
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
