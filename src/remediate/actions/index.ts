/**
 * The built-in remediation actions. A rule names one in `remediation:`; `validate` refuses any other id.
 * Adding an action: a module under this folder exporting a RemediationAction (src/remediate/action.ts),
 * listed here. Nothing else in src/ changes: planning, applying, journaling and rolling back are generic.
 */
import { ActionRegistry } from '../registry.js';
import type { RemediationPlan } from '../types.js';
import { putBucketEncryptionAction } from './put-bucket-encryption/index.js';
import type { PlannedChange as BucketEncryptionChange } from './put-bucket-encryption/types.js';
import { updateObjectEncryptionAction } from './update-object-encryption/index.js';
import type { PlannedObjectChange } from './update-object-encryption/types.js';

/**
 * The first action is also the legacy default: plans and journals written before records carried an
 * action id were all made by it (src/schema/plan.schema.json, schemaVersion 1).
 */
export const BUILTIN_ACTIONS = new ActionRegistry([putBucketEncryptionAction, updateObjectEncryptionAction], putBucketEncryptionAction.descriptor.id);

/** A change of any built-in action (a union, one member per action): what plans made by this version hold. */
export type RegisteredChange = BucketEncryptionChange | PlannedObjectChange;

/** A plan of the built-in actions. */
export type RegisteredPlan = RemediationPlan<RegisteredChange>;
