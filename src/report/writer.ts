/**
 * The one module that writes report files (docs/architecture.md "Side effects live at the edges").
 * Each rendering becomes `<outDir>/<name>.<extension>`; the folder is created when missing.
 * Files are written to a temporary name and renamed, so a reader (a CI step, a dashboard polling
 * the folder) never sees half a report.
 */
import { access, constants, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import { createDirectory, temporarySibling } from '../paths.js';

export interface Rendering {
  /** File extension without the dot, e.g. "json". */
  extension: string;
  content: string;
}

/** Report names become file names: keep them to one plain path segment. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkReportName(name: string): void {
  if (!SAFE_NAME.test(name) || name !== basename(name)) {
    throw new UsageError(`invalid report name "${name}": use letters, digits, '.', '_' and '-' (no path separators)`);
  }
}

/**
 * Creates the report folder and checks it is writable, so a bad --out fails in a second as a
 * usage error (exit 2) instead of after a long scan whose results could not be saved.
 */
export async function prepareOutDir(outDir: string): Promise<void> {
  try {
    await createDirectory(outDir);
    await access(outDir, constants.W_OK);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : String(err);
    throw new UsageError(`--out: cannot write reports to "${outDir}" (${reason})`);
  }
}

/** Writes every rendering and returns the paths written, in the order given. */
export async function writeReports(outDir: string, name: string, renderings: readonly Rendering[]): Promise<string[]> {
  checkReportName(name);
  await createDirectory(outDir);
  const paths: string[] = [];
  for (const { extension, content } of renderings) {
    const path = join(outDir, `${name}.${extension}`);
    const temporary = temporarySibling(path);
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, path);
    paths.push(path);
  }
  return paths;
}
