/**
 * update-object-encryption: re-encrypts stored objects under the policy's target KMS key in place with
 * S3's UpdateObjectEncryption — no data is copied; ETag, LastModified, storage class and checksums are kept
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html). One change per failing
 * object version; rolled back by putting the previous KMS key back (an SSE-S3 object cannot be returned to
 * SSE-S3 by this operation: such changes are irreversible and marked so in the plan).
 */
import { IAM_ACTION_OF_OPERATION } from '../../../aws/permissions.js';
import type { AccountSession } from '../../../aws/session.js';
import type { IamPermission, PlanRequest, RemediationAction } from '../../action.js';
import { candidateObjects, objectKeysToResolve, objectsToObserve } from './candidates.js';
import { updateObjectEncryptionDescriptor } from './descriptor.js';
import { observeObjects } from './observe.js';
import { planObjects } from './plan.js';
import { describeEncryption, describeObjectState, isObjectState } from './state.js';
import { changeSteps, restoreSteps } from './steps.js';
import type { ObjectEncryptionState, PlannedObjectChange } from './types.js';

const SAR = 'Service Authorization Reference, Amazon S3 (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)';
const UOE_REF = 'API reference, UpdateObjectEncryption (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html), Permissions';

/**
 * The write: s3:UpdateObjectEncryption, and the KMS actions the API reference lists for it — S3 decrypts the
 * object's data key under the current key and encrypts it under the new one on the caller's behalf, so the
 * caller needs them on both the source and the target key.
 */
const UPDATE: IamPermission = { operation: 'UpdateObjectEncryption', iamAction: 's3:UpdateObjectEncryption', citation: `${UOE_REF}; ${SAR}` };
const kms = (iamAction: string): IamPermission => ({
  operation: 'UpdateObjectEncryption',
  iamAction,
  citation: `${UOE_REF}: on the object's current KMS key and on the target key`,
});
// The reference lists kms:ReEncrypt*, the wildcard for kms:ReEncryptFrom and kms:ReEncryptTo (KMS Service
// Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
const KMS_FOR_UPDATE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'].map(kms);
const HEAD: IamPermission = {
  operation: 'HeadObject',
  iamAction: IAM_ACTION_OF_OPERATION.HeadObject!,
  citation: 'the object is read again just before each change, and after it to verify (s3:GetObjectVersion too for a version id)',
};
const HEAD_VERSION: IamPermission = { ...HEAD, iamAction: IAM_ACTION_OF_OPERATION.HeadObjectVersion! };
const DESCRIBE: IamPermission = {
  operation: 'DescribeKey',
  iamAction: IAM_ACTION_OF_OPERATION.DescribeKey!,
  citation: 'the target key is described again just before each change',
};

export const updateObjectEncryptionAction: RemediationAction<PlannedObjectChange, ObjectEncryptionState> = {
  descriptor: updateObjectEncryptionDescriptor,
  permissions: {
    planAspects: ['object', 'key', 'key.aliases'],
    apply: [HEAD, HEAD_VERSION, DESCRIBE, UPDATE, ...KMS_FOR_UPDATE],
    rollback: [HEAD, HEAD_VERSION, UPDATE, ...KMS_FOR_UPDATE],
  },

  async plan(request: PlanRequest) {
    const { policyFile, rules, findings } = request;
    const candidates = candidateObjects(findings, rules);
    const { objects, targetKeys } = await observeObjects(objectsToObserve(candidates), objectKeysToResolve(policyFile, candidates), {
      sessions: request.sessions,
      concurrency: request.concurrency,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return planObjects({ policyFile, rules, findings, objects, targetKeys, now: new Date() });
  },

  changeSteps: (sessions: readonly AccountSession[]) => changeSteps(sessions),
  restoreSteps: (sessions: readonly AccountSession[]) => restoreSteps(sessions),

  isState: isObjectState,
  describeState: describeObjectState,

  describeChange(c) {
    return {
      ...(c.irreversible ? { note: 'IRREVERSIBLE (SSE-S3 → SSE-KMS)' } : {}),
      fields: [
        ['now', describeObjectState(c.before)],
        ['new', describeEncryption(c.after)],
        ['key', `${c.key.spelling} (${c.key.manager === 'CUSTOMER' ? 'customer managed' : 'AWS managed'}, ${c.key.state}), the target of ${c.policies.join(', ')}`],
      ],
    };
  },
};
