import { resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** docs/cli.md, whose option tables `npm run docs:cli` generates. */
export const cliReferencePath = (): string => resolve(packageRoot(), 'docs/cli.md');
