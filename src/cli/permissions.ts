/**
 * `s3-kms-audit permissions scan|remediate|rollback`: the least-privilege IAM policy for that command,
 * as JSON on stdout. The actions come from the operations each command calls (src/aws/permissions.ts,
 * where every operation declares its IAM action), narrowed by what the policy file's rules need.
 * No AWS call.
 */
import { loadAuditConfig } from '../run/audit-config.js';
import { iamActionsOf, objectInventoryIamActions, objectVersionIamActions, scanOperations } from '../aws/permissions.js';
import { BUILTIN_ACTIONS } from '../remediate/actions/index.js';
import { remediateIamActions, rollbackIamActions } from '../remediate/permissions.js';
import { requiredAspects } from '../engine/aspects.js';
import type { PermissionCommand, PermissionsArgs } from './commands.js';
import { EXIT_OK } from './exit.js';
import type { CliIO } from './terminal.js';

interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

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
  if (policyFile.policies.some((p) => p.objects?.mode === 'inventory')) for (const a of objectInventoryIamActions()) if (!actions.includes(a)) actions.push(a);
  return actions;
}

/**
 * One statement per service. Resource "*": ListAllMyBuckets and ListAliases only accept "*", and which
 * buckets and keys are involved is what the command finds out; narrow S3 to your bucket ARNs and KMS to
 * your key ARNs where your naming allows.
 */
export function iamPolicy(command: PermissionCommand, actions: string[], assumeRoles: string[]): IamPolicy {
  const title = command[0]!.toUpperCase() + command.slice(1);
  const statements: Statement[] = [];
  const s3 = actions.filter((a) => a.startsWith('s3:'));
  const kms = actions.filter((a) => a.startsWith('kms:'));
  if (s3.length > 0) statements.push({ Sid: `S3KmsAudit${title}S3`, Effect: 'Allow', Action: s3, Resource: '*' });
  if (kms.length > 0) statements.push({ Sid: `S3KmsAudit${title}Kms`, Effect: 'Allow', Action: kms, Resource: '*' });
  if (assumeRoles.length > 0) statements.push({ Sid: 'S3KmsAuditAssumeRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: assumeRoles });
  return { Version: '2012-10-17', Statement: statements };
}

export async function permissionsCommand(args: PermissionsArgs, io: CliIO): Promise<number> {
  const { command } = args;
  io.stdout.write(JSON.stringify(iamPolicy(command, commandActions(command, args), args.assumeRoles), null, 2) + '\n');
  return EXIT_OK;
}
