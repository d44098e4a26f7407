/**
 * Does a policy's bucket scope cover a bucket?
 * include (default ["*"]) and exclude are bucket-name globs; tags: every listed tag present with
 * a value matching its glob; regions and accounts: exact lists.
 */
import type { BucketFacts } from '../domain/facts.js';
import type { BucketScope } from '../domain/policy.js';
import { globMatches } from './glob.js';
import { scopeUsesTags } from './aspects.js';

export type ScopedBucket = Pick<BucketFacts, 'name' | 'region' | 'account' | 'tags' | 'errors'>;

/**
 * true / false, or 'unknown' when the answer hangs on tags that could not be read. The caller then
 * makes every rule of the policy `error` (fail closed: an unreadable tag set must not silently
 * drop a bucket out of an audit).
 */
export function bucketInScope(scope: BucketScope, bucket: ScopedBucket): boolean | 'unknown' {
  const include = scope.include && scope.include.length > 0 ? scope.include : ['*'];
  if (!include.some((g) => globMatches(g, bucket.name))) return false;
  if (scope.exclude?.some((g) => globMatches(g, bucket.name))) return false;
  if (scope.regions && !scope.regions.includes(bucket.region)) return false;
  if (scope.accounts && !scope.accounts.includes(bucket.account)) return false;
  if (!scopeUsesTags(scope)) return true;
  if (bucket.errors?.['bucket.tags']) return 'unknown';
  const tags = bucket.tags ?? {};
  return Object.entries(scope.tags!).every(
    ([name, glob]) => Object.prototype.hasOwnProperty.call(tags, name) && globMatches(glob, tags[name]!),
  );
}
