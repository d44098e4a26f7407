/**
 * What configuration checking needs to know about a remediation action: its id, the resource type it
 * changes, the rules it fixes and the JSON Schema of its parameters. The actions themselves (plan, apply,
 * verify, rollback, IAM permissions) live in src/remediate/actions/; config/ sits below remediate/, so it
 * receives these descriptors as a catalogue (src/run/audit.ts passes the registry's) instead of importing
 * the registry. That keeps each action in one module: nothing about it is repeated in a lower layer.
 */
import type { ResourceType } from './rule.js';

export interface ActionDescriptor {
  /** The id rules name in `remediation:` (lowercase words joined by dashes). */
  id: string;
  /** One sentence for people: what the action changes. */
  title: string;
  /** The resource type it changes: a rule it fixes must check the same type. */
  resource: ResourceType;
  /** Rule ids it fixes: a rule naming the action must be one of them. */
  fixes: readonly string[];
  /** JSON Schema of its parameters, given by a policy's `remediation:` block. */
  params: object;
}

/** Descriptors by id. */
export type ActionCatalogue = ReadonlyMap<string, ActionDescriptor>;
