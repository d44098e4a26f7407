/**
 * The audit's configuration: the built-in and extra rules and the policy file, loaded and validated.
 * Apart from run/audit.ts (which runs the audit) because `validate` needs only this, and must not pay
 * for loading the AWS SDK.
 */
import { resolve } from 'node:path';
import { loadPolicyFile } from '../config/policies.js';
import { loadRules } from '../config/rules.js';
import type { PolicyFile } from '../domain/policy.js';
import type { RuleSet } from '../domain/rule.js';
import { builtinRulesDir } from '../paths.js';
import { BUILTIN_ACTION_CATALOGUE } from '../remediate/actions/catalogue.js';

export interface AuditConfig {
  policyFile: PolicyFile;
  rules: RuleSet;
  /** Every rules folder loaded, built-in first. */
  rulesDirs: string[];
}

/**
 * Loads the built-in rules, the extra rules folders and the policy file, validating all of it.
 * Throws ConfigError listing every problem. Makes no AWS call, so a broken file never costs a scan.
 * Each rule's `remediation:` is checked against the registered actions' descriptors: config/ sits below
 * remediate/, so it is given the catalogue rather than importing the registry (src/domain/action.ts).
 */
export function loadAuditConfig(policyPath: string, extraRulesDirs: readonly string[] = []): AuditConfig {
  const rulesDirs = [builtinRulesDir(), ...extraRulesDirs.map((d) => resolve(d))];
  const rules = loadRules(rulesDirs, BUILTIN_ACTION_CATALOGUE);
  const policyFile = loadPolicyFile(policyPath, rules);
  return { policyFile, rules, rulesDirs };
}
