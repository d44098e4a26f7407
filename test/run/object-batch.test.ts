/**
 * Rendered worker batches (run/object-batch.ts) give the tally, the JSONL and the manifest exactly what
 * handing over each object's findings gives; and a scan's memo of key answers (collect/key-memo.ts) asks
 * the resolver once per distinct question.
 */
import { expect } from 'chai';
import type { Finding, Status } from '../../src/domain/finding.js';
import type { ResolvedKey } from '../../src/collect/keys.js';
import { memoizedKeys } from '../../src/collect/key-memo.js';
import { RenderedBatchBuilder, replayBatch } from '../../src/run/object-batch.js';
import { ObjectTally } from '../../src/run/tally.js';

function finding(key: string, rule: string, status: Status, severity: Finding['severity'] = 'high'): Finding {
  return {
    id: `${key}-${rule}`,
    policy: rule.endsWith('cmk') ? 'keys' : 'encryption',
    rule,
    severity,
    status,
    resource: { type: 'object', account: '111122223333', region: 'us-east-1', bucket: 'b', arn: `arn:aws:s3:::b/${key}`, key } as Finding['resource'],
    message: `${key} ${status}`,
    evidence: { 'object.sse': status === 'pass' ? 'aws:kms' : 'AES256' },
  };
}

describe('rendered object batches (run/object-batch.ts)', () => {
  const objects: { findings: Finding[]; failing?: { bucket: string; key: string; versionId?: string } }[] = [];
  for (let i = 0; i < 40; i++) {
    const key = `k/${i}`;
    const status: Status = (['pass', 'fail', 'skip', 'error', 'excepted'] as const)[i % 5]!;
    const findings = [finding(key, 's3-object-sse-kms', status, i % 3 === 0 ? 'critical' : 'high'), finding(key, 's3-object-cmk', i % 2 ? 'pass' : 'fail')];
    objects.push({ findings, ...(findings.some((f) => f.status === 'fail') ? { failing: { bucket: 'b', key, ...(i % 4 === 0 ? { versionId: `v${i}` } : {}) } } : {}) });
  }

  function outputs(): { lines: string[]; failing: unknown[]; out: { findingJson(j: string): undefined; failing(o: unknown): undefined } } {
    const lines: string[] = [];
    const failing: unknown[] = [];
    return { lines, failing, out: { findingJson: (j) => void lines.push(j), failing: (o) => void failing.push(o) } };
  }

  it('replayed, equal the objects handed over one by one: counts, kept findings, JSONL lines and manifest', () => {
    const direct = new ObjectTally(7);
    const directLines: string[] = [];
    const directFailing: unknown[] = [];
    for (const o of objects) {
      for (const f of o.findings) {
        direct.add(f);
        directLines.push(JSON.stringify(f));
      }
      if (o.failing) directFailing.push(o.failing);
    }

    const replayed = new ObjectTally(7);
    const { lines, failing, out } = outputs();
    const builder = new RenderedBatchBuilder();
    for (const [i, o] of objects.entries()) {
      // Half the objects come with their lines already made (templates), half without.
      builder.add(o.findings, i % 2 ? o.findings.map((f) => JSON.stringify(f)) : undefined, o.failing);
      if (builder.size === 16) expect(replayBatch(structuredClone(builder.take()), replayed, out)).to.equal(undefined);
    }
    replayBatch(structuredClone(builder.take()), replayed, out);
    expect(builder.size).to.equal(0);

    expect(lines).to.deep.equal(directLines);
    expect(failing).to.deep.equal(directFailing);
    expect(replayed.all).to.deep.equal(direct.all);
    expect(replayed.result()).to.deep.equal(direct.result());
  });

  it('counts passes and skips only: a pass or skip finding is not kept, whole or in part', () => {
    const builder = new RenderedBatchBuilder();
    builder.add([finding('a', 'r', 'pass'), finding('b', 'r', 'pass'), finding('c', 'r', 'skip')], undefined, undefined);
    const batch = builder.take();
    expect(batch.listed).to.deep.equal([]);
    expect(batch.counted.map((c) => [c.outcome.status, c.n])).to.deep.equal([['pass', 2], ['skip', 1]]);
    expect(() => new ObjectTally(1).count({ policy: 'p', rule: 'r', severity: 'high', status: 'fail' }, 1)).to.throw(/added whole/);
  });
});

describe('a scan\'s memo of key answers (collect/key-memo.ts)', () => {
  it('asks once per (key id, account, region, wants) and hands every caller the same answer', async () => {
    const asked: unknown[][] = [];
    const memo = memoizedKeys({
      resolveDetailed: (...args) => {
        asked.push(args);
        return Promise.resolve({ key: { code: 'X', operation: 'DescribeKey', message: String(args[0]) } } as ResolvedKey);
      },
    });
    const a = memo.resolveDetailed('alias/a', '111122223333', 'us-east-1', { aliases: true });
    expect(memo.resolveDetailed('alias/a', '111122223333', 'us-east-1', { aliases: true })).to.equal(a);
    const none = memo.resolveDetailed(undefined, '111122223333', 'us-east-1', { aliases: true });
    expect(none).to.not.equal(a);
    expect(memo.resolveDetailed('undefined', '111122223333', 'us-east-1', { aliases: true })).to.not.equal(none);
    expect(memo.resolveDetailed('alias/a', '111122223333', 'eu-west-1', { aliases: true })).to.not.equal(a);
    expect(memo.resolveDetailed('alias/a', '111122223333', 'us-east-1', { aliases: false })).to.not.equal(a);
    expect(memo.resolveDetailed(undefined, '111122223333', 'us-east-1', { aliases: true })).to.equal(none);
    expect(asked).to.have.length(5);
    expect((await a).key).to.deep.include({ message: 'alias/a' });
  });
});
