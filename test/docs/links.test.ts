/**
 * Every relative link in README.md and docs/*.md points at a file that exists, and a link with a
 * #fragment at a heading that exists (GitHub's heading ids). Docs move around; links must not rot.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const docFiles = ['README.md', ...readdirSync(resolve(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The text outside fenced code blocks and inline code spans: links inside code are examples, not links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
}

/** Targets of inline links and images: [text](target) or [text](target "title"). */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to dashes; repeats get -1, -2… */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(m[1]!);
  return ids;
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

describe('documentation links', () => {
  it('finds the README and the docs', () => {
    expect(docFiles).to.include.members(['README.md', 'docs/architecture.md']);
  });

  for (const file of docFiles) {
    it(`${file}: every relative link resolves`, () => {
      const text = readFileSync(resolve(root, file), 'utf8');
      const broken: string[] = [];
      for (const target of linkTargets(text)) {
        if (isExternal(target)) continue;
        const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
        const path = pathPart === '' ? resolve(root, file) : resolve(dirname(resolve(root, file)), decodeURIComponent(pathPart));
        if (!existsSync(path)) {
          broken.push(`${target}: no such file ${relative(root, path)}`);
          continue;
        }
        if (fragment && path.endsWith('.md') && statSync(path).isFile()) {
          if (!headingIds(readFileSync(path, 'utf8')).has(fragment)) broken.push(`${target}: no heading #${fragment} in ${relative(root, path)}`);
        }
      }
      expect(broken, `broken links in ${file}`).to.deep.equal([]);
    });
  }
});
