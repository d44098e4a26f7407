/**
 * Typed errors mapped to exit codes in one place (src/cli/exit.ts).
 */

/** Where in a user file a problem is. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface ConfigProblem extends SourcePosition {
  message: string;
  /** "did you mean …" text, when there is a near match. */
  suggestion?: string;
}

/** Bad input: broken YAML, unknown rule, bad glob, invalid key id, bad flag. Exit code 2, no AWS call. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Wrong command line usage. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  const hint = p.suggestion ? ` (did you mean ${p.suggestion}?)` : '';
  return `${p.file}:${p.line}:${p.column}: ${p.message}${hint}`;
}

/**
 * A file named on the command line that could not be read, as a sentence: which argument, which file,
 * why in words (the error code stays in brackets for searching), and — when it is missing or not a
 * file — `whatToGive`: the file the argument expects and where it comes from.
 */
export function unreadableFileError(label: string, path: string, err: unknown, whatToGive: string): UsageError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const head = `${label}: cannot read "${path}" (${code ?? (err instanceof Error ? err.message : String(err))})`;
  switch (code) {
    case 'ENOENT':
      return new UsageError(`${head}: there is no such file. ${whatToGive}`);
    case 'EISDIR':
      return new UsageError(`${head}: it is a folder, not a file. ${whatToGive}`);
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`${head}: permission denied. Check the file's permissions.`);
    default:
      return new UsageError(`${head}.`);
  }
}
