/**
 * merge's joining of one bucket's object-scan entries: a sharded inventory scan has one entry per shard
 * that read part of the bucket's report; merged, they are the entry of one process (counts added, the
 * report's description kept, no shard); every other entry passes through.
 */
import { expect } from 'chai';
import { keyCheckShare } from '../../src/collect/inventory/scan.js';
import type { ObjectBucketScan } from '../../src/domain/report.js';
import { mergeBucketScans } from '../../src/run/merge-scans.js';

function part(index: number, rows: number, files: number, extra: Partial<ObjectBucketScan> = {}): ObjectBucketScan {
  return {
    account: '111122223333',
    region: 'us-east-1',
    bucket: 'big',
    policies: ['objects'],
    mode: 'inventory',
    versions: false,
    listed: rows,
    selected: rows,
    inspected: index,
    skipped: 0,
    vanished: 0,
    unreadable: 1,
    outcomes: { pass: rows, fail: 1, error: 0, skip: 0, excepted: 0 },
    complete: true,
    inventory: {
      configurationId: 'daily',
      reportDate: '2026-12-01T00:00:00.000Z',
      format: 'CSV',
      dataFiles: 5,
      dataFilesRead: files,
      shard: { index, count: 3 },
      rows,
      keyCheck: { sample: 10, headed: index, notDecided: 2 },
    },
    ...extra,
  };
}

describe('merge: one bucket\'s inventory scan entries from several shards', () => {
  it('add up to one entry of no shard: counts summed, the report described once', () => {
    const [merged, ...rest] = mergeBucketScans([part(0, 4, 2), part(1, 3, 2), part(2, 2, 1)]);
    expect(rest).to.deep.equal([]);
    expect(merged).to.deep.include({ listed: 9, selected: 9, inspected: 3, unreadable: 3, complete: true });
    expect(merged!.outcomes).to.deep.equal({ pass: 9, fail: 3, error: 0, skip: 0, excepted: 0 });
    expect(merged!.inventory).to.deep.equal({
      configurationId: 'daily',
      reportDate: '2026-12-01T00:00:00.000Z',
      format: 'CSV',
      dataFiles: 5,
      dataFilesRead: 5,
      rows: 9,
      keyCheck: { sample: 10, headed: 3, notDecided: 6 },
    });
  });

  it('one part that met a problem with its data file makes the merged scan incomplete, with the problem', () => {
    const bad = part(1, 0, 1, { complete: false });
    bad.inventory!.problem = 'InventoryChecksumMismatch: data file x has MD5 …';
    const [merged] = mergeBucketScans([part(0, 4, 2), bad]);
    expect(merged!.complete).to.equal(false);
    expect(merged!.inventory!.problem).to.match(/^InventoryChecksumMismatch/);
  });

  it('entries of other buckets or other policy groups stay apart; a lone entry loses its shard only', () => {
    const other = part(0, 1, 1, { bucket: 'small' });
    const merged = mergeBucketScans([part(0, 4, 2), other, part(1, 1, 1, { policies: ['versions'] })]);
    expect(merged.map((s) => [s.bucket, s.policies[0], s.listed])).to.deep.equal([
      ['big', 'objects', 4],
      ['small', 'objects', 1],
      ['big', 'versions', 1],
    ]);
    expect(merged.every((s) => s.inventory!.shard === undefined)).to.equal(true);
  });
});

describe('keyCheck.sample shared between shards', () => {
  it('the shares add up to the sample, so N shards read at most as many keys as one process', () => {
    for (const [sample, count] of [[100, 3], [2, 3], [0, 4], [7, 7], [1000, 1]] as const) {
      const shares = Array.from({ length: count }, (_, index) => keyCheckShare(sample, { index, count }));
      expect(shares.reduce((a, b) => a + b, 0), `${sample}/${count}`).to.equal(sample);
      expect(Math.max(...shares) - Math.min(...shares)).to.be.at.most(1);
    }
    expect(keyCheckShare(5, undefined)).to.equal(5);
  });
});
