/** How many built-in rules ship (rules/<id>.yaml, fixtures excluded), counted from the folder so tests need no edit per new rule. */
import { readdirSync } from 'node:fs';
import { builtinRulesDir } from '../../src/paths.js';

export const BUILTIN_RULE_COUNT = readdirSync(builtinRulesDir()).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).length;
