/**
 * What put-bucket-encryption is, without how it works: the part `validate` and `test` check rules and
 * policies against. Its own module so that they do not load the action's AWS calls (and the AWS SDK).
 */
import type { ActionDescriptor } from '../../../domain/action.js';
import encryptionTargetSchema from '../../../schema/encryption-target.schema.json' with { type: 'json' };
import { PUT_BUCKET_ENCRYPTION } from './types.js';

// Here rather than in plan.ts, which uses them too: importing the planner (and the rule engine behind it)
// would load a dozen modules that `validate` does not need.
export const CMK_RULE = 's3-bucket-cmk';
export const ALLOWED_KEYS_RULE = 's3-bucket-allowed-keys';

export const putBucketEncryptionDescriptor: ActionDescriptor = {
  id: PUT_BUCKET_ENCRYPTION,
  title: "Sets the bucket's default encryption to SSE-KMS with the policy's target key (PutBucketEncryption)",
  resource: 'bucket',
  fixes: ['s3-bucket-sse-kms', CMK_RULE, ALLOWED_KEYS_RULE, 's3-bucket-bucket-key'],
  params: encryptionTargetSchema,
};
