/**
 * `npm run docs:cli`: rewrites the option tables of docs/cli.md from the command table
 * (src/cli/commands.ts), leaving the prose around the marker comments as it is.
 *
 * A developer tool, so it lives with the test tooling rather than in src/ (which is what the package ships).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withOptionTables } from '../../src/cli/reference.js';
import { cliReferencePath } from './cli-reference-path.js';

const path = cliReferencePath();
writeFileSync(path, withOptionTables(readFileSync(path, 'utf8')));
console.log(`wrote ${path}`);
