/**
 * The option tables of docs/cli.md, rendered from the command table: `npm run docs:cli` writes them
 * between each command's marker comments, and test/docs/cli-reference.test.ts fails when the committed
 * page differs, so the reference cannot drift from what `--help` prints. Pure: no file access here.
 */
import { COMMANDS, type CommandSpec } from './commands.js';
import { DEFAULT_SEPARATOR, defaultParts, optionSyntax, type OptionSpec } from './spec.js';

export const openMarker = (command: string): string => `<!-- options:${command} -->`;
export const closeMarker = (command: string): string => `<!-- /options:${command} -->`;

/** Table cells are markdown: keep user-facing placeholders such as <out> visible and pipes inside the cell. */
const cell = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text.replace(/\|/g, '\\|')}\``;

function defaultCell(spec: OptionSpec): string {
  if (spec.kind === 'switch') return 'off';
  const parts = defaultParts(spec);
  return parts.length === 0 ? '—' : parts.map((p) => (p.literal ? code(p.text) : cell(p.text))).join(DEFAULT_SEPARATOR);
}

/** One command's options as a markdown table: option, default, meaning. */
export function renderOptionTable(spec: CommandSpec): string {
  const rows = Object.values(spec.options).map((o) => {
    const option = `${code(optionSyntax(o))}${o.kind === 'list' ? ' (repeatable)' : ''}`;
    return `| ${option} | ${defaultCell(o)} | ${cell(o.help)} |`;
  });
  if (rows.length === 0) return 'No options besides `-h, --help`.';
  return ['| option | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/**
 * `markdown` with the text between every command's markers replaced by its generated table. Throws when
 * a command's markers are missing, so a new command cannot go undocumented.
 */
export function withOptionTables(markdown: string, commands: readonly CommandSpec[] = COMMANDS): string {
  let out = markdown;
  for (const spec of commands) {
    const open = openMarker(spec.name);
    const close = closeMarker(spec.name);
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`docs/cli.md has no ${open} … ${close} pair`);
    out = `${out.slice(0, start + open.length)}\n${renderOptionTable(spec)}\n${out.slice(end)}`;
  }
  return out;
}
