/**
 * Reading, building and comparing default encryption configurations as S3 stores them (the raw
 * GetBucketEncryption document, or "none"). Pure.
 */
import type { BucketEncryption, SseAlgorithm } from '../../../domain/facts.js';
import type { EncryptionState, RawEncryptionConfiguration, RawEncryptionRule } from './types.js';

const SSE_ALGORITHMS: readonly string[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** S3 allows exactly one rule today; the first one is the bucket's default (as src/aws/s3.ts reads it). */
export function firstRule(state: EncryptionState): RawEncryptionRule | undefined {
  return state === 'none' ? undefined : state.Rules[0];
}

/** The normalised fact the rules read, from a raw configuration (same reading as the collector's). */
export function encryptionFacts(state: EncryptionState): BucketEncryption {
  const rule = firstRule(state);
  const byDefault = rule?.ApplyServerSideEncryptionByDefault;
  const algorithm = byDefault?.SSEAlgorithm;
  if (!algorithm || !SSE_ALGORITHMS.includes(algorithm)) return { algorithm: null, bucketKeyEnabled: false };
  return {
    algorithm: algorithm as SseAlgorithm,
    ...(byDefault.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
    bucketKeyEnabled: rule?.BucketKeyEnabled === true,
  };
}

const blockedTypes = (rule: RawEncryptionRule | undefined): string[] => [...(rule?.BlockedEncryptionTypes?.EncryptionType ?? [])].sort();

/** One rule's meaning: absent BucketKeyEnabled is false, absent BlockedEncryptionTypes blocks nothing. */
function ruleMeaning(rule: RawEncryptionRule): string {
  const d = rule.ApplyServerSideEncryptionByDefault;
  return JSON.stringify([d?.SSEAlgorithm ?? null, d?.KMSMasterKeyID ?? null, rule.BucketKeyEnabled === true, blockedTypes(rule)]);
}

/**
 * Do two configurations mean the same thing? Field by field, where an absent BucketKeyEnabled equals
 * false and the order of blocked types does not matter; the key must be spelled the same (S3 stores
 * the spelling it was given, so a different spelling is a different configuration).
 */
export function sameConfiguration(a: EncryptionState, b: EncryptionState): boolean {
  if (a === 'none' || b === 'none') return a === b;
  if (a.Rules.length !== b.Rules.length) return false;
  return a.Rules.every((rule, i) => ruleMeaning(rule) === ruleMeaning(b.Rules[i]!));
}

/**
 * The configuration DeleteBucketEncryption leaves: SSE-S3 (AES256), no key, no Bucket Key. On today's S3 a
 * legacy bucket's "none" cannot be recreated; this is the closest state and new objects are encrypted the
 * same way (S3 applies SSE-S3 to every bucket without a configuration since January 2023).
 */
export function isSseS3Default(state: EncryptionState): boolean {
  const rule = firstRule(state);
  if (state === 'none' || state.Rules.length !== 1 || !rule) return false;
  const d = rule.ApplyServerSideEncryptionByDefault;
  return d?.SSEAlgorithm === 'AES256' && d.KMSMasterKeyID === undefined && rule.BucketKeyEnabled !== true;
}

/** Is the bucket in `wanted` — allowing, for "none", the SSE-S3 default that is all S3 can restore today? */
export function matchesRestored(current: EncryptionState, wanted: EncryptionState): boolean {
  if (wanted === 'none') return current === 'none' || isSseS3Default(current);
  return sameConfiguration(current, wanted);
}

export interface TargetSettings {
  algorithm: 'aws:kms' | 'aws:kms:dsse';
  keyArn: string;
  bucketKeyEnabled: boolean;
}

/**
 * The document to PUT. Settings this tool does not manage are carried over from the current rule
 * (today BlockedEncryptionTypes): a PutBucketEncryption without them would silently unblock SSE-C on a
 * bucket that blocks it, a change nobody planned.
 */
export function buildConfiguration(target: TargetSettings, current: EncryptionState): RawEncryptionConfiguration {
  const carried = firstRule(current)?.BlockedEncryptionTypes;
  const rule: RawEncryptionRule = {
    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: target.algorithm, KMSMasterKeyID: target.keyArn },
    // DSSE-KMS does not support S3 Bucket Keys; say false explicitly so the read-back compares exactly.
    BucketKeyEnabled: target.algorithm === 'aws:kms:dsse' ? false : target.bucketKeyEnabled,
  };
  if (carried) rule.BlockedEncryptionTypes = JSON.parse(JSON.stringify(carried)) as RawEncryptionRule['BlockedEncryptionTypes'];
  return { Rules: [rule] };
}

/** One line for people: "none (no default encryption configuration)", "aws:kms with KEY, Bucket Key on". */
export function describeState(state: EncryptionState): string {
  if (state === 'none') return 'none (no default encryption configuration)';
  if (state.Rules.length === 0) return 'an empty configuration (no rules)';
  const parts = state.Rules.map((rule) => {
    const d = rule.ApplyServerSideEncryptionByDefault;
    const algorithm = d?.SSEAlgorithm ?? '(no algorithm)';
    let text = algorithm === 'AES256' ? 'AES256 (SSE-S3)' : algorithm;
    if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') text += ` with ${d?.KMSMasterKeyID ?? 'the AWS managed key aws/s3 (no key id)'}`;
    text += `, Bucket Key ${rule.BucketKeyEnabled === true ? 'on' : 'off'}`;
    const blocked = blockedTypes(rule);
    if (blocked.length > 0) text += `, blocks ${blocked.join(', ')}`;
    return text;
  });
  return parts.join('; ');
}
