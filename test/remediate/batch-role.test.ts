/**
 * remediate --batch: the role S3 Batch Operations runs a job as must be of the account the job is created in
 * (S3 User Guide, batch-ops-iam-role-policies; IAM User Guide, id_roles_use_passrole: a role can be passed
 * only to a service of its own account). A role of another account is refused before anything is uploaded.
 */
import { expect } from 'chai';
import { UsageError } from '../../src/domain/errors.js';
import { submitBatch } from '../../src/remediate/actions/update-object-encryption/batch.js';
import { batchRoleProblem, roleAccountOf } from '../../src/remediate/actions/update-object-encryption/batch-role.js';
import type { PlannedObjectChange } from '../../src/remediate/actions/update-object-encryption/types.js';

const PROD = '111122223333';
const DEV = '444455556666';
const role = (account: string): string => `arn:aws:iam::${account}:role/BatchOperationsRole`;

function change(account: string, key: string): PlannedObjectChange {
  const before = { sse: 'AES256' as const, bucketKeyEnabled: false };
  return {
    id: key,
    action: 'update-object-encryption',
    account,
    region: 'us-east-1',
    bucket: 'b',
    arn: `arn:aws:s3:::b/${key}`,
    object: { key },
    before,
    after: { ...before, sse: 'aws:kms', kmsKeyArn: `arn:aws:kms:us-east-1:${account}:key/k`, bucketKeyEnabled: true },
    key: { arn: `arn:aws:kms:us-east-1:${account}:key/k`, spelling: 'alias/k', aliases: [], account, region: 'us-east-1', manager: 'CUSTOMER', state: 'Enabled' },
    policies: ['p'],
    requireCustomerManaged: false,
    irreversible: true,
    fixes: [],
    stillFailing: [],
  } as unknown as PlannedObjectChange;
}

describe('remediate/batch-role', () => {
  it('reads the account of a role ARN in any partition, and of nothing else', () => {
    expect(roleAccountOf(role(PROD))).to.equal(PROD);
    expect(roleAccountOf(`arn:aws-cn:iam::${DEV}:role/path/R`)).to.equal(DEV);
    expect(roleAccountOf(`arn:aws:iam::${DEV}:user/R`)).to.equal(undefined);
  });

  it('every: each job account must be the role\'s; the message names the role\'s account and the others', () => {
    expect(batchRoleProblem(role(PROD), [PROD, PROD], 'every')).to.equal(undefined);
    const problem = batchRoleProblem(role(DEV), [PROD, DEV], 'every');
    expect(problem).to.match(new RegExp(`^--role-arn ${role(DEV)} is a role of account ${DEV}, but the S3 Batch Operations jobs would be created in account ${PROD}: `));
    expect(problem).to.contain('iam:PassRole');
  });

  it('some: one of the accounts a run may plan for must be the role\'s (none known: nothing to judge yet)', () => {
    expect(batchRoleProblem(role(DEV), [PROD, DEV], 'some')).to.equal(undefined);
    expect(batchRoleProblem(role('999988887777'), [PROD, DEV], 'some')).to.contain(`would be created in accounts ${PROD}, ${DEV}`);
    expect(batchRoleProblem(role(DEV), [], 'some')).to.equal(undefined);
  });

  it('submitBatch refuses a role of another account than a job\'s before any upload (UsageError: exit 2)', async () => {
    let error: unknown;
    // No session at all: the refusal must come before anything would need one.
    await submitBatch([change(PROD, 'a'), change(DEV, 'b')], { sessions: [], roleArn: role(DEV), reportBucket: 'r', name: 'n', planRunId: 'p', confirmationRequired: true }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.contain(`is a role of account ${DEV}, but the S3 Batch Operations jobs would be created in account ${PROD}`);
  });
});
