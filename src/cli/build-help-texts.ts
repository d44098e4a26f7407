/**
 * Build step (npm run build, after tsc): renders the main help and every command's help with
 * commander, at the width commander uses without a terminal, and writes them beside
 * prebuilt-help.js (see there), which main.ts prints without loading commander.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { COMMANDS } from './commands.js';
import { HELP_WIDTH_WITHOUT_TERMINAL, PREBUILT_HELP_FORMAT, prebuiltHelpUrl, type PrebuiltHelpFile } from './prebuilt-help.js';
import { helpText } from './program.js';

export function buildHelpTexts(width = HELP_WIDTH_WITHOUT_TERMINAL): PrebuiltHelpFile {
  const commands: Record<string, string> = {};
  for (const spec of COMMANDS) commands[spec.name] = helpText(spec.name, width);
  return { format: PREBUILT_HELP_FORMAT, width, main: helpText(undefined, width), commands };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(prebuiltHelpUrl(), JSON.stringify(buildHelpTexts()) + '\n');
}
