import type { Severity } from './finding.js';

export type ResourceType = 'bucket' | 'object';

/** Fact aspects a rule can require. The collector fetches only the union of what enabled rules require. */
export type FactAspect =
  | 'bucket.encryption'
  | 'bucket.tags'
  | 'key'
  | 'key.rotation'
  /** The key's aliases (ListAliases), and so its alias spellings: `key.aliases`, `key.spellings`. */
  | 'key.aliases'
  | 'object'
  | 'object.bucketKey';

/** A value in a condition: a literal, or a string "{{name}}" resolved against params or facts. */
export type Value = string | number | boolean | null | Value[];

/**
 * The closed condition language (docs/architecture.md "Rules are data"). Exactly one operator per leaf.
 * Leaves: { path, eq|ne|in|not-in|exists|matches|regex|gt|lt|contains: value }.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | LeafCondition;

export interface LeafCondition {
  path: string;
  eq?: Value;
  ne?: Value;
  in?: Value;
  'not-in'?: Value;
  exists?: boolean;
  matches?: Value;
  regex?: Value;
  gt?: Value;
  lt?: Value;
  contains?: Value;
}

/**
 * One wording of a message, used when its `when` holds. A single template cannot read well for every
 * combination of facts (a fallback such as "none" lands mid-sentence), so a message may be a list of
 * variants: the first whose `when` holds is used, and the last has no `when` (the default).
 */
export interface MessageVariant {
  when?: Condition;
  text: string;
}

/** A message: one template for every case, or variants chosen by the facts. */
export type MessageTemplate = string | MessageVariant[];

export interface Rule {
  id: string;
  resource: ResourceType;
  severity: Severity;
  title: string;
  description: string;
  /** How to fix by hand; shown in reports. */
  fix?: string;
  requires: FactAspect[];
  when?: Condition;
  assert: Condition;
  /** Message on fail; {{path}} placeholders are filled from facts and params. */
  message: MessageTemplate;
  /** Message when the rule passes (optional). */
  passMessage?: MessageTemplate;
  /** Message when `when` is false and the rule is skipped (optional). */
  skipMessage?: MessageTemplate;
  /** Params the rule expects (name → declaration); checked against the policy's params at load time. */
  params?: Record<string, RuleParam>;
  remediation?: string;
  /** Where the rule was loaded from, for messages. */
  source?: string;
}

/** A declared rule param. `format` checks each value (or each element of an array) at load time. */
export interface RuleParam {
  description: string;
  required?: boolean;
  type?: 'string' | 'array' | 'number' | 'boolean';
  format?: 'kms-key' | 'region' | 'glob' | 'regex' | 'account';
}

/** One fixture in <id>.test.yaml: facts in, expected outcome out. */
export interface RuleFixture {
  name: string;
  params?: Record<string, unknown>;
  facts: { bucket?: Partial<import('./facts.js').BucketFacts>; object?: unknown; key?: unknown; bucketKey?: unknown; errors?: Record<string, unknown> };
  expect: import('./finding.js').Status;
  /** Optional: the outcome message must contain this text. */
  messageIncludes?: string;
}

/** Every loaded rule by id (built-in and user rules). */
export type RuleSet = Map<string, Rule>;

/** Every loaded rule's fixtures by rule id, with the file they came from. */
export type FixtureSet = Map<string, { file: string; fixtures: RuleFixture[] }>;
