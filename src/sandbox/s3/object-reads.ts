/**
 * GetObject and HeadObject: the object's headers, byte ranges, and the KMS decrypt check a read of
 * an SSE-KMS object implies.
 */
import type { SandboxObject } from '../model.js';
import { AwsError, header, type SandboxResponse } from '../protocol.js';
import type { ObjectContext } from './context.js';
import { checkCustomerKeyForRead } from './customer-key.js';
import { invalidArgument } from './errors.js';
import { assertDecryptable } from './kms-keys.js';
import { addressedObject, versionHeader } from './object-addressing.js';
import { sseHeaders } from './object-encryption.js';
import { placeholderBody } from './store/etag.js';

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
 * ("you'll get an HTTP 400 Bad Request error", API reference, GetObject and HeadObject). An SSE-C object
 * needs its key on both: "when you retrieve the metadata from the object, you must use the following
 * headers" (HeadObject API reference), see checkCustomerKeyForRead. GetObject decrypts, so a KMS object
 * whose key is disabled or pending deletion fails with the KMS error; HeadObject reads metadata only and
 * still answers.
 */
export function getObject({ req, estate, bucket, key }: ObjectContext, head: boolean): SandboxResponse {
  const object = addressedObject(req, estate, bucket, key);
  if (header(req, 'x-amz-server-side-encryption') !== undefined || header(req, 'x-amz-server-side-encryption-aws-kms-key-id') !== undefined) {
    throw invalidArgument('x-amz-server-side-encryption header is not supported for this operation.', 'x-amz-server-side-encryption');
  }
  checkCustomerKeyForRead(req, object);
  const headers = { ...objectHeaders(object), ...versionHeader(bucket, object) };
  if (head) return { status: 200, headers: { ...headers, 'content-length': String(object.size) } };
  assertDecryptable(estate, bucket, object);
  const body = object.body ?? placeholderBody(object.size);
  const range = byteRange(header(req, 'range'), object.size);
  if (!range) return { status: 200, headers, body };
  const [start, end] = range;
  return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${object.size}` }, body: body.subarray(start, end + 1) };
}
