/**
 * A bucket's default encryption: GetBucketEncryption, PutBucketEncryption and
 * DeleteBucketEncryption, with the configuration document's validation.
 */
import { AwsError, type SandboxResponse } from '../protocol.js';
import { childNamed, childrenNamed, childText, el, s3Root, type XmlNode } from '../xml.js';
import type { BucketContext } from './context.js';
import { invalidArgument, malformedXml } from './errors.js';
import { requireIntegrityHeader } from './integrity.js';
import { DEFAULT_ENCRYPTION, isSse } from './sse.js';
import { NO_CONTENT, parseBody, xmlResponse } from './wire.js';

/**
 * GetBucketEncryption. A bucket with no configuration (`encryption: null`, a legacy bucket from
 * before 2023) answers 404 ServerSideEncryptionConfigurationNotFoundError "The server side
 * encryption configuration was not found" (boto/boto3#1899; terraform-provider-aws#24232 shows
 * the 404), with the BucketName.
 */
export function getBucketEncryption({ bucket }: BucketContext): SandboxResponse {
  const enc = bucket.encryption;
  if (!enc) {
    throw new AwsError('ServerSideEncryptionConfigurationNotFoundError', 404, 'The server side encryption configuration was not found', {
      BucketName: bucket.name,
    });
  }
  return xmlResponse(
    s3Root(
      'ServerSideEncryptionConfiguration',
      el(
        'Rule',
        el('ApplyServerSideEncryptionByDefault', el('SSEAlgorithm', enc.algorithm), enc.kmsKeyId !== undefined ? el('KMSMasterKeyID', enc.kmsKeyId) : null),
        el('BucketKeyEnabled', enc.bucketKeyEnabled),
        enc.blockedEncryptionTypes !== undefined
          ? el('BlockedEncryptionTypes', enc.blockedEncryptionTypes.map((t) => el('EncryptionType', t)))
          : null,
      ),
    ),
  );
}

function parseBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw malformedXml();
}

/**
 * PutBucketEncryption. Exactly one Rule with ApplyServerSideEncryptionByDefault; an unknown
 * SSEAlgorithm, no rule or two rules → 400 MalformedXML; KMSMasterKeyID with AES256 → 400
 * InvalidArgument (answers recorded from S3 in LocalStack's AWS-validated
 * test_s3_default_bucket_encryption_exc, 2026-02-21). The key id is stored verbatim and not
 * checked: "Amazon S3 doesn't validate the KMS key ID provided in PutBucketEncryption requests"
 * (API reference) — a bad key only fails later uploads.
 */
export function putBucketEncryption({ req, bucket }: BucketContext): SandboxResponse {
  requireIntegrityHeader(req);
  const root = parseBody(req.body);
  if (root.name !== 'ServerSideEncryptionConfiguration') throw malformedXml();
  const rules = childrenNamed(root, 'Rule');
  if (rules.length !== 1) throw malformedXml();
  const rule = rules[0]!;
  const byDefault = childNamed(rule, 'ApplyServerSideEncryptionByDefault');
  if (!byDefault) throw malformedXml();
  const algorithm = childText(byDefault, 'SSEAlgorithm');
  if (algorithm === undefined || !isSse(algorithm)) throw malformedXml();
  // Stored exactly as sent, spaces included: S3 does not validate the key id ("Amazon S3 doesn't validate
  // the KMS key ID provided in PutBucketEncryption requests"), and KMS later gets that very string.
  const kmsKeyId = childNamed(byDefault, 'KMSMasterKeyID')?.text;
  if (kmsKeyId !== undefined && algorithm === 'AES256') {
    throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
  }
  const bucketKeyEnabled = parseBoolean(childText(rule, 'BucketKeyEnabled')) ?? false;
  const blockedEncryptionTypes = parseBlockedEncryptionTypes(rule);
  bucket.encryption = { algorithm, bucketKeyEnabled, ...(kmsKeyId ? { kmsKeyId } : {}), ...(blockedEncryptionTypes ? { blockedEncryptionTypes } : {}) };
  return { status: 200 };
}

/**
 * The rule's BlockedEncryptionTypes: a flattened list of EncryptionType, each NONE or SSE-C (API reference,
 * BlockedEncryptionTypes: "Valid Values: NONE | SSE-C"); any other value is not in S3's model → MalformedXML.
 * A PutBucketEncryption without the element leaves the bucket with none stored, as the sandbox cannot know
 * better; GetBucketEncryption answers the element only when it was set.
 */
function parseBlockedEncryptionTypes(rule: XmlNode): string[] | undefined {
  const blocked = childNamed(rule, 'BlockedEncryptionTypes');
  if (!blocked) return undefined;
  const types = childrenNamed(blocked, 'EncryptionType').map((t) => t.text.trim());
  if (types.some((t) => t !== 'NONE' && t !== 'SSE-C')) throw malformedXml();
  return types;
}

/**
 * DeleteBucketEncryption "resets the default encryption for the bucket as server-side encryption
 * with Amazon S3 managed keys (SSE-S3)" (API reference), so GetBucketEncryption then answers the
 * SSE-S3 document, not an error ("This is also true after you delete the bucket encryption - the
 * default will be returned and not an Error", ceph/s3-tests#613, observed on S3 in 2025).
 */
export function deleteBucketEncryption({ bucket }: BucketContext): SandboxResponse {
  bucket.encryption = { ...DEFAULT_ENCRYPTION };
  return NO_CONTENT;
}
