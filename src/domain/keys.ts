/**
 * Key spellings, before any call: S3's KMSMasterKeyID may be a key id, key ARN, alias name or alias ARN
 * (docs/architecture.md "Facts are documents": key identity). ARNs carry their own account and region; ids and alias names are relative
 * to the bucket's account and region, as KMS reads them for the caller.
 */
import type { KeyFacts } from './facts.js';
import { isValidKeySpelling } from './key-grammar.js';
import { s3KeyUsability } from './key-usability.js';

/** What S3 uses when SSE-KMS names no key: the AWS managed key of the bucket's account and region. */
export const AWS_MANAGED_S3_ALIAS = 'alias/aws/s3';

export interface KeySpelling {
  /** Exactly as stored (or alias/aws/s3 when absent). */
  spelling: string;
  /** false when KMS would not accept the spelling at all (see kmsKeySpellingKind): no call is made for it. */
  valid: boolean;
  kind: 'key' | 'alias';
  partition: string;
  account: string;
  region: string;
  /** Key id, or alias name (alias/...). */
  name: string;
  /** The canonical ARN the spelling denotes: key ARN for kind key, alias ARN for kind alias. */
  arn: string;
}

const KMS_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

export function parseKeySpelling(spelling: string | undefined, bucketAccount: string, bucketRegion: string, partition = 'aws'): KeySpelling {
  // Only an absent KMSMasterKeyID means aws/s3; any string, even blank, is what S3 will hand to KMS.
  const s = spelling ?? AWS_MANAGED_S3_ALIAS;
  const valid = isValidKeySpelling(s);
  const m = KMS_ARN.exec(s);
  if (m) {
    const [, p, region, account, resource] = m as unknown as [string, string, string, string, string];
    const isKey = resource.startsWith('key/');
    return { spelling: s, valid, kind: isKey ? 'key' : 'alias', partition: p, account, region, name: isKey ? resource.slice(4) : resource, arn: s };
  }
  const kind = s.startsWith('alias/') ? 'alias' : 'key';
  const arn = `arn:${partition}:kms:${bucketRegion}:${bucketAccount}:${kind === 'alias' ? s : `key/${s}`}`;
  return { spelling: s, valid, kind, partition, account: bucketAccount, region: bucketRegion, name: s, arn };
}

/** The partition of any ARN (aws, aws-cn, aws-us-gov); 'aws' when it is not an ARN. */
export function partitionOf(arn: string | undefined): string {
  return /^arn:(aws[a-z-]*):/.exec(arn ?? '')?.[1] ?? 'aws';
}

/**
 * A key's facts as a resource in `account` / `region` sees them. A bare key id or alias name means that
 * key or alias in the caller's own account and Region (KMS reads it so, and S3 reads a bucket's
 * KMSMasterKeyID so), and an alias always lives in its key's account and Region ("The alias and its
 * associated KMS key must be in the same AWS account and Region", AWS::KMS::Alias; "If the KMS key is in a
 * different AWS account, you must use a key ARN or alias ARN", developer guide, alias-using.html). So the
 * bare spellings (key id, alias/NAME) name this key only for a resource in the key's own account and
 * Region; ARN spellings are absolute. Without this, a list entry `alias/prod-data` would match a key of
 * another account that happens to carry the same alias name (a false pass of an allowed-keys rule).
 *
 * The collector caches one KeyFacts per key; every context gets its own copy from here. `aliases` is left
 * whole (names and ARNs): it describes the key for messages, it is not a list of names the resource uses.
 */
export function keyFactsFor(key: KeyFacts, account: string, region: string): KeyFacts {
  const local = key.account === account && key.region === region;
  const { usable, reason } = s3KeyUsability(key, region);
  return {
    ...key,
    manager: managerOf(key),
    spellings: key.spellings.filter((s) => local || KMS_ARN.test(s)),
    s3Usable: usable,
    s3UnusableReason: reason,
  };
}

/** Alias names beginning alias/aws/ are reserved for AWS managed keys (KMS Developer Guide, alias-about.html). */
const AWS_RESERVED_ALIAS = /(^|:)alias\/aws\//;

/**
 * The key's manager, with the reserved alias prefix taken at its word: a key reached through, or named
 * by, an alias/aws/... alias is AWS managed, whatever a backend's KeyManager says, because only AWS can
 * create such an alias. The one place that decides it, so every rule and remediation agrees.
 */
function managerOf(key: KeyFacts): KeyFacts['manager'] {
  if (!key.exists) return key.manager;
  return AWS_RESERVED_ALIAS.test(key.ref) || key.aliases.some((a) => AWS_RESERVED_ALIAS.test(a)) ? 'AWS' : key.manager;
}
