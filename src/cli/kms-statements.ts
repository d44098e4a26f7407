/**
 * The KMS statements of a printed IAM policy, as narrow as what can be known without an AWS call.
 *
 * Two kinds of KMS action:
 *   - the ones the tool calls itself (DescribeKey, ListAliases, GetKeyRotationStatus, src/aws/permissions.ts):
 *     on Resource "*" — ListAliases accepts only "*", and which keys buckets and objects use is what a scan
 *     finds out;
 *   - the rest (Decrypt, Encrypt, GenerateDataKey, ReEncryptFrom/To of UpdateObjectEncryption), which S3 calls
 *     on the caller's behalf: never allowed outside S3 (kms:ViaService), and on the target keys the policy file
 *     names where it names them.
 *
 * AWS documentation relied on:
 *   - "To specify a KMS key in an IAM policy statement, you must use its key ARN ... To control access to a KMS
 *     key based on its aliases, use the kms:RequestAlias or kms:ResourceAliases condition keys"; wildcards in
 *     the Region and resource id positions of a key ARN:
 *     https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html
 *   - kms:ResourceAliases (IAM policies only, multi-valued, so ForAnyValue): satisfied by a key carrying the
 *     alias "whether or how the KMS key is identified in the request" — S3 need not name the key by its alias,
 *     which kms:RequestAlias would require; kms:ViaService: the service making the request on the principal's
 *     behalf, s3.REGION.amazonaws.com for Amazon S3:
 *     https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
 *   - StringLike "kms:ViaService": "s3.*.amazonaws.com" when the Regions are not known: StringLike matches the
 *     documented name (s3.AWS_region.amazonaws.com, table above) with a wildcard for the Region
 *     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String);
 *     AWS's own examples of KMS use through S3 use the same form (SageMaker AI Developer Guide, "Encryption at
 *     rest for multi-turn reinforcement learning").
 * The Regions are those of the targets: a bucket can use only a KMS key of its own Region (the policy file's
 * check, src/config/policies.ts), and an object in a Region without a target is refused (no-target-for-region).
 */
import { IAM_ACTION_OF_OPERATION } from '../aws/permissions.js';
import { parseKeySpelling } from '../domain/keys.js';
import type { PolicyFile, RemediationTarget } from '../domain/policy.js';
import type { RuleSet } from '../domain/rule.js';
import type { RemediationAction } from '../remediate/action.js';

export type Condition = Record<string, Record<string, string | string[]>>;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Condition;
}

/** KMS actions of operations the tool itself sends to KMS. */
const DIRECT_KMS_ACTIONS: ReadonlySet<string> = new Set(Object.values(IAM_ACTION_OF_OPERATION).filter((a) => a.startsWith('kms:')));

/** A KMS action S3 uses on the caller's behalf (the tool never calls it itself). */
const isKmsThroughS3 = (action: string): boolean => action.startsWith('kms:') && !DIRECT_KMS_ACTIONS.has(action);

/**
 * The actions that read an existing object's data key, under the key that encrypted it: its current key,
 * which cannot be known offline. Decrypt and ReEncryptFrom are authorised on the key of the ciphertext given
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html; ReEncrypt needs "kms:ReEncryptFrom
 * permission on the source KMS key" and "kms:ReEncryptTo permission on the destination KMS key",
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html); the actions that make new ciphertext
 * (Encrypt, GenerateDataKey, ReEncryptTo) are authorised on the key it is made under: the target.
 */
const SOURCE_KEY_ACTIONS: ReadonlySet<string> = new Set(['kms:Decrypt', 'kms:ReEncryptFrom']);

/** The target keys a policy file names, as IAM can match them. */
export interface TargetKeys {
  /** Key ARNs (a bare key id becomes an ARN with a wildcard account, and Region when it applies to any). */
  arns: string[];
  /** Aliases: a resource pattern (the keys of that account and Region) and the alias names. */
  aliases: { resource: string; names: string[] }[];
  /** The Regions whose S3 uses these keys; undefined when a target applies to any Region. */
  regions: string[] | undefined;
}

/** Where a remediation target applies: a region → spelling map, or one spelling for any Region ("*"). */
function targetEntries(target: RemediationTarget): [region: string, spelling: string][] {
  return typeof target.kmsKeyId === 'string' ? [['*', target.kmsKeyId]] : Object.entries(target.kmsKeyId);
}

