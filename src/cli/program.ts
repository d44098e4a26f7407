/**
 * The commander program, derived from the command table (commands.ts): subcommands, generated help,
 * "(Did you mean …?)" for mistyped commands and flags. Commander never prints an error or exits here:
 * its errors come back as UsageErrors (exit 2 through exit.ts), and after `--help` / `--version`
 * parsing reports that there is nothing left to run.
 *
 * Commander only splits the command line; the values are checked afterwards, in table order, by each
 * option's parser (an absent option falls back to its environment variable, then its default), so a
 * default and an environment value pass the same check as a typed one.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../domain/errors.js';
import { COMMANDS, MAIN_DESCRIPTION, MAIN_EXIT_CODES, type CommandName, type CommandSpec } from './commands.js';
import { optionDescription, optionSyntax, type ArgsOf, type OptionSpec } from './spec.js';
import type { CliIO } from './terminal.js';

const PROGRAM_NAME = 's3-kms-audit';

export interface Invocation {
  command: CommandName;
  /** Shaped by the command's entry in the table (its ArgsOf type). */
  args: Record<string, unknown>;
}

/** Which command the command line named, once commander has seen it: for the "--help" hint of an error. */
export interface ParseContext {
  command?: CommandName;
}

/**
 * Parses `argv` (without node and the script). Returns what to run, or undefined when help or the
 * version was printed. Throws UsageError for anything wrong with the command line.
 */
export function parseCommandLine(argv: readonly string[], io: CliIO, version: string, context: ParseContext = {}): Invocation | undefined {
  let invocation: Invocation | undefined;
  const program = buildProgram(io, version, (spec, cmd) => {
    invocation = { command: spec.name as CommandName, args: argsOf(spec, cmd, io.env) };
  });
  program.hook('preSubcommand', (_program, sub) => {
    context.command = sub.name() as CommandName;
  });
  try {
    // Synchronous: the actions only record what to run; the handler runs after parsing.
    program.parse(normalized(argv), { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.exitCode === 0) return undefined;
    throw new UsageError(usageMessage(err, context.command));
  }
  return invocation;
}

type ArgsOfCommand<N extends CommandName> = ArgsOf<Extract<(typeof COMMANDS)[number], { name: N }>>;

/**
 * One command's arguments, as its handler receives them; for tests and tools. Throws UsageError as
 * runCli would report it; `--help` (printed nowhere) is a UsageError here.
 */
export function parseArgsOf<N extends CommandName>(command: N, argv: readonly string[], env: NodeJS.ProcessEnv = {}): ArgsOfCommand<N> {
  const silent: CliIO = { stdout: { write: () => true }, stderr: { write: () => true }, env };
  const invocation = parseCommandLine([command, ...argv], silent, '');
  if (invocation === undefined) throw new UsageError(`${command}: nothing to parse: help was asked for`);
  return invocation.args as ArgsOfCommand<N>;
}

/**
 * The help text of one command (or of the program), exactly as `--help` prints it: wrapped to
 * `width` columns when given, else as commander decides (the terminal's width, 80 without one).
 */
export function helpText(command?: CommandName, width?: number): string {
  let out = '';
  const io: CliIO = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, env: {} };
  const program = buildProgram(io, '', () => undefined, width);
  const target = command === undefined ? program : program.commands.find((c) => c.name() === command)!;
  target.outputHelp();
  return out;
}

function buildProgram(io: CliIO, version: string, onAction: (spec: CommandSpec, cmd: Command) => void, helpWidth?: number): Command {
  // Help shows options as the docs do ("--policies FILE"), not in commander's "<value>" notation.
  const syntax = new Map<Option, string>();
  const program = new Command(PROGRAM_NAME)
    .description(MAIN_DESCRIPTION)
    .version(`${PROGRAM_NAME} ${version}`, '-V, --version', 'print the version')
    .helpOption('-h, --help', `show help (also: ${PROGRAM_NAME} <command> --help)`)
    .helpCommand('help [command]', 'show the help of a command')
    // Flags before the command are the program's own (--help, --version); after it, the command's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined,
      ...(helpWidth === undefined ? {} : { getOutHelpWidth: () => helpWidth }),
    })
    .configureHelp({
      optionTerm: (option) => syntax.get(option) ?? option.flags,
      subcommandTerm: (cmd) => `${cmd.name()} ${cmd.usage()}`,
    })
    .addHelpText('after', `\nExit codes: ${paragraphs(MAIN_EXIT_CODES)}\n`);

  for (const spec of COMMANDS as readonly CommandSpec[]) {
    // program.command() copies the exit override, output and help settings above into the subcommand.
    const cmd = program
      .command(spec.name)
      .summary(spec.summary)
      .description(paragraphs(spec.description))
      .usage(usageOf(spec))
      .helpOption('-h, --help', 'show this help')
      // Extra operands are reported by argsOf, in the command's own words.
      .allowExcessArguments(true)
      .addHelpText('after', `\nExit codes: ${paragraphs(spec.exitCodes)}\n`);
    for (const p of Object.values(spec.positionals)) cmd.argument(`[${p.name}${p.shape === 'many' ? '...' : ''}]`, p.help);
    for (const optionSpec of Object.values(spec.options)) {
      const option = commanderOption(optionSpec);
      syntax.set(option, optionSyntax(optionSpec));
      cmd.addOption(option);
    }
    cmd.action(() => onAction(spec, cmd));
  }
  return program;
}

