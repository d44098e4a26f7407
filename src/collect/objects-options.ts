/**
 * Object policies, resolved: each policy's `objects` block with its defaults filled in, policies with the
 * same options grouped (one listing and one HeadObject per object serve every policy of a group), and
 * the bucket-level facts the object rules need (the bucket default's key, tags for scoping).
 */
import { createHash } from 'node:crypto';
import type { RuleSet } from '../domain/rule.js';
import type { ObjectScanOptions, Policy, PolicyFile } from '../domain/policy.js';
import type { FactAspect } from '../domain/rule.js';
import { scopeUsesTags } from '../engine/aspects.js';
import { resolveInventoryOptions, type ResolvedInventoryOptions } from './inventory/options.js';

/** Objects per bucket in sample mode when `sample` is not given. */
export const DEFAULT_SAMPLE_SIZE = 100;

/**
 * HeadObject calls in flight per bucket when `bucketConcurrency` is not given. S3 serves at least 5,500
 * GET/HEAD requests per second per partitioned prefix (User Guide, "Best practices design patterns:
 * optimizing Amazon S3 performance"); 32 requests in flight at a typical 10–20 ms each is 1,600–3,200 per
 * second, well under it, and with the default --concurrency several buckets progress at once, so one
 * huge bucket cannot hold every slot.
 */
export const DEFAULT_BUCKET_CONCURRENCY = 32;

/** metadata mode: object keys shown per group of objects sharing their encryption, when `sampleKeys` is not given. */
export const DEFAULT_SAMPLE_KEYS = 10;
/** The catalog Athena gives the AWS managed table bucket `aws-s3` of S3 Metadata (S3 Tables integration). */
export const DEFAULT_METADATA_CATALOG = 's3tablescatalog/aws-s3';

export interface ResolvedObjectOptions {
  mode: 'sample' | 'full' | 'incremental' | 'metadata' | 'inventory';
  prefix: string;
  limit?: number;
  /** sample mode only. */
  sample: number;
  sampleStrategy: 'newest' | 'random';
  seed: number;
  versions: boolean;
  bucketConcurrency: number;
  /** metadata mode only. */
  athena?: { workgroup: string; outputLocation: string; catalog: string };
  /** metadata mode only. */
  sampleKeys?: number;
  /** inventory mode only (see ./inventory/options.ts). */
  inventory?: ResolvedInventoryOptions;
}

/**
 * Defaults: a policy with `resource: object` and no `objects` block samples the newest 100 objects of
 * each bucket — cheap enough to run on every scan, and the newest objects are the ones that show whether
 * writers follow today's default.
 */
export function resolveObjectOptions(o: ObjectScanOptions | undefined): ResolvedObjectOptions {
  const mode = o?.mode ?? 'sample';
  return {
    mode,
    prefix: o?.prefix ?? '',
    ...(o?.limit !== undefined ? { limit: o.limit } : {}),
    sample: o?.sample ?? DEFAULT_SAMPLE_SIZE,
    sampleStrategy: o?.sampleStrategy ?? 'newest',
    seed: o?.seed ?? 0,
    versions: o?.versions ?? false,
    bucketConcurrency: o?.bucketConcurrency ?? DEFAULT_BUCKET_CONCURRENCY,
    ...(mode === 'metadata' && o?.athena
      ? {
          athena: { workgroup: o.athena.workgroup ?? 'primary', outputLocation: o.athena.outputLocation, catalog: o.athena.catalog ?? DEFAULT_METADATA_CATALOG },
          sampleKeys: o.sampleKeys ?? DEFAULT_SAMPLE_KEYS,
        }
      : {}),
    ...(mode === 'inventory' ? { inventory: resolveInventoryOptions(o) } : {}),
  };
}

/** Object policies sharing one scan: same options, so the same objects, listed and inspected once. */
export interface ObjectPolicyGroup {
  /** Stable text of the options, for grouping and messages. */
  id: string;
  options: ResolvedObjectOptions;
  policies: Policy[];
  /** The policy file narrowed to this group's policies, for evaluateResource. */
  policyFile: PolicyFile;
  /** Aspects the group's rules require (object, key, object.bucketKey, bucket.*). */
  aspects: Set<FactAspect>;
}

export function groupObjectPolicies(pf: PolicyFile, rules: RuleSet): ObjectPolicyGroup[] {
  const groups = new Map<string, ObjectPolicyGroup>();
  for (const policy of pf.policies) {
    if (policy.resource !== 'object') continue;
    const options = resolveObjectOptions(policy.objects);
    const id = JSON.stringify(options);
    let group = groups.get(id);
    if (!group) {
      group = { id, options, policies: [], policyFile: { ...pf, policies: [] }, aspects: new Set() };
      groups.set(id, group);
    }
    group.policies.push(policy);
    group.policyFile.policies.push(policy);
    if (scopeUsesTags(policy.scope)) group.aspects.add('bucket.tags');
    for (const ref of policy.rules) for (const a of rules.get(ref.id)?.requires ?? []) group.aspects.add(a);
  }
  return [...groups.values()];
}

/**
 * Bucket-level aspects the object groups need from the bucket collector: tags to decide scope, the
 * default encryption for rules that read it, and — for `object.bucketKey` — the default's resolved key.
 */
export function bucketAspectsForObjects(groups: readonly ObjectPolicyGroup[]): Set<FactAspect> {
  const out = new Set<FactAspect>();
  for (const g of groups) {
    if (g.aspects.has('bucket.tags')) out.add('bucket.tags');
    if (g.aspects.has('bucket.encryption')) out.add('bucket.encryption');
    if (g.aspects.has('object.bucketKey')) {
      out.add('bucket.encryption');
      out.add('key');
    }
  }
  return out;
}

/**
 * Aspects of the object itself: what the state file records facts for. Keys (key, key.aliases) are not
 * among them — the state keeps the object's key ARN and keys are resolved afresh every run.
 */
export function objectAspects(group: ObjectPolicyGroup): string[] {
  return [...group.aspects].filter((a) => a === 'object' || a.startsWith('object.')).sort();
}

/**
 * Identifies what a state file holds: objects chosen with exactly these options (prefix, limit, versions,
 * …), with the facts these aspects need. A state written for other options is not this group's (a
 * different file name).
 *
 * Why every option and not only those that choose objects: groups are formed by the full options, and
 * two groups scanning one bucket at once must never share a state file (each would rename its own over
 * the other's). The price of including e.g. `bucketConcurrency` is one full scan after changing it.
 */
export function stateFingerprint(group: ObjectPolicyGroup): string {
  const what = { v: 2, options: group.options, aspects: objectAspects(group) };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}
