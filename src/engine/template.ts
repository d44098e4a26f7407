/**
 * "{{name}}" references, in condition values and in message templates.
 *
 * - A value that is exactly one reference ("{{keys}}") resolves to the referenced value with its
 *   type kept (an array stays an array).
 * - Inside a longer string the reference is interpolated as text.
 * - "{{name|fallback}}" gives the text to use when the value is missing (messages only need it;
 *   conditions accept it too).
 */
import type { Value } from '../domain/rule.js';
import { resolveReference, type EvalDocument } from './document.js';

const PLACEHOLDER = /\{\{\s*([^{}|]+?)\s*(?:\|([^{}]*))?\}\}/g;
const WHOLE_REFERENCE = /^\{\{\s*([^{}|]+?)\s*(?:\|([^{}]*))?\}\}$/;

export interface Reference {
  name: string;
  fallback?: string;
}

export const MISSING_TEXT = '(none)';

/** The single reference a string consists of, or null when it is anything else. */
export function wholeReference(text: string): Reference | null {
  const m = WHOLE_REFERENCE.exec(text);
  if (!m) return null;
  return m[2] === undefined ? { name: m[1]! } : { name: m[1]!, fallback: m[2] };
}

/** Every reference in a string, in order. */
export function referencesIn(text: string): Reference[] {
  const out: Reference[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    out.push(m[2] === undefined ? { name: m[1]! } : { name: m[1]!, fallback: m[2] });
  }
  return out;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** How a fact looks inside a sentence. */
export function formatForText(value: unknown, missing: string = MISSING_TEXT): string {
  if (isMissing(value)) return missing;
  if (Array.isArray(value)) return value.map((v) => formatForText(v, missing)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Fill every {{…}} in a template; missing values become "(none)" or the reference's fallback. */
export function renderTemplate(template: string, doc: EvalDocument): string {
  return template.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) =>
    formatForText(resolveReference(doc, name), fallback ?? MISSING_TEXT),
  );
}

/** Resolve a condition value: whole references keep their type, arrays resolve element-wise. */
export function resolveValue(value: Value | undefined, doc: EvalDocument): unknown {
  if (typeof value === 'string') {
    const whole = wholeReference(value);
    if (whole) {
      const resolved = resolveReference(doc, whole.name);
      return resolved === undefined && whole.fallback !== undefined ? whole.fallback : resolved;
    }
    if (value.includes('{{')) {
      return value.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) =>
        formatForText(resolveReference(doc, name), fallback ?? ''),
      );
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, doc));
  return value;
}
