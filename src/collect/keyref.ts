/**
 * Key spellings, before any call: S3's KMSMasterKeyID may be a key id, key ARN, alias name or alias ARN
 * (DESIGN.md "Key identity"). ARNs carry their own account and region; ids and alias names are relative
 * to the bucket's account and region, as KMS reads them for the caller.
 */

/** What S3 uses when SSE-KMS names no key: the AWS managed key of the bucket's account and region. */
export const AWS_MANAGED_S3_ALIAS = 'alias/aws/s3';

export interface KeySpelling {
  /** As written (or alias/aws/s3 when absent). */
  spelling: string;
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
  const s = spelling && spelling.trim() !== '' ? spelling.trim() : AWS_MANAGED_S3_ALIAS;
  const m = KMS_ARN.exec(s);
  if (m) {
    const [, p, region, account, resource] = m as unknown as [string, string, string, string, string];
    const isKey = resource.startsWith('key/');
    return { spelling: s, kind: isKey ? 'key' : 'alias', partition: p, account, region, name: isKey ? resource.slice(4) : resource, arn: s };
  }
  const kind = s.startsWith('alias/') ? 'alias' : 'key';
  const arn = `arn:${partition}:kms:${bucketRegion}:${bucketAccount}:${kind === 'alias' ? s : `key/${s}`}`;
  return { spelling: s, kind, partition, account: bucketAccount, region: bucketRegion, name: s, arn };
}

/** The partition of any ARN (aws, aws-cn, aws-us-gov); 'aws' when it is not an ARN. */
export function partitionOf(arn: string | undefined): string {
  return /^arn:(aws[a-z-]*):/.exec(arn ?? '')?.[1] ?? 'aws';
}
