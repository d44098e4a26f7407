/**
 * The descriptors of the built-in actions (index.ts lists the actions themselves): what config/ checks
 * rules' `remediation:` against. Loading this does not load any action's AWS calls, so `validate` and
 * `test` start without the AWS SDK. A test checks it equals BUILTIN_ACTIONS.catalogue().
 */
import type { ActionCatalogue } from '../../domain/action.js';
import { putBucketEncryptionDescriptor } from './put-bucket-encryption/descriptor.js';
import { updateObjectEncryptionDescriptor } from './update-object-encryption/descriptor.js';

export const BUILTIN_ACTION_CATALOGUE: ActionCatalogue = new Map([
  [putBucketEncryptionDescriptor.id, putBucketEncryptionDescriptor],
  [updateObjectEncryptionDescriptor.id, updateObjectEncryptionDescriptor],
]);
