/**
 * A remediation action: what a rule's `remediation:` names. Each action is one module under
 * src/remediate/actions/ and declares everything about itself — the rules it fixes, its parameters, its
 * IAM permissions, and how it plans, applies, verifies and rolls back a change. The generic code (plan.ts,
 * apply.ts, rollback.ts, journal.ts) owns what every action shares: candidates from failing findings, the
 * plan document, concurrency, interrupts, the write-ahead journal and the summaries; it never names an
 * action. Records carry the action's id, so a saved plan or a journal is dispatched back to its action.
 */
import type { AccountSession } from '../aws/session.js';
import type { ActionDescriptor } from '../domain/action.js';
import type { FactError } from '../domain/facts.js';
import type { Finding } from '../domain/finding.js';
import type { PolicyFile } from '../domain/policy.js';
import type { FactAspect, RuleSet } from '../domain/rule.js';
import type { ChangeBase, JournalError, Refusal, ResourcePlace } from './types.js';

/** One IAM action a step needs, with the AWS documentation that says so. */
export interface IamPermission {
  /** The API operation called. */
  operation: string;
  /** The IAM action that authorizes it. */
  iamAction: string;
  /** Where AWS documents that pairing (or why it is needed). */
  citation: string;
}

export interface ActionPermissions {
  /** Facts planning reads beyond what the rules need; read with the scan's own calls (src/aws/permissions.ts). */
  planAspects: readonly FactAspect[];
  /** Applying a change: re-checks, the write, the read-back. */
  apply: readonly IamPermission[];
  /** Rolling a change back: read, restore, read back. */
  rollback: readonly IamPermission[];
}

/** What planning is given: the scan's config and findings, and sessions to read the current state with. */
export interface PlanRequest {
  policyFile: PolicyFile;
  rules: RuleSet;
  /** Every finding of the scan (the action picks its resources: those failing a rule that names it). */
  findings: readonly Finding[];
  sessions: readonly AccountSession[];
  concurrency: number;
  signal?: AbortSignal;
}

/** An action's share of the plan; the generic planner stamps the action id and assembles the document. */
export interface PlanPart<C extends ChangeBase = ChangeBase> {
  changes: C[];
  refusals: Refusal[];
}

/** Why a change or restore is not made; decided before anything is journaled. */
export interface StepRefusal {
  status: 'failed' | 'drifted' | 'precondition' | 'inconsistent';
  detail: string;
  error?: JournalError;
}

/** The steps of one write, shared by apply and rollback. `S` is the action's state (the journal's before/after). */
export interface WriteSteps<S> {
  /** Writes `wanted`; a failure is returned, never thrown. */
  write(place: ResourcePlace, wanted: S): Promise<FactError | undefined>;
  /** Reads the state back (after a write, failed or not: a dropped connection may hide a write that did happen). */
  read(place: ResourcePlace): Promise<S | FactError>;
  /** The result record's error for a read-back that is not `wanted`. */
  mismatch(readBack: S): JournalError;
}

/** Applying changes, for one run (sessions, caches). */
export interface ChangeSteps<C extends ChangeBase, S> extends WriteSteps<S> {
  /**
   * Everything checked before the intent is journaled: the change is what its own target makes, its
   * preconditions still hold, the resource is still in the planned `before` state. Returns the state read
   * now (the intent's `before`), or why the change is not made.
   */
  prepare(change: C): Promise<{ current: S } | StepRefusal>;
  /** Does the state read back equal the change's `after`? */
  verified(readBack: S, change: C): boolean;
  /**
   * After a read-back equal to `after`: what the read-back cannot show but "verified" must mean (e.g. the
   * service can use what the state names). The result record's error when not, then the change is
   * applied but unverified; undefined when it is confirmed.
   */
  confirm?(readBack: S, change: C): Promise<JournalError | undefined>;
}

/** Rolling back, for one run. */
export interface RestoreSteps<S> extends WriteSteps<S> {
  /** Reads the resource now; a failure is a refusal (with its detail). */
  current(place: ResourcePlace): Promise<{ current: S } | StepRefusal>;
  /** Is `current` the `wanted` state — allowing what the service can restore instead of it exactly? */
  matches(current: S, wanted: S): boolean;
  /** After a verified restore: why it is not exact, when it is not (status restored-default), else undefined. */
  inexact(wanted: S, readBack: S): string | undefined;
  /** Why the action cannot write `wanted` back at all (status irreversible, nothing is attempted); undefined when it can. */
  irreversible?(wanted: S): string | undefined;
}

export interface RemediationAction<C extends ChangeBase = ChangeBase, S = unknown> {
  descriptor: ActionDescriptor;
  permissions: ActionPermissions;
  /** Reads what planning needs and plans the changes of the resources failing a rule that names this action. */
  plan(request: PlanRequest): Promise<PlanPart<C>>;
  /** The steps of applying this action's changes in one run. */
  changeSteps(sessions: readonly AccountSession[]): ChangeSteps<C, S>;
  /** The steps of restoring this action's journaled changes in one run. */
  restoreSteps(sessions: readonly AccountSession[]): RestoreSteps<S>;
  /** Is this a state of this action (a journal's before/after, checked when reading it)? */
  isState(v: unknown): v is S;
  /** One line for people. */
  describeState(state: S): string;
  /** The plan's labelled lines for one change (the generic renderer adds the findings it fixes). */
  describeChange(change: C): { note?: string; fields: [label: string, text: string][] };
}
