/**
 * May this tool write a KMS key into a bucket's default encryption or an object's encryption, or keep the
 * one it has? Shared by the remediation actions. keyRefusals is pure: the same answer when planning, when
 * applying (with the key described again: recheckTargetKey) and when re-deriving a saved plan.
 *
 * PutBucketEncryption does not validate the key: a configuration naming a key S3 cannot use is accepted,
 * and every upload afterwards fails. So the key must be one S3 can use for the bucket (s3KeyUsability:
 * exists, Enabled, in the bucket's region, a symmetric encryption key), customer managed when a policy in
 * scope requires it, and on every allow-list in scope. Each failed precondition is one refusal, the first
 * one deciding the refusal code.
 */
import type { KeyResolver } from '../collect/keys.js';
import type { KeyFacts } from '../domain/facts.js';
import { s3KeyUsability } from '../domain/key-usability.js';
import type { StepRefusal } from './action.js';
import { asJournalError, isFactError } from './types.js';

/** The refusal codes a target key can cause (each action's own refusal codes include them). */
export type KeyRefusalCode = 'key-missing' | 'key-not-enabled' | 'key-unusable' | 'key-not-customer-managed' | 'key-wrong-region' | 'key-not-allowed';

export interface KeyRefusal {
  code: KeyRefusalCode;
  reason: string;
}

export interface KeyRequirements {
  /** The bucket's region: S3 uses a key only in the bucket's own region. */
  bucketRegion: string;
  /** A policy in scope has s3-bucket-cmk (or the key is kept: only customer managed keys are kept). */
  requireCustomerManaged: boolean;
  /** The allowed-keys lists in scope, with the rule id to name in reasons; any spelling of the key matches. */
  allowLists: readonly { policy: string; keys: readonly string[] }[];
  allowListRule: string;
  cmkRule: string;
}

/**
 * Every reason `key` may not be written (or kept) for the bucket, in words naming it as `spelling`;
 * [] when it may. `role` starts each sentence ("Target key", "Current key").
 */
export function keyRefusals(key: KeyFacts, spelling: string, req: KeyRequirements, role = 'Target key'): KeyRefusal[] {
  const name = spelling === key.arn ? key.arn : `${spelling} (${key.arn})`;
  if (!key.exists) return [{ code: 'key-missing', reason: `${role} ${spelling} does not exist in account ${key.account}, ${key.region} (DescribeKey: NotFoundException).` }];
  const problems: KeyRefusal[] = [];
  if (key.state !== 'Enabled') {
    const why = key.state === 'PendingImport' ? ' (its key material was never imported)' : '';
    problems.push({ code: 'key-not-enabled', reason: `${role} ${name} is ${key.state}, not Enabled${why}.` });
  } else {
    // State and region have their own codes; whatever else makes S3 refuse the key (its spec or usage) is this one.
    const usability = s3KeyUsability(key, key.region);
    // The reason completes a sentence about the key ("is an asymmetric RSA_2048 key …").
    if (!usability.usable) problems.push({ code: 'key-unusable', reason: `${role} ${name} ${usability.reason ?? 'cannot be used by S3 (KMS would refuse GenerateDataKey)'}.` });
  }
  if (req.requireCustomerManaged && key.manager !== 'CUSTOMER') {
    problems.push({ code: 'key-not-customer-managed', reason: `${role} ${name} is managed by ${key.manager}; a policy in scope requires a customer managed key (${req.cmkRule}).` });
  }
  if (key.region !== req.bucketRegion) {
    problems.push({ code: 'key-wrong-region', reason: `${role} ${name} is in ${key.region}; S3 can only use a KMS key in the bucket's region (${req.bucketRegion}).` });
  }
  for (const { policy, keys } of req.allowLists) {
    if (!key.spellings.some((s) => keys.includes(s))) {
      problems.push({ code: 'key-not-allowed', reason: `${role} ${name} is not on policy ${policy}'s ${req.allowListRule} list (${keys.join(', ')}).` });
    }
  }
  return problems;
}

/** What a planned change says of its target key, as recheckTargetKey needs it. */
export interface PlannedTarget {
  key: { arn: string };
  account: string;
  region: string;
  requireCustomerManaged: boolean;
}

/**
 * The plan's preconditions on the target key, checked again just before the change; undefined when they
 * hold. Only DescribeKey: state, spec, manager and region are what can have changed since the plan. The
 * allow-lists need the key's aliases; a saved plan has them checked by its re-derivation (plan-trust.ts).
 */
export async function recheckTargetKey(
  keys: KeyResolver,
  change: PlannedTarget,
  rules: Pick<KeyRequirements, 'allowListRule' | 'cmkRule'>,
): Promise<StepRefusal | undefined> {
  const key = await keys.resolve(change.key.arn, change.account, change.region, { rotation: false, aliases: false });
  if (isFactError(key)) return { status: 'failed', detail: `could not re-check key ${change.key.arn}: ${key.code}`, error: asJournalError(key) };
  const refusals = keyRefusals(key, change.key.arn, { bucketRegion: change.region, requireCustomerManaged: change.requireCustomerManaged, allowLists: [], ...rules });
  if (refusals.length === 0) return undefined;
  return { status: 'precondition', detail: `${refusals[0]!.code}: ${refusals.map((r) => r.reason).join(' ')}` };
}
