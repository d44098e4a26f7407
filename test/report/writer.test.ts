import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/domain/errors.js';
import { prepareOutDir, writeReports } from '../../src/report/writer.js';
import { writeFile } from 'node:fs/promises';

describe('report/writer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3ka-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the folder and writes <name>.<ext> for each rendering, returning the paths', async () => {
    const out = join(dir, 'nested', 'reports');
    const paths = await writeReports(out, 'nightly', [
      { extension: 'json', content: '{"a":1}\n' },
      { extension: 'txt', content: 'hello' },
    ]);
    expect(paths).to.deep.equal([join(out, 'nightly.json'), join(out, 'nightly.txt')]);
    expect(await readFile(paths[0]!, 'utf8')).to.equal('{"a":1}\n');
    expect((await readdir(out)).sort()).to.deep.equal(['nightly.json', 'nightly.txt']); // no temp files left
  });

  it('overwrites an existing report of the same name', async () => {
    await writeReports(dir, 'r', [{ extension: 'json', content: 'old' }]);
    await writeReports(dir, 'r', [{ extension: 'json', content: 'new' }]);
    expect(await readFile(join(dir, 'r.json'), 'utf8')).to.equal('new');
  });

  for (const name of ['../escape', 'a/b', '', '.hidden', 'x\u0000y']) {
    it(`rejects the report name ${JSON.stringify(name)}`, async () => {
      let caught: unknown;
      try {
        await writeReports(dir, name, [{ extension: 'json', content: '' }]);
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(UsageError);
      expect(await readdir(dir)).to.deep.equal([]);
    });
  }

  it('prepareOutDir creates the folder, and refuses a path under a file with a usage error', async () => {
    await prepareOutDir(join(dir, 'a', 'b'));
    expect(await readdir(join(dir, 'a'))).to.deep.equal(['b']);
    await writeFile(join(dir, 'file'), 'x');
    let caught: unknown;
    try {
      await prepareOutDir(join(dir, 'file', 'reports'));
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as Error).message).to.contain('--out').and.contain('ENOTDIR');
  });

  it('prepareOutDir fails at once under /proc, where a recursive mkdir would loop for ever', async function () {
    if (process.platform !== 'linux') this.skip();
    let caught: unknown;
    try {
      await prepareOutDir('/proc/s3-kms-audit-no-such-dir/reports');
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as Error).message).to.contain('--out: cannot write reports to "/proc/s3-kms-audit-no-such-dir/reports"');
  });
});
