/**
 * Does a finding read back from a saved scan (remediate --objects --from) still say what that scan wrote?
 * A saved report is a plain file anyone can edit, and the planner acts on its statuses: a failing object
 * edited to `pass` would leave the plan without a word. What every finding a scan writes satisfies is
 * checked, so that such an edit is refused instead:
 *  - its resource is one thing: the ARN is the bucket's (with the object's key), an object names its key;
 *  - its id is findingId(account, resource ARN with the version, policy, rule), as evaluateResource makes it;
 *  - its status is what its rule gives on its own evidence (the value of every fact path the rule reads,
 *    null when the fact was missing) and the params it records; an `excepted` finding's rule fails.
 * Pure. What cannot be judged is not judged: an `error` outcome (its evidence is the cause), a rule that is
 * not loaded, a rule whose operands read facts its evidence does not hold. A finding edited consistently
 * (status and evidence together) cannot be told from a true one; the planner reads each object again anyway.
 */
import type { Finding } from '../domain/finding.js';
import type { Condition, Rule } from '../domain/rule.js';
import { conditionLeaves, conditionPaths, ConditionError, evaluateCondition, leafOperator } from './conditions.js';
import { isDocumentRoot, type EvalDocument } from './document.js';
import { findingId, identityArn } from './evaluate.js';
import { referencesIn } from './template.js';

/** The resource part of an S3 ARN in any partition (arn:aws:s3:::bucket/key, arn:aws-cn:…). */
const S3_ARN = /^arn:[a-z-]+:s3:::([\s\S]*)$/;

/** Why the saved finding is not one a scan wrote (undefined: nothing found wrong). */
export function savedFindingProblem(f: Finding, rule: Rule | undefined): string | undefined {
  const r = f.resource;
  if (r.type !== 'object' && r.type !== 'bucket') return `resource.type ${JSON.stringify(r.type)} is neither object nor bucket`;
  if (r.type === 'object' && typeof r.key !== 'string') return 'an object finding without resource.key';
  if (r.versionId !== undefined && typeof r.versionId !== 'string') return 'resource.versionId is not a string';
  const named = S3_ARN.exec(r.arn)?.[1];
  const expected = r.type === 'object' ? `${r.bucket}/${r.key}` : r.bucket;
  if (named !== expected) return `its resource ARN ${r.arn} is not the ARN of ${r.type === 'object' ? `s3://${expected}` : `bucket ${expected}`}`;
  const id = findingId(r.account, identityArn(r), f.policy, f.rule);
  if (f.id !== id) return `its id is not the one its account, resource, policy and rule give (${id})`;
  if (f.status === 'error' || rule === undefined) return undefined;
  if (!['pass', 'fail', 'skip', 'excepted'].includes(f.status)) return `status ${JSON.stringify(f.status)} is not one a scan writes`;
  if (typeof f.evidence !== 'object' || f.evidence === null || Array.isArray(f.evidence)) return 'it has no evidence object';
  const judged = statusOnEvidence(rule, f.evidence);
  if (judged === 'unjudgeable') return undefined;
  if ('missing' in judged) return `its evidence lacks ${judged.missing}, which rule ${rule.id} reads`;
  const claimed = f.status === 'excepted' ? 'fail' : f.status;
  if (judged.statuses.includes(claimed)) return undefined;
  const shown = Object.fromEntries(Object.entries(f.evidence).filter(([k]) => k !== 'params'));
  return `it says ${f.status}, but rule ${rule.id} gives ${judged.statuses[0]} on its own evidence ${JSON.stringify(shown)}`;
}

type Judged = 'pass' | 'fail' | 'skip' | 'error';

/**
 * The rule's verdict on the evidence: the facts are the evidence's values; a null there was null or
 * missing when the scan read it (the scan writes both as null), so both readings are tried.
 */
function statusOnEvidence(rule: Rule, evidence: Record<string, unknown>): { statuses: Judged[] } | { missing: string } | 'unjudgeable' {
  const paths = conditionPaths(rule.when, conditionPaths(rule.assert)).filter((p) => !p.startsWith('params.'));
  const missing = paths.find((p) => !Object.prototype.hasOwnProperty.call(evidence, p));
  if (missing !== undefined) return { missing };
  if (operandReferences(rule).some((name) => isDocumentRoot(name.split('.')[0]!) && !name.startsWith('params.') && !paths.includes(name))) return 'unjudgeable';
  const params = typeof evidence.params === 'object' && evidence.params !== null && !Array.isArray(evidence.params) ? (evidence.params as Record<string, unknown>) : {};
  const statuses: Judged[] = [];
  for (const nullsAsMissing of [false, true]) {
    const doc = documentOf(paths, evidence, params, nullsAsMissing);
    if (doc === undefined) return 'unjudgeable';
    statuses.push(judge(rule, doc));
  }
  return { statuses };
}

/** Every "{{name}}" a condition operand of the rule reads. */
function operandReferences(rule: Rule): string[] {
  const texts = (c: Condition | undefined): string[] =>
    conditionLeaves(c).flatMap((leaf) => {
      const operand = (leaf as unknown as Record<string, unknown>)[leafOperator(leaf)];
      return (Array.isArray(operand) ? operand : [operand]).filter((v): v is string => typeof v === 'string');
    });
  return [...texts(rule.when), ...texts(rule.assert)].flatMap((t) => referencesIn(t).map((r) => r.name));
}

/** The document the evidence describes; undefined when its paths cannot be one document (one path inside another's scalar). */
function documentOf(paths: readonly string[], evidence: Record<string, unknown>, params: Record<string, unknown>, nullsAsMissing: boolean): EvalDocument | undefined {
  const doc: Record<string, unknown> = { bucket: undefined, key: undefined, object: undefined, bucketKey: undefined, params };
  const bySegments = [...paths].sort((a, b) => a.split('.').length - b.split('.').length);
  for (const path of bySegments) {
    const value = evidence[path];
    if (value === null && nullsAsMissing) continue;
    const segments = path.split('.');
    let at: Record<string, unknown> = doc;
    for (const segment of segments.slice(0, -1)) {
      const next = at[segment];
      if (next === undefined) at = at[segment] = {};
      else if (typeof next === 'object' && next !== null) at = next as Record<string, unknown>;
      else return undefined;
    }
    // A copy: a longer path may be written into it, and the finding's evidence must stay as read.
    at[segments.at(-1)!] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
  }
  return doc as EvalDocument;
}

function judge(rule: Rule, doc: EvalDocument): Judged {
  try {
    if (rule.when && !evaluateCondition(rule.when, doc)) return 'skip';
    return evaluateCondition(rule.assert, doc) ? 'pass' : 'fail';
  } catch (e) {
    if (e instanceof ConditionError) return 'error';
    throw e;
  }
}
