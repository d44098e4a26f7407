import { resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** Where the generated rules reference is committed. */
export const rulesReferencePath = (): string => resolve(packageRoot(), 'docs', 'rules.md');
