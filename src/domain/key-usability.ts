/**
 * Could S3 encrypt with this KMS key for a resource in `region`? Pure.
 *
 * S3 calls GenerateDataKey with the key for every SSE-KMS upload, so the key must exist, be Enabled, be in
 * the resource's own region ("the KMS key must be in the same Region as the bucket") and be a symmetric
 * encryption key: "Amazon S3 supports only symmetric encryption KMS keys" (Amazon S3 User Guide,
 * "Using server-side encryption with AWS KMS keys"), that is KeySpec SYMMETRIC_DEFAULT with KeyUsage
 * ENCRYPT_DECRYPT. An absent spec or usage (a backend that does not report them) is read as the
 * symmetric encryption key every KMS key was before other specs existed.
 */
import type { KeyFacts } from './facts.js';

export const S3_KEY_SPEC = 'SYMMETRIC_DEFAULT';
export const S3_KEY_USAGE = 'ENCRYPT_DECRYPT';

export function s3KeyUsability(key: KeyFacts, region: string): { usable: boolean; reason?: string } {
  if (!key.exists) return { usable: false, reason: `${key.ref} does not exist` };
  if (key.state !== 'Enabled') {
    const why = key.state === 'PendingImport' ? ' (its key material was never imported)' : '';
    return { usable: false, reason: `${key.arn} is ${key.state ?? 'in an unknown state'}, not Enabled${why}` };
  }
  if (key.region !== region) return { usable: false, reason: `${key.arn} is in ${key.region}, and S3 uses only keys in the bucket's region (${region})` };
  const spec = key.spec ?? S3_KEY_SPEC;
  const usage = key.usage ?? S3_KEY_USAGE;
  if (spec !== S3_KEY_SPEC || usage !== S3_KEY_USAGE) {
    return { usable: false, reason: `${key.arn} is a ${spec} key for ${usage}; S3 uses only symmetric encryption keys (${S3_KEY_SPEC}, ${S3_KEY_USAGE})` };
  }
  return { usable: true };
}
