/**
 * A tiny XML builder (for S3 responses) and a tolerant parser (for the few request bodies S3
 * takes: CreateBucketConfiguration, ServerSideEncryptionConfiguration, Tagging). No dependency:
 * S3's documents are small, flat and namespace-light, and a real XML library would be the
 * biggest thing in the sandbox.
 */

/** The namespace S3 puts on the root of every response document. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

// ---------------------------------------------------------------------------------------------
// Builder

/** Anything that may appear inside an element; null and undefined are skipped, so optional elements read naturally. */
export type XmlContent = XmlElement | string | number | boolean | Date | null | undefined | readonly XmlContent[];

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlContent[];
}

/** `<name>children…</name>`; an element with no content renders as `<name/>`. */
export const el = (name: string, ...children: XmlContent[]): XmlElement => ({ name, attributes: {}, children });

/** An element with attributes, e.g. the root with its `xmlns`. */
export const elAttrs = (name: string, attributes: Record<string, string>, ...children: XmlContent[]): XmlElement => ({ name, attributes, children });

/** The root element of an S3 response, in S3's namespace. */
export const s3Root = (name: string, ...children: XmlContent[]): XmlElement => elAttrs(name, { xmlns: S3_NAMESPACE }, ...children);

export function escapeXml(text: string): string {
  // \r is written as a character reference because XML parsers normalise a literal CR away.
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

function renderContent(content: XmlContent, out: string[]): void {
  if (content === null || content === undefined) return;
  if (Array.isArray(content)) {
    for (const c of content as readonly XmlContent[]) renderContent(c, out);
  } else if (content instanceof Date) {
    // S3 writes timestamps in documents as ISO 8601 with milliseconds, e.g. 2009-10-12T17:50:30.000Z.
    out.push(content.toISOString());
  } else if (typeof content === 'object') {
    renderElement(content as XmlElement, out);
  } else {
    out.push(escapeXml(String(content)));
  }
}

function renderElement(element: XmlElement, out: string[]): void {
  out.push('<', element.name);
  for (const [k, v] of Object.entries(element.attributes)) out.push(' ', k, '="', escapeXml(v), '"');
  const start = out.length;
  out.push('>');
  for (const c of element.children) renderContent(c, out);
  if (out.length === start + 1) out[start] = '/>';
  else out.push('</', element.name, '>');
}

/** The whole document, with the XML declaration S3 sends. */
export function renderXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  renderElement(root, out);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Parser

export interface XmlNode {
  /** Local name: any namespace prefix (`s3:Tag`) is dropped. */
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  /** The text directly inside this element (entities decoded, CDATA included), untrimmed. */
  text: string;
}

export class XmlParseError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'XmlParseError';
  }
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string, position: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlParseError('bare "&" in text', position);
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const decoded = PREDEFINED_ENTITIES[entity];
    // Only XML's five predefined entities exist: no DTD is read, so no entity expansion attack either.
    if (decoded === undefined) throw new XmlParseError(`unknown entity ${match}`, position);
    return decoded;
  });
}

const localName = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);

/**
 * Parses a document and returns its root element. Tolerates an XML declaration, comments,
 * processing instructions, a DOCTYPE (ignored), CDATA and whitespace anywhere between elements;
 * throws XmlParseError for anything not well-formed (unclosed or mismatched tags, text outside
 * the root, a second root, bad entities).
 */
export function parseXml(source: string): XmlNode {
  let pos = 0;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;

  const fail = (message: string): never => {
    throw new XmlParseError(message, pos);
  };
  const skipPast = (terminator: string, what: string): void => {
    const end = source.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${what}`);
    pos = end + terminator.length;
  };

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > pos) {
      const raw = source.slice(pos, textEnd);
      const parent = stack[stack.length - 1];
      if (parent) parent.text += decodeEntities(raw, pos);
      else if (raw.trim() !== '') fail('text outside the root element');
      pos = textEnd;
      continue;
    }
    if (source.startsWith('<?', pos)) skipPast('?>', 'processing instruction');
    else if (source.startsWith('<!--', pos)) skipPast('-->', 'comment');
    else if (source.startsWith('<![CDATA[', pos)) {
      const parent = stack[stack.length - 1];
      if (!parent) fail('CDATA outside the root element');
      const start = pos + 9;
      skipPast(']]>', 'CDATA section');
      parent!.text += source.slice(start, pos - 3);
    } else if (source.startsWith('<!', pos)) {
      if (stack.length > 0 || root) fail('declaration inside the document');
      skipPast('>', 'declaration');
    } else if (source.startsWith('</', pos)) {
      pos += 2;
      NAME.lastIndex = pos;
      const m = NAME.exec(source);
      if (!m) fail('bad closing tag');
      pos = NAME.lastIndex;
      while (/\s/.test(source.charAt(pos))) pos++;
      if (source.charAt(pos) !== '>') fail('bad closing tag');
      pos++;
      const open = stack.pop();
      if (!open || open.name !== localName(m![0])) fail(`closing tag </${m![0]}> does not match`);
    } else {
      pos += 1;
      NAME.lastIndex = pos;
      const m = NAME.exec(source);
      if (!m) fail('bad element name');
      pos = NAME.lastIndex;
      const node: XmlNode = { name: localName(m![0]), attributes: {}, children: [], text: '' };
      for (;;) {
        ATTRIBUTE.lastIndex = pos;
        const a = ATTRIBUTE.exec(source);
        if (!a) break;
        node.attributes[a[1]!] = decodeEntities(a[2] ?? a[3] ?? '', pos);
        pos = ATTRIBUTE.lastIndex;
      }
      while (/\s/.test(source.charAt(pos))) pos++;
      const selfClosing = source.startsWith('/>', pos);
      if (!selfClosing && source.charAt(pos) !== '>') fail(`bad start tag <${m![0]}`);
      pos += selfClosing ? 2 : 1;
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root) fail('more than one root element');
      else root = node;
      if (!selfClosing) stack.push(node);
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no root element');
  return root!;
}

/** The first child element with this local name. */
export const childNamed = (node: XmlNode, name: string): XmlNode | undefined => node.children.find((c) => c.name === name);

/** Every child element with this local name, in document order. */
export const childrenNamed = (node: XmlNode, name: string): XmlNode[] => node.children.filter((c) => c.name === name);

/** The trimmed text of the first child with this name, or undefined when there is no such child. */
export const childText = (node: XmlNode, name: string): string | undefined => childNamed(node, name)?.text.trim();
