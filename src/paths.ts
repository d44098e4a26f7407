import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * The package root (the folder holding package.json), whether running from src via a loader
 * or from the compiled dist/src. Built-in rules and estates are read from here, not from dist.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const builtinRulesDir = (): string => resolve(packageRoot(), 'rules');
export const demoEstatePath = (): string => resolve(packageRoot(), 'src/sandbox/estates/demo.yaml');
