/**
 * `s3-kms-audit permissions scan|remediate|rollback`: the least-privilege IAM policy for that command,
 * as JSON on stdout. The actions come from the operations each command calls (src/aws/permissions.ts,
 * where every operation declares its IAM action), narrowed by what the policy file's rules need.
 * No AWS call.
 */
import { loadAuditConfig } from '../run/audit-config.js';
import { iamActionsOf, metadataModeIamActions, objectInventoryIamActions, objectVersionIamActions, scanOperations } from '../aws/permissions.js';
import { BUILTIN_ACTIONS } from '../remediate/actions/index.js';
import { remediateIamActions, rollbackIamActions } from '../remediate/permissions.js';
import { requiredAspects } from '../engine/aspects.js';
import type { PermissionCommand, PermissionsArgs } from './commands.js';
import { EXIT_OK } from './exit.js';
import { organizationPermissions, TRUSTED_PRINCIPAL_PLACEHOLDER } from './organization-permissions.js';
import { adminRoleWarning } from './account-options.js';
import type { CliIO } from './terminal.js';
import { kmsStatements, reencryptionTargets, type Statement, type TargetKeys } from './kms-statements.js';

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: Statement[];
}

/**
 * The IAM actions of one command, given the operations it calls. Remediation permissions come from the
 * actions: for remediate, those the policy file's rules name; for rollback, every registered one.
 */
export function commandActions(command: PermissionCommand, args: Pick<PermissionsArgs, 'policies' | 'rules'>): string[] {
  if (command === 'rollback') return rollbackIamActions(BUILTIN_ACTIONS.actions);
  const { policyFile, rules } = loadAuditConfig(args.policies, args.rules);
  const aspects = requiredAspects(policyFile, rules);
  const named = BUILTIN_ACTIONS.namedBy(policyFile.policies.flatMap((p) => p.rules.map((r) => rules.get(r.id)?.remediation)));
  const actions = command === 'scan' ? iamActionsOf(scanOperations(aspects)) : remediateIamActions(aspects, named);
  if (policyFile.policies.some((p) => p.objects?.versions)) for (const a of objectVersionIamActions()) if (!actions.includes(a)) actions.push(a);
  if (command === 'scan' && policyFile.policies.some((p) => p.objects?.mode === 'metadata')) for (const a of metadataModeIamActions()) if (!actions.includes(a)) actions.push(a);
  if (policyFile.policies.some((p) => p.objects?.mode === 'inventory')) for (const a of objectInventoryIamActions()) if (!actions.includes(a)) actions.push(a);
  return actions;
}

/** `remediate`: the target keys of the policies whose remediation re-encrypts objects through S3. */
export function remediationTargets(args: Pick<PermissionsArgs, 'policies' | 'rules'>): TargetKeys {
  const { policyFile, rules } = loadAuditConfig(args.policies, args.rules);
  return reencryptionTargets(policyFile, rules, (remediations) => BUILTIN_ACTIONS.namedBy(remediations));
}

/**
 * One statement per service, and KMS split by how each action is used (kms-statements.ts). Resource "*":
 * ListAllMyBuckets and ListAliases only accept "*", and which buckets and keys are involved is what the
 * command finds out; narrow S3 to your bucket ARNs where your naming allows. The KMS actions S3 uses on the
 * caller's behalf are allowed only through S3, and on the `targets` keys where the policy file names them.
 */
