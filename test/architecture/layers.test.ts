/**
 * The import directions of src/ against the layer table in docs/architecture.md: a module may import
 * its own layer and any lower one, never a higher one; a side entry (the sandbox) imports only up to
 * its stated layer and is imported only by the top layer (the CLI starts it); and no modules import
 * each other in a circle. The table is read from the doc itself, so the doc and the code cannot drift apart.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

interface LayerTable {
  /** Top-level entry of src/ (folder or file) → its layer; side entries get their own rank. */
  layerOf: Map<string, number>;
  /** Side entries (sandbox) → the highest layer they may import. */
  sideLimit: Map<string, number>;
}

/** Parses the ```layers block: "N: entry entry" lines and "side: entry -> N" lines. */
export function parseLayerTable(markdown: string): LayerTable {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('docs/architecture.md has no ```layers block');
  const layerOf = new Map<string, number>();
  const sideLimit = new Map<string, number>();
  for (const line of block.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const side = /^side:\s*(\S+)\s*->\s*(\d+)$/.exec(line);
    if (side) {
      sideLimit.set(side[1]!, Number(side[2]));
      continue;
    }
    const m = /^(\d+):\s*(.+)$/.exec(line);
    if (!m) throw new Error(`unreadable line in the layers block: ${line}`);
    for (const entry of m[2]!.split(/\s+/)) layerOf.set(entry, Number(m[1]));
  }
  return { layerOf, sideLimit };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a module (static, dynamic and re-exports), as repository paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    out.push(resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
  }
  return out;
}

describe('architecture: import directions of src/ follow docs/architecture.md', () => {
  const root = packageRoot();
  const src = join(root, 'src');
  const table = parseLayerTable(readFileSync(join(root, 'docs/architecture.md'), 'utf8'));
  const entryOf = (file: string): string => relative(src, file).split('/')[0]!;
  const files = sourceFiles(src);
  const topLayer = Math.max(...table.layerOf.values());

  it('places every top-level entry of src/ in a layer', () => {
    const unplaced = [...new Set(files.map(entryOf))].filter((e) => !table.layerOf.has(e) && !table.sideLimit.has(e));
    expect(unplaced, 'add these to the layers block of docs/architecture.md').to.deep.equal([]);
  });

  it('has no import that climbs to a higher layer', () => {
    const climbs: string[] = [];
    for (const file of files) {
      const from = entryOf(file);
      const limit = table.sideLimit.get(from) ?? table.layerOf.get(from)!;
      for (const target of importsOf(file)) {
        if (!target.startsWith(src + '/')) continue;
        const to = entryOf(target);
        if (to === from) continue;
        const toLayer = table.layerOf.get(to);
        const allowed = table.sideLimit.has(to) ? table.layerOf.get(from) === topLayer : toLayer !== undefined && toLayer <= limit;
        if (!allowed) climbs.push(`${relative(root, file)} -> ${relative(root, target)}`);
      }
    }
    expect(climbs).to.deep.equal([]);
  });

  it('has no circle of imports between modules', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(src + '/'))]));
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(circles).to.deep.equal([]);
  });
});
