/**
 * A deliberately narrow XML reader for the lean read paths: it accepts only documents whose meaning under
 * the SDK's own parser (@aws-sdk/xml-builder parseXML, then @aws-sdk/core's XmlShapeDeserializer) is
 * plain, and says undefined for everything else, so that the caller lets the SDK read the answer instead
 * of guessing. S3's answers are compact documents that always fit.
 *
 * Accepted: an optional `<?xml …?>` declaration; one root element whose only attribute may be xmlns;
 * nested elements without attributes; text without markup. Refused (undefined): comments, CDATA,
 * processing instructions or DOCTYPE inside or around the root, attributes below the root, text mixed
 * with child elements (the SDK turns such an element into that text), whitespace between child elements
 * unless it holds a line break (the SDK drops only those), an `&` that is not one of the five named
 * entities or a numeric character reference up to U+FFFF (the SDK decodes those and mangles the rest),
 * a name the SDK would split differently (space before `>` or in a closing tag), and anything unclosed.
 *
 * As in the SDK: CR LF and lone CR become LF before parsing; an element's text is kept exactly (not
 * trimmed), except that text of only whitespace containing a line break is "".
 */

export interface XmlElement {
  name: string;
  /** Child elements in document order; empty for a text-only element. */
  children: XmlElement[];
  /** The decoded text of an element without children ('' for an empty one, or one that has children). */
  text: string;
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const DECLARATION = /<\?xml[^?<>]*\?>/y;
const ROOT_XMLNS = /\s+xmlns="[^"<&]*"/y;
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z][a-zA-Z0-9]{0,30}));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text as the SDK decodes it; undefined when it holds an `&` the SDK would decode in a way this reader does not repeat. */
function decodeText(raw: string): string | undefined {
  if (!raw.includes('&')) return raw;
  let refused = false;
  const decoded = raw.replace(ENTITY, (_m, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (named !== undefined) {
      const v = NAMED[named];
      if (v === undefined) refused = true;
      return v ?? '';
    }
    const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    // The SDK uses String.fromCharCode, which cuts code points above U+FFFF to 16 bits.
    if (code > 0xffff) refused = true;
    return String.fromCharCode(code);
  });
  if (refused || raw.replace(ENTITY, '').includes('&')) return undefined;
  return decoded;
}

/** Text the SDK's parser drops: only whitespace (as String.prototype.trim sees it) and at least one line break. */
const dropped = (text: string): boolean => text.includes('\n') && text.trim() === '';

/** The document's root element, or undefined when the document is outside what this reader accepts. */
export function parseStrictXml(document: string): XmlElement | undefined {
  const x = document.includes('\r') ? document.replace(/\r\n?/g, '\n') : document;
  let i = 0;
  const skipBlank = (): void => {
    while (i < x.length && (x[i] === ' ' || x[i] === '\t' || x[i] === '\n')) i++;
  };
  const readName = (): string | undefined => {
    NAME.lastIndex = i;
    const m = NAME.exec(x);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };

  /** Parses the element whose `<` is at i; root: may carry xmlns. */
  const element = (root: boolean): XmlElement | undefined => {
    i++; // '<'
    const name = readName();
    if (name === undefined) return undefined;
    if (root) {
      ROOT_XMLNS.lastIndex = i;
      const attr = ROOT_XMLNS.exec(x);
      if (attr) i += attr[0].length;
    }
    if (x.startsWith('/>', i)) {
      i += 2;
      return { name, children: [], text: '' };
    }
    if (x[i] !== '>') return undefined;
    i++;
    // Most elements hold only text up to their own closing tag: read them without the run and text
    // lists (a listing page has five or six per object). Anything else takes the general path below.
    const lt = x.indexOf('<', i);
    if (lt >= 0 && x.charCodeAt(lt + 1) === 47 /* / */ && x.startsWith(name, lt + 2) && x.charCodeAt(lt + 2 + name.length) === 62 /* > */) {
      const text = decodeText(x.slice(i, lt));
      if (text === undefined) return undefined;
      i = lt + 3 + name.length;
      return { name, children: [], text: dropped(text) ? '' : text };
    }
    const children: XmlElement[] = [];
    const runs: string[] = [];
    for (;;) {
      const lt = x.indexOf('<', i);
      if (lt < 0) return undefined;
      runs.push(x.slice(i, lt));
      i = lt;
      if (x.startsWith('</', i)) {
        i += 2;
        if (readName() !== name || x[i] !== '>') return undefined;
        i++;
        break;
      }
      if (x[i + 1] === '!' || x[i + 1] === '?') return undefined;
      const child = element(false);
      if (!child) return undefined;
      children.push(child);
    }
    // Each run of text is decoded first: the SDK judges decoded text (an &#10; is a line break to it).
    const texts: string[] = [];
    for (const run of runs) {
      const text = decodeText(run);
      if (text === undefined) return undefined;
      texts.push(text);
    }
    if (children.length === 0) {
      const text = texts[0]!;
      return { name, children, text: dropped(text) ? '' : text };
    }
    // Between, before and after child elements only nothing, or text the SDK drops; other text would replace the element.
    for (const text of texts) if (text !== '' && !dropped(text)) return undefined;
    return { name, children, text: '' };
  };

  skipBlank();
  DECLARATION.lastIndex = i;
  const declaration = DECLARATION.exec(x);
  if (declaration) i += declaration[0].length;
  skipBlank();
  if (x[i] !== '<' || x[i + 1] === '!' || x[i + 1] === '?' || x[i + 1] === '/') return undefined;
  const root = element(true);
  if (!root) return undefined;
  skipBlank();
  return i === x.length ? root : undefined;
}