export function iamPolicy(command: PermissionCommand, actions: string[], assumeRoles: string[], targets?: TargetKeys): IamPolicy {
  const title = command[0]!.toUpperCase() + command.slice(1);
  const statements: Statement[] = [];
  const s3 = actions.filter((a) => a.startsWith('s3:'));
  const kms = actions.filter((a) => a.startsWith('kms:'));
  if (s3.length > 0) statements.push({ Sid: `S3KmsAudit${title}S3`, Effect: 'Allow', Action: s3, Resource: '*' });
  statements.push(...kmsStatements(`S3KmsAudit${title}`, kms, targets));
  // The metadata object mode: Athena queries, and what Athena reads on the caller's behalf (Glue catalog, S3 Tables).
  const query = actions.filter((a) => a.startsWith('athena:') || a.startsWith('glue:') || a.startsWith('s3tables:'));
  if (query.length > 0) statements.push({ Sid: `S3KmsAudit${title}MetadataTables`, Effect: 'Allow', Action: query, Resource: '*' });
  if (assumeRoles.length > 0) statements.push({ Sid: 'S3KmsAuditAssumeRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: assumeRoles });
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * `permissions batch`: three documents as one JSON object, named in camelCase as `permissions scan
 * --organization` names its own (each document inside is in IAM's grammar): what `remediate --objects --apply --batch` and `status` need beyond `permissions
 * remediate` — the caller uploads the manifest, creates and describes the job, reads the completion report
 * and passes the job's role (iam:PassRole) — and the role S3 Batch Operations assumes: its trust policy
 * (batchoperations.s3.amazonaws.com) and its policy (read the manifest, UpdateObjectEncryption and the KMS
 * actions on the objects' keys, write the report). Sources: User Guide, "Granting permissions for Batch
 * Operations" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html);
 * Service Authorization Reference for Amazon S3 (s3:CreateJob, s3:DescribeJob, s3:UpdateJobStatus).
 */
export function batchPolicies(): Record<string, unknown> {
  const statement = (Sid: string, Action: string[], Resource: string | string[] = '*'): Statement => ({ Sid, Effect: 'Allow', Action, Resource });
  // The placeholders to replace: the bucket given to --report-bucket (the manifest is uploaded there and
  // the completion report written there) and the role given to --role-arn.
  const reports = 'arn:aws:s3:::REPORT_BUCKET/*';
  const batchRole = 'arn:aws:iam::ACCOUNT_ID:role/BATCH_OPERATIONS_ROLE';
  return {
    callerPolicy: {
      Version: '2012-10-17',
      Statement: [
        // CreateJob takes no resource-level scope; DescribeJob and UpdateJobStatus are on the account's jobs.
        statement('S3KmsAuditBatchJobs', ['s3:CreateJob', 's3:DescribeJob', 's3:UpdateJobStatus']),
        statement('S3KmsAuditBatchManifestAndReport', ['s3:PutObject', 's3:GetObject'], reports),
        // Only to S3 Batch Operations: the caller cannot hand the role to any other service.
        { ...statement('S3KmsAuditBatchPassRole', ['iam:PassRole'], batchRole), Condition: { StringEquals: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } } },
      ],
    },
    batchOperationsRoleTrustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'batchoperations.s3.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // Jobs of this account only (confused-deputy protection).
          Condition: { StringEquals: { 'aws:SourceAccount': 'ACCOUNT_ID' } },
        },
      ],
    },
    batchOperationsRolePolicy: {
      Version: '2012-10-17',
      Statement: [
        statement('UpdateObjects', ['s3:UpdateObjectEncryption', 's3:GetObject', 's3:GetObjectVersion']),
        statement('UseKeys', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']),
        statement('ReadManifestWriteReport', ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'], reports),
      ],
    },
  };
}

export async function permissionsCommand(args: PermissionsArgs, io: CliIO): Promise<number> {
  const { command } = args;
  if (command === 'batch') {
    io.stdout.write(JSON.stringify(batchPolicies(), null, 2) + '\n');
    return EXIT_OK;
  }
  if (args.organization) {
    const adminRole = adminRoleWarning(args.roleName);
    if (adminRole) io.stderr.write(adminRole);
    const member = iamPolicy(command, commandActions(command, args), []);
    const trusted = args.trustedPrincipal ?? TRUSTED_PRINCIPAL_PLACEHOLDER;
    if (args.trustedPrincipal === undefined) io.stderr.write(`note: memberRoleTrustPolicy names ${TRUSTED_PRINCIPAL_PLACEHOLDER}: give --trusted-principal ARN (the role or user that runs the scan)\n`);
    io.stdout.write(JSON.stringify(organizationPermissions(member, args.roleName!, trusted, args.externalId), null, 2) + '\n');
    return EXIT_OK;
  }
  const targets = command === 'remediate' ? remediationTargets(args) : undefined;
  io.stdout.write(JSON.stringify(iamPolicy(command, commandActions(command, args), args.assumeRoles, targets), null, 2) + '\n');
  // Batch Operations jobs are submitted by remediate --batch and by the rollback of a .batch.json: their
  // S3 Control actions and iam:PassRole are a separate document, printed only when asked for.
  if (command === 'remediate' || command === 'rollback') {
    io.stderr.write(`note: ${command === 'remediate' ? 'remediate --objects --batch' : 'rollback of a .batch.json record'} also needs the callerPolicy of: s3-kms-audit permissions batch\n`);
  }
  return EXIT_OK;
}
