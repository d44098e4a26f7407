/**
 * The remediation plan, computed from the scan's findings, the configuration each candidate bucket
 * had when the plan was made, and the target keys as KMS described them. Pure: no I/O, no clock.
 *
 * Decisions, each for a reason:
 *  - Only buckets failing a rule whose `remediation` is put-bucket-encryption are candidates; an
 *    excepted finding is not failing, an expired exception's finding is.
 *  - A bucket with any `error` finding, or whose configuration or key could not be read when planning,
 *    is refused: its state is unknown, and a change made blind could not be rolled back faithfully.
 *  - A policy without a `remediation` block is audit-only: it is never the reason for a change.
 *  - The new key is written as its full key ARN, never an alias: an alias can be repointed to another
 *    key later (UpdateAlias), silently changing which key protects new objects, and an alias or key id
 *    is resolved in the *requester's* account — AWS recommends "a fully qualified KMS key ARN"
 *    for customer managed keys (API reference, ServerSideEncryptionByDefault.KMSMasterKeyID).
 *    A kept key is rewritten as its ARN too, so every configuration this tool writes looks the same.
 *  - A bucket already on a customer managed key that passes every precondition keeps its key when that
 *    is enough to pass its rules (typically only the S3 Bucket Key was off): the smallest change wins.
 *  - Without `algorithm` in the policy a DSSE-KMS bucket stays DSSE-KMS: dropping a layer of encryption
 *    is never done implicitly. DSSE-KMS never gets a Bucket Key (S3 does not support one).
 *  - `PutBucketEncryption` does not validate the key, so the preconditions are ours (key-preconditions.ts),
 *    for a target key and for a key the bucket would keep alike: S3 can use it (it exists, is Enabled, is
 *    in the bucket's region, is a symmetric encryption key), it is customer managed when a policy in scope
 *    has s3-bucket-cmk, and it is on every s3-bucket-allowed-keys list in scope. Finally the new configuration is evaluated with
 *    the same engine and rules: a change that would leave a remediable rule failing, or make a passing
 *    rule fail, is refused.
 */
import { createHash } from 'node:crypto';
import type { RuleSet } from '../../../domain/rule.js';
import type { FactContext, FactError, KeyFacts } from '../../../domain/facts.js';
import type { Finding } from '../../../domain/finding.js';
import type { Policy, PolicyFile, RemediationTarget } from '../../../domain/policy.js';
import { evaluateRule } from '../../../engine/evaluate.js';
import type { PlanPart } from '../../action.js';
import { assemblePlan, remediableBy, toPlanFinding, type PlanMeta } from '../../plan.js';
import { isFactError, type Refusal } from '../../types.js';
import { buildConfiguration, encryptionFacts, sameConfiguration, type TargetSettings } from './configuration.js';
import { keyRefusals } from '../../key-preconditions.js';
import { ALLOWED_KEYS_RULE, CMK_RULE } from './descriptor.js';
import {
  PUT_BUCKET_ENCRYPTION,
  type EncryptionState,
  type PlanKey,
  type PlannedChange,
  type RefusalCode,
  type RemediationPlan,
} from './types.js';

/** What was read about one candidate bucket when the plan was made (observe.ts). */
export interface BucketObservation {
  account: string;
  region: string;
  bucket: string;
  arn: string;
  /** The raw configuration, or why it could not be read. */
  state: EncryptionState | FactError;
  /** The key the current configuration names: null when not KMS, undefined when not looked up. */
  currentKey?: KeyFacts | FactError | null;
  /** Read only when some rule or scope uses tags. */
  tags?: Record<string, string>;
}

export interface PlanInput extends PlanMeta {
  policyFile: PolicyFile;
  rules: RuleSet;
  /** The scan's findings (object-level findings are ignored). */
  findings: readonly Finding[];
  /** By bucketRef(account, bucket). */
  observations: ReadonlyMap<string, BucketObservation>;
  /** By keyRef(account, region, spelling): every target spelling keysToResolve() asked for. */
  targetKeys: ReadonlyMap<string, KeyFacts | FactError>;
}

export interface CandidateBucket {
  account: string;
  region: string;
  bucket: string;
  arn: string;
}

export const bucketRef = (account: string, bucket: string): string => `${account}/${bucket}`;
export const keyRef = (account: string, region: string, spelling: string): string => `${account}/${region}/${spelling}`;

const remediable = (rules: RuleSet, ruleId: string): boolean => remediableBy(rules, ruleId, PUT_BUCKET_ENCRYPTION);

