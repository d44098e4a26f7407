/**
 * A metadata-mode group finding: listed once, counted once per object — in the summary, per severity,
 * policy and rule, and by the gate — with an id of its own per group.
 */
import { expect } from 'chai';
import type { Finding } from '../../src/domain/finding.js';
import type { MetadataGroup } from '../../src/collect/metadata/scan.js';
import { groupFinding } from '../../src/run/metadata-findings.js';
import { summarize } from '../../src/run/report.js';
import { ObjectTally } from '../../src/run/tally.js';

const raw: Finding = {
  id: 'x',
  policy: 'objects',
  rule: 's3-object-sse-kms',
  severity: 'high',
  status: 'fail',
  resource: { type: 'object', arn: 'arn:aws:s3:::data/*', account: '111122223333', region: 'us-east-1', bucket: 'data', key: '*' },
  message: 'Object s3://data/* is encrypted with SSE-S3 (AES256), not SSE-KMS',
  evidence: { 'object.sse': 'AES256' },
};
const group = (status: string, objects: number): MetadataGroup => ({ key: { encryptionStatus: status, bucketKeyEnabled: false }, objects, sampleKeys: ['a', 'b'] });

describe('run: metadata-mode group findings', () => {
  it('name the group, not an object, and carry its count and sample keys', () => {
    const f = groupFinding(raw, group('SSE-S3', 10_000));
    expect(f.resource).to.deep.equal({ type: 'object', arn: 'arn:aws:s3:::data/*', account: '111122223333', region: 'us-east-1', bucket: 'data' });
    expect(f.message).to.match(/^10000 objects in s3:\/\/data \(encryption SSE-S3, Bucket Key off\): /);
    expect(f.evidence.objects).to.deep.equal({ count: 10_000, sampleKeys: ['a', 'b'], encryptionStatus: 'SSE-S3', bucketKeyEnabled: false });
  });

  it('one id per group, the same on every run', () => {
    const a = groupFinding(raw, group('SSE-S3', 1));
    expect(groupFinding(raw, group('SSE-S3', 5)).id).to.equal(a.id);
    expect(groupFinding(raw, group('NOT-SSE', 1)).id).to.not.equal(a.id);
    expect(a.id).to.match(/^[0-9a-f]{32}$/);
  });

  it('counts once per object: a group of 10,000 failing objects is 10,000 fails for the summary and the gate, one listed finding', () => {
    const tally = new ObjectTally(1000);
    tally.add(groupFinding(raw, group('SSE-S3', 10_000)), 10_000);
    tally.add({ ...groupFinding(raw, group('SSE-KMS', 3)), status: 'pass' }, 3);
    const r = tally.result();
    expect(r.findings).to.have.length(1);
    expect(r.listedNonPass).to.equal(1);
    expect(r.omittedNonPass).to.equal(0);
    const summary = summarize(r.findings, [], { failOn: 'high', allowIncomplete: false }, r.omitted);
    expect(summary.total).to.equal(10_003);
    expect(summary.byStatus).to.include({ fail: 10_000, pass: 3 });
    expect(summary.byRule['s3-object-sse-kms']).to.include({ fail: 10_000, pass: 3 });
    expect(summary.gate.passed).to.equal(false);
  });
});