/**
 * The target keys of the policies whose rules name an action that re-encrypts through S3 (has a KMS action
 * it does not call itself). A bare key id or alias name is relative to the bucket's account, which is not
 * known offline: "*" stands for it.
 */
export function reencryptionTargets(policyFile: PolicyFile, rules: RuleSet, named: (remediations: (string | undefined)[]) => readonly RemediationAction[]): TargetKeys {
  const arns = new Set<string>();
  const aliasNames = new Map<string, Set<string>>();
  const regions = new Set<string>();
  let anyRegion = false;
  for (const policy of policyFile.policies) {
    if (!policy.remediation) continue;
    const actions = named(policy.rules.map((r) => rules.get(r.id)?.remediation));
    if (!actions.some((a) => a.permissions.apply.some((p) => isKmsThroughS3(p.iamAction)))) continue;
    for (const [mapRegion, spelling] of targetEntries(policy.remediation)) {
      // An ARN carries its account and Region; a key id or alias name is the bucket's account's ("*").
      const key = parseKeySpelling(spelling, '*', mapRegion);
      if (key.region === '*') anyRegion = true;
      else regions.add(key.region);
      if (key.kind === 'key') {
        arns.add(`arn:${key.partition}:kms:${key.region}:${key.account}:key/${key.name}`);
      } else {
        const resource = `arn:${key.partition}:kms:${key.region}:${key.account}:key/*`;
        aliasNames.set(resource, (aliasNames.get(resource) ?? new Set()).add(key.name));
      }
    }
  }
  return {
    arns: [...arns].sort(),
    aliases: [...aliasNames].sort(([a], [b]) => a.localeCompare(b)).map(([resource, names]) => ({ resource, names: [...names].sort() })),
    regions: anyRegion ? undefined : [...regions].sort(),
  };
}

/** kms:ViaService for S3 in these Regions, or in any Region. */
function throughS3(regions: readonly string[] | undefined): Condition {
  if (regions === undefined || regions.length === 0) return { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } };
  const names = regions.map((r) => `s3.${r}.amazonaws.com`);
  return { StringEquals: { 'kms:ViaService': names.length === 1 ? names[0]! : names } };
}

/**
 * The KMS statements for `kmsActions`. With `targets` (remediate), the actions S3 uses are allowed on the
 * target keys, and only the source-key ones (Decrypt, ReEncryptFrom) on any key — the current keys of the
 * objects are what the scan finds; without (rollback: a journal's keys are not known offline), all of them
 * on any key. Always only through S3.
 */
export function kmsStatements(sidPrefix: string, kmsActions: readonly string[], targets?: TargetKeys): Statement[] {
  const statements: Statement[] = [];
  const direct = kmsActions.filter((a) => !isKmsThroughS3(a));
  const viaS3 = kmsActions.filter(isKmsThroughS3);
  if (direct.length > 0) statements.push({ Sid: `${sidPrefix}Kms`, Effect: 'Allow', Action: direct, Resource: '*' });
  if (viaS3.length === 0) return statements;
  const named = targets !== undefined && (targets.arns.length > 0 || targets.aliases.length > 0);
  if (!targets || !named) {
    statements.push({ Sid: `${sidPrefix}KmsThroughS3`, Effect: 'Allow', Action: viaS3, Resource: '*', Condition: throughS3(targets?.regions) });
    return statements;
  }
  const via = throughS3(targets.regions);
  if (targets.arns.length > 0) statements.push({ Sid: `${sidPrefix}TargetKeys`, Effect: 'Allow', Action: viaS3, Resource: targets.arns, Condition: via });
  targets.aliases.forEach((a, i) => {
    statements.push({
      Sid: `${sidPrefix}TargetKeyAliases${targets.aliases.length > 1 ? i + 1 : ''}`,
      Effect: 'Allow',
      Action: viaS3,
      Resource: a.resource,
      Condition: { ...via, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': a.names } },
    });
  });
  const source = viaS3.filter((a) => SOURCE_KEY_ACTIONS.has(a));
  if (source.length > 0) statements.push({ Sid: `${sidPrefix}CurrentKeys`, Effect: 'Allow', Action: source, Resource: '*', Condition: via });
  return statements;
}
