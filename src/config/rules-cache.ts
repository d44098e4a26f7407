/**
 * The built-in rules, parsed and checked at build time (build-rules-cache.ts), so a command does not
 * parse their YAML again on every start (it was about 40% of `validate`). An entry is keyed by the rule
 * file's name and the SHA-256 of its text: a rule file changed after the build, or a different file,
 * has no entry and is parsed as before. So a stale entry can never be used. The cache is a build
 * product beside this module, made by the same build as the parser it stands in for.
 *
 * A hit still gets what depends on the run: its `source` (where the file is now) and the check of its
 * `remediation:` against the registered actions; a rule whose action would not fit is parsed again so
 * the problem is reported with its line, as without the cache.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionCatalogue } from '../domain/action.js';
import type { Rule } from '../domain/rule.js';

export const RULES_CACHE_FORMAT = 's3-kms-audit/rules-cache/1';
export const rulesCachePath = (): string => fileURLToPath(new URL('./rules-cache.json', import.meta.url));

export interface RulesCacheFile {
  format: typeof RULES_CACHE_FORMAT;
  /** ruleCacheKey → the rule as parsed, without `source`. */
  entries: Record<string, Omit<Rule, 'source'>>;
}

export const ruleCacheKey = (file: string, text: string): string => `${basename(file)}\n${createHash('sha256').update(text).digest('hex')}`;

let entries: Map<string, Omit<Rule, 'source'>> | undefined;

function loadEntries(): Map<string, Omit<Rule, 'source'>> {
  if (entries) return entries;
  try {
    const file = JSON.parse(readFileSync(rulesCachePath(), 'utf8')) as RulesCacheFile;
    entries = file.format === RULES_CACHE_FORMAT ? new Map(Object.entries(file.entries)) : new Map();
  } catch {
    entries = new Map(); // no cache (a build without the step, a source checkout): parse as before
  }
  return entries;
}

/** The rule in `file` from the cache, or undefined (not cached, unreadable, or its remediation does not fit `actions`). */
export function cachedRule(file: string, actions: ActionCatalogue | undefined): Rule | undefined {
  const cache = loadEntries();
  if (cache.size === 0) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const hit = cache.get(ruleCacheKey(file, text));
  if (!hit) return undefined;
  if (actions && hit.remediation !== undefined) {
    const action = actions.get(hit.remediation);
    if (!action || action.resource !== hit.resource || !action.fixes.includes(hit.id)) return undefined;
  }
  return { ...structuredClone(hit), source: file };
}
