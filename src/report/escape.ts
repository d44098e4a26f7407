/**
 * Escaping shared by the report formats. Every string in a report may have come from AWS (bucket
 * names, tag values, key aliases, error messages) or from a saved report file someone edited, so
 * each format escapes every string for its own syntax; nothing is trusted because of where it sits.
 *
 * Display formats (html, md, junit, sarif text) also make invisible characters visible: C0 and C1
 * controls, DEL, the Unicode bidi controls that reorder what a reader sees (CVE-2021-42574, "Trojan
 * Source"), lone surrogates and the noncharacters U+FFFE/U+FFFF. They become `\x1b` / `\u202e` text.
 * That also removes every character XML 1.0 forbids (its Char production allows only tab, LF, CR,
 * U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF: https://www.w3.org/TR/xml/#charsets).
 * Data formats (json, csv) keep values exactly, so they round-trip.
 */

import { revealControls } from '../domain/text.js';

export { revealControls };

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\r': '&#13;' };

/**
 * Text content and (double-quoted) attribute values alike: with `<`, `>`, `&` and both quotes
 * escaped, a value can neither open a tag nor leave its attribute. CR is a reference, because the
 * HTML parser would turn a literal one into LF and the filters compare exact values.
 */
export function html(text: string): string {
  return revealControls(text).replace(/[&<>"'\r]/g, (ch) => HTML_ENTITIES[ch]!);
}

// ---------------------------------------------------------------------------------------------
// XML 1.0

const XML_TEXT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const XML_ATTR: Record<string, string> = {
  ...XML_TEXT,
  '"': '&quot;',
  "'": '&apos;',
  // Attribute-value normalisation turns literal tab/LF/CR into spaces; character references survive it.
  '\t': '&#9;',
  '\n': '&#10;',
};

/**
 * Character data. `>` is always escaped, so `]]>` (forbidden in character data) can never appear;
 * CR is a reference because parsers turn a literal CR into LF.
 */
export function xmlText(text: string): string {
  return revealControls(text).replace(/[&<>\r]/g, (ch) => XML_TEXT[ch]!);
}

/** A double- or single-quoted attribute value. */
export function xmlAttr(text: string): string {
  return revealControls(text).replace(/[&<>"'\t\n\r]/g, (ch) => XML_ATTR[ch]!);
}

// ---------------------------------------------------------------------------------------------
// Markdown (GitHub Flavored Markdown: pull request comments, $GITHUB_STEP_SUMMARY)

/**
 * ASCII punctuation that can start markup inline: emphasis (`*`, `_`), code spans, links and images
 * (`[`, `!`), GFM table cells (`|`) and strikethrough (`~`), and what GitHub turns into links on its
 * own: `:` before `/` or after mailto/xmpp (scheme autolinks such as http://), `@` (mentions,
 * e-mail autolinks), `#` (issue references). CommonMark lets any ASCII punctuation be backslash-escaped
 * (https://spec.commonmark.org/0.31.2/#backslash-escapes); `<`, `>` and `&` become entities so no
 * raw HTML survives. Parentheses, braces and `+` mean nothing mid-line and stay readable.
 */
const MD_SPECIAL = /[\\`*_[\]#!|~@]|:(?=\/)|(?<=mailto|xmpp):/gi;
const MD_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function mdLine(text: string): string {
  return revealControls(text)
    .replace(/[&<>]/g, (ch) => MD_ENTITIES[ch]!)
    .replace(MD_SPECIAL, (ch) => `\\${ch}`)
    // GFM's extended www. autolink needs a literal "www."; an escaped dot breaks it.
    .replace(/(www)\./gi, '$1\\.');
}

/**
 * Inline text for a paragraph or a table cell: one line whatever the input (line breaks become
 * `<br>`, the one piece of HTML we emit ourselves), with no markup, link, mention or HTML inside.
 */
export function mdText(text: string): string {
  return text.split(/\r\n|\r|\n/).map(mdLine).join('<br>');
}

/** An inline code span that holds any text: the fence is longer than any backtick run inside. */
export function mdCode(text: string): string {
  const flat = revealControls(text).replace(/\r\n|\r|\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block that holds any text (fix instructions): the fence outruns any inside. */
export function mdFence(text: string): string {
  const shown = revealControls(text);
  const longest = Math.max(2, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${shown}\n${fence}`;
}
