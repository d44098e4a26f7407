/** Helpers shared by the golden-file tests. */

/** The first line that differs, so a failure says where without dumping two whole files. */
export function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i + 1}:\n  expected ${JSON.stringify(e[i])}\n  actual   ${JSON.stringify(a[i])}`;
  }
  return 'no line differs (line endings?)';
}