/** The bucket-level findings of each bucket, by bucketRef. */
function findingsByBucket(findings: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.resource.type !== 'bucket') continue;
    const ref = bucketRef(f.resource.account, f.resource.bucket);
    let list = out.get(ref);
    if (!list) out.set(ref, (list = []));
    list.push(f);
  }
  return out;
}

/** Buckets the planner must look at: a remediable rule fails, or is an error (then it is refused, loudly). */
export function candidateBuckets(findings: readonly Finding[], rules: RuleSet): CandidateBucket[] {
  const out: CandidateBucket[] = [];
  for (const list of findingsByBucket(findings).values()) {
    const hit = list.some((f) => remediable(rules, f.rule) && (f.status === 'fail' || f.status === 'error'));
    if (!hit) continue;
    const r = list[0]!.resource;
    out.push({ account: r.account, region: r.region, bucket: r.bucket, arn: r.arn });
  }
  return out.sort(byPlace);
}

/** Candidates whose state the scan could read: only these are read again when planning (the others are refused). */
export function bucketsToObserve(findings: readonly Finding[], rules: RuleSet): CandidateBucket[] {
  const byBucket = findingsByBucket(findings);
  return candidateBuckets(findings, rules).filter((c) => !(byBucket.get(bucketRef(c.account, c.bucket)) ?? []).some((f) => f.status === 'error'));
}

/** The key spelling a remediation block names for a region (one spelling for all, or the region's entry). */
export function targetSpellingFor(target: RemediationTarget, region: string): string | undefined {
  return typeof target.kmsKeyId === 'string' ? target.kmsKeyId : target.kmsKeyId[region];
}

/** Every (account, region, spelling) a candidate's policies may target, for observe.ts to describe. */
export function keysToResolve(policyFile: PolicyFile, findings: readonly Finding[], rules: RuleSet): { account: string; region: string; spelling: string }[] {
  const byBucket = findingsByBucket(findings);
  const seen = new Map<string, { account: string; region: string; spelling: string }>();
  for (const c of candidateBuckets(findings, rules)) {
    for (const policy of policiesOf(policyFile, byBucket.get(bucketRef(c.account, c.bucket)) ?? [])) {
      const spelling = policy.remediation ? targetSpellingFor(policy.remediation, c.region) : undefined;
      if (spelling !== undefined) seen.set(keyRef(c.account, c.region, spelling), { account: c.account, region: c.region, spelling });
    }
  }
  return [...seen.values()];
}

function policiesOf(pf: PolicyFile, findings: readonly Finding[]): Policy[] {
  const names = new Set(findings.map((f) => f.policy));
  return pf.policies.filter((p) => names.has(p.name));
}

const byPlace = (a: CandidateBucket, b: CandidateBucket): number =>
  a.account.localeCompare(b.account) || a.region.localeCompare(b.region) || a.bucket.localeCompare(b.bucket);

// ---------------------------------------------------------------------------------------------

/** The plan of this action alone, as a whole document (the generic planner assembles the shares of every action). */
export function computePlan(input: PlanInput): RemediationPlan {
  return assemblePlan([{ action: PUT_BUCKET_ENCRYPTION, part: planBuckets(input) }], input);
}

/** This action's share of the plan: one change or refusal per candidate bucket. Pure. */
export function planBuckets(input: Omit<PlanInput, keyof PlanMeta>): PlanPart<PlannedChange> {
  const byBucket = findingsByBucket(input.findings);
  const changes: PlannedChange[] = [];
  const refusals: Refusal[] = [];
  for (const candidate of candidateBuckets(input.findings, input.rules)) {
    const ref = bucketRef(candidate.account, candidate.bucket);
    const outcome = new BucketPlanner(input, candidate, byBucket.get(ref) ?? [], input.observations.get(ref)).plan();
    if (!outcome) continue;
    if ('code' in outcome) refusals.push(outcome);
    else changes.push(outcome);
  }
  return { changes, refusals };
}

/** Thrown inside BucketPlanner to end one bucket's planning with a refusal. */
class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly reasons: string[],
  ) {
    super(reasons.join(' '));
  }
}

interface Candidate {
  kind: PlannedChange['kind'];
  key: KeyFacts;
  spelling: string;
  settings: TargetSettings;
  policies: string[];
}

interface Simulation {
  fixes: Finding[];
  stillFailing: Finding[];
  remediableStillFailing: Finding[];
  breaks: Finding[];
}

class BucketPlanner {
  /** Findings the new configuration is judged against: every (policy, rule) in scope, except accepted risks. */
  private readonly judged: Finding[];
  private readonly failing: Finding[];

