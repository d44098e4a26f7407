/**
 * The CI examples under examples/ as far as they can be checked here: each is valid YAML, every
 * s3-kms-audit command in it parses with the CLI's own table (no unknown flag, no bad value), and the
 * files later steps pick up (SARIF, JUnit, Markdown, JSON) are the ones the scan step writes.
 * Running them needs GitHub or GitLab and an AWS account; docs/cli.md says what each needs.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseArgsOf } from '../../src/cli/program.js';
import type { CommandName } from '../../src/cli/commands.js';
import { packageRoot } from '../../src/paths.js';
import { resolveShard, type ShardRequest } from '../../src/domain/shard.js';

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

// ---------------------------------------------------------------------------------------------
// Sharded runs: a matrix of `scan --shard I/N` jobs (or an Indexed Job's pods) and one merge. What can be
// checked here: every shard index 1..N is run once with the same N, the parts each shard uploads are what
// the merge step downloads and reads, and the merge's outputs are what the later steps upload. Running
// them needs GitHub (or a cluster), an AWS account and the audit role: README "Sharded runs".

/** `npx [--yes] s3-kms-audit[@version] …` commands of a shell script, as argv; `vars` fills in ${{ x }} and $X. */
function shellCommands(script: string, vars: Record<string, string>): string[][] {
  const filled = script
    .replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`unknown expression \${{ ${name} }}`);
      return vars[name]!;
    })
    .replace(/\$(\w+)/g, (whole, name: string) => vars[name] ?? whole)
    .replace(/\\\n\s*/g, ' ');
  return [...filled.matchAll(/npx (?:--yes )?s3-kms-audit(?:@[\w.]+)? ([^\n]+)/g)].map((m) =>
    m[1]!.trim().split(/\s+/).map((w) => w.replace(/"/g, '')),
  );
}

/** A shell glob (only `*`) as a RegExp. */
const globRegExp = (glob: string): RegExp => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^/]*')}$`);

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

describe('examples: examples/github-actions/s3-kms-audit-sharded.yml (matrix of shards + merge)', () => {
  const workflow = parse(read('examples/github-actions/s3-kms-audit-sharded.yml')) as {
    jobs: { scan: { strategy: { matrix: { shard: number[] } }; steps: Step[] }; merge: { needs: string; if: string; steps: Step[] } };
  };
  const matrix = workflow.jobs.scan.strategy.matrix.shard;
  const github = { 'github.run_id': '1234', 'github.run_attempt': '1' };
  const scanOf = (shard: number): string[] => {
    const commands = workflow.jobs.scan.steps.flatMap((s) => (s.run ? shellCommands(s.run, { ...github, 'matrix.shard': String(shard) }) : []));
    expect(commands.map((c) => c[0])).to.deep.equal(['scan']);
    return commands[0]!;
  };
  const mergeStep = workflow.jobs.merge.steps.find((s) => s.run?.includes('s3-kms-audit merge'))!;
  const mergeArgv = shellCommands(mergeStep.run!, {})[0]!;

  it('the matrix is exactly shards 1..N and each job runs --shard I/N with that N and one --run-id', () => {
    expect(matrix).to.deep.equal(Array.from({ length: matrix.length }, (_, i) => i + 1));
    const parsed = matrix.map((i) => parseArgsOf('scan', scanOf(i).slice(1)) as { shard: { index: number; count: number }; runId: string; formats: string[] });
    expect(parsed.map((a) => a.shard)).to.deep.equal(matrix.map((index) => ({ index, count: matrix.length })));
    expect(new Set(parsed.map((a) => a.runId)).size).to.equal(1);
    for (const a of parsed) expect(a.formats).to.include('json');
  });

  it('each shard uploads its part (and objects JSONL) and the merge job downloads every part into the folder it reads', () => {
    const upload = workflow.jobs.scan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    const download = workflow.jobs.merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    expect(workflow.jobs.merge.needs).to.equal('scan');
    expect(workflow.jobs.merge.if).to.equal('always()');
    expect(download.with!['merge-multiple']).to.equal(true);
    const partGlobs = parseArgsOf('merge', mergeArgv.slice(1)) as { parts: string[] };
    expect(partGlobs.parts).to.have.length(1);
    for (const i of matrix) {
      const scan = parseArgsOf('scan', scanOf(i).slice(1)) as { out: string; name: string };
      const json = `${scan.out}/${scan.name}.json`;
      const uploaded = String(upload.with!.path).replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(i)).split('\n').map((l) => l.trim()).filter((l) => l !== '');
      expect(uploaded).to.deep.equal([json, `${scan.out}/${scan.name}.objects.jsonl`]);
      const artifact = String(upload.with!.name).replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(i));
      expect(artifact, 'the download pattern takes this artifact').to.match(globRegExp(String(download.with!.pattern)));
      // merge-multiple puts each artifact's files directly in `path`, where the merge glob finds the part.
      expect(`${String(download.with!.path)}/${scan.name}.json`).to.match(globRegExp(partGlobs.parts[0]!));
    }
  });

  it('the merge writes the SARIF, JUnit, Markdown and JSON files the later steps upload', () => {
    expect(() => parseArgsOf('merge', mergeArgv.slice(1))).to.not.throw();
    const args = parseArgsOf('merge', mergeArgv.slice(1)) as { out: string; name: string; formats: string[] };
    const ext: Record<string, string> = { json: 'json', html: 'html', md: 'md', junit: 'junit.xml', sarif: 'sarif', csv: 'csv' };
    const written = args.formats.filter((f) => f !== 'console').map((f) => `${args.out}/${args.name}.${ext[f]}`);
    const text = read('examples/github-actions/s3-kms-audit-sharded.yml');
    const pickedUp = [...text.matchAll(/reports\/nightly\.(?:sarif|junit\.xml|md|json)/g)].map((m) => m[0]);
    expect(pickedUp).to.include.members(['reports/nightly.sarif', 'reports/nightly.junit.xml']);
    for (const path of pickedUp) expect(written, `${path} is read by a later step`).to.include(path);
    expect(workflow.jobs.merge.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif') && s.with!.sarif_file === 'reports/nightly.sarif')).to.equal(true);
  });
});

