/**
 * Which fact aspects the collector must fetch. docs/architecture.md: fetch only what enabled rules need,
 * once (Custodian #4659 made tens of thousands of redundant calls).
 */
import type { PolicyFile, BucketScope } from '../domain/policy.js';
import type { FactAspect, ResourceType } from '../domain/rule.js';
import type { RuleSet } from '../domain/rule.js';

export function scopeUsesTags(scope: BucketScope | undefined): boolean {
  return !!scope?.tags && Object.keys(scope.tags).length > 0;
}

/**
 * Union of the `requires` of every rule enabled by a policy (of the given resource type, when
 * given), plus `bucket.tags` when any of those policies scopes by tags.
 */
export function requiredAspects(pf: PolicyFile, rules: RuleSet, resource?: ResourceType): Set<FactAspect> {
  const out = new Set<FactAspect>();
  for (const policy of pf.policies) {
    if (resource && policy.resource !== resource) continue;
    if (scopeUsesTags(policy.scope)) out.add('bucket.tags');
    for (const ref of policy.rules) {
      for (const aspect of rules.get(ref.id)?.requires ?? []) out.add(aspect);
    }
  }
  return out;
}

/**
 * Every value of every rule param declared `format: kms-key` in the policies (the approved-key lists),
 * deduplicated: the spellings the collector may have to resolve with DescribeKey when a key's aliases
 * cannot be listed (see KeyResolver).
 */
export function keyListSpellings(pf: PolicyFile, rules: RuleSet): string[] {
  const out = new Set<string>();
  for (const policy of pf.policies) {
    for (const ref of policy.rules) {
      const declared = rules.get(ref.id)?.params ?? {};
      for (const [name, param] of Object.entries(declared)) {
        if (param.format !== 'kms-key') continue;
        const value = ref.params?.[name];
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') out.add(v);
      }
    }
  }
  return [...out];
}

/**
 * The aspect a fact path belongs to, or null for facts that are always present (bucket name,
 * ARN, account, region) and for params. Used at load time: a rule that reads a fact must list
 * its aspect in `requires`, or the collector would not fetch it and the rule would judge an
 * absent fact (fail open).
 */
export function aspectForPath(path: string): FactAspect | null {
  const [root, second] = path.split('.');
  switch (root) {
    case 'bucket':
      if (second === 'encryption') return 'bucket.encryption';
      if (second === 'tags') return 'bucket.tags';
      return null;
    case 'key':
      if (second === 'rotationEnabled') return 'key.rotation';
      // Alias spellings come from ListAliases, fetched only for rules that ask for them.
      if (second === 'aliases' || second === 'spellings') return 'key.aliases';
      return 'key';
    case 'object':
      return 'object';
    case 'bucketKey':
      return 'object.bucketKey';
    default:
      return null;
  }
}

/** Lineages already computed: asked for every rule of every resource, over a handful of aspect names. */
const lineages = new Map<string, readonly string[]>();

/** An aspect and the aspects it is part of ("key.rotation" → ["key.rotation", "key"]). */
export function aspectLineage(aspect: string): readonly string[] {
  const known = lineages.get(aspect);
  if (known) return known;
  const parts = aspect.split('.');
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(parts.slice(0, i).join('.'));
  // Aspect names come from rules (a closed, small set), but a cap keeps a pathological caller bounded.
  if (lineages.size < 1024) lineages.set(aspect, out);
  return out;
}
