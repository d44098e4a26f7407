/**
 * `npm run docs:rules`: writes docs/rules.md from the built-in rule files.
 *
 * A developer tool, so it lives with the test tooling rather than in src/ (which is what the package
 * ships): it is compiled by the same tsc run as everything else, needs no TypeScript loader, and the
 * rendering itself is the pure src/report/rules-reference.ts, which the staleness test also uses.
 */
import { writeFileSync } from 'node:fs';
import { loadRules } from '../../src/config/rules.js';
import { renderRulesReference } from '../../src/report/rules-reference.js';
import { builtinRulesDir } from '../../src/paths.js';
import { rulesReferencePath } from './rules-reference-path.js';

const path = rulesReferencePath();
writeFileSync(path, renderRulesReference(loadRules([builtinRulesDir()])));
console.log(`wrote ${path}`);
