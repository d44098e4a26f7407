/**
 * The grammar of a KMS KeyId, checked before any call: what KMS accepts, and so the only strings that can
 * name a key S3 could use.
 */

// The spellings KMS accepts for a KeyId (KMS API reference, DescribeKey "KeyId": key id, key ARN, alias name,
// alias ARN; CreateAlias "AliasName": alias/ then [a-zA-Z0-9/_-], 256 characters in all). A key id is a UUID,
// or mrk- and 32 hex digits for a multi-Region key. Nothing is trimmed: KMS gets the exact string S3 stored.
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const MRK = 'mrk-[0-9a-fA-F]{32}';
const ALIAS_NAME = 'alias/[a-zA-Z0-9/_-]{1,250}';
const ARN_PREFIX = 'arn:aws[-a-z]*:kms:([a-z0-9-]+):(\\d{12}):';

const KEY_ID_RE = new RegExp(`^(?:${UUID}|${MRK})$`);
const ALIAS_RE = new RegExp(`^${ALIAS_NAME}$`);
const KEY_ARN_RE = new RegExp(`^${ARN_PREFIX}key/(?:${UUID}|${MRK})$`);
const ALIAS_ARN_RE = new RegExp(`^${ARN_PREFIX}${ALIAS_NAME}$`);
const ARN_PREFIX_RE = new RegExp(`^${ARN_PREFIX}`);

export type KmsKeySpellingKind = 'key-id' | 'key-arn' | 'alias' | 'alias-arn';

/** Which of the four spellings `s` is, or null when KMS would not accept it as a KeyId. */
export function kmsKeySpellingKind(s: string): KmsKeySpellingKind | null {
  if (KEY_ID_RE.test(s)) return 'key-id';
  if (ALIAS_RE.test(s)) return 'alias';
  if (KEY_ARN_RE.test(s)) return 'key-arn';
  if (ALIAS_ARN_RE.test(s)) return 'alias-arn';
  return null;
}

export const isValidKeySpelling = (s: string): boolean => kmsKeySpellingKind(s) !== null;

/** The region named inside a KMS key or alias ARN, or null for ids and alias names. */
export function kmsArnRegion(s: string): string | null {
  return ARN_PREFIX_RE.exec(s)?.[1] ?? null;
}

