/**
 * The vocabulary of the command table (commands.ts): what an option or a positional argument is, the
 * builders that declare them, the argument types derived from a declaration, and the one wording of
 * an option's description that both `--help` and docs/cli.md show. Knows nothing about commander.
 */

/** Turns the typed text into a value or throws a UsageError; `source` names the flag or variable. */
export type ValueParser<T> = (text: string, source: string) => T;

interface OptionBase {
  /** Long flag, e.g. "--fail-on". */
  readonly flag: `--${string}`;
  /** Short flag, e.g. "-q". */
  readonly short?: `-${string}`;
  /** One line for --help and the docs; no trailing period. */
  readonly help: string;
}

/** An on/off option: false unless given. */
export interface SwitchSpec extends OptionBase {
  readonly kind: 'switch';
}

/** An option with a value, given at most once; the last one given wins. */
export interface ValueSpec<T, Defaulted extends boolean = boolean> extends OptionBase {
  readonly kind: 'value';
  /** Placeholder shown in help, e.g. "FILE". */
  readonly placeholder: string;
  readonly parse: ValueParser<T>;
  /** The default as a user would type it; parsed like a typed value. */
  readonly default?: string;
  /** A default that is not a value (a rule, another source): shown, never parsed. */
  readonly defaultNote?: string;
  /** Environment variable read, and parsed, when the flag is absent. */
  readonly env?: string;
  /** Phantom: whether the parsed value is always there. */
  readonly defaulted?: Defaulted;
}

/** An option with a value that may be given many times: a list, empty unless given. */
export interface ListSpec<T> extends OptionBase {
  readonly kind: 'list';
  readonly placeholder: string;
  readonly parse: ValueParser<T>;
}

export type OptionSpec = SwitchSpec | ValueSpec<unknown> | ListSpec<unknown>;
export type OptionsSpec = Readonly<Record<string, OptionSpec>>;

export interface PositionalSpec<T, Shape extends 'one' | 'optional' | 'many' = 'one' | 'optional' | 'many'> {
  /** As help shows it, e.g. "JOURNAL". */
  readonly name: string;
  readonly help: string;
  readonly shape: Shape;
  readonly parse: ValueParser<T>;
  /** The usage error when a required positional is missing. */
  readonly missing?: string;
}

export type PositionalsSpec = Readonly<Record<string, PositionalSpec<unknown>>>;

export const switchOption = (init: Omit<SwitchSpec, 'kind'>): SwitchSpec => ({ kind: 'switch', ...init });

type ValueInit<T> = Omit<ValueSpec<T>, 'kind' | 'defaulted'>;
export function valueOption<T>(init: ValueInit<T> & { default: string }): ValueSpec<T, true>;
export function valueOption<T>(init: ValueInit<T>): ValueSpec<T, false>;
export function valueOption<T>(init: ValueInit<T>): ValueSpec<T> {
  return { kind: 'value', ...init };
}

export const listOption = <T>(init: Omit<ListSpec<T>, 'kind'>): ListSpec<T> => ({ kind: 'list', ...init });

export const positional = <T, S extends 'one' | 'optional' | 'many'>(init: PositionalSpec<T, S>): PositionalSpec<T, S> => init;

// ---------------------------------------------------------------------------------------------
// Argument types derived from a declaration

type Parsed<S> = S extends SwitchSpec
  ? boolean
  : S extends ListSpec<infer T>
    ? T[]
    : S extends ValueSpec<infer T, boolean>
      ? T
      : S extends PositionalSpec<infer T, infer Shape>
        ? Shape extends 'many'
          ? T[]
          : T
        : never;

/** Values that may be absent: options without a default, optional positionals. */
type MayBeAbsent<S> = S extends ValueSpec<unknown, false> ? true : S extends PositionalSpec<unknown, 'optional'> ? true : false;

type Present<R> = { -readonly [K in keyof R as MayBeAbsent<R[K]> extends true ? never : K]: Parsed<R[K]> };
type Absent<R> = { -readonly [K in keyof R as MayBeAbsent<R[K]> extends true ? K : never]?: Parsed<R[K]> };

/** The parsed arguments of a command: one property per option and positional, absent ones left out. */
export type ArgsOf<C extends { options: OptionsSpec; positionals: PositionalsSpec }> = Present<C['options']> &
  Absent<C['options']> &
  Present<C['positionals']> &
  Absent<C['positionals']>;

// ---------------------------------------------------------------------------------------------
// Wording shared by --help and docs/cli.md

/** "--policies FILE", "-q, --quiet". */
export function optionSyntax(spec: OptionSpec): string {
  const flags = spec.short ? `${spec.short}, ${spec.flag}` : spec.flag;
  return spec.kind === 'switch' ? flags : `${flags} ${spec.placeholder}`;
}

export interface DefaultPart {
  text: string;
  /** Something a user could type (a value, a variable), as opposed to a description. */
  literal: boolean;
}

/** What is used when the option is absent, in the order tried; empty when there is nothing to say. */
export function defaultParts(spec: OptionSpec): DefaultPart[] {
  if (spec.kind !== 'value') return [];
  const parts: DefaultPart[] = [];
  if (spec.env) parts.push({ text: `$${spec.env}`, literal: true });
  if (spec.default !== undefined) parts.push({ text: spec.default, literal: true });
  else if (spec.defaultNote !== undefined) parts.push({ text: spec.defaultNote, literal: false });
  return parts;
}

export const DEFAULT_SEPARATOR = ', else ';

function defaultText(spec: OptionSpec): string | undefined {
  const parts = defaultParts(spec);
  return parts.length > 0 ? parts.map((p) => p.text).join(DEFAULT_SEPARATOR) : undefined;
}

/** The help line of an option: its meaning, whether it repeats, and its default. */
export function optionDescription(spec: OptionSpec): string {
  const repeat = spec.kind === 'list' ? ', repeatable' : '';
  const byDefault = defaultText(spec);
  return `${spec.help}${repeat}${byDefault ? ` (default: ${byDefault})` : ''}`;
}
