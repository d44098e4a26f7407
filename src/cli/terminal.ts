/**
 * What the terminal can take: colour and symbols. Decided once from the stream and environment,
 * then passed to the pure renderers as plain booleans.
 */

interface StreamLike {
  isTTY?: boolean;
}

/**
 * NO_COLOR (any non-empty value, https://no-color.org) always wins; then FORCE_COLOR (any value
 * but "0" / "false") turns colour on even when piped; otherwise colour only on a TTY.
 */
export function useColor(stream: StreamLike, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

/** ✓/✗ on a terminal; PASS/FAIL when piped, so logs and greps stay plain ASCII. */
export function passMark(stream: StreamLike, passed: boolean): string {
  if (stream.isTTY === true) return passed ? '✓' : '✗';
  return passed ? 'PASS' : 'FAIL';
}

/** Where a command writes and what environment it sees; process.* in main.ts, fakes in tests. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}