/**
 * No command at all shows the main help, as --help would (commander would print it on stderr and
 * fail); `help NAME` is `NAME --help`, so a mistyped NAME gets the same suggestion as a mistyped command.
 */
function normalized(argv: readonly string[]): string[] {
  if (argv.length === 0) return ['--help'];
  if (argv[0] === 'help' && argv.length === 2) {
    const topic = argv[1]!;
    // Left alone, commander would read `scna --help` as the program's own --help and succeed.
    return COMMANDS.some((c) => c.name === topic) ? [topic, '--help'] : [topic];
  }
  return [...argv];
}

/** The table wraps long texts by hand for its readers; help wraps them to the terminal, so join the lines of each paragraph. */
const paragraphs = (text: string): string => text.replace(/(?<!\n)\n(?!\n)/g, ' ');

function commanderOption(spec: OptionSpec): Option {
  const flags = `${spec.short ? `${spec.short}, ` : ''}${spec.flag}${spec.kind === 'switch' ? '' : ' <value>'}`;
  const option = new Option(flags, optionDescription(spec));
  // Repeats are collected as typed and checked with the rest after parsing.
  if (spec.kind === 'list') option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return option;
}

function usageOf(spec: CommandSpec): string {
  const positionals = Object.values(spec.positionals).map((p) => (p.shape === 'many' ? `[${p.name}]...` : p.shape === 'one' ? p.name : `[${p.name}]`));
  return [...positionals, '[options]'].join(' ');
}

/** The command's arguments: each option and positional checked by its parser, absent optional ones left out. */
function argsOf(spec: CommandSpec, cmd: Command, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const given = new Set<string>();
  const typed = cmd.opts();
  for (const [key, option] of Object.entries(spec.options)) {
    const name = new Option(option.flag).attributeName();
    if (cmd.getOptionValueSource(name) === 'cli') given.add(key);
    const raw = typed[name] as unknown;
    if (option.kind === 'switch') {
      args[key] = raw === true;
    } else if (option.kind === 'list') {
      args[key] = ((raw as string[] | undefined) ?? []).map((v) => option.parse(v, option.flag));
    } else if (raw !== undefined) {
      args[key] = option.parse(raw as string, option.flag);
    } else if (option.env && env[option.env]) {
      args[key] = option.parse(env[option.env]!, option.env);
    } else if (option.default !== undefined) {
      args[key] = option.parse(option.default, option.flag);
    }
  }
  const operands = [...cmd.args];
  for (const [key, p] of Object.entries(spec.positionals)) {
    if (p.shape === 'many') {
      args[key] = operands.splice(0).map((v) => p.parse(v, spec.name));
      continue;
    }
    const value = operands.shift();
    if (value !== undefined) args[key] = p.parse(value, spec.name);
    else if (p.shape === 'one') throw new UsageError(p.missing ?? `${spec.name}: give ${p.name}`);
  }
  if (operands[0] !== undefined) throw new UsageError(`${spec.name}: unexpected argument "${operands[0]}"`);
  spec.check?.(args as never, given);
  return args;
}

/** Commander's message without its "error: " (exit.ts adds it), on one line, naming the command. */
function usageMessage(err: CommanderError, command: string | undefined): string {
  let message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  // Names a user typed are quoted "like this" in every other message of the CLI.
  if (err.code === 'commander.unknownCommand') message = message.replace(/^unknown command '(.*?)'/, 'unknown command "$1"');
  return command ? `${command}: ${message}` : message;
}
