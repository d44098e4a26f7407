/**
 * The region of a bucket ListBuckets did not place, found without a GetBucketLocation per bucket: the
 * bucket's first call goes to the home region, and S3's answer says where the bucket is. A bucket of the
 * home region is answered at once (that answer is kept, not asked again); a bucket elsewhere gets
 * 301 PermanentRedirect with x-amz-bucket-region. Only when the first call fails for another reason
 * (AccessDenied, a region that answers a plain 400, a throttle that outlived the retries) is
 * GetBucketLocation asked, so the failure is reported against the right region with its own cause.
 */
import type { AccountSession } from '../aws/session.js';
import { toFactError } from '../aws/errors.js';
import { getBucketEncryption, getBucketRegion, getBucketTags, regionFromRedirect } from '../aws/s3.js';
import type { FactError } from '../domain/facts.js';
import type { FactAspect } from '../domain/rule.js';
import { NEEDS_ENCRYPTION, type FirstAnswers, type Settled } from './bucket.js';
import { counted, type CollectStats } from './stats.js';


export interface Located {
  region: string;
  first: FirstAnswers;
}

const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value): Settled<T> => ({ ok: true, value }),
    (error: unknown): Settled<T> => ({ ok: false, error }),
  );

/** The region of `name`, or the GetBucketLocation failure that leaves it unknown. */
export async function locateBucket(
  session: AccountSession,
  name: string,
  aspects: ReadonlySet<FactAspect>,
  stats: CollectStats,
  signal?: AbortSignal,
): Promise<Located | FactError> {
  const home = session.s3(session.homeRegion);
  let first: FirstAnswers;
  let failure: { error: unknown } | undefined;
  if (NEEDS_ENCRYPTION.some((a) => aspects.has(a))) {
    const encryption = await settle(counted(stats, 'GetBucketEncryption', () => getBucketEncryption(home, name, signal)));
    first = { encryption };
    if (!encryption.ok) failure = encryption;
  } else if (aspects.has('bucket.tags')) {
    const tags = await settle(counted(stats, 'GetBucketTagging', () => getBucketTags(home, name, signal)));
    first = { tags };
    if (!tags.ok) failure = tags;
  } else {
    // No bucket call is needed at all: GetBucketLocation is then the only way to learn the region.
    return locateWithGetBucketLocation(home, name, stats, signal, {});
  }
  if (!failure) return { region: session.homeRegion, first };
  const redirected = regionFromRedirect(failure.error);
  // The redirect answer carries no facts: the call is made again in the bucket's region.
  if (redirected !== undefined) return { region: redirected, first: {} };
  return locateWithGetBucketLocation(home, name, stats, signal, first, session.homeRegion);
}

/**
 * GetBucketLocation (it works from any region's endpoint). The first call's failure stands as that
 * aspect's fact only when the bucket is in the region it was sent to; elsewhere it is asked again there.
 */
async function locateWithGetBucketLocation(
  home: ReturnType<AccountSession['s3']>,
  name: string,
  stats: CollectStats,
  signal: AbortSignal | undefined,
  first: FirstAnswers,
  askedRegion?: string,
): Promise<Located | FactError> {
  const found = await counted(stats, 'GetBucketLocation', () => getBucketRegion(home, name, signal)).catch((err: unknown) =>
    toFactError(err, 'GetBucketLocation'),
  );
  if (typeof found !== 'string') return found;
  return { region: found, first: found === askedRegion ? first : {} };
}
