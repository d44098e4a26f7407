/**
 * Evaluation: one rule against one fact document (evaluateRule), and every applicable
 * (policy, rule) pair against one resource (evaluateResource). Pure: no I/O, no clock but `now`.
 */
import * as crypto from 'node:crypto';
import type { FactContext, FactError } from '../domain/facts.js';
import type { Finding, ResourceRef } from '../domain/finding.js';
import type { Policy, PolicyFile, PolicyRuleRef } from '../domain/policy.js';
import type { Rule } from '../domain/rule.js';
import type { RuleSet } from '../domain/rule.js';
import { aspectLineage } from './aspects.js';
import { conditionPaths, ConditionError, evaluateCondition } from './conditions.js';
import { buildDocument, readPath, type EvalDocument } from './document.js';
import { matchException } from './exceptions.js';
import { bucketInScope } from './scope.js';
import { renderMessage } from './message.js';
import { assumingUncheckedMatch, firstUnchecked } from './unchecked-spellings.js';

export interface RuleOutcome {
  status: 'pass' | 'fail' | 'error' | 'skip';
  message: string;
  evidence: Record<string, unknown>;
  cause?: { code: string; operation: string; message: string };
}

/**
 * One-shot SHA-256 as hex: crypto.hash (Node 20.12+) when there is one, several times cheaper than a Hash
 * object, which an object audit would otherwise create once per outcome; the digest is the same.
 * https://nodejs.org/api/crypto.html#cryptohashalgorithm-data-outputencoding
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex: (text: string) => string = oneShotHash
  ? (text) => oneShotHash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** Stable across runs so nightly reports can be diffed: sha256 of the four joined by "\n", first 32 hex chars. */
export function findingId(account: string, arn: string, policy: string, rule: string): string {
  return sha256Hex(`${account}\n${arn}\n${policy}\n${rule}`).slice(0, 32);
}

/** How the resource is named in messages. */
function resourceLabel(ctx: FactContext): string {
  const bucket = ctx.bucket?.name ?? '(unknown bucket)';
  return ctx.object ? `s3://${bucket}/${ctx.object.key}` : bucket;
}

/** The first unreadable aspect this rule requires, looking at the aspect and what it is part of. */
function requiredFactError(rule: Rule, ctx: FactContext): { aspect: string; error: FactError } | undefined {
  for (const aspect of rule.requires) {
    for (const name of aspectLineage(aspect)) {
      const error = ctx.errors?.[name] ?? ctx.bucket?.errors?.[name] ?? ctx.object?.errors?.[name];
      if (error) return { aspect: name, error };
    }
  }
  return undefined;
}

function errorOutcome(message: string, cause: FactError, evidence: Record<string, unknown>): RuleOutcome {
  return {
    status: 'error',
    message,
    evidence,
    cause: { code: cause.code, operation: cause.operation, message: cause.message },
  };
}

/**
 * The fact paths a rule's evidence shows, in order (params excluded). They depend on the rule's conditions
 * only, and the rule is judged for every resource: kept per rule, and computed again if its conditions
 * were replaced.
 */
const evidencePathsByRule = new WeakMap<Rule, { when: Rule['when']; assert: Rule['assert']; paths: readonly string[] }>();
function evidencePaths(rule: Rule): readonly string[] {
  const known = evidencePathsByRule.get(rule);
  if (known && known.when === rule.when && known.assert === rule.assert) return known.paths;
  const paths = conditionPaths(rule.when, conditionPaths(rule.assert)).filter((path) => !path.startsWith('params.'));
  evidencePathsByRule.set(rule, { when: rule.when, assert: rule.assert, paths });
  return paths;
}

/** Has the object an own enumerable property (what Object.keys would list), without building the list? */
function hasOwnEntries(record: Record<string, unknown>): boolean {
  for (const name in record) if (Object.prototype.hasOwnProperty.call(record, name)) return true;
  return false;
}

/** The value of every fact path the rule reads (missing → null, so the report shows it). */
function collectEvidence(rule: Rule, doc: EvalDocument, params: Record<string, unknown>): Record<string, unknown> {
  const evidence: Record<string, unknown> = {};
  for (const path of evidencePaths(rule)) evidence[path] = readPath(doc, path) ?? null;
  if (hasOwnEntries(params)) evidence.params = params;
  return evidence;
}

export function evaluateRule(rule: Rule, ctx: FactContext, params: Record<string, unknown>): RuleOutcome {
  const label = resourceLabel(ctx);
  const unreadable = requiredFactError(rule, ctx);
  if (unreadable) {
    const { aspect, error } = unreadable;
    return errorOutcome(
      `${label}: cannot evaluate ${rule.id}: ${aspect} could not be read (${error.operation} failed with ${error.code}: ${error.message})`,
      error,
      { aspect, code: error.code, operation: error.operation },
    );
  }
  try {
    const outcome = judge(rule, ctx, params, label);
    // Key-list entries KMS would not resolve: the verdict stands only if it does not depend on them.
    const widened = assumingUncheckedMatch(ctx);
    const unchecked = firstUnchecked(ctx);
    if (widened && unchecked && judge(rule, widened, params, label).status !== outcome.status) {
      const { spelling, error } = unchecked;
      return errorOutcome(
        `${label}: cannot evaluate ${rule.id}: key list entry ${spelling} could not be resolved (${error.operation} failed with ${error.code}: ${error.message}), and the verdict depends on it`,
        error,
        { aspect: 'key.aliases', spelling, code: error.code, operation: error.operation },
      );
    }
    return outcome;
  } catch (e) {
    if (!(e instanceof ConditionError)) throw e;
    return errorOutcome(
      `${label}: rule ${rule.id} could not be evaluated: ${e.message}`,
      { code: 'RuleError', operation: 'evaluate', message: e.message },
      {},
    );
  }
}

