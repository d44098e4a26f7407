/**
 * The package as a user installs it: a clean copy of the repository packs (prepack builds first), the
 * tarball ships the built CLI, the rules, the schemas, the example policy file, the docs, README and
 * LICENSE and nothing of the tests, CI or source maps; installed into an empty project, its bin runs
 * `--version`, validates the shipped example and scans a sandbox that the installed package starts.
 *
 * Installing needs the npm registry (or npm's cache) for the package's dependencies, as any install does.
 */
import { expect } from 'chai';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The files git tracks, copied as a fresh clone would have them (node_modules linked, not installed again). */
function cleanCopy(into: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    try {
      copyFileSync(join(root, file), join(into, file));
    } catch (err) {
      // A tracked file deleted in the working tree is not part of what would be packed.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  symlinkSync(join(root, 'node_modules'), join(into, 'node_modules'));
}

describe('package: npm pack and install into an empty project', function () {
  this.timeout(600_000);
  let work: string;
  let tarball: string;
  let project: string;
  let sandbox: ChildProcess | undefined;

  before(function () {
    if (spawnSync('git', ['rev-parse', '--git-dir'], { cwd: root }).status !== 0) this.skip();
    work = mkdtempSync(join(tmpdir(), 's3ka-pack-'));
    const copy = join(work, 'repo');
    cleanCopy(copy);
    // prepack builds: the copy has no dist/ before this.
    npm(['pack', '--pack-destination', work, '--silent'], copy);
    tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    // The bin keeps its execute bit after a build (npm link points straight at it).
    expect(statSync(join(copy, 'dist/src/cli/main.js')).mode & 0o111, 'dist/src/cli/main.js is executable').to.not.equal(0);
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'empty-project', version: '1.0.0', private: true }));
    npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--silent'], project);
  });

  after(() => {
    sandbox?.kill('SIGTERM');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the built CLI, rules, schemas, example policies, docs, CI examples, README and LICENSE, and no tests, CI or source maps', () => {
    const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const needed of ['dist/src/cli/main.js', 'dist/src/cli/help-texts.json', 'rules/s3-bucket-sse-kms.yaml', 'src/schema/report.schema.json', 'src/sandbox/estates/demo.yaml', 'policies.yaml', 'README.md', 'LICENSE', 'docs/rules.md',
      // README and docs/cli.md (both shipped) link to the CI examples.
      'examples/github-actions/s3-kms-audit.yml', 'examples/gitlab-ci/.gitlab-ci.yml', 'examples/kubernetes/s3-kms-audit-sharded.yaml']) {
      expect(listed, needed).to.include(needed);
    }
    expect(listed.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('.ci/') || f.endsWith('.map') || f.endsWith('.ts'))).to.deep.equal([]);
  });

  it('npx s3-kms-audit --version prints the package version', () => {
    const version = (JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' })) as { version: string }).version;
    expect(execFileSync('npx', ['--no-install', 's3-kms-audit', '--version'], { cwd: project, encoding: 'utf8' }).trim()).to.equal(`s3-kms-audit ${version}`);
  });

  it('validates the shipped example policy file', () => {
    const out = execFileSync('npx', ['--no-install', 's3-kms-audit', 'validate', '--policies', 'node_modules/s3-kms-audit/policies.yaml'], { cwd: project, encoding: 'utf8' });
    expect(out).to.match(/valid|OK|ok/);
  });

  it('scans a sandbox started from the installed package', async () => {
    const bin = join(project, 'node_modules/.bin/s3-kms-audit');
    sandbox = spawn(bin, ['sandbox', '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: sandbox.stdout! });
    const seen: string[] = [];
    const env = await new Promise<Record<string, string>>((resolve, reject) => {
      sandbox!.once('exit', (code) => reject(new Error(`sandbox exited (${code}):\n${seen.join('\n')}`)));
      lines.on('line', (line) => {
        seen.push(line);
        const m = /export AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_ENDPOINT_URL=(\S+)/.exec(line);
        if (m) resolve({ AWS_ACCESS_KEY_ID: m[1]!, AWS_SECRET_ACCESS_KEY: m[2]!, AWS_ENDPOINT_URL: m[3]!, AWS_REGION: 'us-east-1' });
      });
    });
    const scan = spawnSync(bin, ['scan', '--policies', 'node_modules/s3-kms-audit/policies.yaml', '--out', 'reports', '--name', 'installed', '--format', 'json,html'], {
      cwd: project,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: project, ...env },
    });
    // The demo estate's first account fails the gate on purpose (exit 1); 0 or 3 would mean no verdict or no findings.
    expect(scan.status, scan.stderr).to.equal(1);
    const report = JSON.parse(execFileSync('cat', [join(project, 'reports/installed.json')], { encoding: 'utf8' })) as { summary: { total: number } };
    expect(report.summary.total).to.be.greaterThan(0);
    // The HTML report's style and script are read from the installed package's assets.
    const page = execFileSync('cat', [join(project, 'reports/installed.html')], { encoding: 'utf8' });
    const between = (open: string, close: string): string => page.slice(page.indexOf(open) + open.length, page.indexOf(close));
    expect(between('<style>', '</style>').length).to.be.greaterThan(200);
    expect(between('<script>', '</script>').length).to.be.greaterThan(200);
  });
});
