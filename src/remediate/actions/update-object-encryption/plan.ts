/**
 * The object remediation plan: one change or refusal per object version failing a rule whose
 * `remediation` is update-object-encryption. Pure: the findings, the objects as HeadObject answered when
 * planning, the target keys as KMS described them, and the plan's time.
 *
 * Decisions, each for a reason:
 *  - An object with an `error` finding, or that could not be read when planning, is refused
 *    (state-unknown): a change made blind could not be rolled back faithfully.
 *  - An object whose encryption or key differs from what the scan judged, or that is gone, is refused
 *    (changed-since-scan): the findings are stale. Its version is pinned: the change names the version id
 *    HeadObject answered, so a version written after the plan is never touched.
 *  - UpdateObjectEncryption accepts only SSE-S3 and SSE-KMS sources and only an SSE-KMS target
 *    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html): unencrypted,
 *    SSE-C and DSSE-KMS objects are refused, pointing to the copy-in-place alternative
 *    (docs/remediation.md#objects-updateobjectencryption-cannot-change), and so is a policy asking for
 *    DSSE-KMS.
 *  - Object Lock: a retention period still running (compliance mode: nobody can change the object;
 *    governance mode: only by removing it first, which this tool never does) or a legal hold refuses
 *    the change (object-locked), as S3 would refuse it with AccessDenied.
 *  - The target key is the policy's remediation.kmsKeyId for the bucket's region, written as its key ARN
 *    (the operation requires an ARN), with the same preconditions as for buckets (key-preconditions.ts:
 *    exists, Enabled, usable by S3, in the bucket's region, customer managed when s3-object-cmk is in
 *    scope, on every s3-object-allowed-keys list), plus one of its own: the key must belong to the
 *    bucket's account ("restricted to KMS keys that are owned by the bucket owner's account").
 *  - The new object is evaluated with the same engine and rules: a change that would leave a remediable
 *    failing rule failing is refused (would-still-fail). Passing object outcomes are not listed in the
 *    scan's findings, so "would break a passing rule" cannot be judged here; the only change made is the
 *    one the failing rules ask for, under the key the policy names.
 *  - Irreversibility: from SSE-S3 the change cannot be undone by this operation (SSE-S3 cannot be
 *    requested), so such changes are marked `irreversible` and `--apply` makes them only with
 *    --allow-irreversible. KMS key → KMS key is reversible: rollback puts the previous key back.
 */
import { createHash } from 'node:crypto';
import type { FactContext, FactError, KeyFacts, ObjectFacts } from '../../../domain/facts.js';
import type { Finding } from '../../../domain/finding.js';
import type { Policy, PolicyFile } from '../../../domain/policy.js';
import type { RuleSet } from '../../../domain/rule.js';
import { evaluateRule } from '../../../engine/evaluate.js';
import type { PlanPart } from '../../action.js';
import { toPlanFinding } from '../../plan.js';
import { isFactError, type Refusal } from '../../types.js';
import { keyRefusals } from '../../key-preconditions.js';
import { keyRef, targetSpellingFor } from '../put-bucket-encryption/plan.js';
import { candidateObjects, objectRef, remediable, type CandidateObject } from './candidates.js';
import { OBJECT_ALLOWED_KEYS_RULE, OBJECT_CMK_RULE } from './descriptor.js';
import { describeEncryption } from './state.js';
import type { ObjectEncryptionState, ObjectRefusalCode, PlanKey, PlannedObjectChange } from './types.js';

/** Where the docs explain what to do for objects this operation cannot change. */
export const COPY_IN_PLACE_DOC = 'docs/remediation.md#objects-updateobjectencryption-cannot-change';

export interface ObjectPlanInput {
  policyFile: PolicyFile;
  rules: RuleSet;
  findings: readonly Finding[];
  /** By objectRef: HeadObject's answer when planning, or why it failed. */
  objects: ReadonlyMap<string, ObjectEncryptionState | FactError>;
  /** By keyRef(account, region, spelling). */
  targetKeys: ReadonlyMap<string, KeyFacts | FactError>;
  /** When the plan is made: Object Lock retention dates are compared with it. */
  now: Date;
}

class Refused extends Error {
  constructor(
    readonly code: ObjectRefusalCode,
    readonly reasons: string[],
  ) {
    super(reasons.join(' '));
  }
}

export function planObjects(input: ObjectPlanInput): PlanPart<PlannedObjectChange> {
  const changes: PlannedObjectChange[] = [];
  const refusals: Refusal[] = [];
  for (const candidate of candidateObjects(input.findings, input.rules)) {
    const outcome = planOne(input, candidate);
    if (!outcome) continue;
    if ('code' in outcome) refusals.push(outcome);
    else changes.push(outcome);
  }
  return { changes, refusals };
}

