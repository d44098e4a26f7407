/**
 * `s3-kms-audit report RESULT.json` end to end (the compiled CLI as a child process): it re-renders
 * a scan's JSON byte for byte as the scan wrote every format, with or without a baseline; it rejects
 * files that are not reports with exit 2 and a clear message; and a hostile report file renders
 * exactly as the in-process renderers do.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditReport } from '../../src/domain/report.js';
import { packageRoot } from '../../src/paths.js';
import { FILE_FORMATS } from '../../src/report/formats.js';
import { renderJson } from '../../src/report/json.js';
import { hostileReport } from '../helpers/report-fixtures.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';
import { runCli as runInProcess } from '../../src/cli/run.js';
import { cleanEnv, runCli, type CliRun } from './run-cli.js';

/** The CLI in this process (no spawn): for argument and file checks that never reach AWS. */
async function inProcess(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runInProcess(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: cleanEnv(),
  });
  return { code, stdout, stderr };
}

const RENDERED = ['html', 'md', 'junit.xml', 'sarif', 'csv'];

describe('e2e: report RESULT.json re-renders a saved report', function () {
  this.timeout(120_000);
  const box = useSandbox();
  let out: string;

  async function scan(name: string, extra: string[] = []): Promise<void> {
    const prod = accountOf(box.sb, 'prod');
    const run = await runCli(
      [
        'scan', '--policies', resolve(packageRoot(), 'policies.yaml'), '--endpoint-url', box.sb.endpoint, '--region', 'us-east-1',
        ...box.sb.accounts.flatMap((a) => ['--assume-role', `arn:aws:iam::${a.id}:role/S3KmsAuditRole`]),
        '--out', join(out, 'scan'), '--name', name, '--format', 'json,html,md,junit,sarif,csv', ...extra,
      ],
      cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey }),
    );
    if (!existsSync(join(out, 'scan', `${name}.json`))) throw new Error(`scan ${name} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3ka-report-'));
    await scan('first');
    await scan('second', ['--baseline', join(out, 'scan', 'first.json')]);
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  for (const [name, baseline] of [['first', undefined], ['second', 'first']] as const) {
    it(`re-renders "${name}" identically to the scan's own files${baseline ? ' (the stored diff)' : ''}`, async () => {
      const run = await runCli(['report', join(out, 'scan', `${name}.json`), '--format', 'html,md,junit,sarif,csv', '--out', join(out, 're'), '--name', name], cleanEnv());
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout.trim().split('\n')).to.deep.equal(RENDERED.map((ext) => `Report: ${join(out, 're', `${name}.${ext}`)}`));
      for (const ext of RENDERED) {
        const scanned = await readFile(join(out, 'scan', `${name}.${ext}`), 'utf8');
        expect(await readFile(join(out, 're', `${name}.${ext}`), 'utf8'), `${name}.${ext}`).to.equal(scanned);
      }
    });
  }

  it('names the policy file relative to the working directory in SARIF, JUnit and Markdown, never by its absolute path', async () => {
    // The scan ran in the package root with an absolute --policies path.
    const sarif = JSON.parse(await readFile(join(out, 'scan', 'first.sarif'), 'utf8'));
    const uris = (sarif.runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[]).map(
      (r) => r.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect(uris.length).to.be.greaterThan(0);
    expect([...new Set(uris)]).to.deep.equal(['policies.yaml']);
    const junit = await readFile(join(out, 'scan', 'first.junit.xml'), 'utf8');
    expect(junit).to.contain('<property name="policy.file" value="policies.yaml"/>');
    const md = await readFile(join(out, 'scan', 'first.md'), 'utf8');
    expect(md).to.contain('policy file `policies.yaml`');
    for (const [name, text] of [['sarif', JSON.stringify(sarif)], ['junit', junit], ['md', md]] as const) {
      expect(text.includes(packageRoot()), `${name} holds ${packageRoot()}`).to.equal(false);
    }
  });

  it('with --baseline it recomputes the same diff the scan stored', async () => {
    const run = await runCli(['report', join(out, 'scan', 'second.json'), '--baseline', join(out, 'scan', 'first.json'), '--format', 'json,md,csv', '--out', join(out, 'rediff'), '--name', 'second'], cleanEnv());
    expect(run.code, run.stderr).to.equal(0);
    for (const ext of ['json', 'md', 'csv']) {
      expect(await readFile(join(out, 'rediff', `second.${ext}`), 'utf8'), ext).to.equal(await readFile(join(out, 'scan', `second.${ext}`), 'utf8'));
    }
  });

  it('defaults: every file format but json, next to RESULT, named after it; console prints the summary', async () => {
    const dir = join(out, 'defaults');
    await mkdir(dir, { recursive: true });
    await copyFile(join(out, 'scan', 'second.json'), join(dir, 'nightly.json'));
    const run = await runCli(['report', join(dir, 'nightly.json')], cleanEnv());
    expect(run.code, run.stderr).to.equal(0);
    for (const ext of RENDERED) expect(existsSync(join(dir, `nightly.${ext}`)), ext).to.equal(true);
    const consoleRun = await inProcess(['report', join(dir, 'nightly.json'), '--format', 'console']);
    expect(consoleRun.code).to.equal(0);
    expect(consoleRun.stdout).to.match(/^s3-kms-audit \S+ scan · 2 accounts/);
    expect(consoleRun.stdout).to.match(/Since the baseline \(run [^)]+\): 0 new failures · 0 resolved · \d+ still failing/);
  });

  it('refuses to overwrite RESULT.json with its own json rendering', async () => {
    const run = await inProcess(['report', join(out, 'scan', 'first.json'), '--format', 'json']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('would overwrite');
  });

  describe('bad input is a usage error (exit 2) with a clear message (in process)', () => {
    const cases: [string, () => Promise<string[]>, RegExp][] = [
      ['a missing file', async () => ['report', join(out, 'nope.json')], /RESULT: cannot read ".*nope\.json" \(ENOENT\)/],
      ['a file that is not JSON', async () => {
        await writeFile(join(out, 'text.json'), 'not json {');
        return ['report', join(out, 'text.json')];
      }, /RESULT: ".*text\.json" is not JSON \(/],
      ['JSON that is not a report', async () => {
        await writeFile(join(out, 'other.json'), JSON.stringify({ schemaVersion: 1, findings: 'x' }));
        return ['report', join(out, 'other.json')];
      }, /RESULT: ".*other\.json" is not an s3-kms-audit JSON report \(schemaVersion 1\):\n {2}\/ must have required property 'tool'/],
      ['a report of another schema version', async () => {
        const r = JSON.parse(await readFile(join(out, 'scan', 'first.json'), 'utf8'));
        await writeFile(join(out, 'v2.json'), JSON.stringify({ ...r, schemaVersion: 2 }));
        return ['report', join(out, 'v2.json')];
      }, /\/schemaVersion must be equal to constant/],
      ['a bad baseline', async () => ['report', join(out, 'scan', 'first.json'), '--baseline', join(out, 'text.json')], /--baseline: ".*text\.json" is not JSON/],
      ['an unknown format', async () => ['report', join(out, 'scan', 'first.json'), '--format', 'html,sarfi'], /unknown format "sarfi" \(did you mean "sarif"\?\)/],
      ['no file at all', async () => ['report'], /give the JSON report to render/],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const run = await inProcess(await args());
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(message);
        expect(run.stdout).to.equal('');
      });
    }

    it('scan --baseline with a bad file stops before any AWS call', async () => {
      const before = box.sb.requestCount();
      const prod = accountOf(box.sb, 'prod');
      const run = await runCli(
        ['scan', '--policies', resolve(packageRoot(), 'policies.yaml'), '--endpoint-url', box.sb.endpoint, '--out', join(out, 'x'), '--baseline', join(out, 'other.json')],
        cleanEnv({ AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey }),
      );
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('--baseline: ');
      expect(box.sb.requestCount()).to.equal(before);
    });
  });

  it('warns when the baseline came from another policy file, and compares anyway', async () => {
    const first = JSON.parse(await readFile(join(out, 'scan', 'first.json'), 'utf8')) as AuditReport;
    const other = join(out, 'other-policy.json');
    await writeFile(other, renderJson({ ...first, run: { ...first.run, policyFileSha256: 'e'.repeat(64) } }));
    const run = await inProcess(['report', join(out, 'scan', 'second.json'), '--baseline', other, '--format', 'json', '--out', join(out, 'warn'), '--name', 'w']);
    expect(run.code).to.equal(0);
    expect(run.stderr).to.contain('was produced from a different policy file (sha256 eeeeeeeeeeee… vs ');
    const r = JSON.parse(await readFile(join(out, 'warn', 'w.json'), 'utf8')) as AuditReport;
    expect(r.diff!.baseline.samePolicyFile).to.equal(false);
  });

  it('a hostile report file renders exactly as the renderers do in process', async () => {
    const hostile = hostileReport();
    const dir = join(out, 'hostile');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'h.json'), renderJson(hostile));
    const run = await runCli(['report', join(dir, 'h.json'), '--format', 'html,md,junit,sarif,csv'], cleanEnv());
    expect(run.code, run.stderr).to.equal(0);
    const saved = JSON.parse(renderJson(hostile)) as AuditReport; // what the CLI read back from disk
    for (const format of ['html', 'md', 'junit', 'sarif', 'csv'] as const) {
      const spec = FILE_FORMATS[format];
      expect(await readFile(join(dir, `h.${spec.extension}`), 'utf8'), format).to.equal(spec.render(saved));
    }
  });
});
