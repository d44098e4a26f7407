/**
 * collectBuckets with `owns` (scan --shard I/N) over real HTTP against the demo estate: every shard lists
 * every account, and makes bucket calls only about the buckets it owns; the shards together yield every
 * bucket exactly once.
 */
import { expect } from 'chai';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import { collectBuckets, type CollectResult } from '../../src/collect/collector.js';
import { ownsBucket } from '../../src/domain/shard.js';
import { awsOptionsFor, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';

async function names(result: CollectResult): Promise<string[]> {
  const out: string[] = [];
  for await (const ctx of result.contexts) out.push(`${ctx.bucket.account}/${ctx.bucket.name}`);
  return out;
}

describe('collect/collector: a shard collects only its own buckets', function () {
  const sandbox = useSandbox();
  let sessions: AccountSession[] = [];

  before(async () => {
    sessions = await openSessions(
      awsOptionsFor(sandbox.sb, PROD, { assumeRoles: [`arn:aws:iam::${PROD}:role/S3KmsAuditRole`, `arn:aws:iam::${DEV}:role/S3KmsAuditRole`] }),
    );
  });
  after(() => {
    for (const s of sessions) s.destroy();
  });

  it('3 shards: disjoint, together every bucket; each lists both accounts and reads only its own buckets', async () => {
    const all = await names(collectBuckets({ sessions, aspects: new Set(['bucket.encryption']), concurrency: 8 }));
    expect(all.length).to.equal(sandbox.sb.estate.buckets.size);
    const seen: string[] = [];
    for (let index = 1; index <= 3; index++) {
      const shard = { index, count: 3 };
      const run = collectBuckets({ sessions, aspects: new Set(['bucket.encryption']), concurrency: 8, owns: (account, bucket) => ownsBucket(shard, account, bucket) });
      const mine = await names(run);
      expect(mine.length, `shard ${index} has buckets`).to.be.greaterThan(0);
      for (const id of mine) expect(ownsBucket(shard, id.split('/')[0]!, id.split('/')[1]!)).to.equal(true);
      expect(run.stats.requests.ListBuckets).to.equal(2);
      expect(run.stats.requests.GetBucketEncryption).to.equal(mine.length);
      seen.push(...mine);
    }
    expect(seen.sort()).to.deep.equal([...all].sort());
  });
});
