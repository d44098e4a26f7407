/**
 * The readable plan, apply summary and rollback summary: pure renderers (data in, text out), plain
 * ASCII unless colour is asked for. Everything that came from AWS or user files goes through
 * escapeControl, as in the scan's console report.
 */
import { escapeControl } from '../domain/text.js';
import { wrap, WIDTH } from './console.js';
import type { ApplySummary, ChangeOutcome } from '../remediate/apply.js';
import { BUILTIN_ACTIONS } from '../remediate/actions/index.js';
import type { ActionRegistry } from '../remediate/registry.js';
import type { RestoreOutcome, RollbackSummary } from '../remediate/rollback.js';
import type { ChangeBase, PlanFinding, Refusal, RemediationPlan, ResourcePlace } from '../remediate/types.js';
import { plural } from '../domain/text.js';

const safe = escapeControl;

function wrapped(text: string, indent: number): string[] {
  return wrap(safe(text), WIDTH - indent).map((l) => ' '.repeat(indent) + l);
}

function findingList(findings: readonly PlanFinding[]): string {
  return findings.map((f) => `${f.rule} (${f.policy}, ${f.severity})`).join(', ');
}

/** A labelled field: label in a 7-column gutter, the text wrapped under itself. */
function field(label: string, text: string): string[] {
  const indent = 4 + 7;
  return wrap(safe(text), WIDTH - indent).map((l, i) => (i === 0 ? `    ${label.padEnd(7)}${l}` : ' '.repeat(indent) + l));
}

/** The bucket, or the object in it, for people. */
function placeName(p: ResourcePlace): string {
  if (!p.object) return p.bucket;
  return `${p.bucket}/${p.object.key}${p.object.versionId ? ` (version ${p.object.versionId})` : ''}`;
}

function changeLines(c: ChangeBase, actions: ActionRegistry): string[] {
  const { note, fields } = actions.of(c).describeChange(c);
  const lines = [
    `${safe(placeName(c))} · account ${safe(c.account)} · ${safe(c.region)}${note ? ` · ${note}` : ''}`,
    ...fields.flatMap(([label, text]) => field(label, text)),
    ...field('fixes', findingList(c.fixes)),
  ];
  if (c.stillFailing.length > 0) lines.push(...field('still', `failing after the change: ${findingList(c.stillFailing)}`));
  return lines;
}

function refusalLines(r: Refusal): string[] {
  return [`${safe(placeName(r))} · account ${safe(r.account)} · ${safe(r.region)} · ${r.code}`, ...wrapped(r.reason, 4)];
}

/** How much of a plan the console shows: every change in full, or a line per change and refusal up to `limit`. */
export interface PlanView {
  /** Changes and refusals listed on one line each, at most this many of each; absent: all of them, in full. */
  brief?: number;
}

/** One line per change (more when a long name wraps): where, and what it fixes. */
function briefChange(c: ChangeBase, actions: ActionRegistry): string[] {
  const { note } = actions.of(c).describeChange(c);
  const rules = [...new Set(c.fixes.map((f) => f.rule))].join(', ');
  return wrapped(`${placeName(c)} (${c.account}, ${c.region})${note ? ` · ${note}` : ''}: fixes ${rules}`, 2);
}

/** One refusal in at most two lines: where, the code, and the start of the reason. */
function briefRefusal(r: Refusal): string[] {
  const lines = wrapped(`${placeName(r)} (${r.account}, ${r.region}): ${r.code} — ${r.reason}`, 2);
  return lines.length <= 2 ? lines : [lines[0]!, lines[1]!.slice(0, WIDTH - 1) + '…'];
}

/** Object changes or refusals of one bucket (and refusal code): thousands of objects are summarised, not listed. */
interface ObjectGroup<T extends ResourcePlace> {
  first: T;
  members: T[];
}

function groupObjects<T extends ResourcePlace>(records: readonly T[], by: (r: T) => string): ObjectGroup<T>[] {
  const groups = new Map<string, ObjectGroup<T>>();
  for (const r of records) {
    const ref = by(r);
    const g = groups.get(ref);
    if (g) g.members.push(r);
    else groups.set(ref, { first: r, members: [r] });
  }
  return [...groups.values()];
}

/** How many of `limit` rows go to single records and how many to object groups (each kind gets a share when both exist). */
function shareRows(limit: number, singles: number, groups: number): [singleRows: number, groupRows: number] {
  if (groups === 0) return [Math.min(singles, limit), 0];
  const groupRows = Math.min(groups, Math.max(1, limit - singles, Math.floor(limit / 2)));
  return [Math.min(singles, limit - groupRows), groupRows];
}