  constructor(
    private readonly input: Omit<PlanInput, keyof PlanMeta>,
    private readonly bucket: CandidateBucket,
    private readonly findings: Finding[],
    private readonly observed: BucketObservation | undefined,
  ) {
    this.judged = findings.filter((f) => f.status !== 'excepted');
    this.failing = findings.filter((f) => f.status === 'fail' || f.status === 'error');
  }

  plan(): PlannedChange | Refusal | undefined {
    try {
      return this.planOrThrow();
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      return { ...this.bucket, code: e.code, reason: e.reasons.join(' '), findings: this.failing.map(toPlanFinding) };
    }
  }

  private planOrThrow(): PlannedChange | undefined {
    const state = this.knownState();
    const failingRemediable = this.findings.filter((f) => f.status === 'fail' && remediable(this.input.rules, f.rule));
    if (failingRemediable.length === 0) return undefined;
    this.checkUnchangedSinceScan(state);

    const providers = this.providers(failingRemediable);
    const desired = this.desiredSettings(providers, state);
    const kept = this.keptKeyCandidate(state, desired, providers);
    const keptOutcome = kept ? this.tryCandidate(kept, state) : undefined;
    if (keptOutcome instanceof Refused || keptOutcome === undefined) {
      const target = this.policyTargetCandidate(providers, desired);
      const outcome = this.tryCandidate(target, state);
      if (outcome instanceof Refused) throw outcome;
      return outcome;
    }
    return keptOutcome;
  }

  /** The bucket's configuration and current key, or a refusal when any of it is unknown. */
  private knownState(): EncryptionState {
    const error = this.findings.find((f) => f.status === 'error');
    if (error) {
      const cause = error.cause ? `${error.cause.operation} failed with ${error.cause.code}` : 'a fact could not be read';
      throw new Refused('state-unknown', [`The scan could not read this bucket (${cause}); an unknown state is never changed.`]);
    }
    const obs = this.observed;
    if (!obs) throw new Refused('state-unknown', ['The bucket was not read when planning.']);
    if (isFactError(obs.state)) {
      throw new Refused('state-unknown', [`Reading its configuration when planning failed: ${obs.state.operation} ${obs.state.code}: ${obs.state.message}.`]);
    }
    if (isFactError(obs.currentKey)) {
      throw new Refused('state-unknown', [`Its current KMS key could not be described: ${obs.currentKey.operation} ${obs.currentKey.code}: ${obs.currentKey.message}.`]);
    }
    return obs.state;
  }

  /** The scan judged the configuration it read; if the plan-time read differs, the findings are stale. */
  private checkUnchangedSinceScan(state: EncryptionState): void {
    const change = changedSinceScan(this.findings, state);
    if (change) throw new Refused('changed-since-scan', [`Its configuration changed between the scan and the plan (${change}); run remediate again.`]);
  }

  /** Policies whose remediation block decides the target: those failing here, else any in scope. */
  private providers(failingRemediable: Finding[]): Policy[] {
    const failingPolicies = policiesOf(this.input.policyFile, failingRemediable).filter((p) => p.remediation);
    if (failingPolicies.length > 0) return failingPolicies;
    const inScope = policiesOf(this.input.policyFile, this.findings).filter((p) => p.remediation);
    if (inScope.length > 0) return inScope;
    const names = [...new Set(failingRemediable.map((f) => f.policy))].join(', ');
    throw new Refused('no-target', [`No policy in scope has a remediation block (failing: ${names}); add one to name the target key.`]);
  }

  /** Algorithm and Bucket Key every provider asks for; they must agree. */
  private desiredSettings(providers: Policy[], state: EncryptionState): Omit<TargetSettings, 'keyArn'> {
    const current = encryptionFacts(state).algorithm;
    const wanted = providers.map((p) => {
      const algorithm = p.remediation!.algorithm ?? (current === 'aws:kms:dsse' ? 'aws:kms:dsse' : 'aws:kms');
      const bucketKeyEnabled = algorithm === 'aws:kms:dsse' ? false : (p.remediation!.bucketKeyEnabled ?? true);
      return { policy: p.name, algorithm, bucketKeyEnabled };
    });
    const first = wanted[0]!;
    const differing = wanted.find((w) => w.algorithm !== first.algorithm || w.bucketKeyEnabled !== first.bucketKeyEnabled);
    if (differing) {
      throw new Refused('conflicting-targets', [
        `Policies disagree on the target settings: ${wanted.map((w) => `${w.policy} wants ${w.algorithm} with Bucket Key ${w.bucketKeyEnabled ? 'on' : 'off'}`).join('; ')}.`,
      ]);
    }
    return { algorithm: first.algorithm, bucketKeyEnabled: first.bucketKeyEnabled };
  }