const placeOf = (c: CandidateObject, versionId: string | undefined) => ({
  account: c.account,
  region: c.region,
  bucket: c.bucket,
  arn: c.arn,
  object: { key: c.key, ...(versionId !== undefined ? { versionId } : {}) },
});

function planOne(input: ObjectPlanInput, c: CandidateObject): PlannedObjectChange | Refusal | undefined {
  const failing = c.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  try {
    return planOrThrow(input, c);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    return { ...placeOf(c, c.versionId), code: e.code, reason: e.reasons.join(' '), findings: failing.map(toPlanFinding) };
  }
}

const isGone = (e: FactError): boolean => ['NotFound', 'NoSuchKey', 'NoSuchVersion', 'Http404', 'MethodNotAllowed', 'Http405'].includes(e.code);

function planOrThrow(input: ObjectPlanInput, c: CandidateObject): PlannedObjectChange | undefined {
  const error = c.findings.find((f) => f.status === 'error');
  if (error) {
    const cause = error.cause ? `${error.cause.operation} failed with ${error.cause.code}` : 'a fact could not be read';
    throw new Refused('state-unknown', [`The scan could not read this object (${cause}); an unknown state is never changed.`]);
  }
  const failingRemediable = c.findings.filter((f) => f.status === 'fail' && remediable(input.rules, f.rule));
  if (failingRemediable.length === 0) return undefined;
  const state = input.objects.get(objectRef(c));
  if (!state) throw new Refused('state-unknown', ['The object was not read when planning.']);
  if (isFactError(state)) {
    if (isGone(state)) throw new Refused('changed-since-scan', [`The object is gone since the scan (${state.operation}: ${state.code}); run remediate again.`]);
    throw new Refused('state-unknown', [`Reading the object when planning failed: ${state.operation} ${state.code}: ${state.message}.`]);
  }
  const drift = changedSinceScan(c, state);
  if (drift) throw new Refused('changed-since-scan', [`The object changed between the scan and the plan (${drift}); run remediate again.`]);
  checkSupportedSource(state);
  checkNotLocked(state, input.now);

  const providers = providersOf(input.policyFile, c, failingRemediable);
  const bucketKeyEnabled = desiredBucketKey(providers);
  const { key, spelling, policies } = targetKey(input, c, providers);
  const judged = c.findings.filter((f) => f.status !== 'excepted');
  const requireCustomerManaged = judged.some((f) => f.rule === OBJECT_CMK_RULE);
  const problems = keyRefusals(key, spelling, {
    bucketRegion: c.region,
    requireCustomerManaged,
    allowLists: allowLists(input.policyFile, judged),
    allowListRule: OBJECT_ALLOWED_KEYS_RULE,
    cmkRule: OBJECT_CMK_RULE,
  }).map((p) => ({ code: p.code as ObjectRefusalCode, reason: p.reason }));
  if (key.exists && key.account !== c.account) {
    problems.push({
      code: 'key-wrong-account',
      reason: `Target key ${key.arn} belongs to account ${key.account}; UpdateObjectEncryption uses only keys of the bucket owner's account (${c.account}).`,
    });
  }
  if (problems.length > 0) throw new Refused(problems[0]!.code, problems.map((p) => p.reason));

  // Only the encryption changes: ETag, LastModified, storage class, size and version are kept by S3.
  const after: ObjectEncryptionState = { ...state, sse: 'aws:kms', kmsKeyArn: key.arn, bucketKeyEnabled };
  const sim = simulate(input, c, judged, after, key);
  if (sim.remediableStillFailing.length > 0) {
    throw new Refused('would-still-fail', [`With ${key.arn} the object would still fail ${sim.remediableStillFailing.map((f) => `${f.rule} (${f.policy})`).join(', ')}.`]);
  }
  // Already what the change would make, and that passes: the scan that failed it saw something else.
  if (describeEncryption(after) === describeEncryption(state)) {
    throw new Refused('changed-since-scan', [`The object is already ${describeEncryption(state)}, which its failing findings did not see; run remediate again.`]);
  }
  const planKey: PlanKey = {
    arn: key.arn,
    spelling,
    aliases: key.aliases,
    account: key.account,
    region: key.region,
    manager: key.manager ?? 'CUSTOMER',
    state: key.state ?? 'Unknown',
  };
  // Pin the version HeadObject answered (absent for unversioned buckets' "null" version).
  const versionId = c.versionId ?? (state.versionId !== undefined && state.versionId !== 'null' ? state.versionId : undefined);
  const place = placeOf(c, versionId);
  return {
    id: changeId(place, after),
    ...place,
    before: state,
    after,
    key: planKey,
    policies,
    requireCustomerManaged,
    irreversible: state.sse === 'AES256',
    fixes: sim.fixes.map(toPlanFinding),
    stillFailing: sim.stillFailing.map(toPlanFinding),
  };
}

