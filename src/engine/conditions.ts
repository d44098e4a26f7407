/**
 * The closed condition language: leaves { path, <one operator>: value } and the composites
 * all / any / not. Pure functions over an EvalDocument.
 *
 * Semantics worth knowing (also in the README "Rule language"):
 * - A missing path is `undefined`: every operator is false on it except `exists: false`,
 *   `ne` and `not-in` (the negations), which are true.
 * - On an array-valued fact (key.spellings, key.aliases) eq / in / matches / regex are true when
 *   ANY element satisfies them (IAM's ForAnyValue); ne / not-in are true when NO element does.
 * - Type mismatches (gt on a string that is not an ISO date, contains on a number) are false,
 *   never errors: the rule author sees a `fail`, and fixtures catch the mistake.
 */
import type { Condition, LeafCondition, Value } from '../domain/rule.js';
import { readPath, type EvalDocument } from './document.js';
import { compileGlob, validateGlob } from './glob.js';
import { resolveValue } from './template.js';

export const OPERATORS = ['eq', 'ne', 'in', 'not-in', 'exists', 'matches', 'regex', 'gt', 'lt', 'contains'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Thrown when a condition cannot be evaluated (e.g. a param holds an invalid regex). Becomes outcome `error`. */
export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

/** The operator of a leaf (schema validation guarantees exactly one). */
export function leafOperator(leaf: LeafCondition): Operator {
  const op = OPERATORS.find((o) => Object.prototype.hasOwnProperty.call(leaf, o));
  if (!op) throw new ConditionError(`condition on "${leaf.path}" has no operator`);
  return op;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

/** A list operand: a scalar counts as a one-element list; nested lists (from "{{keys}}" inside a list) are flattened once. */
function asList(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  // Most lists hold no nested list: used as they are (callers only read them) instead of copied for every resource.
  if (!value.some((v) => Array.isArray(v))) return value;
  return value.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** Candidates a fact offers: each element of an array fact, or the fact itself. */
function candidates(fact: unknown): unknown[] {
  return Array.isArray(fact) ? fact : [fact];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A comparable number for gt/lt: finite numbers as they are, ISO dates as epoch ms; else null. */
function comparable(value: unknown): { kind: 'number' | 'date'; n: number } | null {
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', n: value };
  if (typeof value === 'string' && ISO_DATE.test(value)) {
    const n = Date.parse(value);
    if (!Number.isNaN(n)) return { kind: 'date', n };
  }
  return null;
}

function compare(fact: unknown, operand: unknown, test: (a: number, b: number) => boolean): boolean {
  const a = comparable(fact);
  const b = comparable(operand);
  return a !== null && b !== null && a.kind === b.kind && test(a.n, b.n);
}

function regexFrom(pattern: unknown): RegExp {
  if (typeof pattern !== 'string') throw new ConditionError(`regex operand must be a string, got ${JSON.stringify(pattern)}`);
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new ConditionError(`invalid regex ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

function globFrom(glob: unknown): RegExp {
  if (typeof glob !== 'string') throw new ConditionError(`matches operand must be a string glob, got ${JSON.stringify(glob)}`);
  const problem = validateGlob(glob);
  if (problem) throw new ConditionError(`invalid glob ${JSON.stringify(glob)}: ${problem}`);
  return compileGlob(glob);
}

function anyStringMatches(fact: unknown, patterns: RegExp[]): boolean {
  return candidates(fact).some((c) => typeof c === 'string' && patterns.some((p) => p.test(c)));
}

function equalsOp(fact: unknown, operand: unknown): boolean {
  if (fact === undefined) return false;
  if (Array.isArray(fact) && !Array.isArray(operand)) return fact.some((e) => deepEqual(e, operand));
  return deepEqual(fact, operand);
}

function inOp(fact: unknown, operand: unknown): boolean {
  if (fact === undefined) return false;
  const list = asList(operand);
  return candidates(fact).some((c) => list.some((l) => deepEqual(c, l)));
}

function containsOp(fact: unknown, operand: unknown): boolean {
  if (typeof fact === 'string') return typeof operand === 'string' && fact.includes(operand);
  if (Array.isArray(fact)) return fact.some((e) => deepEqual(e, operand));
  return false;
}

/** Evaluate one operator against a fact value and an already-resolved operand. */
export function applyOperator(op: Operator, fact: unknown, operand: unknown): boolean {
  switch (op) {
    case 'eq':
      return equalsOp(fact, operand);
    case 'ne':
      return !equalsOp(fact, operand);
    case 'in':
      return inOp(fact, operand);
    case 'not-in':
      return !inOp(fact, operand);
    case 'exists': {
      const present = fact !== undefined && fact !== null;
      return operand === false ? !present : present;
    }
    case 'matches':
      return fact !== undefined && anyStringMatches(fact, asList(operand).map(globFrom));
    case 'regex':
      return fact !== undefined && anyStringMatches(fact, asList(operand).map(regexFrom));
    case 'gt':
      return compare(fact, operand, (a, b) => a > b);
    case 'lt':
      return compare(fact, operand, (a, b) => a < b);
    case 'contains':
      return containsOp(fact, operand);
  }
}

export function evaluateCondition(cond: Condition, doc: EvalDocument): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluateCondition(c, doc));
  if ('any' in cond) return cond.any.some((c) => evaluateCondition(c, doc));
  if ('not' in cond) return !evaluateCondition(cond.not, doc);
  const op = leafOperator(cond);
  const operand = resolveValue(cond[op] as Value, doc);
  return applyOperator(op, readPath(doc, cond.path), operand);
}

/** Every fact path a condition reads, in first-seen order (for evidence and load-time checks). */
export function conditionPaths(cond: Condition | undefined, out: string[] = []): string[] {
  if (!cond) return out;
  if ('all' in cond) cond.all.forEach((c) => conditionPaths(c, out));
  else if ('any' in cond) cond.any.forEach((c) => conditionPaths(c, out));
  else if ('not' in cond) conditionPaths(cond.not, out);
  else if (!out.includes(cond.path)) out.push(cond.path);
  return out;
}

/** Every leaf of a condition (for load-time checks of operands). */
export function conditionLeaves(cond: Condition | undefined, out: LeafCondition[] = []): LeafCondition[] {
  if (!cond) return out;
  if ('all' in cond) cond.all.forEach((c) => conditionLeaves(c, out));
  else if ('any' in cond) cond.any.forEach((c) => conditionLeaves(c, out));
  else if ('not' in cond) conditionLeaves(cond.not, out);
  else out.push(cond);
  return out;
}
