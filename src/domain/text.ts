/**
 * Text helpers every layer shares: deterministic ordering, counted nouns, and making invisible
 * characters visible. Strings in reports and on the terminal may come from AWS (bucket names, tag
 * values, error messages) or from files a person edited, so nothing is printed raw.
 */

/** Code-unit order, not locale order: the same bytes on every machine. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** "1 bucket", "2 buckets". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One character as `\xNN` / `\uNNNN` text. */
export function visibleChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

// C0 and C1 controls (line breaks included), DEL, and the Unicode bidi controls that can reorder what a terminal shows.
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * For one terminal line: every control character visible (`\x1b`, `\u202e`) instead of letting the
 * terminal act on it, so a bucket tag cannot move the cursor or fake a "Gate: PASSED" line.
 */
export function escapeControl(text: string): string {
  return text.replace(TERMINAL_UNSAFE, visibleChar);
}

/**
 * For documents (HTML, Markdown, XML): C0 and C1 controls, DEL, the bidi controls ("Trojan Source",
 * CVE-2021-42574), lone surrogates and the noncharacters U+FFFE/U+FFFF become visible text; tab, LF and
 * CR are kept for each format to decide on. That also removes every character XML 1.0 forbids
 * (https://www.w3.org/TR/xml/#charsets).
 */
const DOCUMENT_HIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Invisible and reordering characters as `\xNN` / `\uNNNN` text; tab, LF and CR are kept. */
export function revealControls(text: string): string {
  return text.replace(DOCUMENT_HIDDEN, visibleChar);
}
