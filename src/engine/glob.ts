/**
 * Globs for bucket names, tag values, ARNs and key spellings.
 *
 * Syntax (deliberately small, so a policy reads the same to everyone):
 *   *        any run of characters, including none (also across "/" and ":", so ARN globs work)
 *   ?        exactly one character
 *   [abc]    one of the listed characters;  [a-z] a range;  [!abc] any character but these
 * Everything else is literal. Matching is case-sensitive (S3 bucket names are lower case, ARNs
 * and tag values are case-sensitive). A malformed glob (unbalanced brackets, an empty or reversed
 * class) is rejected at load time by validateGlob, never guessed at.
 */

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

function escapeForRegex(ch: string): string {
  return ch.replace(REGEX_SPECIAL, '\\$&');
}

interface ClassToken {
  negated: boolean;
  /** Regex source of the class body, already escaped. */
  body: string;
  /** Index just after the closing "]". */
  end: number;
}

/** Parse a "[...]" class starting at `start` (the "["). Returns an error text when malformed. */
function parseClass(glob: string, start: number): ClassToken | string {
  let i = start + 1;
  const negated = glob[i] === '!';
  if (negated) i++;
  let body = '';
  let members = 0;
  while (i < glob.length && glob[i] !== ']') {
    const ch = glob[i]!;
    if (ch === '[') return `unexpected "[" inside the character class opened at position ${start + 1}`;
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      const to = glob[i + 2]!;
      if (to < ch) return `reversed range "${ch}-${to}" in character class at position ${start + 1}`;
      body += `${escapeForRegex(ch)}-${escapeForRegex(to)}`;
      i += 3;
    } else {
      body += escapeForRegex(ch);
      i++;
    }
    members++;
  }
  if (i >= glob.length) return `unbalanced "[" at position ${start + 1}: the character class is never closed with "]"`;
  if (members === 0) return `empty character class "${glob.slice(start, i + 1)}" at position ${start + 1}`;
  return { negated, body, end: i + 1 };
}

/** Error text for a malformed glob, or null when it is valid. */
export function validateGlob(glob: string): string | null {
  if (glob.length === 0) return 'empty glob';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '[') {
      const cls = parseClass(glob, i);
      if (typeof cls === 'string') return cls;
      i = cls.end - 1;
    } else if (ch === ']') {
      return `unbalanced "]" at position ${i + 1}: no "[" opens it`;
    }
  }
  return null;
}

const cache = new Map<string, RegExp>();

/** Compile a glob to an anchored RegExp. Throws on a malformed glob (call validateGlob first for user input). */
export function compileGlob(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  const problem = validateGlob(glob);
  if (problem) throw new Error(`invalid glob "${glob}": ${problem}`);
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      // Collapse "**" runs: they mean the same and would only slow the regex down.
      while (glob[i + 1] === '*') i++;
      src += '[\\s\\S]*';
    } else if (ch === '?') {
      src += '[\\s\\S]';
    } else if (ch === '[') {
      const cls = parseClass(glob, i) as ClassToken;
      src += `[${cls.negated ? '^' : ''}${cls.body}]`;
      i = cls.end - 1;
    } else {
      src += escapeForRegex(ch);
    }
  }
  const re = new RegExp(`^${src}$`);
  cache.set(glob, re);
  return re;
}

export function globMatches(glob: string, text: string): boolean {
  return compileGlob(glob).test(text);
}