/** The scan judged the object it read; if what HeadObject answers now differs, the findings are stale. */
function changedSinceScan(c: CandidateObject, now: ObjectEncryptionState): string | undefined {
  if (c.versionId !== undefined && now.versionId !== undefined && now.versionId !== c.versionId) return `the scan saw version ${c.versionId}, now ${now.versionId}`;
  const nowSse = now.customerKey ? 'SSE-C' : now.sse;
  for (const f of c.findings) {
    const e = f.evidence;
    if ('object.sse' in e && (e['object.sse'] ?? null) !== nowSse) return `the scan saw ${String(e['object.sse'] ?? 'no encryption')}, now ${nowSse ?? 'no encryption'}`;
    const seenKey = e['key.arn'];
    if (typeof seenKey === 'string' && now.kmsKeyArn !== undefined && seenKey !== now.kmsKeyArn) return `the scan saw key ${seenKey}, now ${now.kmsKeyArn}`;
  }
  return undefined;
}

function checkSupportedSource(s: ObjectEncryptionState): void {
  const alternative = `UpdateObjectEncryption supports only SSE-S3 and SSE-KMS objects; re-encrypt it with a copy in place instead (${COPY_IN_PLACE_DOC}).`;
  if (s.customerKey) throw new Refused('object-sse-c', [`The object is encrypted with SSE-C (a customer-provided key). ${alternative}`]);
  if (s.sse === null) throw new Refused('object-unencrypted', [`The object has no server-side encryption (stored before January 2023). ${alternative}`]);
  if (s.sse === 'aws:kms:dsse') throw new Refused('object-dsse-kms', [`The object is encrypted with DSSE-KMS. ${alternative}`]);
  if (s.sse !== 'AES256' && s.sse !== 'aws:kms') throw new Refused('state-unknown', [`The object's encryption ${s.sse} is not one this tool knows.`]);
}

function checkNotLocked(s: ObjectEncryptionState, now: Date): void {
  const reason = lockReason(s, now);
  if (reason) throw new Refused('object-locked', [reason]);
}

/** Why Object Lock blocks UpdateObjectEncryption on this object version now (planning and applying), or undefined. */
export function lockReason(s: ObjectEncryptionState, now: Date): string | undefined {
  if (s.legalHold === 'ON') return 'The object is under an Object Lock legal hold; S3 refuses UpdateObjectEncryption until it is removed.';
  const running = s.lockMode !== undefined && (s.lockRetainUntil === undefined || Date.parse(s.lockRetainUntil) > now.getTime());
  if (!running) return undefined;
  if (s.lockMode === 'COMPLIANCE') {
    return `The object is under Object Lock in compliance mode until ${s.lockRetainUntil ?? 'an unknown date'}; S3 refuses UpdateObjectEncryption for it, and nobody can lift it.`;
  }
  return `The object is under Object Lock in ${s.lockMode} mode until ${s.lockRetainUntil ?? 'an unknown date'}; S3 refuses UpdateObjectEncryption until the retention is removed, which this tool never does.`;
}

function policiesNamed(pf: PolicyFile, findings: readonly Finding[]): Policy[] {
  const names = new Set(findings.map((f) => f.policy));
  return pf.policies.filter((p) => names.has(p.name));
}

/** Policies whose remediation block decides the target: those failing here, else any in scope. */
function providersOf(pf: PolicyFile, c: CandidateObject, failingRemediable: Finding[]): Policy[] {
  const failing = policiesNamed(pf, failingRemediable).filter((p) => p.remediation);
  if (failing.length > 0) return failing;
  const inScope = policiesNamed(pf, c.findings).filter((p) => p.remediation);
  if (inScope.length > 0) return inScope;
  const names = [...new Set(failingRemediable.map((f) => f.policy))].join(', ');
  throw new Refused('no-target', [`No policy in scope has a remediation block (failing: ${names}); add one to name the target key.`]);
}

function desiredBucketKey(providers: Policy[]): boolean {
  const dsse = providers.find((p) => p.remediation!.algorithm === 'aws:kms:dsse');
  if (dsse) throw new Refused('target-not-sse-kms', [`Policy ${dsse.name} asks for DSSE-KMS; UpdateObjectEncryption can only change an object to SSE-KMS (use a copy in place, ${COPY_IN_PLACE_DOC}).`]);
  const wanted = providers.map((p) => ({ policy: p.name, bucketKey: p.remediation!.bucketKeyEnabled ?? true }));
  if (wanted.some((w) => w.bucketKey !== wanted[0]!.bucketKey)) {
    throw new Refused('conflicting-targets', [`Policies disagree on the S3 Bucket Key: ${wanted.map((w) => `${w.policy} wants it ${w.bucketKey ? 'on' : 'off'}`).join('; ')}.`]);
  }
  return wanted[0]!.bucketKey;
}

