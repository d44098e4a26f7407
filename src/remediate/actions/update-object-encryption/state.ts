/**
 * Comparing and describing object states (HeadObject's answer, ObjectEncryptionState): the encryption
 * fields UpdateObjectEncryption changes, and the identity fields it promises to keep (ETag, LastModified,
 * storage class, size, version id). Pure.
 */
import type { ObjectEncryptionState } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A journal's before/after of this action (checked when a journal is read). */
export function isObjectState(v: unknown): v is ObjectEncryptionState {
  return isObject(v) && (v.sse === null || typeof v.sse === 'string') && typeof v.bucketKeyEnabled === 'boolean' && typeof v.storageClass === 'string';
}

/** One line: the encryption only. */
export function describeEncryption(s: ObjectEncryptionState): string {
  if (s.customerKey) return 'SSE-C';
  if (s.sse === null) return 'no server-side encryption';
  if (s.sse === 'AES256') return 'SSE-S3 (AES256)';
  return `${s.sse === 'aws:kms' ? 'SSE-KMS' : 'DSSE-KMS'} ${s.kmsKeyArn ?? '(key not reported)'}, Bucket Key ${s.bucketKeyEnabled ? 'on' : 'off'}`;
}

/** The encryption and the ETag, for people. */
export const describeObjectState = (s: ObjectEncryptionState): string => `${describeEncryption(s)}${s.etag ? `, ETag ${s.etag}` : ''}`;

export const sameEncryption = (a: ObjectEncryptionState, b: ObjectEncryptionState): boolean =>
  a.sse === b.sse && (a.kmsKeyArn ?? null) === (b.kmsKeyArn ?? null) && a.bucketKeyEnabled === b.bucketKeyEnabled && (a.customerKey ?? false) === (b.customerKey ?? false);

/** The fields UpdateObjectEncryption keeps, that differ between `a` and `b` (named for messages). */
export function identityDifferences(a: ObjectEncryptionState, b: ObjectEncryptionState): string[] {
  const out: string[] = [];
  if ((a.etag ?? null) !== (b.etag ?? null)) out.push(`ETag ${String(a.etag)} → ${String(b.etag)}`);
  if ((a.lastModified ?? null) !== (b.lastModified ?? null)) out.push(`LastModified ${String(a.lastModified)} → ${String(b.lastModified)}`);
  if (a.storageClass !== b.storageClass) out.push(`storage class ${a.storageClass} → ${b.storageClass}`);
  if ((a.size ?? null) !== (b.size ?? null)) out.push(`size ${String(a.size)} → ${String(b.size)}`);
  if ((a.versionId ?? null) !== (b.versionId ?? null)) out.push(`version ${String(a.versionId)} → ${String(b.versionId)}`);
  return out;
}

/** Same encryption and same identity: what "verified" and "still as planned" mean for an object. */
export const sameObjectState = (a: ObjectEncryptionState, b: ObjectEncryptionState): boolean => sameEncryption(a, b) && identityDifferences(a, b).length === 0;
