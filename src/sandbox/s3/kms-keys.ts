/**
 * The KMS keys S3 uses on the caller's behalf: which key a key spelling names for encryption, and
 * whether a key can still encrypt or decrypt. S3 passes KMS's own refusals on with a "KMS." prefix,
 * so the error codes here are KMS's, as S3 answers them.
 */
import { awsManagedKey, parseKeyReference, resolveKey } from '../keys.js';
import type { Estate, SandboxBucket, SandboxKey, SandboxObject } from '../model.js';
import { AwsError } from '../protocol.js';
import { isKms } from './sse.js';

/**
 * KMS's own answers for a key it cannot use, which S3 passes on with a "KMS." prefix and status
 * 400 (Error responses, Amazon S3 API Reference: KMS.DisabledException, KMS.KMSInvalidStateException,
 * KMS.NotFoundException, KMS.InvalidKeyUsageException). Messages are those S3 was recorded
 * answering: "arn:… is disabled.", "arn:… is pending deletion." (LocalStack's AWS-validated
 * snapshots test_s3_sse_validate_kms_key_state, 2026-02-21).
 */
function assertKeyUsable(key: SandboxKey): void {
  switch (key.state) {
    case 'Enabled':
      break;
    case 'Disabled':
      throw new AwsError('KMS.DisabledException', 400, `${key.arn} is disabled.`);
    case 'PendingDeletion':
      throw new AwsError('KMS.KMSInvalidStateException', 400, `${key.arn} is pending deletion.`);
    case 'PendingImport':
      throw new AwsError('KMS.KMSInvalidStateException', 400, `${key.arn} is pending import.`);
    default:
      throw new AwsError('KMS.KMSInvalidStateException', 400, `${key.arn} is not in a valid state (${key.state}) for this request.`);
  }
  // S3 only supports symmetric encryption KMS keys (API reference, ServerSideEncryptionByDefault).
  if (key.spec !== 'SYMMETRIC_DEFAULT' || key.usage !== 'ENCRYPT_DECRYPT') {
    throw new AwsError('KMS.InvalidKeyUsageException', 400, `${key.arn} key usage is ${key.usage} which is not valid for GenerateDataKey.`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The key S3 would encrypt with for a key spelling given on PutObject/CopyObject or in the bucket's
 * default (absent: the account's AWS managed key aws/s3). A bare key id or alias is looked up in
 * the bucket's account and region. Recorded AWS answers (LocalStack test_s3_sse_validate_kms_key,
 * AWS-validated 2026-02-21; aws/aws-cli#4507): an ARN in another region → "Invalid arn <region>";
 * a well-formed id or ARN of no key → "Key '<arn>' does not exist"; anything else → "Invalid keyId
 * '<spelling>'" — all 400 KMS.NotFoundException.
 */
export function keyForEncryption(estate: Estate, bucket: SandboxBucket, spelling: string | undefined): SandboxKey {
  if (spelling === undefined) return awsManagedKey(estate, bucket.account, bucket.region, 's3');
  const ref = parseKeyReference(bucket.account, bucket.region, spelling);
  if (ref.region !== bucket.region) throw new AwsError('KMS.NotFoundException', 400, `Invalid arn ${ref.region}`);
  const key = resolveKey(estate, bucket.account, bucket.region, spelling);
  if (!key) {
    if (ref.kind === 'alias') throw new AwsError('KMS.NotFoundException', 400, `Alias ${ref.arn} is not found.`);
    if (spelling.startsWith('arn:') || UUID.test(ref.keyId)) throw new AwsError('KMS.NotFoundException', 400, `Key '${ref.arn}' does not exist`);
    throw new AwsError('KMS.NotFoundException', 400, `Invalid keyId '${spelling}'`);
  }
  assertKeyUsable(key);
  return key;
}

/** Reading an SSE-KMS object makes S3 call KMS Decrypt: the key must still exist and be usable. */
export function assertDecryptable(estate: Estate, bucket: SandboxBucket, object: SandboxObject): void {
  if (!isKms(object.sse) || object.kmsKeyArn === undefined) return;
  const key = resolveKey(estate, bucket.account, bucket.region, object.kmsKeyArn);
  if (!key) throw new AwsError('KMS.NotFoundException', 400, `Key '${object.kmsKeyArn}' does not exist`);
  assertKeyUsable(key);
}
