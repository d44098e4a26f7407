/**
 * The two heavy packages of the metadata object mode stay off every path that does not need them:
 * DuckDB (a native library of about 70 MB) is loaded only by the sandbox's Athena, on its first query,
 * and never by the auditor; @aws-sdk/client-athena only by src/aws/, on the first metadata query. Read
 * from the source, so a new static import anywhere fails here.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const src = join(packageRoot(), 'src');
const files = sourceFiles(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));
/** Imports that load the package when the module loads: `import … from 'pkg'`, `import 'pkg'`, `export … from 'pkg'` (not `import type`). */
const staticImport = (pkg: string): RegExp => new RegExp(`^\\s*(import|export)(?!\\s+type\\b)[^;]*?['"]${pkg.replace(/[/.]/g, '\\$&')}['"]`, 'm');
const mentions = (pkg: string) => files.filter((f) => f.text.includes(`'${pkg}`) || f.text.includes(`"${pkg}`));

describe('architecture: DuckDB and the Athena SDK are loaded lazily, only where they are needed', () => {
  it('no audit module (anything outside src/sandbox/) names @duckdb/*', () => {
    const outside = mentions('@duckdb/').filter((f) => !f.path.startsWith('sandbox/'));
    expect(outside.map((f) => f.path)).to.deep.equal([]);
  });

  it('the sandbox loads DuckDB with a dynamic import, from its Athena engine only', () => {
    const users = mentions('@duckdb/');
    expect(users.map((f) => f.path)).to.deep.equal(['sandbox/athena/engine.ts']);
    expect(users[0]!.text).to.not.match(staticImport('@duckdb/node-api'));
    expect(users[0]!.text).to.contain("import('@duckdb/node-api')");
  });

  it('@aws-sdk/client-athena is named only in src/aws/ and never imported statically', () => {
    const users = mentions('@aws-sdk/client-athena');
    expect(users.length).to.be.greaterThan(0);
    for (const f of users) {
      expect(f.path, f.path).to.match(/^aws\//);
      expect(f.text, f.path).to.not.match(staticImport('@aws-sdk/client-athena'));
    }
  });
});
