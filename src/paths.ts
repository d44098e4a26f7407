import { fileURLToPath } from 'node:url';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';

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
 * The global Web Crypto object, not an import of node:crypto: that import costs about 8 ms of every
 * start (`--version` included), and only writers need it.
 */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
}

/** `.<name>.<pid>.<8 hex>.tmp`: the names temporarySibling() gives, with the writer's pid. */
const TEMPORARY_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** The pid of the process that made this temporary file, or undefined when the name is not one of ours. */
export function temporaryOwner(name: string): number | undefined {
  const match = TEMPORARY_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Whether a process with this pid is running (one of another user counts: signal 0 answers EPERM). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes, in `dir` only (not below it), the temporary files a writer of this tool left behind when it
 * was killed before it could rename or remove them: `own` — this process's (an interrupted run sweeping
 * up after itself), or `stale` — those of processes no longer running (a later run cleaning up after a
 * SIGKILL or a power cut). A file of a running process is another scan's work in progress and stays.
 * A folder that does not exist has nothing to remove. Returns the paths removed.
 */
export async function removeTemporaries(dir: string, which: 'own' | 'stale'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = temporaryOwner(name);
    if (pid === undefined) continue;
    const remove = which === 'own' ? pid === process.pid : pid !== process.pid && !isRunning(pid);
    if (!remove) continue;
    const path = join(dir, name);
    // A folder so named, or a file another cleaner took first, is left alone.
    const gone = await rm(path, { force: true }).then(
      () => true,
      () => false,
    );
    if (gone) removed.push(path);
  }
  return removed;
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
