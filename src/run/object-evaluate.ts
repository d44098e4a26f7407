/**
 * One object's context → its findings, and the object itself when a finding fails (for the manifest).
 * The same function runs in process and in worker threads, so where an object is evaluated changes nothing.
 */
import type { ObjectMeta } from '../collect/objects.js';
import type { ObjectPolicyGroup } from '../collect/objects-options.js';
import type { FactContext } from '../domain/facts.js';
import type { RuleSet } from '../domain/rule.js';
import { evaluateResource } from '../engine/evaluate.js';
import type { EvaluatedObject } from './object-worker-protocol.js';

export function evaluateObject(group: ObjectPolicyGroup, rules: RuleSet, ctx: FactContext, meta: ObjectMeta, evaluatedAt: Date): EvaluatedObject {
  const findings = evaluateResource(group.policyFile, rules, ctx, evaluatedAt);
  if (!findings.some((f) => f.status === 'fail')) return { findings };
  const o = ctx.object!;
  const versionId = o.versionId ?? meta.versionId;
  return { findings, failing: { bucket: o.bucket, key: o.key, ...(versionId !== undefined ? { versionId } : {}) } };
}
