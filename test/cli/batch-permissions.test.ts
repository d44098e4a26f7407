/** `permissions batch`: what the caller and the S3 Batch Operations role need, and no more. */
import { expect } from 'chai';
import { batchPolicies } from '../../src/cli/permissions.js';

type Statement = { Sid?: string; Action: string | string[]; Resource?: string | string[]; Condition?: Record<string, Record<string, string>> };
type Policy = { Statement: Statement[] };

describe('cli: permissions batch', () => {
  const docs = batchPolicies() as Record<string, Policy>;
  const caller = docs['callerPolicy']!;
  const statementWith = (policy: Policy, action: string): Statement => policy.Statement.find((s) => [s.Action].flat().includes(action))!;

  it('iam:PassRole only on the Batch Operations role, and only to S3 Batch Operations', () => {
    const pass = statementWith(caller, 'iam:PassRole');
    expect(pass.Resource).to.equal('arn:aws:iam::ACCOUNT_ID:role/BATCH_OPERATIONS_ROLE');
    expect(pass.Condition).to.deep.equal({ StringEquals: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } });
  });

  it('the caller writes and reads objects only in the report bucket', () => {
    expect(statementWith(caller, 's3:PutObject').Resource).to.equal('arn:aws:s3:::REPORT_BUCKET/*');
    expect(statementWith(caller, 's3:GetObject').Resource).to.equal('arn:aws:s3:::REPORT_BUCKET/*');
  });

  it('the role trusts S3 Batch Operations for jobs of this account only', () => {
    const [trust] = docs['batchOperationsRoleTrustPolicy']!.Statement as (Statement & { Principal: unknown })[];
    expect(trust!.Principal).to.deep.equal({ Service: 'batchoperations.s3.amazonaws.com' });
    expect(trust!.Condition).to.deep.equal({ StringEquals: { 'aws:SourceAccount': 'ACCOUNT_ID' } });
  });

  it('the role may update object encryption and write its report in the report bucket only', () => {
    const role = docs['batchOperationsRolePolicy']!;
    expect([statementWith(role, 's3:UpdateObjectEncryption').Action].flat()).to.include('s3:UpdateObjectEncryption');
    expect(statementWith(role, 's3:PutObject').Resource).to.equal('arn:aws:s3:::REPORT_BUCKET/*');
  });
});
