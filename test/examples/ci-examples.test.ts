/**
 * The CI examples under examples/ as far as they can be checked here: each is valid YAML, every
 * s3-kms-audit command in it parses with the CLI's own table (no unknown flag, no bad value), and the
 * files later steps pick up (SARIF, JUnit, Markdown, JSON) are the ones the scan step writes.
 * Running them needs GitHub or GitLab and an AWS account; docs/cli.md says what each needs.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseArgsOf } from '../../src/cli/program.js';
import type { CommandName } from '../../src/cli/commands.js';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Every `npx s3-kms-audit …` command in a text, as argv (shell words, "${baseline[@]}"-style expansions dropped). */
function commandsIn(text: string): string[][] {
  // Comments name commands in prose (`npx s3-kms-audit permissions scan`): only steps count.
  const joined = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n').replace(/\\\n\s*/g, ' ');
  const out: string[][] = [];
  for (const m of joined.matchAll(/npx s3-kms-audit ([^\n]+)/g)) {
    out.push(m[1]!.trim().split(/\s+/).filter((w) => !w.startsWith('"$') && !w.startsWith('$')));
  }
  return out;
}

/** The files a scan command writes: <out>/<name>.<extension> per file format. */
function filesWritten(argv: string[]): string[] {
  const args = parseArgsOf('scan', argv.slice(1)) as { out: string; name?: string; formats: string[] };
  const ext: Record<string, string> = { json: 'json', html: 'html', md: 'md', junit: 'junit.xml', sarif: 'sarif', csv: 'csv' };
  return args.formats.filter((f) => f !== 'console').map((f) => `${args.out}/${args.name}.${ext[f]}`);
}

for (const file of ['examples/github-actions/s3-kms-audit.yml', 'examples/gitlab-ci/.gitlab-ci.yml']) {
  describe(`examples: ${file}`, () => {
    const text = read(file);

    it('is valid YAML', () => {
      expect(() => parse(text)).to.not.throw();
    });

    it('runs validate, test and scan, and each command parses with the CLI table', () => {
      const commands = commandsIn(text);
      expect(commands.map((c) => c[0])).to.include.members(['validate', 'test', 'scan']);
      for (const argv of commands) {
        expect(() => parseArgsOf(argv[0] as CommandName, argv.slice(1)), argv.join(' ')).to.not.throw();
      }
    });

    it('picks up exactly files that the scan step writes', () => {
      const scan = commandsIn(text).find((c) => c[0] === 'scan')!;
      const written = filesWritten(scan);
      const pickedUp = [...text.matchAll(/reports\/[\w.-]+\.(?:sarif|junit\.xml|md|json)/g)].map((m) => m[0]);
      expect(pickedUp.length).to.be.greaterThan(0);
      for (const path of pickedUp) expect(written, `${path} is read by a later step`).to.include(path);
    });
  });
}
