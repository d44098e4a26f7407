/**
 * HeadObject without the SDK's per-call pipeline, for the object audit's hot path (lean-request.ts):
 * sign, send, read seven headers.
 *
 * A 2xx answer is read here. So are 403 and 404, which a HEAD answers without a body (HeadObject API
 * reference: "It's not possible to retrieve the exact exception"): the SDK can only name them from the
 * status, and this path builds the very error the SDK builds — NotFound for 404, the service exception
 * "Unknown" for 403 (which headObject() in s3.ts then names, as it names the SDK's) — with the SDK's
 * $metadata after one attempt. The SDK's standard retry strategy does not retry either (neither is
 * throttling, transient or a 5xx); it would only after correcting a skewed clock, so an answer whose Date
 * is far off the local clock is left to the SDK (clockSkewSuspected).
 *
 * Anything else — 400, a wrong-region 301, 503 SlowDown, another status, a network error or timeout — is
 * not interpreted here: the caller sends the same call through the SDK, which retries with its standard
 * strategy, names the error and follows region redirects exactly as before (one extra request then).
 */
import { NotFound, S3ServiceException, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { clockSkewSuspected, encodeSegment, headerOf, sdkMetadata, sendLean, type LeanResponse } from './lean-request.js';

/**
 * A key of only the characters the SDK's path encoding (encodeSegment on each '/'-separated segment)
 * leaves as they are — ASCII letters, digits, "-", ".", "_", "~" and the "/" it splits on — is its own
 * encoding; most keys are, and they skip the split, the per-segment encoding and the join.
 */
const UNESCAPED_KEY = /^[A-Za-z0-9\-._~/]*$/;

/** The request path of `key` below the bucket, encoded as the SDK's S3 serializer encodes it. */
export const keyPath = (key: string): string => '/' + (UNESCAPED_KEY.test(key) ? key : key.split('/').map(encodeSegment).join('/'));

export type LeanHeadAnswer = Pick<HeadObjectCommandOutput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled' | 'ContentLength' | 'LastModified' | 'ETag' | 'VersionId'>;

/**
 * HeadObject's answer when S3 answered 2xx; rejects with the SDK's own error for 403 and 404; undefined
 * for anything else (see the file comment): the caller then makes the call through the SDK.
 */
export async function headObjectLean(client: S3Client, bucket: string, key: string, versionId: string | undefined, signal?: AbortSignal): Promise<LeanHeadAnswer | undefined> {
  const subPath = keyPath(key);
  const response = await sendLean(
    client,
    versionId !== undefined
      ? { method: 'HEAD', bucket, subPath, query: { versionId }, search: `?versionId=${encodeSegment(versionId)}` }
      : { method: 'HEAD', bucket, subPath, query: {}, search: '' },
    signal,
  );
  if (!response) return undefined;
  const { status } = response;
  if (status >= 200 && status <= 299) return readHeaders(response);
  if ((status === 403 || status === 404) && !clockSkewSuspected(response.headers)) throw sdkHeadError(response);
  return undefined;
}

function readHeaders({ headers }: LeanResponse): LeanHeadAnswer | undefined {
  const length = headerOf(headers, 'content-length');
  const modified = headerOf(headers, 'last-modified');
  const bucketKey = headerOf(headers, 'x-amz-server-side-encryption-bucket-key-enabled');
  const answer: LeanHeadAnswer = {};
  const sse = headerOf(headers, 'x-amz-server-side-encryption');
  if (sse !== undefined) answer.ServerSideEncryption = sse as LeanHeadAnswer['ServerSideEncryption'];
  const kms = headerOf(headers, 'x-amz-server-side-encryption-aws-kms-key-id');
  if (kms !== undefined) answer.SSEKMSKeyId = kms;
  if (bucketKey !== undefined) answer.BucketKeyEnabled = bucketKey === 'true';
  if (length !== undefined) answer.ContentLength = Number(length);
  if (modified !== undefined) {
    const d = new Date(modified);
    // A date the SDK would refuse to parse is not guessed at: the SDK answers instead.
    if (Number.isNaN(d.getTime())) return undefined;
    answer.LastModified = d;
  }
  const etag = headerOf(headers, 'etag');
  if (etag !== undefined) answer.ETag = etag;
  const version = headerOf(headers, 'x-amz-version-id');
  if (version !== undefined) answer.VersionId = version;
  return answer;
}

/**
 * The error the SDK throws for a bodiless 403 or 404 answer to HEAD: with no error code in a body, the
 * REST-XML protocol names a 404 "NotFound" (S3's modelled NotFound) and anything else "Unknown" (the
 * client's base exception), message "UnknownError" (@aws-sdk/core loadRestXmlErrorCode and
 * ProtocolLib.getErrorSchemaOrThrowBaseException).
 */
function sdkHeadError({ status, headers }: LeanResponse): Error {
  const $metadata = sdkMetadata(status, headers);
  if (status === 404) return new NotFound({ message: 'UnknownError', $metadata });
  return new S3ServiceException({ name: 'Unknown', $fault: 'client', message: 'UnknownError', $metadata });
}
