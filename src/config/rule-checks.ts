/**
 * Checks on a rule file beyond its JSON Schema: one operator per leaf, valid regexes and globs,
 * list operands for in / not-in, references to declared params, and that every fact a rule reads
 * is one it `requires` (otherwise the collector would not fetch it and the rule would judge an
 * absent fact — failing open); the `when` of a message variant is held to the same checks, so a
 * wording is never chosen on a fact the collector did not fetch. Messages do not force a fetch: they may print a fact of an aspect the rule
 * does not require, but only with a fallback ({{key.aliases|not read}}), because that fact is there only
 * when another enabled rule needed it.
 */
import type { ConfigProblem } from '../domain/errors.js';
import type { FactAspect } from '../domain/rule.js';
import { aspectForPath } from '../engine/aspects.js';
import { OPERATORS, type Operator } from '../engine/conditions.js';
import { DOCUMENT_ROOTS, isDocumentRoot } from '../engine/document.js';
import { referencesIn, wholeReference, type Reference } from '../engine/template.js';
import { suggest } from './suggest.js';
import { checkGlob, checkRegex } from './values.js';
import { problemAt, type DataPath, type YamlSource } from './yaml-source.js';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T.*)?$/;

class RuleChecker {
  readonly problems: ConfigProblem[] = [];
  private readonly params: string[];
  private readonly requires: FactAspect[];

  constructor(
    private readonly source: YamlSource,
    private readonly data: Obj,
  ) {
    this.params = isObject(data.params) ? Object.keys(data.params) : [];
    this.requires = Array.isArray(data.requires) ? (data.requires.filter((r) => typeof r === 'string') as FactAspect[]) : [];
  }

  private add(path: DataPath, message: string, opts: { key?: boolean; suggestion?: string | undefined } = {}): void {
    this.problems.push(problemAt(this.source, path, message, opts));
  }

  run(): ConfigProblem[] {
    for (const name of this.params) {
      if (isDocumentRoot(name)) this.add(['params', name], `param name "${name}" is reserved (it is a fact root: ${DOCUMENT_ROOTS.join(', ')})`, { key: true });
    }
    if (this.data.when !== undefined) this.condition(this.data.when, ['when']);
    if (this.data.assert !== undefined) this.condition(this.data.assert, ['assert']);
    if (typeof this.data.title === 'string') this.references(this.data.title, ['title'], false);
    for (const field of ['message', 'passMessage', 'skipMessage']) this.message(this.data[field], [field]);
    return this.problems;
  }

  /**
   * A message is a template or a list of variants. Each variant's `when` is checked like `assert`, its
   * text like any template; only the last variant may (and must) go without `when`: it is the default,
   * and a variant after a `when`-less one could never be chosen.
   */
  private message(value: unknown, at: DataPath): void {
    if (typeof value === 'string') return this.references(value, at, false);
    if (!Array.isArray(value)) return; // the schema reports the type
    const last = value.length - 1;
    value.forEach((variant, i) => {
      if (!isObject(variant)) return;
      if (variant.when !== undefined) this.condition(variant.when, [...at, i, 'when']);
      if (typeof variant.text === 'string') this.references(variant.text, [...at, i, 'text'], false);
      if (i < last && variant.when === undefined) {
        this.add([...at, i], `only the last variant of ${String(at[0])} may go without when: the variants after this one would never be used`);
      }
    });
    const defaults = value.filter((variant) => isObject(variant) && variant.when === undefined);
    if (defaults.length === 0 && isObject(value[last])) {
      this.add([...at, last, 'when'], `the last variant of ${String(at[0])} has a when, so for some facts no variant applies: give the last variant no when (it is the default wording)`, { key: true });
    }
  }

  /** Whether the rule's `requires` makes the collector fetch `aspect` (a sub-aspect such as key.rotation implies key). */
  private requiresAspect(aspect: FactAspect): boolean {
    return this.requires.some((r) => r === aspect || r.startsWith(`${aspect}.`));
  }

  /** A fact read by a condition must belong to an aspect the rule requires. */
  private requireAspectFor(factPath: string, at: DataPath): void {
    const aspect = aspectForPath(factPath);
    if (aspect && !this.requiresAspect(aspect)) {
      this.add(at, `the rule reads ${factPath} but does not list "${aspect}" in requires, so the collector would not fetch it`);
    }
  }