function targetKey(input: ObjectPlanInput, c: CandidateObject, providers: Policy[]): { key: KeyFacts; spelling: string; policies: string[] } {
  const named = providers.flatMap((p) => {
    const spelling = targetSpellingFor(p.remediation!, c.region);
    return spelling === undefined ? [] : [{ policy: p.name, spelling }];
  });
  if (named.length === 0) {
    throw new Refused('no-target-for-region', [`No target key for ${c.region}: the remediation block of ${providers.map((p) => p.name).join(', ')} has no kmsKeyId entry for this region.`]);
  }
  const described = named.map((n) => ({ ...n, key: input.targetKeys.get(keyRef(c.account, c.region, n.spelling)) }));
  for (const d of described) {
    if (!d.key) throw new Refused('key-unreadable', [`Target key ${d.spelling} (policy ${d.policy}) was not described.`]);
    if (isFactError(d.key)) throw new Refused('key-unreadable', [`Target key ${d.spelling} (policy ${d.policy}) could not be described: ${d.key.operation} failed with ${d.key.code}: ${d.key.message}.`]);
  }
  if (new Set(described.map((d) => (d.key as KeyFacts).arn)).size > 1) {
    throw new Refused('conflicting-targets', [`Policies name different target keys: ${described.map((d) => `${d.policy} -> ${d.spelling}`).join('; ')}.`]);
  }
  return { key: described[0]!.key as KeyFacts, spelling: described[0]!.spelling, policies: [...new Set(described.map((d) => d.policy))] };
}

const paramsOf = (pf: PolicyFile, f: Finding): Record<string, unknown> => pf.policies.find((p) => p.name === f.policy)?.rules.find((r) => r.id === f.rule)?.params ?? {};

function allowLists(pf: PolicyFile, judged: readonly Finding[]): { policy: string; keys: string[] }[] {
  return judged
    .filter((f) => f.rule === OBJECT_ALLOWED_KEYS_RULE)
    .flatMap((f) => {
      const keys = paramsOf(pf, f).keys;
      return Array.isArray(keys) ? [{ policy: f.policy, keys: keys.filter((k): k is string => typeof k === 'string') }] : [];
    });
}

interface Simulation {
  fixes: Finding[];
  stillFailing: Finding[];
  remediableStillFailing: Finding[];
}

/** The failing findings of the object, evaluated on the facts the changed object would give. */
function simulate(input: ObjectPlanInput, c: CandidateObject, judged: readonly Finding[], after: ObjectEncryptionState, key: KeyFacts): Simulation {
  const object: ObjectFacts = {
    bucket: c.bucket,
    key: c.key,
    ...(c.versionId !== undefined ? { versionId: c.versionId } : {}),
    size: after.size ?? 0,
    lastModified: after.lastModified ?? '',
    ...(after.etag !== undefined ? { etag: after.etag } : {}),
    sse: 'aws:kms',
    kmsKeyId: key.arn,
    bucketKeyEnabled: after.bucketKeyEnabled,
    errors: {},
  };
  // The bucket default's key, for s3-object-matches-bucket-key: what its failing finding saw.
  const bucketKeyArn = judged.map((f) => f.evidence['bucketKey.arn']).find((v): v is string => typeof v === 'string');
  const ctx: FactContext = {
    bucket: { arn: `arn:aws:s3:::${c.bucket}`, name: c.bucket, account: c.account, region: c.region, tags: {}, errors: {} },
    object,
    key: { ...key, ref: key.arn },
    ...(bucketKeyArn !== undefined ? { bucketKey: { ...key, arn: bucketKeyArn, ref: bucketKeyArn, spellings: [bucketKeyArn] } } : {}),
    errors: {},
  };
  const sim: Simulation = { fixes: [], stillFailing: [], remediableStillFailing: [] };
  for (const f of judged) {
    if (f.status !== 'fail') continue;
    const rule = input.rules.get(f.rule);
    if (!rule) continue;
    const outcome = evaluateRule(rule, ctx, paramsOf(input.policyFile, f));
    if (outcome.status === 'pass' || outcome.status === 'skip') sim.fixes.push(f);
    else {
      sim.stillFailing.push(f);
      if (remediable(input.rules, f.rule)) sim.remediableStillFailing.push(f);
    }
  }
  return sim;
}

function changeId(place: { account: string; bucket: string; object: { key: string; versionId?: string } }, after: ObjectEncryptionState): string {
  return createHash('sha256')
    .update([place.account, place.bucket, place.object.key, place.object.versionId ?? '', after.kmsKeyArn ?? '', String(after.bucketKeyEnabled)].join('\n'))
    .digest('hex')
    .slice(0, 16);
}
