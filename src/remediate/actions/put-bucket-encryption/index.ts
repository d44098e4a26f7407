/**
 * put-bucket-encryption: sets a bucket's default encryption to SSE-KMS (or DSSE-KMS) with the key a
 * policy's remediation block names, with PutBucketEncryption; rolled back by writing the configuration
 * read before (DeleteBucketEncryption for a bucket that had none). The planner's decisions are in plan.ts.
 */
import { IAM_ACTION_OF_OPERATION } from '../../../aws/permissions.js';
import type { AccountSession } from '../../../aws/session.js';
import { requiredAspects } from '../../../engine/aspects.js';
import type { IamPermission, PlanRequest, RemediationAction } from '../../action.js';
import { describeState } from './configuration.js';
import { putBucketEncryptionDescriptor } from './descriptor.js';
import { observe } from './observe.js';
import { bucketsToObserve, keysToResolve, planBuckets } from './plan.js';
import { changeSteps, restoreSteps } from './steps.js';
import type { EncryptionState, PlannedChange } from './types.js';

/** A read whose IAM action src/aws/permissions.ts already documents (the scan makes the same call). */
const read = (operation: string, why: string): IamPermission => ({ operation, iamAction: IAM_ACTION_OF_OPERATION[operation]!, citation: why });

/**
 * Both writes are authorized by s3:PutEncryptionConfiguration. For general purpose buckets the caller
 * needs no KMS permission to write the configuration (kms:GenerateDataKey/kms:Decrypt are listed for
 * directory buckets only); the target key is described with kms:DescribeKey and kms:ListAliases (planAspects).
 */
const PUT: IamPermission = {
  operation: 'PutBucketEncryption',
  iamAction: 's3:PutEncryptionConfiguration',
  citation: 'API reference, PutBucketEncryption: "To use this operation, you must have permissions to perform the s3:PutEncryptionConfiguration action"',
};
const DELETE: IamPermission = {
  operation: 'DeleteBucketEncryption',
  iamAction: 's3:PutEncryptionConfiguration',
  citation: 'API reference, DeleteBucketEncryption: "To use this operation, you must have permissions to perform the s3:PutEncryptionConfiguration action"',
};
const GET = read('GetBucketEncryption', 'the configuration is read again just before each change, and after it to verify');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const putBucketEncryptionAction: RemediationAction<PlannedChange, EncryptionState> = {
  descriptor: putBucketEncryptionDescriptor,
  permissions: {
    // The raw `before` (GetBucketEncryption) and the target keys (DescribeKey, ListAliases), whatever the rules need.
    planAspects: ['bucket.encryption', 'key', 'key.aliases'],
    apply: [GET, read('DescribeKey', 'the target key is described again just before each change, and the written key after it (verified means S3 can use it)'), PUT],
    rollback: [GET, PUT, DELETE],
  },

  async plan(request: PlanRequest) {
    const { policyFile, rules, findings } = request;
    const aspects = requiredAspects(policyFile, rules, 'bucket');
    const { observations, targetKeys } = await observe(bucketsToObserve(findings, rules), keysToResolve(policyFile, findings, rules), {
      sessions: request.sessions,
      concurrency: request.concurrency,
      wantTags: aspects.has('bucket.tags'),
      wantRotation: aspects.has('key.rotation'),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return planBuckets({ policyFile, rules, findings, observations, targetKeys });
  },

  changeSteps: (sessions: readonly AccountSession[]) => changeSteps(sessions),
  restoreSteps: (sessions: readonly AccountSession[]) => restoreSteps(sessions),

  isState: (v: unknown): v is EncryptionState => v === 'none' || (isObject(v) && Array.isArray(v.Rules) && v.Rules.every(isObject)),
  describeState,

  describeChange(c) {
    const manager = c.key.manager === 'CUSTOMER' ? 'customer managed' : 'AWS managed';
    const names = c.key.aliases.filter((a) => a.startsWith('alias/'));
    const keyText =
      c.kind === 'kept-key'
        ? `kept (${c.key.spelling}${names.length > 0 && !names.includes(c.key.spelling) ? `, ${names.join(', ')}` : ''}), ${manager}, ${c.key.state}`
        : `${c.key.spelling} (${manager}, ${c.key.state}), the target of ${c.policies.join(', ')}`;
    return {
      ...(c.kind === 'kept-key' ? { note: 'keeps its key' } : {}),
      fields: [
        ['now', describeState(c.before)],
        ['new', describeState(c.after)],
        ['key', keyText],
      ],
    };
  },
};
