/**
 * The built-in rules folder given as an extra one (`--rules rules`, `test rules`, often copied from an
 * example): it is always loaded already, so loading it again would report every built-in rule as defined
 * twice. It is recognised by its real path (a relative path, a symlink or a trailing slash all count),
 * left out, and a note says why. No error: the command does what was meant.
 */
import { realpathSync } from 'node:fs';
import { escapeControl } from '../domain/text.js';
import { builtinRulesDir } from '../paths.js';
import type { CliIO } from './terminal.js';

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    // Missing or unreadable: loading reports it as it is.
    return undefined;
  }
}

/** `folders` without the built-in rules folder; a note on stderr for each time it was given. */
export function withoutBuiltinRules(folders: readonly string[], source: string, io: CliIO): string[] {
  const builtin = realPath(builtinRulesDir());
  const kept: string[] = [];
  for (const folder of folders) {
    if (builtin !== undefined && realPath(folder) === builtin) {
      io.stderr.write(
        `note: ${source}: "${escapeControl(folder)}" is the built-in rules folder, which is always loaded; not loading it twice (give only folders of your own rules)\n`,
      );
    } else {
      kept.push(folder);
    }
  }
  return kept;
}
