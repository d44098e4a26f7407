/**
 * A set of remediation actions, looked up by id. The built-in set is src/remediate/actions/index.ts;
 * tests build their own with extra actions, and the generic code takes whichever it is given.
 */
import { UsageError } from '../domain/errors.js';
import type { ActionCatalogue } from '../domain/action.js';
import type { RemediationAction } from './action.js';

export class ActionRegistry {
  private readonly byId: ReadonlyMap<string, RemediationAction>;

  /**
   * @param legacyDefault the action that made plan changes and journal intents without an `action` field
   *   (written before actions had ids); they are read as its records.
   */
  constructor(
    readonly actions: readonly RemediationAction[],
    private readonly legacyDefault: string,
  ) {
    const byId = new Map<string, RemediationAction>();
    for (const a of actions) {
      if (byId.has(a.descriptor.id)) throw new Error(`remediation action ${a.descriptor.id} is registered twice`);
      byId.set(a.descriptor.id, a);
    }
    if (!byId.has(legacyDefault)) throw new Error(`the legacy default action ${legacyDefault} is not registered`);
    this.byId = byId;
  }

  /** The id a record means: its own, or the legacy default when it has none. */
  idOf(record: { action?: string }): string {
    return record.action ?? this.legacyDefault;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The action of a record (plan change, refusal, journal intent, restore target); unknown ids are refused (exit 2). */
  of(record: { action?: string }): RemediationAction {
    const id = this.idOf(record);
    const action = this.byId.get(id);
    if (!action) throw new UsageError(`unknown remediation action "${id}" (this version knows: ${[...this.byId.keys()].join(', ')})`);
    return action;
  }

  /** What config/ checks rules against. */
  catalogue(): ActionCatalogue {
    return new Map(this.actions.map((a) => [a.descriptor.id, a.descriptor] as const));
  }

  /** The actions named by these `remediation:` values (rules'), in registry order. */
  namedBy(remediations: Iterable<string | undefined>): RemediationAction[] {
    const ids = new Set(remediations);
    return this.actions.filter((a) => ids.has(a.descriptor.id));
  }
}
