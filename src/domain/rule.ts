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
  /** Message template; {{path}} placeholders are filled from facts and params. */
  message: string;
  /** Message when the rule passes (optional). */
  passMessage?: string;
  /** Message when `when` is false and the rule is skipped (optional). */
  skipMessage?: string;
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
