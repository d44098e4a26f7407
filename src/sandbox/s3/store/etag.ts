/**
 * ETags and placeholder bodies: the ETag S3 gives a single-part upload for each encryption, and the
 * bytes (and their MD5) of objects whose content was never given.
 */
import { createHash } from 'node:crypto';
import type { SandboxObject } from '../../model.js';

const md5Hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** The body of an object whose bytes were never given (generated, or explicit without `body`): `size` × 'x'. */
export const placeholderBody = (size: number): Buffer => Buffer.alloc(size, 'x');

const placeholderMd5 = new Map<number, string>();
export function placeholderEtag(size: number): string {
  let md5 = placeholderMd5.get(size);
  if (md5 === undefined) {
    md5 = md5Hex(placeholderBody(size));
    placeholderMd5.set(size, md5);
  }
  return `"${md5}"`;
}

/**
 * The ETag S3 gives a single-part upload: the MD5 of the data for SSE-S3, but "not an MD5 digest of
 * their object data" for SSE-KMS (API reference, Object: "Objects created by the PUT Object, POST
 * Object, or Copy operation … and are encrypted by SSE-C or SSE-KMS, have ETags that are not an
 * MD5 digest"). The KMS variant here is a digest of the data's MD5 and the key, so it is stable.
 */
export function etagFor(contentMd5Hex: string, sse: SandboxObject['sse'], kmsKeyArn?: string): string {
  // An object stored unencrypted (before 2023) has the plain MD5 ETag, as SSE-S3 ones do.
  if (sse === 'AES256' || sse === null) return `"${contentMd5Hex}"`;
  return `"${md5Hex(`${sse}\n${kmsKeyArn ?? ''}\n${contentMd5Hex}`)}"`;
}