/** The rule's verdict on facts already known to be readable. */
function judge(rule: Rule, ctx: FactContext, params: Record<string, unknown>, label: string): RuleOutcome {
  const doc = buildDocument(ctx, params);
  const evidence = collectEvidence(rule, doc, params);
  if (rule.when && !evaluateCondition(rule.when, doc)) {
    const message = rule.skipMessage ? renderMessage(rule.skipMessage, doc) : `${label}: not applicable (${rule.title})`;
    return { status: 'skip', message, evidence };
  }
  if (evaluateCondition(rule.assert, doc)) {
    const message = rule.passMessage ? renderMessage(rule.passMessage, doc) : `${label}: ${rule.title}`;
    return { status: 'pass', message, evidence };
  }
  return { status: 'fail', message: renderMessage(rule.message, doc), evidence };
}

function resourceRef(ctx: FactContext): ResourceRef {
  const b = ctx.bucket;
  if (!ctx.object) return { type: 'bucket', arn: b.arn, account: b.account, region: b.region, bucket: b.name };
  const ref: ResourceRef = {
    type: 'object',
    arn: `${b.arn}/${ctx.object.key}`,
    account: b.account,
    region: b.region,
    bucket: b.name,
    key: ctx.object.key,
  };
  if (ctx.object.versionId !== undefined) ref.versionId = ctx.object.versionId;
  return ref;
}

/** The identity hashed into the finding id: the ARN, plus the version for non-null object versions. */
export function identityArn(ref: Pick<ResourceRef, 'arn' | 'versionId'>): string {
  return ref.versionId && ref.versionId !== 'null' ? `${ref.arn}?versionId=${ref.versionId}` : ref.arn;
}

function scopeTagsError(ctx: FactContext): FactError {
  return (
    ctx.errors?.['bucket.tags'] ??
    ctx.bucket.errors?.['bucket.tags'] ?? { code: 'Unknown', operation: 'GetBucketTagging', message: 'tags could not be read' }
  );
}

function outcomeFor(policy: Policy, ref: PolicyRuleRef, rule: Rule | undefined, ctx: FactContext, inScope: boolean | 'unknown'): RuleOutcome {
  const label = resourceLabel(ctx);
  if (!rule) {
    return errorOutcome(`${label}: rule ${ref.id} is not loaded`, { code: 'UnknownRule', operation: 'evaluate', message: `no rule with id ${ref.id}` }, {});
  }
  if (inScope === 'unknown') {
    const error = scopeTagsError(ctx);
    return errorOutcome(
      `${label}: cannot tell whether policy ${policy.name} applies: it scopes by tags and the tags could not be read (${error.operation} failed with ${error.code}: ${error.message})`,
      error,
      { aspect: 'bucket.tags', code: error.code, operation: error.operation },
    );
  }
  return evaluateRule(rule, ctx, ref.params ?? {});
}

/**
 * Apply a matching exception to a failing finding: an active one turns it into `excepted`, an
 * expired one leaves `fail` and says so. Other statuses are never touched (an unreadable fact is
 * not an accepted risk).
 */
function applyException(finding: Finding, pf: PolicyFile, ref: ResourceRef, now: Date): void {
  if (finding.status !== 'fail') return;
  applyExceptionMatch(finding, matchException(pf.exceptions, finding.policy, finding.rule, ref, now));
}

/** A failing finding as an exception match (from matchException) leaves it: excepted, or failing with a note. */
export function applyExceptionMatch(finding: Finding, match: ReturnType<typeof matchException>): void {
  if (!match) return;
  const { exception, expired } = match;
  finding.exception = { reason: exception.reason, expired };
  if (exception.expires !== undefined) finding.exception.expires = exception.expires;
  if (expired) {
    finding.message += ` (exception expired on ${exception.expires}: ${exception.reason})`;
  } else {
    finding.status = 'excepted';
    const until = exception.expires ? ` until ${exception.expires}` : '';
    finding.message += ` (excepted${until}: ${exception.reason})`;
  }
}

/**
 * Every finding for one resource: each policy of the resource's type whose scope covers the
 * bucket, each of its rules, with exceptions applied.
 */
export function evaluateResource(pf: PolicyFile, rules: RuleSet, ctx: FactContext, now: Date): Finding[] {
  const resourceType = ctx.object ? 'object' : 'bucket';
  const ref = resourceRef(ctx);
  const findings: Finding[] = [];
  for (const policy of pf.policies) {
    if (policy.resource !== resourceType) continue;
    const inScope = bucketInScope(policy.scope ?? {}, ctx.bucket);
    if (inScope === false) continue;
    for (const ruleRef of policy.rules) {
      const rule = rules.get(ruleRef.id);
      const outcome = outcomeFor(policy, ruleRef, rule, ctx, inScope);
      const finding: Finding = {
        id: findingId(ref.account, identityArn(ref), policy.name, ruleRef.id),
        policy: policy.name,
        rule: ruleRef.id,
        severity: ruleRef.severity ?? rule?.severity ?? 'high',
        status: outcome.status,
        resource: { ...ref },
        message: outcome.message,
        evidence: outcome.evidence,
      };
      if (outcome.cause) finding.cause = outcome.cause;
      applyException(finding, pf, ref, now);
      findings.push(finding);
    }
  }
  return findings;
}
