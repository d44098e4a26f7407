import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';

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

/** The package version, for reports, plans, journals and `--version`. */
export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export const builtinRulesDir = (): string => resolve(packageRoot(), 'rules');
export const demoEstatePath = (): string => resolve(packageRoot(), 'src/sandbox/estates/demo.yaml');

/**
 * Where a file is written before it is renamed into place, so a reader never sees half a file: a hidden
 * sibling named after the file, the process and a random part (two writers of one process never share
 * it). The `.tmp` ending and the leading dot let a later run recognise a leftover as its own.
 */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
}

/**
 * A file's path as reports show it: relative to `cwd` (forward slashes) when the file is inside it, so
 * SARIF, JUnit and Markdown name it the way code scanning and CI views expect (repository-relative),
 * and no report carries the absolute paths of the machine that ran the scan; absolute otherwise.
 */
export function pathForReports(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return resolve(cwd, path);
  return rel.split(sep).join('/');
}

/**
 * `mkdir -p` that always ends: Node's `mkdir(…, { recursive: true })` can loop for ever on a path it
 * cannot create (under /proc it keeps getting ENOENT and retrying), so the missing folders are created
 * one level at a time from the nearest existing ancestor, and the first refusal is thrown as it came.
 */
export async function createDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = dirname(dir);
      if (parent === dir) throw err;
      missing.push(dir);
      dir = parent;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (err) {
      // Made meanwhile by another writer (two scans sharing --out): fine.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
