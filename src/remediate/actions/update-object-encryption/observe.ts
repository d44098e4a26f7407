/**
 * What the object planner needs beyond the scan's findings, read just before planning: each candidate
 * object version as HeadObject answers it now (the plan's `before`), and every target key the policies
 * name (DescribeKey in the bucket's account and region, through the collector's KeyResolver so each key
 * is described once). Failures become FactErrors; the planner refuses those objects.
 */
import pLimit from 'p-limit';
import { toFactError } from '../../../aws/errors.js';
import { headObjectState } from '../../../aws/object-encryption.js';
import type { AccountSession } from '../../../aws/session.js';
import { KeyResolver } from '../../../collect/keys.js';
import type { FactError, KeyFacts } from '../../../domain/facts.js';
import { keyRef } from '../put-bucket-encryption/plan.js';
import { objectRef, type CandidateObject } from './candidates.js';
import type { ObjectEncryptionState } from './types.js';

export interface ObservedObjects {
  objects: Map<string, ObjectEncryptionState | FactError>;
  targetKeys: Map<string, KeyFacts | FactError>;
}

const noSession = (account: string, operation: string): FactError => ({
  code: 'NoSession',
  operation,
  message: `no credentials for account ${account} (pass --assume-role for it)`,
});

export async function observeObjects(
  objects: readonly CandidateObject[],
  targets: readonly { account: string; region: string; spelling: string }[],
  opts: { sessions: readonly AccountSession[]; concurrency: number; signal?: AbortSignal },
): Promise<ObservedObjects> {
  const byAccount = new Map(opts.sessions.map((s) => [s.account, s] as const));
  const keys = new KeyResolver((account) => byAccount.get(account), undefined, opts.signal);
  const limit = pLimit(Math.max(1, opts.concurrency));
  const head = async (o: CandidateObject): Promise<ObjectEncryptionState | FactError> => {
    const session = byAccount.get(o.account);
    if (!session) return noSession(o.account, 'HeadObject');
    return headObjectState(session.s3(o.region), o.bucket, o.key, o.versionId).catch((err: unknown) => toFactError(err, 'HeadObject'));
  };
  const [observed, described] = await Promise.all([
    Promise.all(objects.map((o) => limit(async () => [objectRef(o), await head(o)] as const))),
    Promise.all(
      targets.map((t) =>
        limit(async () => {
          const facts: KeyFacts | FactError = byAccount.has(t.account)
            ? await keys.resolve(t.spelling, t.account, t.region, { rotation: false, aliases: true })
            : noSession(t.account, 'DescribeKey');
          return [keyRef(t.account, t.region, t.spelling), facts] as const;
        }),
      ),
    ),
  ]);
  opts.signal?.throwIfAborted();
  return { objects: new Map(observed), targetKeys: new Map(described) };
}
