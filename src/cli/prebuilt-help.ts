/**
 * The help texts, rendered by commander at build time (build-help-texts.ts) and printed by main.ts
 * without loading commander and the command table: `--help` went from about 75 ms above Node's own
 * start to about the cost of `--version`. Kept tiny on purpose: it imports nothing of the CLI.
 *
 * Commander wraps help to the terminal's width when stdout is a terminal and to 80 columns otherwise
 * (a pipe, a file, a CI log), so the texts are those of 80 columns and are used only when commander
 * would use 80 too; a terminal of another width gets commander as before. Without the file (a build
 * without that step) commander prints the help as before. `npm run build` removes dist first and
 * writes the file after tsc, so it is never older than the command table it renders (a bare `tsc`
 * leaves it as it was: test/cli/prebuilt-help.test.ts, which compares every text with what commander
 * prints, would then fail).
 */
import { readFileSync } from 'node:fs';

export const PREBUILT_HELP_FORMAT = 's3-kms-audit/help-texts/1';
/** The width commander wraps to when stdout is not a terminal (commander's Help.prepareContext). */
export const HELP_WIDTH_WITHOUT_TERMINAL = 80;
export const prebuiltHelpUrl = (): URL => new URL('./help-texts.json', import.meta.url);

export interface PrebuiltHelpFile {
  format: typeof PREBUILT_HELP_FORMAT;
  width: number;
  /** `--help`, `-h`, `help` and no arguments at all. */
  main: string;
  /** Command name → `NAME --help`, `NAME -h` and `help NAME`. */
  commands: Record<string, string>;
}

const HELP_FLAGS = new Set(['--help', '-h']);

/** A plain request for help: the main help (no command) or one command's. */
export interface HelpRequest {
  command?: string;
}

/**
 * Which help `argv` asks for, in the exact forms above only; undefined for anything else (longer
 * command lines are left to commander, which also checks the other arguments).
 */
export function helpRequest(argv: readonly string[]): HelpRequest | undefined {
  const [first, second] = argv;
  if (argv.length === 0) return {};
  if (argv.length === 1) return HELP_FLAGS.has(first!) || first === 'help' ? {} : undefined;
  if (argv.length !== 2) return undefined;
  if (first === 'help') return { command: second };
  return HELP_FLAGS.has(second!) ? { command: first } : undefined;
}

/**
 * The text commander would print for `argv`, or undefined when commander has to answer: not a plain
 * help request, an unknown command name (commander suggests one), a width other than the texts', or
 * no usable file. `terminalColumns` is stdout's width when stdout is a terminal, else undefined.
 */
export function prebuiltHelp(argv: readonly string[], terminalColumns: number | undefined, url: URL = prebuiltHelpUrl()): string | undefined {
  const request = helpRequest(argv);
  if (request === undefined) return undefined;
  let file: PrebuiltHelpFile;
  try {
    file = JSON.parse(readFileSync(url, 'utf8')) as PrebuiltHelpFile;
  } catch {
    return undefined;
  }
  if (file.format !== PREBUILT_HELP_FORMAT || file.width !== (terminalColumns ?? HELP_WIDTH_WITHOUT_TERMINAL)) return undefined;
  if (request.command === undefined) return file.main;
  return Object.hasOwn(file.commands, request.command) ? file.commands[request.command] : undefined;
}