/** One line per bucket whose objects change: how many, how many cannot be undone, and what they fix. */
function briefObjectGroup(g: ObjectGroup<ChangeBase>): string[] {
  const irreversible = g.members.filter((c) => c.irreversible === true).length;
  const rules = [...new Set(g.members.flatMap((c) => c.fixes.map((f) => f.rule)))].join(', ');
  return wrapped(`${g.first.bucket}: ${plural(g.members.length, 'object')}${irreversible > 0 ? ` (${irreversible} IRREVERSIBLE)` : ''} · fixes ${rules}`, 2);
}

/** One line per bucket and refusal code of objects (the one object itself when alone). */
function briefObjectRefusals(g: ObjectGroup<Refusal>): string[] {
  if (g.members.length === 1) return briefRefusal(g.first);
  const lines = wrapped(`${g.first.bucket}: ${g.members.length} objects ${g.first.code} — ${g.first.reason}`, 2);
  return [lines.length > 1 ? lines[0]!.slice(0, WIDTH - 1) + '…' : lines[0]!];
}

function briefSections(plan: RemediationPlan, limit: number, actions: ActionRegistry, planPath: string | undefined): string[] {
  const out: string[] = [];
  const where = planPath ? `in ${safe(planPath)}` : 'with --verbose';
  if (plan.changes.length > 0) {
    const singles = plan.changes.filter((c) => c.object === undefined);
    const groups = groupObjects(plan.changes.filter((c) => c.object !== undefined), (c) => `${c.account}\n${c.bucket}`);
    const [singleRows, groupRows] = shareRows(limit, singles.length, groups.length);
    const shownGroups = groups.slice(0, groupRows);
    const shownCount = singleRows + shownGroups.reduce((n, g) => n + g.members.length, 0);
    out.push('', shownCount < plan.changes.length ? `Changes (${shownCount} of ${plan.changes.length}; each in full ${where}):` : `Changes (${plan.changes.length}; each in full ${where}):`);
    for (const c of singles.slice(0, singleRows)) out.push(...briefChange(c, actions));
    for (const g of shownGroups) out.push(...briefObjectGroup(g));
    if (shownCount < plan.changes.length) out.push(`  … ${plural(plan.changes.length - shownCount, 'more change')}`);
  } else {
    out.push('', 'No changes: every bucket in scope passes its remediable rules, is excepted, or is refused below.');
  }
  if (plan.refusals.length > 0) {
    const singles = plan.refusals.filter((r) => r.object === undefined);
    const groups = groupObjects(plan.refusals.filter((r) => r.object !== undefined), (r) => `${r.account}\n${r.bucket}\n${r.code}`);
    const [singleRows, groupRows] = shareRows(limit, singles.length, groups.length);
    const shownGroups = groups.slice(0, groupRows);
    const shownCount = singleRows + shownGroups.reduce((n, g) => n + g.members.length, 0);
    out.push('', `Refused, not changed (${plan.refusals.length}):`);
    for (const r of singles.slice(0, singleRows)) out.push(...briefRefusal(r));
    for (const g of shownGroups) out.push(...briefObjectRefusals(g));
    if (shownCount < plan.refusals.length) out.push(`  … ${plural(plan.refusals.length - shownCount, 'more refusal')} ${where}`);
  }
  return out;
}

export function renderPlan(plan: RemediationPlan, paths: { plan?: string } = {}, actions: ActionRegistry = BUILTIN_ACTIONS, view: PlanView = {}): string {
  const out = [
    `Remediation plan ${safe(plan.run.id)}: ${plural(plan.changes.length, 'change')}, ${plural(plan.refusals.length, 'refusal')}` +
      ` (max ${plan.limit.maxChanges} changes)`,
    `  policies  ${safe(plan.run.policyFile)} (sha256 ${safe(plan.run.policyFileSha256.slice(0, 12))})`,
    `  accounts  ${safe(plan.run.accounts.join(', ') || '-')}`,
  ];
  if (!plan.run.scanComplete) out.push('  scan      incomplete: some buckets could not be read (refused below as state-unknown)');
  if (view.brief !== undefined) {
    out.push(...briefSections(plan, view.brief, actions, paths.plan));
    if (plan.limit.exceeded) out.push('', ...wrap(maxChangesMessage(plan), WIDTH));
    if (paths.plan) out.push('', `Plan: ${paths.plan}`);
    return out.join('\n') + '\n';
  }
  if (plan.changes.length > 0) {
    out.push('', 'Changes (current configuration -> new configuration):');
    for (const c of plan.changes) out.push('', ...changeLines(c, actions).map((l, i) => (i === 0 ? `  ${l}` : l)));
  } else {
    out.push('', 'No changes: every bucket in scope passes its remediable rules, is excepted, or is refused below.');
  }
  if (plan.refusals.length > 0) {
    out.push('', 'Refused (not changed):');
    for (const r of plan.refusals) out.push('', ...refusalLines(r).map((l, i) => (i === 0 ? `  ${l}` : l)));
  }
  if (plan.limit.exceeded) out.push('', maxChangesMessage(plan));
  if (paths.plan) out.push('', `Plan: ${paths.plan}`);
  return out.join('\n') + '\n';
}

