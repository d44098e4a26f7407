/**
 * How much a saved plan is trusted: not at all. A plan file is a proposal a person reviewed — and could
 * edit: every field of a change (for the bucket encryption action: its key ARN, its `after` document, its
 * Bucket Key flag, its `requireCustomerManaged`, the key's manager, state and region as recorded, the
 * target's spelling), the findings cited, the resource's region. So before a saved change is applied,
 * the policy file and live AWS state are asked again what they plan for that resource NOW (the same
 * scan, reads and planners as a new plan: src/run/saved-plan.ts), and the saved change is applied only
 * when it is exactly that change, field for field. Every precondition an action checks when planning
 * then comes from the policy and AWS, never from the file. Whatever the action: the comparison is of
 * plain JSON. Pure.
 *
 * Changes are matched by action, account, bucket and object; the caller gives saved changes their
 * action id resolved (a plan written before actions had ids names none).
 */
import type { ChangeBase, RemediationPlan } from './types.js';

export interface SavedChangeCheck<C extends ChangeBase = ChangeBase> {
  saved: C;
  /** The change derived now, when it is exactly the saved one: what gets applied. */
  current?: C;
  /** Why the saved change is refused, when it is not what the policy plans now. */
  mismatch?: string;
}

const MAX_LISTED = 3;
const MAX_VALUE = 90;

/** Each saved change, matched against the plan the policy and live state give now. */
export function checkSavedChanges<C extends ChangeBase>(saved: readonly C[], now: RemediationPlan<C>): SavedChangeCheck<C>[] {
  const place = (c: Pick<ChangeBase, 'action' | 'account' | 'bucket' | 'object'>): string =>
    JSON.stringify([c.action ?? null, c.account, c.bucket, c.object?.key ?? null, c.object?.versionId ?? null]);
  const timesNamed = new Map<string, number>();
  for (const c of saved) timesNamed.set(place(c), (timesNamed.get(place(c)) ?? 0) + 1);
  return saved.map((c): SavedChangeCheck<C> => {
    const times = timesNamed.get(place(c)) ?? 0;
    if (times > 1) return { saved: c, mismatch: `the plan names this bucket ${times} times; a plan made by this tool has one change per bucket, so the file was edited` };
    const current = now.changes.find((n) => place(n) === place(c));
    if (!current) {
      const refusal = now.refusals.find((r) => place(r) === place(c));
      if (refusal) return { saved: c, mismatch: `the policy file and AWS now refuse this bucket (${refusal.code}: ${refusal.reason})` };
      return { saved: c, mismatch: 'the policy file and AWS now plan no change for this bucket (it passes its remediable rules, is excepted or out of scope, or is not in this account)' };
    }
    const diffs = differences(c, current);
    if (diffs.length === 0) return { saved: c, current };
    const listed = diffs.slice(0, MAX_LISTED).map((d) => `${d.path} is ${show(d.saved)} in the plan, ${show(d.now)} now`);
    const more = diffs.length > MAX_LISTED ? `; and ${diffs.length - MAX_LISTED} more` : '';
    return { saved: c, mismatch: `not the change the policy file and AWS give now: ${listed.join('; ')}${more}` };
  });
}

export interface Difference {
  /** Where, in the change: `key.arn`, `after.Rules[0].BucketKeyEnabled`, `fixes`. */
  path: string;
  saved: unknown;
  now: unknown;
}

/** Every place two JSON values differ (object key order does not matter; array order does). */
export function differences(saved: unknown, now: unknown, path = ''): Difference[] {
  if (isRecord(saved) && isRecord(now)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => differences(saved[k], now[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(saved) && Array.isArray(now) && saved.length === now.length) {
    return saved.flatMap((v, i) => differences(v, now[i], `${path}[${i}]`));
  }
  if (Object.is(saved, now)) return [];
  return [{ path: path || '(the change)', saved, now }];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}