describe('examples: examples/kubernetes/s3-kms-audit-sharded.yaml (Indexed Job + merge Job)', () => {
  interface Container { command: string[]; args: string[]; env?: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string }[] }
  interface JobDoc {
    kind: string;
    metadata: { name: string; labels?: Record<string, string> };
    spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: { containers: Container[]; volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] } } };
  }
  const docs = parseAllDocuments(read('examples/kubernetes/s3-kms-audit-sharded.yaml')).map((d) => d.toJS() as JobDoc);
  const jobs = docs.filter((d) => d.kind === 'Job');
  const shardJob = jobs.find((j) => j.spec.completionMode === 'Indexed')!;
  const mergeJob = jobs.find((j) => j !== shardJob)!;
  const script = (job: JobDoc): string => job.spec.template.spec.containers[0]!.args.join('\n');
  const runId = (job: JobDoc): string => job.spec.template.spec.containers[0]!.env!.find((e) => e.name === 'RUN_ID')!.value!;
  const n = shardJob.spec.completions!;

  it('every document parses; one Indexed Job whose completions and parallelism are the N of --shard auto/N', () => {
    expect(docs.map((d) => d.kind)).to.deep.equal(['PersistentVolumeClaim', 'ConfigMap', 'Job', 'Job']);
    expect(shardJob.spec.parallelism).to.equal(n);
    const scan = shellCommands(script(shardJob), { RUN_ID: runId(shardJob), JOB_COMPLETION_INDEX: '0' });
    expect(scan.map((c) => c[0])).to.deep.equal(['scan']);
    const args = parseArgsOf('scan', scan[0]!.slice(1)) as { shard: ShardRequest };
    expect(args.shard).to.deep.equal({ index: 'auto', count: n });
  });

  it('JOB_COMPLETION_INDEX 0..N-1 (what Kubernetes sets on the pods) maps to shards 1..N, each writing its own part', () => {
    const names = new Set<string>();
    for (let index = 0; index < n; index++) {
      const env = { RUN_ID: runId(shardJob), JOB_COMPLETION_INDEX: String(index) };
      const args = parseArgsOf('scan', shellCommands(script(shardJob), env)[0]!.slice(1)) as { shard: ShardRequest; out: string; name: string };
      expect(resolveShard(args.shard, env)).to.deep.equal({ index: index + 1, count: n });
      names.add(`${args.out}/${args.name}.json`);
    }
    expect(names.size).to.equal(n);
  });

  it('the merge Job reads, from the same claim and mount, the parts of the same RUN_ID the shards write', () => {
    const claim = (job: JobDoc): string => job.spec.template.spec.volumes.find((v) => v.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
    const mount = (job: JobDoc): string => job.spec.template.spec.containers[0]!.volumeMounts.find((m) => m.name === 'parts')!.mountPath;
    expect(claim(mergeJob)).to.equal(claim(shardJob));
    expect(mount(mergeJob)).to.equal(mount(shardJob));
    expect(runId(mergeJob)).to.equal(runId(shardJob));
    const merge = shellCommands(script(mergeJob), { RUN_ID: runId(mergeJob) });
    expect(merge.map((c) => c[0])).to.deep.equal(['merge']);
    const args = parseArgsOf('merge', merge[0]!.slice(1)) as { parts: string[] };
    for (let index = 0; index < n; index++) {
      const env = { RUN_ID: runId(shardJob), JOB_COMPLETION_INDEX: String(index) };
      const scan = parseArgsOf('scan', shellCommands(script(shardJob), env)[0]!.slice(1)) as { out: string; name: string };
      expect(`${scan.out}/${scan.name}.json`).to.match(globRegExp(args.parts[0]!));
    }
  });

  it('the shard pods fail only on a usage error (2) or an incomplete scan (3): findings (1) are the merge\'s to gate', () => {
    expect(script(shardJob)).to.match(/if \[ "\$code" -eq 1 \]; then exit 0; fi/);
    expect(JSON.stringify(docs)).to.contain('"onExitCodes":{"operator":"In","values":[2]}');
  });
});