  /** Keep the current key when it is a described, customer managed key (preconditions are checked later). */
  private keptKeyCandidate(state: EncryptionState, desired: Omit<TargetSettings, 'keyArn'>, providers: Policy[]): Candidate | undefined {
    const facts = encryptionFacts(state);
    const key = this.observed?.currentKey;
    if (facts.algorithm !== 'aws:kms' && facts.algorithm !== 'aws:kms:dsse') return undefined;
    if (!key || isFactError(key) || !key.exists || key.manager !== 'CUSTOMER') return undefined;
    return {
      kind: 'kept-key',
      key,
      spelling: facts.kmsKeyId ?? key.arn,
      settings: { ...desired, keyArn: key.arn },
      policies: providers.map((p) => p.name),
    };
  }

  /** The key the providers' remediation blocks name for this region; they must name one key. */
  private policyTargetCandidate(providers: Policy[], desired: Omit<TargetSettings, 'keyArn'>): Candidate {
    const { account, region } = this.bucket;
    const named = providers.flatMap((p) => {
      const spelling = targetSpellingFor(p.remediation!, region);
      return spelling === undefined ? [] : [{ policy: p.name, spelling }];
    });
    if (named.length === 0) {
      throw new Refused('no-target-for-region', [
        `No target key for ${region}: the remediation ${providers.length === 1 ? 'block of' : 'blocks of'} ${providers.map((p) => p.name).join(', ')} ${providers.length === 1 ? 'has' : 'have'} no kmsKeyId entry for this region.`,
      ]);
    }
    const described = named.map((n) => ({ ...n, key: this.input.targetKeys.get(keyRef(account, region, n.spelling)) }));
    for (const d of described) {
      if (!d.key) throw new Refused('key-unreadable', [`Target key ${d.spelling} (policy ${d.policy}) was not described.`]);
      if (isFactError(d.key)) {
        throw new Refused('key-unreadable', [`Target key ${d.spelling} (policy ${d.policy}) could not be described: ${d.key.operation} failed with ${d.key.code}: ${d.key.message}.`]);
      }
    }
    const identities = new Set(described.map((d) => (d.key as KeyFacts).arn));
    if (identities.size > 1) {
      throw new Refused('conflicting-targets', [`Policies name different target keys: ${described.map((d) => `${d.policy} -> ${d.spelling}`).join('; ')}.`]);
    }
    const key = described[0]!.key as KeyFacts;
    return {
      kind: 'policy-target',
      key,
      spelling: described[0]!.spelling,
      settings: { ...desired, keyArn: key.arn },
      policies: [...new Set(described.map((d) => d.policy))],
    };
  }

  /** Preconditions, then the new configuration judged by the rules. Returns the change or why not. */
  private tryCandidate(c: Candidate, state: EncryptionState): PlannedChange | Refused | undefined {
    const requireCustomerManaged = c.kind === 'kept-key' || this.judged.some((f) => f.rule === CMK_RULE);
    const problems = this.preconditionProblems(c, requireCustomerManaged);
    if (problems.length > 0) return new Refused(problems[0]!.code, problems.map((p) => p.reason));

    const after = buildConfiguration(c.settings, state);
    if (sameConfiguration(after, state)) return undefined;
    const sim = this.simulate(after, c.key);
    if (sim.remediableStillFailing.length > 0) {
      return new Refused('would-still-fail', [
        `With ${c.key.arn} the bucket would still fail ${sim.remediableStillFailing.map((f) => `${f.rule} (${f.policy})`).join(', ')}.`,
      ]);
    }
    if (sim.breaks.length > 0) {
      return new Refused('would-break', [
        `With ${c.key.arn} the bucket would newly fail ${sim.breaks.map((f) => `${f.rule} (${f.policy})`).join(', ')}, which ${sim.breaks.length === 1 ? 'passes' : 'pass'} today.`,
      ]);
    }
    const key: PlanKey = {
      arn: c.key.arn,
      spelling: c.spelling,
      aliases: c.key.aliases,
      account: c.key.account,
      region: c.key.region,
      manager: c.key.manager ?? 'CUSTOMER',
      state: c.key.state ?? 'Unknown',
    };
    return {
      id: changeId(this.bucket, after),
      ...this.bucket,
      kind: c.kind,
      before: state,
      after,
      key,
      policies: c.policies,
      requireCustomerManaged,
      fixes: sim.fixes.map(toPlanFinding),
      stillFailing: sim.stillFailing.map(toPlanFinding),
    };
  }

