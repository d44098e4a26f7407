/**
 * merge, in process: reports built by the same code a scan uses (buildReport, ObjectTally), once for the
 * whole estate and once per shard; joined, the parts must give the whole estate's report.
 */
import { expect } from 'chai';
import type { AccountsSection } from '../../src/domain/accounts.js';
import { UsageError } from '../../src/domain/errors.js';
import { SEVERITIES, STATUSES, type Finding } from '../../src/domain/finding.js';
import type { AuditReport, RunError, ShardInfo } from '../../src/domain/report.js';
import { shardOfBucket } from '../../src/domain/shard.js';
import type { GateOptions } from '../../src/engine/gate.js';
import { mergeParts, type MergePart } from '../../src/run/merge.js';
import { buildReport } from '../../src/run/report.js';
import { ObjectTally } from '../../src/run/tally.js';
import { withoutRunTiming } from '../helpers/report-files.js';

const ACCOUNTS = ['111122223333', '444455556666'];
const GATE: GateOptions = { failOn: 'high', allowIncomplete: false };
const CAP = 4;

/** A finding with a made-up but unique id; statuses and severities cycle so every kind is there. */
function finding(account: string, bucket: string, n: number, key?: string): Finding {
  const status = STATUSES[n % STATUSES.length]!;
  return {
    id: `${account}-${bucket}-${key ?? ''}-${n}`.padEnd(32, '0'),
    policy: key ? 'objects' : `policy-${n % 2}`,
    rule: `rule-${n % 3}`,
    severity: SEVERITIES[(n * 7) % SEVERITIES.length]!,
    status,
    resource: { type: key ? 'object' : 'bucket', arn: `arn:aws:s3:::${bucket}${key ? `/${key}` : ''}`, account, region: n % 2 ? 'us-east-1' : 'eu-west-1', bucket, ...(key ? { key } : {}) },
    message: 'm',
    evidence: {},
    ...(status === 'error' ? { cause: { code: 'AccessDenied', operation: key ? 'HeadObject' : 'GetBucketEncryption', message: 'denied' } } : {}),
  };
}

/** The estate: 2 accounts × 12 buckets, 3 bucket findings and 5 object findings each; an account's ListBuckets denied. */
const BUCKETS = ACCOUNTS.flatMap((account) => Array.from({ length: 12 }, (_, i) => ({ account, bucket: `bucket-${i}` })));
const bucketFindings = (b: { account: string; bucket: string }): Finding[] => [0, 1, 2].map((n) => finding(b.account, b.bucket, n + b.bucket.length));
const objectFindings = (b: { account: string; bucket: string }): Finding[] => [0, 1, 2, 3, 4].map((n) => finding(b.account, b.bucket, n + b.bucket.length, `k${n}`));
const LIST_DENIED: RunError = { account: ACCOUNTS[1]!, region: 'us-east-1', operation: 'ListBuckets', code: 'AccessDenied', message: 'denied' };

function reportOf(buckets: typeof BUCKETS, shard?: { index: number; count: number }, run: Partial<AuditReport['run']> = {}, gate = GATE): AuditReport {
  const tally = new ObjectTally(CAP);
  for (const b of buckets) for (const f of objectFindings(b)) tally.add(f);
  const t = tally.result();
  const findings = [...buckets.flatMap(bucketFindings), ...t.findings];
  const shardInfo: Omit<ShardInfo, 'runErrors'> | undefined = shard && { ...shard, runKey: 'e'.repeat(64), rulesSha256: 'f'.repeat(64) };
  return buildReport({
    toolVersion: '1.2.3',
    run: {
      id: run.id ?? `run-${shard?.index ?? 0}`,
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-01T00:01:00.000Z',
      policyFile: 'policies.yaml',
      policyFileSha256: run.policyFileSha256 ?? 'a'.repeat(64),
      rulesDirs: ['/rules'],
      accounts: ACCOUNTS,
      regions: [...new Set(findings.map((f) => f.resource.region))],
      ...(shardInfo ? { shard: shardInfo } : {}),
    },
    findings,
    // Every shard lists every account, so every shard meets the denied ListBuckets.
    errors: [LIST_DENIED],
    gate,
    objects: { section: { maxFindings: CAP, findingsListed: t.listedNonPass, findingsOmitted: t.omittedNonPass, buckets: [] }, uncounted: t.omitted, errorCauses: t.errorCauses },
  });
}

function partsOf(count: number): MergePart[] {
  return Array.from({ length: count }, (_, i) => {
    const mine = BUCKETS.filter((b) => shardOfBucket(b.account, b.bucket, count) === i + 1);
    return { label: `part-${i + 1}.json`, report: reportOf(mine, { index: i + 1, count }) };
  });
}

