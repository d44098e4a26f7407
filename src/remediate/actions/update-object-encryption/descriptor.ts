/**
 * What update-object-encryption is, without how it works: the part `validate` and `test` check rules and
 * policies against. Its own module so that they do not load the action's AWS calls (and the AWS SDK).
 */
import type { ActionDescriptor } from '../../../domain/action.js';
import encryptionTargetSchema from '../../../schema/encryption-target.schema.json' with { type: 'json' };
import { UPDATE_OBJECT_ENCRYPTION } from './types.js';

export const OBJECT_SSE_KMS_RULE = 's3-object-sse-kms';
export const OBJECT_CMK_RULE = 's3-object-cmk';
export const OBJECT_ALLOWED_KEYS_RULE = 's3-object-allowed-keys';
export const OBJECT_MATCHES_BUCKET_KEY_RULE = 's3-object-matches-bucket-key';

export const updateObjectEncryptionDescriptor: ActionDescriptor = {
  id: UPDATE_OBJECT_ENCRYPTION,
  title: "Re-encrypts each stored object under the policy's target KMS key in place, without copying data (UpdateObjectEncryption)",
  resource: 'object',
  fixes: [OBJECT_SSE_KMS_RULE, OBJECT_CMK_RULE, OBJECT_ALLOWED_KEYS_RULE, OBJECT_MATCHES_BUCKET_KEY_RULE],
  params: encryptionTargetSchema,
};