  /** A fact printed by a message without being required is there only sometimes: it must say what to print otherwise. */
  private fallbackForUnrequired(ref: Reference, at: DataPath): void {
    const aspect = aspectForPath(ref.name);
    if (aspect && !this.requiresAspect(aspect) && ref.fallback === undefined) {
      this.add(
        at,
        `{{${ref.name}}} prints a fact of "${aspect}", which the rule does not require: it is only there when another enabled rule needs it; give a fallback ({{${ref.name}|…}}) or add "${aspect}" to requires`,
      );
    }
  }

  /** Every {{name}} must be a declared param or a fact path. */
  private references(text: string, at: DataPath, inCondition: boolean): void {
    for (const ref of referencesIn(text)) {
      const [root, second] = ref.name.split('.');
      if (root === 'params') {
        if (second === undefined || !this.params.includes(second)) {
          this.add(at, `{{${ref.name}}} refers to an undeclared param`, { suggestion: second ? suggest(second, this.params) : undefined });
        }
      } else if (isDocumentRoot(root!)) {
        if (inCondition) this.requireAspectFor(ref.name, at);
        else this.fallbackForUnrequired(ref, at);
      } else if (!this.params.includes(root!)) {
        this.add(at, `{{${ref.name}}} is neither a declared param nor a fact path (${DOCUMENT_ROOTS.join(', ')})`, {
          suggestion: suggest(root!, [...this.params, ...DOCUMENT_ROOTS]),
        });
      }
    }
  }

  private condition(node: unknown, at: DataPath): void {
    if (!isObject(node)) return; // the schema reports the type
    if (Array.isArray(node.all)) return node.all.forEach((c, i) => this.condition(c, [...at, 'all', i]));
    if (Array.isArray(node.any)) return node.any.forEach((c, i) => this.condition(c, [...at, 'any', i]));
    if ('not' in node) return this.condition(node.not, [...at, 'not']);
    this.leaf(node, at);
  }

  private leaf(leaf: Obj, at: DataPath): void {
    const keys = Object.keys(leaf);
    const ops = keys.filter((k): k is Operator => (OPERATORS as readonly string[]).includes(k));
    const unknown = keys.filter((k) => k !== 'path' && !ops.includes(k as Operator));
    if (ops.length === 0 && unknown.length === 0) {
      this.add(at, `the condition on "${String(leaf.path)}" has no operator; use one of ${OPERATORS.join(', ')}`);
    }
    if (ops.length > 1) {
      this.add([...at, ops[1]!], `a condition takes exactly one operator, found ${ops.join(' and ')}; combine several with all: [...]`, { key: true });
    }
    if (typeof leaf.path === 'string') {
      if (leaf.path.startsWith('params.')) {
        const name = leaf.path.split('.')[1]!;
        if (!this.params.includes(name)) this.add([...at, 'path'], `path ${leaf.path} refers to an undeclared param`, { suggestion: suggest(name, this.params) });
      } else {
        this.requireAspectFor(leaf.path, [...at, 'path']);
      }
    }
    for (const op of ops) this.operand(op, leaf[op], [...at, op]);
  }

  private operand(op: Operator, value: unknown, at: DataPath): void {
    const items: [unknown, DataPath][] = Array.isArray(value) ? value.map((v, i) => [v, [...at, i]]) : [[value, at]];
    for (const [item, itemPath] of items) {
      if (typeof item === 'string') this.references(item, itemPath, true);
    }
    const isRef = typeof value === 'string' && wholeReference(value) !== null;
    if (isRef) return; // checked when evaluated: its value comes from params or facts
    switch (op) {
      case 'in':
      case 'not-in':
        if (!Array.isArray(value)) this.add(at, `${op} expects a list (or a "{{param}}" reference to one), got ${JSON.stringify(value)}`);
        break;
      case 'regex':
      case 'matches': {
        const check = op === 'regex' ? checkRegex : checkGlob;
        for (const [item, itemPath] of items) {
          if (typeof item === 'string' && wholeReference(item)) continue;
          if (typeof item === 'string' && item.includes('{{')) continue; // interpolated: only known at evaluation
          const problem = check(item);
          if (problem) this.add(itemPath, problem.message);
        }
        break;
      }
      case 'gt':
      case 'lt':
        if (!(typeof value === 'number' || (typeof value === 'string' && ISO_DATE.test(value)))) {
          this.add(at, `${op} compares numbers or ISO dates, got ${JSON.stringify(value)}`);
        }
        break;
      default:
        break;
    }
  }
}

export function ruleProblems(source: YamlSource): ConfigProblem[] {
  if (!isObject(source.data)) return [];
  return new RuleChecker(source, source.data).run();
}
