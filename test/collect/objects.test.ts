/**
 * The object scan against the sandbox (test/fixtures/objects/estate.yaml), in process, with the real SDK
 * over HTTP: full scans, prefix and limit, samples, versions, per-object HeadObject failures, throttling
 * retried by the SDK, a denied listing, the findings cap, and the shared key cache.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountSession } from '../../src/aws/session.js';
import { KeyResolver } from '../../src/collect/keys.js';
import { ObjectAudit } from '../../src/run/object-audit.js';
import { groupObjectPolicies } from '../../src/collect/objects-options.js';
import { DEFAULT_MAX_OBJECT_FINDINGS } from '../../src/run/tally.js';
import { newStats } from '../../src/collect/stats.js';
import { parsePolicyFile } from '../../src/config/policies.js';
import { loadRules } from '../../src/config/rules.js';
import { builtinRulesDir } from '../../src/paths.js';
import type { BucketFault } from '../../src/sandbox/model.js';
import { useSandbox } from '../helpers/sandbox.js';
import { OBJECTS_ESTATE, auditObjects, objectPolicy, outcomeLines } from './objects-helpers.js';

const ACCOUNT = '777788889999';
const CMK = `arn:aws:kms:us-east-1:${ACCOUNT}:key/7777cccc-0000-4000-8000-000000000001`;

describe('object scan (collect/objects*.ts) against the sandbox', function () {
  this.timeout(60_000);
  const box = useSandbox({ estate: OBJECTS_ESTATE });

  it('full: every object is inspected once and judged on its own encryption, not the bucket default', async () => {
    const { report, streamed } = await auditObjects(box.sb, objectPolicy({ include: ['obj-special-keys'], objects: '{ mode: full }' }));
    const scan = report.objects!.buckets.find((b) => b.bucket === 'obj-special-keys')!;
    expect([scan.listed, scan.selected, scan.inspected, scan.skipped, scan.unreadable, scan.complete]).to.deep.equal([7, 7, 7, 0, 0, true]);
    const sse = streamed.filter((f) => f.rule === 's3-object-sse-kms');
    expect(sse.filter((f) => f.status === 'pass').map((f) => f.resource.key)).to.deep.equal(['ok/encrypted.bin']);
    expect(sse.filter((f) => f.status === 'fail').map((f) => f.resource.key).sort()).to.deep.equal(
      ['comma,separated.csv', 'line\nbreak.txt', 'plus+sign & percent%20.txt', 'quote"d "name".txt', 'unicodé/数据/😀.bin', 'with space.txt'].sort(),
    );
    // Object findings are object resources with the object's ARN; ids are stable across runs.
    const one = sse.find((f) => f.resource.key === 'with space.txt')!;
    expect(one.resource).to.deep.include({ type: 'object', arn: 'arn:aws:s3:::obj-special-keys/with space.txt', account: ACCOUNT, bucket: 'obj-special-keys' });
    const again = await auditObjects(box.sb, objectPolicy({ include: ['obj-special-keys'], objects: '{ mode: full }' }));
    expect(again.streamed.map((f) => f.id).sort()).to.deep.equal(streamed.map((f) => f.id).sort());
  });

  it('resolves object keys through the run-wide key cache: a few KMS calls for 302 objects', async () => {
    const before = box.sb.requestCount();
    const { report } = await auditObjects(box.sb, objectPolicy({ include: ['obj-many'], objects: '{ mode: full }', rules: ['s3-object-cmk', 's3-object-matches-bucket-key'] }));
    const requests = box.sb.requestCount() - before;
    expect(report.objects!.buckets[0]!.inspected).to.equal(302);
    // 302 HeadObject + 1 ListObjectsV2 + ListBuckets, GetCallerIdentity, GetBucketEncryption, and
    // DescribeKey/ListAliases once per distinct key (alias/obj-data and aws/s3): never one per object.
    expect(requests).to.be.at.least(302 + 1).and.at.most(302 + 12);
    const cmk = report.findings.filter((f) => f.rule === 's3-object-cmk' && f.status === 'pass');
    expect(cmk).to.have.length(0, 'passes are counted, not listed');
    expect(report.summary.byRule['s3-object-cmk']!.pass).to.be.greaterThan(100);
  });

  it('prefix and limit: only keys under the prefix, at most `limit` per bucket, in key order', async () => {
    const prefixed = await auditObjects(box.sb, objectPolicy({ include: ['obj-many'], objects: '{ mode: full, prefix: data/ }', rules: ['s3-object-sse-kms'] }));
    expect(outcomeLines(prefixed.streamed)).to.deep.equal(['obj-many/data/x.bin s3-object-sse-kms fail', 'obj-many/data/y.bin s3-object-sse-kms pass']);
    expect(prefixed.report.objects!.buckets[0]).to.deep.include({ prefix: 'data/', listed: 2, inspected: 2 });

    const limited = await auditObjects(box.sb, objectPolicy({ include: ['obj-many'], objects: '{ mode: full, prefix: logs/, limit: 10 }', rules: ['s3-object-sse-kms'] }));
    expect(limited.streamed.map((f) => f.resource.key).sort()).to.deep.equal(Array.from({ length: 10 }, (_, i) => `logs/${String(i).padStart(3, '0')}`));
    expect(limited.report.objects!.buckets[0]).to.deep.include({ listed: 10, selected: 10, inspected: 10, complete: true });
  });

  it('sample newest: the N most recently modified objects', async () => {
    const { streamed, report } = await auditObjects(box.sb, objectPolicy({ include: ['obj-many'], objects: '{ mode: sample, sample: 2 }', rules: ['s3-object-sse-kms'] }));
    expect(streamed.map((f) => f.resource.key).sort()).to.deep.equal(['data/x.bin', 'data/y.bin']);
    expect(report.objects!.buckets[0]).to.deep.include({ mode: 'sample', listed: 302, selected: 2, inspected: 2 });
  });

  it('sample random: the same seed picks the same objects, another seed others, spread over the bucket', async () => {
    const run = async (seed: number): Promise<string[]> =>
      (
        await auditObjects(box.sb, objectPolicy({ include: ['obj-many'], objects: `{ mode: sample, sample: 20, sampleStrategy: random, seed: ${seed} }`, rules: ['s3-object-sse-kms'] }))
      ).streamed
        .map((f) => f.resource.key!)
        .sort();
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).to.have.length(20);
    expect(b).to.deep.equal(a);
    expect(c).to.not.deep.equal(a);
    // Not the first or the newest 20: keys from across the listing.
    const indexes = a.filter((k) => k.startsWith('logs/')).map((k) => Number(k.slice(5)));
    expect(Math.max(...indexes) - Math.min(...indexes)).to.be.greaterThan(150);
  });

  it('versions: true walks ListObjectVersions and judges non-current versions too, each its own finding', async () => {
    const current = await auditObjects(box.sb, objectPolicy({ include: ['obj-versioned'], objects: '{ mode: full }', rules: ['s3-object-sse-kms', 's3-object-allowed-keys'] }).replace('s3-object-allowed-keys', '{ id: s3-object-allowed-keys, params: { keys: [alias/obj-data] } }'));
    expect(current.report.objects!.buckets[0]).to.deep.include({ listed: 3, inspected: 3, versions: false });
    expect(current.streamed.filter((f) => f.status !== 'pass')).to.deep.equal([]);

    const all = await auditObjects(box.sb, objectPolicy({ include: ['obj-versioned'], objects: '{ mode: full, versions: true }', rules: ['s3-object-sse-kms', 's3-object-allowed-keys'] }).replace('s3-object-allowed-keys', '{ id: s3-object-allowed-keys, params: { keys: [alias/obj-data] } }'));
    expect(all.report.objects!.buckets[0]).to.deep.include({ listed: 6, inspected: 6, versions: true });
    const failing = all.streamed.filter((f) => f.status === 'fail').map((f) => `${f.resource.key} ${f.rule}`).sort();
    expect(failing).to.deep.equal([
      'a.csv s3-object-allowed-keys', // the aws/s3 version
      'a.csv s3-object-allowed-keys', // the SSE-S3 version
      'a.csv s3-object-sse-kms', // the SSE-S3 version
      'b.csv s3-object-allowed-keys', // the alias/obj-old version
    ]);
    for (const f of all.streamed) expect(f.resource.versionId).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(all.streamed.map((f) => f.id)).size, 'one id per (version, rule)').to.equal(12);
    expect(new Set(all.failing.map((o) => `${o.key}?${o.versionId}`)).size, 'failing versions named by version id').to.equal(3);
  });

  it('AccessDenied on HeadObject for some keys: their outcomes are errors with code and operation, the rest carry on', async () => {
    const bucket = box.sb.estate.buckets.get('obj-calm')!;
    const fault: BucketFault = { operation: 'HeadObject', keys: 't/0*', error: 'AccessDenied' };
    bucket.faults.push(fault);
    try {
      const { report, streamed } = await auditObjects(box.sb, objectPolicy({ include: ['obj-calm'], objects: '{ mode: full }' }));
      const scan = report.objects!.buckets[0]!;
      expect([scan.listed, scan.inspected, scan.unreadable]).to.deep.equal([60, 50, 10]);
      const errors = streamed.filter((f) => f.status === 'error');
      expect(errors.map((f) => f.resource.key)).to.have.length(20); // 10 objects × 2 rules
      for (const f of errors) {
        expect(f.resource.key).to.match(/^t\/0\d$/);
        expect(f.cause).to.deep.include({ code: 'AccessDenied', operation: 'HeadObject' });
      }
      expect(streamed.filter((f) => f.status !== 'error').every((f) => !/^t\/0\d$/.test(f.resource.key!))).to.equal(true);
      expect(report.run.complete).to.equal(false);
      expect(report.errors).to.deep.include({ account: ACCOUNT, region: 'us-east-1', bucket: 'obj-calm', operation: 'HeadObject', code: 'AccessDenied', message: report.errors.find((e) => e.operation === 'HeadObject')!.message });
    } finally {
      bucket.faults.splice(bucket.faults.indexOf(fault), 1);
    }
  });

  it('an object deleted between the listing and HeadObject (404) is counted as vanished, not judged', async () => {
    const bucket = box.sb.estate.buckets.get('obj-calm')!;
    const fault: BucketFault = { operation: 'HeadObject', keys: 't/1*', error: 'NoSuchKey' };
    bucket.faults.push(fault);
    try {
      const { report, streamed } = await auditObjects(box.sb, objectPolicy({ include: ['obj-calm'], objects: '{ mode: full }' }));
      expect(report.objects!.buckets[0]).to.deep.include({ listed: 60, inspected: 50, vanished: 10, unreadable: 0, complete: true });
      expect(streamed.some((f) => /^t\/1\d$/.test(f.resource.key!))).to.equal(false);
      expect(report.run.complete).to.equal(true);
    } finally {
      bucket.faults.splice(bucket.faults.indexOf(fault), 1);
    }
  });

  it('throttling (503 SlowDown) that succeeds on retry gives the same results as no throttling', async () => {
    const before = box.sb.requestCount();
    const throttled = await auditObjects(box.sb, objectPolicy({ include: ['obj-throttled'], objects: '{ mode: full }' }), { maxAttempts: 8 });
    const requests = box.sb.requestCount() - before;
    const calm = await auditObjects(box.sb, objectPolicy({ include: ['obj-calm'], objects: '{ mode: full }' }));
    const strip = (lines: string[]): string[] => lines.map((l) => l.replace(/^obj-(throttled|calm)\//, ''));
    expect(strip(outcomeLines(throttled.streamed))).to.deep.equal(strip(outcomeLines(calm.streamed)));
    expect(throttled.report.run.complete).to.equal(true);
    expect(throttled.report.objects!.buckets[0]).to.deep.include({ inspected: 60, unreadable: 0 });
    expect(requests, 'the 12 SlowDown answers were retried').to.be.at.least(60 + 12);
    expect(box.sb.estate.buckets.get('obj-throttled')!.faults[0]!.times).to.equal(0);
  });

  it('a denied listing makes the bucket scan incomplete (a run error), never "no objects"', async () => {
    const { report } = await auditObjects(box.sb, objectPolicy({ include: ['obj-list-denied'], objects: '{ mode: full }' }));
    expect(report.objects!.buckets[0]).to.deep.include({ listed: 0, complete: false });
    expect(report.errors).to.deep.include({ account: ACCOUNT, region: 'us-east-1', bucket: 'obj-list-denied', operation: 'ListObjectsV2', code: 'AccessDenied', message: 'Access Denied' });
    expect(report.run.complete).to.equal(false);
    expect(report.summary.gate.exitCode).to.equal(3);
  });

  it('caps the listed object findings, counting every outcome: summary and gate equal an uncapped run', async () => {
    const policy = objectPolicy({ include: ['obj-many'], objects: '{ mode: full }' });
    const capped = await auditObjects(box.sb, policy, { maxFindings: 3 });
    const full = await auditObjects(box.sb, policy, { maxFindings: 100_000 });
    const nonPass = full.report.findings.length;
    expect(nonPass).to.be.greaterThan(100);
    expect(capped.report.findings).to.have.length(3);
    expect(capped.report.objects).to.deep.include({ maxFindings: 3, findingsListed: 3, findingsOmitted: nonPass - 3 });
    expect(capped.report.summary.byStatus).to.deep.equal(full.report.summary.byStatus);
    expect(capped.report.summary.bySeverity).to.deep.equal(full.report.summary.bySeverity);
    expect(capped.report.summary.byRule).to.deep.equal(full.report.summary.byRule);
    expect(capped.report.summary.total).to.equal(full.report.summary.total);
    expect(capped.report.summary.gate).to.deep.equal(full.report.summary.gate);
    // The kept ones are the most severe, in the report's order; every outcome was streamed either way.
    expect(capped.streamed).to.have.length(full.streamed.length);
    expect(DEFAULT_MAX_OBJECT_FINDINGS).to.equal(1000);
  });

  it('two incremental policies differing only in limit keep separate state files and do not race', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'objects-state-'));
    try {
      const policy = (name: string, limit: number) =>
        [`  - name: ${name}`, '    resource: object', '    scope: { include: [obj-many] }', `    objects: { mode: incremental, limit: ${limit} }`, '    rules: [s3-object-sse-kms]'];
      const yaml = ['version: 1', 'policies:', ...policy('first-5', 5), ...policy('first-10', 10), ''].join('\n');
      const counts = (run: Awaited<ReturnType<typeof auditObjects>>) =>
        run.report.objects!.buckets.map((b) => `${b.policies.join(',')} inspected ${b.inspected} skipped ${b.skipped} ${b.complete ? 'complete' : 'incomplete'}`).sort();

      const first = await auditObjects(box.sb, yaml, { stateDir });
      expect(first.report.errors).to.deep.equal([]);
      expect(counts(first)).to.deep.equal(['first-10 inspected 10 skipped 0 complete', 'first-5 inspected 5 skipped 0 complete']);
      const files = await readdir(stateDir);
      expect(files.filter((n) => n.endsWith('.state.gz'))).to.have.length(2);
      expect(files.filter((n) => n.endsWith('.tmp')), 'no temporary file left behind').to.deep.equal([]);

      const second = await auditObjects(box.sb, yaml, { stateDir });
      expect(second.report.errors).to.deep.equal([]);
      expect(counts(second)).to.deep.equal(['first-10 inspected 0 skipped 10 complete', 'first-5 inspected 0 skipped 5 complete']);
      expect(outcomeLines(second.streamed)).to.deep.equal(outcomeLines(first.streamed));
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('an object under the bucket default key passes s3-object-matches-bucket-key, one under aws/s3 fails', async () => {
    const { streamed } = await auditObjects(box.sb, objectPolicy({ include: ['obj-many'], objects: '{ mode: full, limit: 30 }', rules: ['s3-object-matches-bucket-key', 's3-object-cmk'] }));
    const byKey = new Map<string, Record<string, string>>();
    for (const f of streamed) (byKey.get(f.resource.key!) ?? byKey.set(f.resource.key!, {}).get(f.resource.key!)!)[f.rule] = f.status;
    const statuses = new Set([...byKey.values()].map((r) => `${r['s3-object-cmk']}/${r['s3-object-matches-bucket-key']}`));
    // CMK objects pass both; aws/s3 objects fail both; SSE-S3 objects fail cmk and are not applicable for the match.
    expect([...statuses].sort()).to.deep.equal(['fail/fail', 'fail/skip', 'pass/pass']);
    const pass = streamed.find((f) => f.rule === 's3-object-matches-bucket-key' && f.status === 'pass')!;
    expect(pass.message).to.contain(CMK);
  });
});

describe('object audit admission (collect/objects-audit.ts): a bucket that cannot be scanned is reported', () => {
  const rules = loadRules([builtinRulesDir()]);
  const groups = groupObjectPolicies(
    parsePolicyFile('version: 1\npolicies:\n  - name: objs\n    resource: object\n    scope: { include: [b] }\n    rules: [s3-object-sse-kms]\n', 'p.yaml', rules),
    rules,
  );
  const admitOne = async (region: string, sessions: AccountSession[], bucket = 'b') => {
    const stats = newStats();
    const audit = new ObjectAudit({ groups, rules, sessions, keys: new KeyResolver(() => undefined, stats), stats, concurrency: 2, evaluatedAt: new Date(0), maxFindings: 10 });
    await audit.admit({ bucket: { arn: `arn:aws:s3:::${bucket}`, name: bucket, account: ACCOUNT, region, tags: {}, errors: {} }, errors: {} });
    return audit.finish();
  };

  it('no session for the account: a NotAudited run error naming the policies, no scan', async () => {
    const result = await admitOne('us-east-1', []);
    expect(result.section.buckets).to.deep.equal([]);
    expect(result.runErrors).to.deep.equal([
      { account: ACCOUNT, region: 'us-east-1', bucket: 'b', operation: 'ObjectScan', code: 'NotAudited', message: `objects not audited for object policies objs: there is no session for account ${ACCOUNT}` },
    ]);
  });

  it('unknown region: a NotAudited run error; a bucket out of every policy\'s scope: nothing', async () => {
    const session = { account: ACCOUNT } as AccountSession; // never used: nothing is scanned
    expect((await admitOne('unknown', [session])).runErrors.map((e) => `${e.operation} ${e.code}: ${e.message}`)).to.deep.equal([
      'ObjectScan NotAudited: objects not audited for object policies objs: the bucket region is unknown',
    ]);
    expect((await admitOne('unknown', [session], 'other')).runErrors).to.deep.equal([]);
  });
});
