/**
 * The objects the planner looks at: each object version with a failing (or error) finding of a rule that
 * names update-object-encryption, with every finding of that object version. Pure.
 */
import type { Finding } from '../../../domain/finding.js';
import type { PolicyFile } from '../../../domain/policy.js';
import type { RuleSet } from '../../../domain/rule.js';
import { remediableBy } from '../../plan.js';
import { keyRef, targetSpellingFor } from '../put-bucket-encryption/plan.js';
import { UPDATE_OBJECT_ENCRYPTION } from './types.js';

export interface CandidateObject {
  account: string;
  region: string;
  bucket: string;
  key: string;
  /** Set when the scan read object versions (`versions: true`): the version the findings are about. */
  versionId?: string;
  arn: string;
  findings: Finding[];
}

export const objectRef = (o: { account: string; bucket: string; key: string; versionId?: string }): string =>
  JSON.stringify([o.account, o.bucket, o.key, o.versionId ?? null]);

export const remediable = (rules: RuleSet, ruleId: string): boolean => remediableBy(rules, ruleId, UPDATE_OBJECT_ENCRYPTION);

/** Candidate objects in a stable order (account, bucket, key, version). */
export function candidateObjects(findings: readonly Finding[], rules: RuleSet): CandidateObject[] {
  const byObject = new Map<string, CandidateObject>();
  for (const f of findings) {
    const r = f.resource;
    if (r.type !== 'object' || r.key === undefined) continue;
    const place = { account: r.account, bucket: r.bucket, key: r.key, ...(r.versionId !== undefined ? { versionId: r.versionId } : {}) };
    const ref = objectRef(place);
    let c = byObject.get(ref);
    if (!c) byObject.set(ref, (c = { ...place, region: r.region, arn: r.arn, findings: [] }));
    c.findings.push(f);
  }
  return [...byObject.values()]
    .filter((c) => c.findings.some((f) => remediable(rules, f.rule) && (f.status === 'fail' || f.status === 'error')))
    .sort((a, b) => a.account.localeCompare(b.account) || a.bucket.localeCompare(b.bucket) || a.key.localeCompare(b.key) || (a.versionId ?? '').localeCompare(b.versionId ?? ''));
}

/** Candidates the scan could read: only these are read again when planning (the others are refused). */
export const objectsToObserve = (candidates: readonly CandidateObject[]): CandidateObject[] => candidates.filter((c) => !c.findings.some((f) => f.status === 'error'));

/** Every (account, region, spelling) a candidate's policies may target, for the planner to describe. */
export function objectKeysToResolve(policyFile: PolicyFile, candidates: readonly CandidateObject[]): { account: string; region: string; spelling: string }[] {
  const seen = new Map<string, { account: string; region: string; spelling: string }>();
  for (const c of candidates) {
    const names = new Set(c.findings.map((f) => f.policy));
    for (const policy of policyFile.policies) {
      if (!names.has(policy.name) || !policy.remediation) continue;
      const spelling = targetSpellingFor(policy.remediation, c.region);
      if (spelling !== undefined) seen.set(keyRef(c.account, c.region, spelling), { account: c.account, region: c.region, spelling });
    }
  }
  return [...seen.values()];
}