export function maxChangesMessage(plan: RemediationPlan, limit = plan.limit.maxChanges): string {
  const objects = plan.changes.filter((c) => c.object !== undefined).length;
  const objectLimit = plan.limit.maxObjectChanges;
  if (objectLimit !== undefined && objects > objectLimit) {
    return (
      `Refused as a whole: the plan has ${plural(objects, 'object change')}, more than --max-object-changes ${objectLimit}. ` +
      `Nothing is applied; review the plan and re-run with --max-object-changes ${objects} (or narrow the policies' scope).`
    );
  }
  if (objectLimit !== undefined && objects > 0) {
    const others = plan.changes.length - objects;
    return (
      `Refused as a whole: the plan has ${plural(others, 'bucket change')}, more than --max-changes ${limit}. ` +
      `Nothing is applied; review the plan and re-run with --max-changes ${others} (or narrow the policies' scope).`
    );
  }
  return (
    `Refused as a whole: the plan has ${plural(plan.changes.length, 'change')}, more than --max-changes ${limit}. ` +
    `Nothing is applied; review the plan and re-run with --max-changes ${plan.changes.length} (or narrow the policies' scope).`
  );
}

function outcomeLine(o: ChangeOutcome): string {
  const what = `${placeName(o.change)} (${o.change.account}, ${o.change.region})`;
  return safe(`  ${o.status.toUpperCase().padEnd(12)} ${what}${o.detail ? `: ${o.detail}` : ''}`);
}

export function renderApplySummary(s: ApplySummary, journalPath: string): string {
  const out = [''];
  for (const o of s.outcomes) if (o.status !== 'verified') out.push(outcomeLine(o));
  out.push(
    `Applied: planned ${s.planned} · applied ${s.applied} · verified ${s.verified} · failed ${s.failed} · refused ${s.refused}` +
      (s.notStarted > 0 ? ` · not started ${s.notStarted}` : ''),
  );
  if (s.interrupted) out.push('Interrupted: no change was started after the signal; changes in flight were finished and journaled.');
  out.push(`Journal: ${journalPath}`, `Undo with: s3-kms-audit rollback ${journalPath}`);
  return out.join('\n') + '\n';
}

function restoreLine(o: RestoreOutcome): string {
  const what = `${placeName(o.target)} (${o.target.account}, ${o.target.region})`;
  return safe(`  ${o.status.toUpperCase().padEnd(16)} ${what}${o.detail ? `: ${o.detail}` : ''}`);
}

export function renderRollbackSummary(s: RollbackSummary, journalPath: string): string {
  const out = [''];
  for (const o of s.outcomes) out.push(restoreLine(o));
  out.push(
    `Rollback: ${plural(s.buckets, 'bucket')} · restored ${s.restored}` +
      (s.restoredToDefault > 0 ? ` · restored to SSE-S3 default ${s.restoredToDefault}` : '') +
      ` · already as before ${s.already} · skipped ${s.skipped}` +
      (s.irreversible > 0 ? ` · irreversible ${s.irreversible}` : '') +
      ` · failed ${s.failed}` +
      (s.notStarted > 0 ? ` · not started ${s.notStarted}` : ''),
  );
  if (s.restoredToDefault > 0) {
    out.push(
      `${plural(s.restoredToDefault, 'bucket')} had no default encryption configuration before: restored to S3's default SSE-S3 — ` +
        'S3 can no longer have no configuration (DeleteBucketEncryption resets it to SSE-S3, which S3 applies to every bucket since January 2023).',
    );
  }
  if (s.irreversible > 0) {
    out.push(
      `${plural(s.irreversible, 'object')} ${s.irreversible === 1 ? 'was' : 'were'} SSE-S3 before the change: UpdateObjectEncryption cannot change an object back to SSE-S3, ` +
        `so ${s.irreversible === 1 ? 'it stays' : 'they stay'} under ${s.irreversible === 1 ? 'its' : 'their'} new KMS key (a copy in place with SSE-S3 would, docs/remediation.md#objects-updateobjectencryption-cannot-change).`,
    );
  }
  if (s.skipped > 0) out.push('Skipped buckets were changed by someone else after the journaled change; --force restores them anyway.');
  if (s.interrupted) out.push('Interrupted: no restore was started after the signal; restores in flight were finished and journaled.');
  out.push(`Rollback journal: ${journalPath}`);
  return out.join('\n') + '\n';
}
