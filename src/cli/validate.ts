/**
 * `s3-kms-audit validate`: the policy file and rules, checked without any AWS call.
 * Problems surface as a ConfigError, which exit.ts prints (file:line:col) and maps to exit 2.
 */
import { loadAuditConfig } from '../run/audit-config.js';
import type { ValidateArgs } from './commands.js';
import { EXIT_OK } from './exit.js';
import type { CliIO } from './terminal.js';

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export async function validateCommand(args: ValidateArgs, io: CliIO): Promise<number> {
  const { policyFile, rules } = loadAuditConfig(args.policies, args.rules);
  const policies = count(policyFile.policies.length, 'policy', 'policies');
  io.stdout.write(`OK: ${policies}, ${count(rules.size, 'rule', 'rules')} (${policyFile.path})\n`);
  return EXIT_OK;
}
