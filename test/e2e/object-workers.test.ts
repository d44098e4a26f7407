/**
 * End to end: `scan --workers N` gives the same results as one worker. The object estate (versions,
 * keys that need escaping, throttling, a denied listing, 300 generated objects) is scanned through the
 * compiled CLI with --workers 1 and --workers 3, with full, versions, sampled, limited and incremental
 * policies at once, and an incremental second run on each side; the JSON reports must be equal apart
 * from the run's own timing and names, and so must the JSONL outcomes, the manifests and the state files.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AuditReport } from '../../src/domain/report.js';
import { useSandbox } from '../helpers/sandbox.js';
import { OBJECTS_ESTATE } from '../collect/objects-helpers.js';
import { scanWith, type ScanResult } from './run-cli.js';
import { sortedLines } from '../helpers/report-files.js';

const POLICIES = `version: 1
policies:
  - name: every-object
    resource: object
    scope: { include: ["obj-*"] }
    objects: { mode: full, bucketConcurrency: 4 }
    rules:
      - s3-object-sse-kms
      - s3-object-cmk
      - s3-object-matches-bucket-key
      - id: s3-object-allowed-keys
        params: { keys: [alias/obj-data] }
  - name: every-version
    resource: object
    scope: { include: [obj-versioned, obj-many] }
    objects: { mode: full, versions: true }
    rules: [s3-object-sse-kms]
  - name: a-sample
    resource: object
    scope: { include: [obj-many] }
    objects: { mode: sample, sample: 25, sampleStrategy: random, seed: 7 }
    rules: [s3-object-cmk]
  - name: first-logs
    resource: object
    scope: { include: [obj-many] }
    objects: { mode: full, prefix: logs/, limit: 40 }
    rules: [s3-object-sse-kms]
  - name: changed-only
    resource: object
    scope: { include: [obj-many, obj-calm, obj-special-keys] }
    objects: { mode: incremental }
    rules: [s3-object-sse-kms, s3-object-cmk]
`;

/**
 * The report without what differs between two runs of the same scan by design: the run's id and
 * times, the file names the run chose (JSONL, manifest, state folder) and when the state it read was written.
 */
function comparable(report: AuditReport, names: string[]): unknown {
  let text = JSON.stringify({ ...report, run: { ...report.run, id: '', start: '', end: '' } });
  for (const n of names) text = text.split(n).join('<name>');
  return JSON.parse(text.replace(/state of [0-9T:.Z-]+/g, 'state of <time>'));
}

/** Every state file of a folder, line by line, without the times of the scan that wrote it. */
async function stateRecords(dir: string): Promise<Record<string, string[]>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.state.gz')).sort();
  const out: Record<string, string[]> = {};
  for (const f of files) out[f] = gunzipSync(await readFile(join(dir, f))).toString('utf8').replace(/"(startedAt|scannedAt)":"[^"]*"/g, '"$1":""').split('\n');
  return out;
}

describe('e2e: scan --workers N gives the same report as one worker', function () {
  this.timeout(240_000);
  const box = useSandbox({ estate: OBJECTS_ESTATE });
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'e2e-workers-'));
    await writeFile(join(work, 'policies.yaml'), POLICIES);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function scan(workers: number, side: string): Promise<ScanResult & { manifest: string; state: string }> {
    const manifest = join(work, `${side}-manifest-${Date.now()}.csv`);
    const state = join(work, `${side}-state`);
    const result = await scanWith(
      box.sb,
      join(work, side),
      join(work, 'policies.yaml'),
      ['--workers', String(workers), '--concurrency', '16', '--state', state, '--export-manifest', manifest, '--max-attempts', '10'],
      'objects',
    );
    return { ...result, manifest, state };
  }

  it('first and incremental runs: report, JSONL, manifest and state files equal with 1 and 3 workers', async () => {
    for (const round of ['first', 'incremental']) {
      const one = await scan(1, 'one');
      const three = await scan(3, 'three');
      expect(one.run.code, one.run.stderr).to.equal(three.run.code);
      // Something to compare: every bucket scanned, failures, errors (denied listing) and the state read again.
      const scans = one.report.objects!.buckets;
      expect(scans.length).to.be.greaterThan(8);
      expect(one.report.summary.byStatus.fail).to.be.greaterThan(0);
      expect(one.report.errors.length).to.be.greaterThan(0);
      if (round === 'incremental') expect(scans.filter((b) => b.state?.status === 'used')).to.have.length(3);

      const names = (r: ScanResult & { manifest: string; state: string }): string[] => [r.report.objects!.jsonl!, r.manifest, r.state, r.path.replace(/\.json$/, '')];
      expect(comparable(three.report, names(three)), round).to.deep.equal(comparable(one.report, names(one)));
      expect(await sortedLines(three.report.objects!.jsonl!), round).to.deep.equal(await sortedLines(one.report.objects!.jsonl!));
      expect(await sortedLines(three.manifest), round).to.deep.equal(await sortedLines(one.manifest));
      expect(await stateRecords(three.state), round).to.deep.equal(await stateRecords(one.state));
    }
  });

  it('--workers outside 1-64 is a usage error (exit 2) before any AWS call', async () => {
    const bad = await scanWith(box.sb, join(work, 'bad'), join(work, 'policies.yaml'), ['--workers', '0'], 'objects').catch((e: Error) => e);
    expect(bad).to.be.instanceOf(Error);
    expect((bad as Error).message).to.contain('exit 2').and.to.contain('--workers');
  });
});
