/**
 * YAML with positions. Every problem in a user file must name file:line:column, so we keep the
 * parsed Document and a LineCounter next to the plain data, and map data paths
 * (["policies", 0, "rules", 1]) back to the YAML node they came from.
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigProblem, SourcePosition } from '../domain/errors.js';

export type DataPath = (string | number)[];

export interface YamlSource {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The plain JS value of the document. */
  data: unknown;
}

/** Parse YAML text. Syntax errors and duplicate keys become problems with positions. */
export function parseYamlSource(text: string, file: string): { source?: YamlSource; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const message = e.code === 'DUPLICATE_KEY' ? duplicateKeyMessage(text, e.pos[0]) : `YAML syntax error: ${firstLine(e.message)}`;
    return { file, line: pos.line, column: pos.col, message };
  });
  // Duplicate keys leave a usable document (the later value wins), so keep validating to report
  // every other problem too; a real syntax error makes the rest of the file unreliable.
  const fatal = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  if (fatal) return { problems };
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    problems.push({ file, line: 1, column: 1, message: 'the file is empty' });
    return { problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.push({ file, line: 1, column: 1, message: `YAML error: ${firstLine((e as Error).message)}` });
    return { problems };
  }
  return { source: { file, text, doc, lineCounter, data }, problems };
}

export function readYamlFile(file: string): { source?: YamlSource; problems: ConfigProblem[]; text?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'file not found' : err.code === 'EISDIR' ? 'is a directory, not a file' : err.message;
    return { problems: [{ file, line: 1, column: 1, message: why }] };
  }
  return { ...parseYamlSource(text, file), text };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function duplicateKeyMessage(text: string, offset: number): string {
  const key = /^[^:\n]*/.exec(text.slice(offset))?.[0]?.trim().replace(/^["']|["']$/g, '');
  return key ? `duplicate key "${key}": each key may appear once in a mapping` : 'duplicate key in a mapping';
}

function nodeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

function child(node: unknown, segment: string | number, doc: Document): { value?: unknown; key?: unknown } | undefined {
  let current = node;
  if (isAlias(current)) current = current.resolve(doc);
  if (isMap(current)) {
    const pair = current.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
    return pair ? { value: pair.value, key: pair.key } : undefined;
  }
  if (isSeq(current) && typeof segment === 'number') {
    const item = current.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

/**
 * Position of the node at `path`; with `key: true`, of the mapping key of the last segment
 * (where an unknown or misplaced key is reported). Falls back to the deepest node that exists.
 */
export function positionOf(source: YamlSource, path: DataPath, opts: { key?: boolean } = {}): SourcePosition {
  let node: unknown = source.doc.contents;
  let best = nodeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const next = child(node, path[i]!, source.doc);
    if (!next) break;
    const isLast = i === path.length - 1;
    const target = isLast && opts.key && next.key ? next.key : next.value ?? next.key;
    const start = nodeStart(target) ?? nodeStart(next.key);
    if (start !== undefined) best = start;
    node = next.value as Node;
  }
  const pos = source.lineCounter.linePos(best);
  return { file: source.file, line: pos.line, column: pos.col };
}

/** A problem at a data path. */
export function problemAt(
  source: YamlSource,
  path: DataPath,
  message: string,
  opts: { key?: boolean; suggestion?: string | undefined } = {},
): ConfigProblem {
  const problem: ConfigProblem = { ...positionOf(source, path, opts), message };
  if (opts.suggestion) problem.suggestion = opts.suggestion;
  return problem;
}

/** How a data path reads in a message: policies[0].rules[1].id */
export function describePath(path: DataPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || 'the document';
}

/** Problems sorted by position, duplicates (same place, same text) removed. */
export function tidyProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const k = `${p.file}\0${p.line}\0${p.column}\0${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
}
