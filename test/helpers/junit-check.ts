/**
 * A strict XML 1.0 well-formedness parser (https://www.w3.org/TR/xml/) for the subset documents
 * need (declaration, elements, attributes, character data, references, CDATA, comments, PIs; no
 * DTD), and the structural checks of JUnit XML that CI test-report views rely on.
 *
 * Written here, independent of src/report/escape.ts, so a wrong escaping rule there cannot also
 * make this parser accept the result.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const isXmlChar = (cp: number): boolean =>
  cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);

const NAME = /^[A-Za-z_:\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff][A-Za-z0-9_:.\-\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u203f\u2040]*/;

class XmlError extends Error {}

export function parseXml(input: string): XmlElement {
  // Every character must be an XML Char; lone surrogates are caught by codePointAt.
  for (let i = 0; i < input.length; i++) {
    const cp = input.codePointAt(i)!;
    if (!isXmlChar(cp) || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlError(`illegal character U+${cp.toString(16).padStart(4, '0')} at offset ${i}`);
    if (cp > 0xffff) i += 1;
  }
  // End-of-line handling (§2.11) before parsing, as every XML processor does.
  const text = input.replace(/\r\n?/g, '\n');
  let pos = 0;
  const fail = (why: string): never => {
    throw new XmlError(`${why} at offset ${pos}: ${JSON.stringify(text.slice(pos, pos + 30))}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /[ \t\n]/.test(text[pos]!)) pos += 1;
  };
  const name = (): string => {
    const m = NAME.exec(text.slice(pos, pos + 200));
    if (!m) fail('expected a name');
    pos += m![0].length;
    return m![0];
  };
  const reference = (): string => {
    const m = /^&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/.exec(text.slice(pos, pos + 40));
    if (!m) fail('bad reference (a raw & must be &amp;)');
    pos += m![0].length;
    const body = m![1]!;
    if (body.startsWith('#')) {
      const cp = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!isXmlChar(cp)) fail(`character reference to an illegal character ${body}`);
      return String.fromCodePoint(cp);
    }
    const predefined: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
    if (!(body in predefined)) fail(`undeclared entity &${body};`);
    return predefined[body]!;
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<!--', pos)) comment();
      else if (text.startsWith('<?', pos)) pi();
      else return;
    }
  };
  const comment = (): void => {
    const end = text.indexOf('-->', pos + 4);
    if (end < 0) fail('unterminated comment');
    if (text.slice(pos + 4, end).includes('--')) fail('"--" inside a comment');
    pos = end + 3;
  };
  const pi = (): void => {
    const end = text.indexOf('?>', pos);
    if (end < 0) fail('unterminated processing instruction');
    pos = end + 2;
  };
  const attrValue = (): string => {
    const quote = text[pos];
    if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
    pos += 1;
    let value = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated attribute value');
      const ch = text[pos]!;
      if (ch === quote) {
        pos += 1;
        return value;
      }
      if (ch === '<') fail('"<" in an attribute value');
      if (ch === '&') value += reference();
      else {
        // Attribute-value normalisation (§3.3.3): literal whitespace becomes a space.
        value += ch === '\t' || ch === '\n' ? ' ' : ch;
        pos += 1;
      }
    }
  };
  const element = (): XmlElement => {
    if (text[pos] !== '<') fail('expected "<"');
    pos += 1;
    const el: XmlElement = { name: name(), attrs: {}, children: [] };
    for (;;) {
      const hadSpace = /[ \t\n]/.test(text[pos] ?? '');
      skipSpace();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return el;
      }
      if (text[pos] === '>') {
        pos += 1;
        break;
      }
      if (!hadSpace) fail('attributes must be separated by whitespace');
      const attr = name();
      skipSpace();
      if (text[pos] !== '=') fail('expected "="');
      pos += 1;
      skipSpace();
      if (Object.hasOwn(el.attrs, attr)) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = attrValue();
    }
    let chars = '';
    const flush = (): void => {
      if (chars !== '') el.children.push(chars);
      chars = '';
    };
    for (;;) {
      if (pos >= text.length) fail(`unclosed element <${el.name}>`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (text[pos] !== '>') fail('expected ">"');
        pos += 1;
        flush();
        return el;
      }
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        chars += text.slice(pos + 9, end);
        pos = end + 3;
      } else if (text.startsWith('<!--', pos)) comment();
      else if (text.startsWith('<?', pos)) pi();
      else if (text.startsWith('<!', pos)) fail('markup declaration inside content');
      else if (text[pos] === '<') {
        flush();
        el.children.push(element());
      } else if (text[pos] === '&') chars += reference();
      else {
        if (text.startsWith(']]>', pos)) fail('"]]>" in character data');
        chars += text[pos];
        pos += 1;
      }
    }
  };

  if (text.startsWith('<?xml', pos)) {
    const end = text.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    if (!/^<\?xml\s+version\s*=\s*(["'])1\.0\1(\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\3)?\s*\?>$/.test(text.slice(pos, end + 2))) fail('bad XML declaration');
    pos = end + 2;
  }
  misc();
  if (text.startsWith('<!DOCTYPE', pos)) fail('DOCTYPE is not expected');
  const root = element();
  misc();
  if (pos !== text.length) fail('content after the root element');
  return root;
}

export const childElements = (el: XmlElement, name?: string): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));

export const textOf = (el: XmlElement): string => el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');

// ---------------------------------------------------------------------------------------------
// JUnit

export interface JunitCase {
  suite: string;
  classname: string;
  name: string;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
  /** The failure/error/skipped element, when there is one. */
  detail?: XmlElement;
}

export interface JunitCheck {
  problems: string[];
  cases: JunitCase[];
  root?: XmlElement;
}

const COUNT_ATTRS = ['tests', 'failures', 'errors', 'skipped'] as const;

/**
 * What Jenkins, GitLab and the GitHub test-report actions read: <testsuites> of <testsuite name
 * tests failures errors skipped> of <testcase classname name> with at most one of <failure>,
 * <error>, <skipped>; counts that match the test cases; unique (classname, name) pairs (GitLab keeps
 * only the first of duplicates); `message` on failure and error.
 */
export function checkJunit(xml: string): JunitCheck {
  const problems: string[] = [];
  const cases: JunitCase[] = [];
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    return { problems: [`not well-formed XML: ${(err as Error).message}`], cases };
  }
  if (root.name !== 'testsuites') problems.push(`root element is <${root.name}>, expected <testsuites>`);
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const seen = new Set<string>();
  for (const suite of childElements(root)) {
    if (suite.name !== 'testsuite') {
      problems.push(`<testsuites> holds <${suite.name}>`);
      continue;
    }
    const suiteName = suite.attrs.name ?? '';
    if (suiteName === '') problems.push('a <testsuite> has no name');
    const counted = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    const children = childElements(suite);
    children.forEach((child, i) => {
      if (child.name === 'properties') {
        if (i !== 0) problems.push(`<properties> of ${suiteName} is not the first child`);
        for (const p of childElements(child)) {
          if (p.name !== 'property' || p.attrs.name === undefined || p.attrs.value === undefined) problems.push(`bad <${p.name}> in <properties> of ${suiteName}`);
        }
        return;
      }
      if (child.name === 'system-out' || child.name === 'system-err') return;
      if (child.name !== 'testcase') {
        problems.push(`<testsuite ${suiteName}> holds <${child.name}>`);
        return;
      }
      const { classname = '', name = '' } = child.attrs;
      if (classname === '' || name === '') problems.push(`a testcase in ${suiteName} lacks classname or name`);
      if (child.attrs.time !== undefined && !/^\d+(\.\d+)?$/.test(child.attrs.time)) problems.push(`testcase ${name}: time "${child.attrs.time}" is not a number`);
      const key = JSON.stringify([classname, name]);
      if (seen.has(key)) problems.push(`duplicate testcase ${classname} / ${name}`);
      seen.add(key);
      const outcomes = childElements(child).filter((c) => ['failure', 'error', 'skipped'].includes(c.name));
      if (outcomes.length > 1) problems.push(`testcase ${name} has ${outcomes.length} outcomes`);
      const detail = outcomes[0];
      const outcome = (detail?.name ?? 'pass') as JunitCase['outcome'];
      if ((outcome === 'failure' || outcome === 'error') && detail!.attrs.message === undefined) problems.push(`<${outcome}> of ${name} has no message`);
      counted.tests += 1;
      if (outcome === 'failure') counted.failures += 1;
      if (outcome === 'error') counted.errors += 1;
      if (outcome === 'skipped') counted.skipped += 1;
      cases.push({ suite: suiteName, classname, name, outcome, ...(detail ? { detail } : {}) });
    });
    for (const attr of COUNT_ATTRS) {
      const value = suite.attrs[attr];
      if (value === undefined || !/^\d+$/.test(value)) problems.push(`<testsuite ${suiteName}> ${attr}="${value}" is not a count`);
      else if (Number(value) !== counted[attr]) problems.push(`<testsuite ${suiteName}> ${attr}="${value}" but ${counted[attr]} counted`);
      totals[attr] += counted[attr];
    }
  }
  for (const attr of COUNT_ATTRS) {
    const value = root.attrs[attr];
    if (value !== undefined && Number(value) !== totals[attr]) problems.push(`<testsuites> ${attr}="${value}" but the suites add up to ${totals[attr]}`);
  }
  return { problems, cases, root };
}
