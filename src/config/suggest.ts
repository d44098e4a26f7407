/**
 * "Did you mean …" suggestions: the nearest candidate by Levenshtein distance, with a few
 * synonyms for the words people bring from other policy languages (equals → eq, and → all).
 */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Words from other policy languages (cfn-guard, Rego, Custodian, JSON Logic) → our operator or key. */
const SYNONYMS: Record<string, string> = {
  equals: 'eq',
  equal: 'eq',
  is: 'eq',
  '==': 'eq',
  value: 'eq',
  'not-equals': 'ne',
  'not-equal': 'ne',
  notequals: 'ne',
  neq: 'ne',
  '!=': 'ne',
  'one-of': 'in',
  oneof: 'in',
  notin: 'not-in',
  'not_in': 'not-in',
  nin: 'not-in',
  'none-of': 'not-in',
  present: 'exists',
  exist: 'exists',
  glob: 'matches',
  like: 'matches',
  wildcard: 'matches',
  match: 'matches',
  regexp: 'regex',
  pattern: 'regex',
  re: 'regex',
  'greater-than': 'gt',
  greaterthan: 'gt',
  '>': 'gt',
  'less-than': 'lt',
  lessthan: 'lt',
  '<': 'lt',
  includes: 'contains',
  include: 'contains',
  has: 'contains',
  and: 'all',
  allof: 'all',
  or: 'any',
  anyof: 'any',
  none: 'not',
  negate: 'not',
  filters: 'assert',
  condition: 'assert',
  check: 'assert',
};

function normalise(s: string): string {
  return s.toLowerCase().replace(/[_\s]/g, '-');
}

/** The nearest candidate, or undefined when nothing is close enough to be a plausible typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...new Set(candidates)];
  if (list.length === 0 || word.length === 0) return undefined;
  const w = normalise(word);
  const exactish = list.find((c) => normalise(c) === w);
  if (exactish) return exactish;
  const synonym = SYNONYMS[w] ?? SYNONYMS[w.replace(/-/g, '')];
  if (synonym && list.includes(synonym)) return synonym;
  // Score by edit distance, but treat "one is a prefix of the other" as a near miss
  // ("equals" → "eq", "s3-bucket-sse" → "s3-bucket-sse-kms"); ties go to the smaller distance.
  let best: string | undefined;
  let bestScore = Infinity;
  let bestDistance = Infinity;
  for (const c of list) {
    const n = normalise(c);
    const distance = levenshtein(w, n);
    const prefix = Math.min(n.length, w.length) >= 2 && (w.startsWith(n) || n.startsWith(w));
    const score = prefix ? Math.min(distance, 1) : distance;
    if (score < bestScore || (score === bestScore && distance < bestDistance)) {
      best = c;
      bestScore = score;
      bestDistance = distance;
    }
  }
  const threshold = Math.max(2, Math.floor(w.length * 0.4));
  return bestScore <= threshold ? best : undefined;
}
