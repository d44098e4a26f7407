/**
 * What the planner needs beyond the scan's findings, read from AWS just before planning: each candidate
 * bucket's raw configuration (the plan's `before`, exactly as GetBucketEncryption answers it), the key it
 * uses now, and every target key the policies name (DescribeKey in the bucket's account and region,
 * through the collector's KeyResolver so each key is described once). Failures become FactErrors; the
 * planner refuses those buckets.
 */
import pLimit from 'p-limit';
import { toFactError } from '../../../aws/errors.js';
import { getBucketEncryptionRaw, getBucketTags } from '../../../aws/s3.js';
import type { AccountSession } from '../../../aws/session.js';
import { KeyResolver } from '../../../collect/keys.js';
import type { FactError, KeyFacts } from '../../../domain/facts.js';
import { encryptionFacts } from './configuration.js';
import { bucketRef, keyRef, type BucketObservation, type CandidateBucket } from './plan.js';

export interface ObserveOptions {
  sessions: readonly AccountSession[];
  concurrency: number;
  /** Read tags too (some rule or scope reads them; the planner re-evaluates rules on the new configuration). */
  wantTags: boolean;
  /** Read key rotation too (some enabled rule requires key.rotation). */
  wantRotation: boolean;
  signal?: AbortSignal;
}

export interface Observed {
  observations: Map<string, BucketObservation>;
  targetKeys: Map<string, KeyFacts | FactError>;
}

const noSession = (account: string, operation: string): FactError => ({
  code: 'NoSession',
  operation,
  message: `no credentials for account ${account} (pass --assume-role for it)`,
});

export async function observe(
  buckets: readonly CandidateBucket[],
  targets: readonly { account: string; region: string; spelling: string }[],
  opts: ObserveOptions,
): Promise<Observed> {
  const byAccount = new Map(opts.sessions.map((s) => [s.account, s] as const));
  const keys = new KeyResolver((account) => byAccount.get(account), undefined, opts.signal);
  const limit = pLimit(Math.max(1, opts.concurrency));

  const observeBucket = async (b: CandidateBucket): Promise<BucketObservation> => {
    const base = { account: b.account, region: b.region, bucket: b.bucket, arn: b.arn };
    const session = byAccount.get(b.account);
    if (!session) return { ...base, state: noSession(b.account, 'GetBucketEncryption') };
    const s3 = session.s3(b.region);
    const read = await getBucketEncryptionRaw(s3, b.bucket, opts.signal).then(
      (state) => ({ state }),
      (err: unknown) => ({ error: toFactError(err, 'GetBucketEncryption') }),
    );
    if ('error' in read) return { ...base, state: read.error };
    const { state } = read;
    const obs: BucketObservation = { ...base, state };
    const facts = encryptionFacts(state);
    obs.currentKey =
      facts.algorithm === 'aws:kms' || facts.algorithm === 'aws:kms:dsse'
        ? await keys.resolve(facts.kmsKeyId, b.account, b.region, opts.wantRotation)
        : null;
    if (opts.wantTags) {
      // A tag may be called "code": keep the answer and the failure apart explicitly.
      const read = await getBucketTags(s3, b.bucket, opts.signal).then(
        (tags) => ({ tags }),
        (err: unknown) => ({ error: toFactError(err, 'GetBucketTagging') }),
      );
      if ('error' in read) obs.state = read.error;
      else obs.tags = read.tags;
    }
    return obs;
  };

  const [observed, described] = await Promise.all([
    Promise.all(buckets.map((b) => limit(() => observeBucket(b)))),
    Promise.all(
      targets.map((t) =>
        limit(async () => {
          const facts: KeyFacts | FactError = byAccount.has(t.account)
            ? await keys.resolve(t.spelling, t.account, t.region, opts.wantRotation)
            : noSession(t.account, 'DescribeKey');
          return [keyRef(t.account, t.region, t.spelling), facts] as const;
        }),
      ),
    ),
  ]);
  opts.signal?.throwIfAborted();
  return {
    observations: new Map(observed.map((o) => [bucketRef(o.account, o.bucket), o] as const)),
    targetKeys: new Map(described),
  };
}
