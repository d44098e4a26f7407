/**
 * Build step (npm run build, after tsc): parses every built-in rule file once and writes the result
 * beside rules-cache.js (see there). A rule that does not parse, or whose parsed form does not survive
 * JSON unchanged, gets no entry and is parsed at run time as before.
 */
import { isDeepStrictEqual } from 'node:util';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinRulesDir } from '../paths.js';
import { parseRuleText } from './rules.js';
import { RULES_CACHE_FORMAT, ruleCacheKey, rulesCachePath, type RulesCacheFile } from './rules-cache.js';

export function buildRulesCache(dir = builtinRulesDir()): RulesCacheFile {
  const out: RulesCacheFile = { format: RULES_CACHE_FORMAT, entries: {} };
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') && !n.endsWith('.test.yaml'))
    .sort();
  for (const name of files) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    let rule;
    try {
      rule = parseRuleText(text, file);
    } catch {
      continue;
    }
    const { source: _source, ...parsed } = rule;
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(parsed)), parsed)) continue;
    out.entries[ruleCacheKey(file, text)] = parsed;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(rulesCachePath(), JSON.stringify(buildRulesCache()) + '\n');
}
