/**
 * Can S3 encrypt with this KMS key for a resource in a given Region? The one answer every layer
 * shares: rules read it as key.s3Usable / key.s3UnusableReason (set by keyFactsFor), remediation uses it
 * to refuse a target key. Pure: it judges facts already read, it never calls AWS.
 *
 * What S3 needs, with the AWS documents that say so:
 * - a valid spelling: KMSMasterKeyID is a key id (UUID, or mrk- and 32 hex digits for a multi-Region
 *   key), key ARN, alias name (alias/ and 1 to 250 of [a-zA-Z0-9/_-]) or alias ARN, exactly as stored
 *   (KMS API reference, DescribeKey "KeyId" and CreateAlias "AliasName");
 * - a key that exists, in the resource's own Region: "the KMS key must be in the same Region as the
 *   bucket" (S3 User Guide, "Specifying server-side encryption with AWS KMS (SSE-KMS)"). S3 "treats
 *   multi-Region keys as though they were single-Region keys, and does not use the multi-Region features
 *   of the key" (S3 User Guide, UsingKMSEncryption.html, "Multi-Region keys"): a primary key in another
 *   Region does not serve the bucket, its replica in the bucket's Region does;
 * - key state Enabled: Disabled, PendingDeletion, PendingImport (origin EXTERNAL, key material not
 *   imported yet) and Unavailable (custom key store disconnected) all refuse GenerateDataKey (KMS
 *   Developer Guide, "Key states of AWS KMS keys", key-state.html);
 * - a symmetric encryption key: "Amazon S3 only supports symmetric encryption KMS keys" (S3 API
 *   reference, ServerSideEncryptionByDefault), i.e. KeySpec SYMMETRIC_DEFAULT with KeyUsage
 *   ENCRYPT_DECRYPT (KMS Developer Guide, "Key type reference", symm-asymm-compare.html).
 */
import type { KeyFacts } from './facts.js';
import { isValidKeySpelling } from './key-grammar.js';

export interface KeyUsability {
  usable: boolean;
  /** Completes the sentence "the key ...": why S3 cannot use it; null when it can. */
  reason: string | null;
}

export type UsabilityFacts = Pick<KeyFacts, 'ref' | 'exists' | 'state' | 'region'> &
  Partial<Pick<KeyFacts, 'spec' | 'usage' | 'origin' | 'multiRegion' | 'multiRegionKeyType' | 'customKeyStoreId'>>;

const SYMMETRIC = 'SYMMETRIC_DEFAULT';
const ENCRYPT_DECRYPT = 'ENCRYPT_DECRYPT';

const unusable = (reason: string): KeyUsability => ({ usable: false, reason });

/** Whether S3 can use the key for a resource (bucket default, or an object write) in `resourceRegion`. */
export function s3KeyUsability(key: UsabilityFacts, resourceRegion: string): KeyUsability {
  if (!isValidKeySpelling(key.ref)) return unusable(`is not a valid key id, key ARN, alias name or alias ARN (stored as ${JSON.stringify(key.ref)})`);
  if (!key.exists) return unusable('does not exist');
  if (key.region !== resourceRegion) {
    const multiRegion = key.multiRegion
      ? ': S3 treats a multi-Region key as a single-Region key, so only its replica in the same Region can serve it'
      : ': S3 uses only a key in the same Region';
    return unusable(`is in ${key.region}, not the bucket's region ${resourceRegion}${multiRegion}`);
  }
  const state = stateProblem(key);
  if (state) return unusable(state);
  const type = typeProblem(key.spec, key.usage);
  if (type) return unusable(type);
  return { usable: true, reason: null };
}

function stateProblem(key: UsabilityFacts): string | null {
  switch (key.state) {
    case 'Enabled':
      return null;
    case 'Disabled':
      return 'is disabled';
    case 'PendingDeletion':
      return 'is pending deletion';
    case 'PendingImport':
      return `is pending import: its key material (origin ${key.origin ?? 'EXTERNAL'}) has not been imported`;
    case 'Unavailable':
      return `is unavailable: its custom key store${key.customKeyStoreId ? ` ${key.customKeyStoreId}` : ''} is disconnected`;
    default:
      return `is in state ${key.state ?? 'unknown'}, not Enabled`;
  }
}

function typeProblem(spec: string | null | undefined, usage: string | null | undefined): string | null {
  if (spec === SYMMETRIC && usage === ENCRYPT_DECRYPT) return null;
  const only = 'S3 uses only symmetric encryption keys (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT)';
  if (spec === null || spec === undefined || usage === null || usage === undefined) return `has a KeySpec or KeyUsage KMS did not report: ${only}`;
  if (spec.startsWith('HMAC_')) return `is an HMAC ${spec} key: ${only}`;
  if (spec !== SYMMETRIC) return `is an asymmetric ${spec} key (usage ${usage}): ${only}`;
  return `has key usage ${usage}: ${only}`;
}
