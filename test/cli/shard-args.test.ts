import { expect } from 'chai';
import { UsageError } from '../../src/domain/errors.js';
import { parseArgsOf } from '../../src/cli/program.js';
import { runCli } from '../../src/cli/run.js';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env };
  return { code: await runCli(argv, io), stderr };
}

describe('cli: scan --shard / --run-id and merge arguments', () => {
  it('scan --shard I/N and auto/N parse; --run-id is kept as typed', () => {
    const a = parseArgsOf('scan', ['--shard', '2/7', '--run-id', 'gh-123-1'], {}) as { shard: unknown; runId: unknown };
    expect(a.shard).to.deep.equal({ index: 2, count: 7 });
    expect(a.runId).to.equal('gh-123-1');
    expect((parseArgsOf('scan', ['--shard', 'auto/4'], {}) as { shard: unknown }).shard).to.deep.equal({ index: 'auto', count: 4 });
  });

  it('scan without --shard is not sharded, whatever JOB_COMPLETION_INDEX says', () => {
    expect((parseArgsOf('scan', [], { JOB_COMPLETION_INDEX: '2' }) as { shard?: unknown }).shard).to.equal(undefined);
  });

  for (const [argv, message] of [
    [['--shard', '8/7'], /--shard: expected I\/N/],
    [['--shard', '1/2', '--format', 'console'], /--shard writes a partial report for merge: add json to --format/],
    [['--run-id', 'has space'], /--run-id: "has space" is not a run id/],
    [['--run-id', ''], /is not a run id/],
  ] as const) {
    it(`scan ${argv.join(' ')}: usage error`, () => {
      expect(() => parseArgsOf('scan', [...argv], {})).to.throw(UsageError, message);
    });
  }

  it('scan --shard auto/N without JOB_COMPLETION_INDEX exits 2 before reading the policy file or calling AWS', async () => {
    const r = await run(['scan', '--policies', '/nonexistent/policies.yaml', '--shard', 'auto/3', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('JOB_COMPLETION_INDEX is not set');
  });

  it('merge takes the parts as positionals and needs at least one', () => {
    const a = parseArgsOf('merge', ['a.json', 'b.json', '--format', 'json,sarif', '--fail-on', 'critical'], {}) as { parts: string[]; formats: string[]; failOn?: string; allowIncomplete: boolean };
    expect(a.parts).to.deep.equal(['a.json', 'b.json']);
    expect(a.formats).to.deep.equal(['json', 'sarif']);
    expect(a.failOn).to.equal('critical');
    expect(a.allowIncomplete).to.equal(false);
    expect((parseArgsOf('merge', ['a.json'], {}) as { failOn?: string }).failOn, "default: the shards' gate").to.equal(undefined);
    expect(() => parseArgsOf('merge', [], {})).to.throw(UsageError, /give the JSON report of every shard/);
  });
});