describe('run/merge: parts of a sharded run → the unsharded report', () => {
  const whole = reportOf(BUCKETS);

  it('the estate has what makes merging non-trivial: object findings cut by the cap, errors, a run error', () => {
    expect(whole.objects!.findingsOmitted).to.be.greaterThan(0);
    expect(whole.summary.byStatus.error).to.be.greaterThan(0);
    expect(whole.errors).to.deep.include(LIST_DENIED);
  });

  for (const n of [1, 2, 3, 7]) {
    it(`N = ${n}: equal to the unsharded report apart from run id and timing (the run error once)`, () => {
      const merged = mergeParts(partsOf(n).reverse(), { newRunId: () => 'merged' });
      expect(withoutRunTiming(merged)).to.deep.equal(withoutRunTiming(whole));
      expect(merged.errors.filter((e) => e.operation === 'ListBuckets')).to.have.length(1);
      expect(merged.summary.gate.reason).to.contain('1 run error');
      // One part is a run id shared by every part; several random ones give the merged run a new one.
      expect(merged.run.id).to.equal(n === 1 ? 'run-1' : 'merged');
    });
  }

  it('an account-level run error worded differently by two shards is still one error, in the first shard\'s words', () => {
    const parts = partsOf(2);
    const reworded = { ...LIST_DENIED, message: 'denied (after 5 attempts)' };
    const second = structuredClone(parts[1]!.report);
    second.run.shard!.runErrors = [reworded];
    second.errors = second.errors.map((e) => (e.operation === 'ListBuckets' ? reworded : e));
    const merged = mergeParts([parts[0]!, { ...parts[1]!, report: second }], { newRunId: () => 'x' });
    expect(merged.errors.filter((e) => e.operation === 'ListBuckets')).to.deep.equal([LIST_DENIED]);
    expect(withoutRunTiming(merged)).to.deep.equal(withoutRunTiming(whole));
  });

  it('parts that share a run id (--run-id) keep it', () => {
    const parts = partsOf(2).map((p) => ({ ...p, report: { ...p.report, run: { ...p.report.run, id: 'ci-7' } } }));
    expect(mergeParts(parts, { newRunId: () => 'merged' }).run.id).to.equal('ci-7');
  });

  it("the gate is the parts' unless given: --fail-on info turns the incomplete exit 3 into exit 1, --allow-incomplete into 0", () => {
    const parts = partsOf(3);
    expect(mergeParts(parts, { newRunId: () => 'x' }).summary.gate.exitCode).to.equal(whole.summary.gate.exitCode).and.to.equal(3);
    expect(mergeParts(parts, { newRunId: () => 'x', gate: { failOn: 'info' } }).summary.gate.exitCode).to.equal(1);
    expect(mergeParts(parts, { newRunId: () => 'x', gate: { allowIncomplete: true } }).summary.gate.exitCode).to.equal(0);
  });

  it('a missing shard is refused, naming it', () => {
    const parts = partsOf(7);
    expect(() => mergeParts([...parts.slice(0, 2), ...parts.slice(3, 5), parts[6]!], { newRunId: () => 'x' })).to.throw(UsageError, /missing shards 3\/7, 6\/7: got 5 of 7 parts/);
  });

  it('many missing shards are named as ranges, so the message stays short', () => {
    const parts = partsOf(9);
    expect(() => mergeParts([parts[0]!, parts[4]!], { newRunId: () => 'x' })).to.throw(UsageError, /missing shards 2\/9-4\/9, 6\/9-9\/9: got 2 of 9 parts/);
    expect(() => mergeParts([parts[0]!, parts[3]!, parts[4]!, parts[5]!, parts[6]!, parts[7]!, parts[8]!], { newRunId: () => 'x' })).to.throw(UsageError, /missing shards 2\/9, 3\/9: got 7 of 9 parts/);
  });

  it('a duplicated shard is refused, naming it and its files', () => {
    const parts = partsOf(3);
    expect(() => mergeParts([...parts, { ...parts[1]!, label: 'copy.json' }], { newRunId: () => 'x' })).to.throw(UsageError, /duplicate shard: shard 2\/3 \(part-2\.json, copy\.json\)/);
  });

  it('parts of another policy file, N or gate are refused, naming what differs', () => {
    const parts = partsOf(2);
    const other = (changes: (r: AuditReport) => AuditReport): MergePart[] => [parts[0]!, { label: 'other.json', report: changes(structuredClone(parts[1]!.report)) }];
    expect(() => mergeParts(other((r) => ({ ...r, run: { ...r.run, policyFileSha256: 'b'.repeat(64) } })), { newRunId: () => 'x' })).to.throw(
      UsageError,
      /policy file \(policyFileSha256\) differs: part-1\.json has aaaaaaaaaaaa…, other\.json has bbbbbbbbbbbb…/,
    );
    expect(() => mergeParts(other((r) => ({ ...r, run: { ...r.run, shard: { ...r.run.shard!, count: 3 } } })), { newRunId: () => 'x' })).to.throw(UsageError, /shard count N differs/);
    expect(() => mergeParts(other((r) => ({ ...r, summary: { ...r.summary, gate: { ...r.summary.gate, failOn: 'low' } } })), { newRunId: () => 'x' })).to.throw(UsageError, /gate --fail-on differs/);
    expect(() => mergeParts(other((r) => ({ ...r, run: { ...r.run, shard: { ...r.run.shard!, runKey: '0'.repeat(64) } } })), { newRunId: () => 'x' })).to.throw(UsageError, /run key/);
  });

  it('parts gated with --fail-on-new need the baseline again', () => {
    const parts = partsOf(2).map((p) => ({ ...p, report: { ...p.report, summary: { ...p.report.summary, gate: { ...p.report.summary.gate, failOnNew: true } } } }));
    expect(() => mergeParts(parts, { newRunId: () => 'x' })).to.throw(UsageError, /gated with --fail-on-new: give merge the same --baseline FILE and --fail-on-new/);
    const failing = new Set(parts.flatMap((p) => p.report.findings.filter((f) => f.status === 'fail').map((f) => f.id)));
    expect(mergeParts(parts, { newRunId: () => 'x', gate: { baselineFailing: failing } }).summary.gate.failOnNew).to.equal(true);
  });

  it("an organisation's accounts section: the same list in every part; an account that failed in one shard failed in the run", () => {
    const section = (result: 'scanned' | 'error'): AccountsSection => ({
      source: 'organization',
      organization: { id: 'o-example', managementAccount: ACCOUNTS[0]! },
      list: [
        { id: ACCOUNTS[0]!, status: 'ACTIVE', result: 'scanned' },
        { id: ACCOUNTS[1]!, status: 'ACTIVE', result, ...(result === 'error' ? { reason: 'ListBuckets: AccessDenied' } : {}) },
        { id: '777788889999', status: 'SUSPENDED', result: 'skipped', reason: 'SUSPENDED' },
      ],
    });
    const parts = partsOf(3).map((p, i) => ({ ...p, report: { ...p.report, accounts: section(i === 1 ? 'error' : 'scanned') } }));
    const merged = mergeParts(parts, { newRunId: () => 'x' });
    expect(merged.accounts!.list.map((e) => e.result)).to.deep.equal(['scanned', 'error', 'skipped']);
    expect(merged.accounts!.list[1]!.reason).to.equal('ListBuckets: AccessDenied');
    expect(mergeParts(partsOf(2).map((p) => ({ ...p, report: { ...p.report, accounts: section('scanned') } })), { newRunId: () => 'x' }).accounts).to.deep.equal(section('scanned'));

    const fewer = structuredClone(parts[2]!.report);
    fewer.accounts!.list.pop();
    expect(() => mergeParts([parts[0]!, parts[1]!, { label: 'fewer.json', report: fewer }], { newRunId: () => 'x' })).to.throw(UsageError, /fewer\.json selected other accounts/);
    const { accounts: _dropped, ...none } = parts[2]!.report;
    expect(() => mergeParts([parts[0]!, parts[1]!, { label: 'none.json', report: none }], { newRunId: () => 'x' })).to.throw(UsageError, /none\.json has no accounts section/);
  });

  it("a part listing another shard's bucket is refused, naming the part, the bucket and its shard", () => {
    const parts = partsOf(3);
    const foreign = parts[0]!.report.findings.find((f) => f.resource.type === 'bucket')!;
    const edited = structuredClone(parts[1]!.report);
    edited.findings.push(foreign);
    expect(() => mergeParts([parts[0]!, { label: 'edited.json', report: edited }, parts[2]!], { newRunId: () => 'x' })).to.throw(
      UsageError,
      new RegExp(`edited\\.json \\(shard 2/3\\) has findings of bucket ${foreign.resource.bucket} in account ${foreign.resource.account}, which shard 1/3 audits`),
    );
  });

  it('a part whose summary counts fewer outcomes than its findings list is refused: lowered counts would change the merged gate', () => {
    const parts = partsOf(3);
    const edited = structuredClone(parts[1]!.report);
    for (const severity of SEVERITIES) edited.summary.bySeverity[severity].fail = 0;
    const first = SEVERITIES.find((severity) => edited.findings.some((f) => f.status === 'fail' && f.severity === severity))!;
    expect(() => mergeParts([parts[0]!, { label: 'edited.json', report: edited }, parts[2]!], { newRunId: () => 'x' })).to.throw(
      UsageError,
      new RegExp(`edited\\.json: its summary counts fewer outcomes than its findings list \\(summary\\.bySeverity\\.${first}\\.fail is 0, its findings list \\d+\\)`),
    );
  });

  it('an unsharded report is not a part', () => {
    expect(() => mergeParts([{ label: 'whole.json', report: whole }], { newRunId: () => 'x' })).to.throw(UsageError, /whole\.json is not the report of a shard/);
  });
});