  private preconditionProblems(c: Candidate, requireCustomerManaged: boolean): { code: RefusalCode; reason: string }[] {
    return keyRefusals(
      c.key,
      c.spelling,
      { bucketRegion: this.bucket.region, requireCustomerManaged, allowLists: this.allowLists(), allowListRule: ALLOWED_KEYS_RULE, cmkRule: CMK_RULE },
      c.kind === 'kept-key' ? 'Current key' : 'Target key',
    );
  }

  /** The allowed-keys lists of the policies in scope whose allowed-keys finding is not an accepted risk. */
  private allowLists(): { policy: string; keys: string[] }[] {
    return this.judged
      .filter((f) => f.rule === ALLOWED_KEYS_RULE)
      .flatMap((f) => {
        const keys = this.paramsOf(f).keys;
        return Array.isArray(keys) ? [{ policy: f.policy, keys: keys.filter((k): k is string => typeof k === 'string') }] : [];
      });
  }

  private paramsOf(f: Finding): Record<string, unknown> {
    const policy = this.input.policyFile.policies.find((p) => p.name === f.policy);
    return policy?.rules.find((r) => r.id === f.rule)?.params ?? {};
  }

  /** Every judged (policy, rule) of the bucket, evaluated on the facts the new configuration would give. */
  private simulate(after: EncryptionState, key: KeyFacts): Simulation {
    const obs = this.observed!;
    const ctx: FactContext = {
      bucket: { arn: obs.arn, name: obs.bucket, account: obs.account, region: obs.region, tags: obs.tags ?? {}, errors: {}, encryption: encryptionFacts(after) },
      key: { ...key, ref: key.arn },
      errors: {},
    };
    const sim: Simulation = { fixes: [], stillFailing: [], remediableStillFailing: [], breaks: [] };
    for (const f of this.judged) {
      const rule = this.input.rules.get(f.rule);
      if (!rule) continue;
      const outcome = evaluateRule(rule, ctx, this.paramsOf(f));
      const passes = outcome.status === 'pass' || outcome.status === 'skip';
      if (f.status === 'fail') {
        if (passes) sim.fixes.push(f);
        else {
          sim.stillFailing.push(f);
          if (remediable(this.input.rules, f.rule)) sim.remediableStillFailing.push(f);
        }
      } else if (!passes) {
        sim.breaks.push(f);
      }
    }
    return sim;
  }
}

/**
 * What differs between the configuration the scan judged (as the findings' evidence recorded it) and the
 * one read when planning, in words; undefined when nothing the evidence shows differs. The key is compared
 * too: a bucket moved to another key since the scan was judged on a key it no longer uses. Evidence holds
 * only the fact paths a rule read, so the key is checked as `bucket.encryption.kmsKeyId` where a rule read
 * it, and otherwise through `key.spellings` (every spelling of the key the scan resolved): the key id
 * configured now must be one of them.
 */
export function changedSinceScan(findings: readonly Finding[], state: EncryptionState): string | undefined {
  const now = encryptionFacts(state);
  const nowKeyId = now.kmsKeyId ?? null;
  for (const f of findings) {
    const e = f.evidence;
    const algorithm = e['bucket.encryption.algorithm'];
    if (algorithm !== undefined && algorithm !== now.algorithm) return `the scan saw ${String(algorithm)}, now ${String(now.algorithm)}`;
    const bucketKey = e['bucket.encryption.bucketKeyEnabled'];
    if (typeof bucketKey === 'boolean' && bucketKey !== now.bucketKeyEnabled) return `the scan saw Bucket Key ${bucketKey ? 'on' : 'off'}, now ${now.bucketKeyEnabled ? 'on' : 'off'}`;
    if ('bucket.encryption.kmsKeyId' in e) {
      const seen = e['bucket.encryption.kmsKeyId'] ?? null;
      if (seen !== nowKeyId) return `the scan saw key ${String(seen ?? 'none')}, now ${String(nowKeyId ?? 'none')}`;
    }
    const spellings = e['key.spellings'];
    if (nowKeyId !== null && Array.isArray(spellings) && spellings.length > 0 && !spellings.includes(nowKeyId)) {
      return `the scan saw key ${String(spellings.find((s) => typeof s === 'string' && s.startsWith('arn:')) ?? spellings[0])}, now ${nowKeyId}`;
    }
  }
  return undefined;
}

function changeId(b: CandidateBucket, after: EncryptionState): string {
  return createHash('sha256').update([b.account, b.bucket, JSON.stringify(after)].join('\n')).digest('hex').slice(0, 16);
}
