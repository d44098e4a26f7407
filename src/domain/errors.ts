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
