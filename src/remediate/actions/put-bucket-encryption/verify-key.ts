/**
 * The second half of verifying a write: a configuration read back as written is not yet one S3 can
 * encrypt with. PutBucketEncryption does not validate the key, and the key may have been disabled,
 * scheduled for deletion or replaced between the plan's check and the write. So after the read-back the
 * key the configuration names is described again — with the bucket account's credentials, in the
 * bucket's region, from the spelling as stored, which is how S3 resolves it for an upload — and judged
 * with s3KeyUsability.
 *
 * Deliberately not proven with a PutObject probe: that would write data (and a version, a replication,
 * an event notification) into the user's bucket, which a remediation must never do.
 */
import type { AccountSession } from '../../../aws/session.js';
import { KeyResolver } from '../../../collect/keys.js';
import { s3KeyUsability } from '../../../domain/key-usability.js';
import { asJournalError, isFactError, type JournalError } from '../../types.js';
import { encryptionFacts } from './configuration.js';
import type { EncryptionState } from './types.js';

/** Why S3 could not use the key `written` names for a bucket in `account`/`region`; undefined when it can (or no KMS key is named). */
export async function writtenKeyProblem(
  sessionFor: (account: string) => AccountSession | undefined,
  written: EncryptionState,
  account: string,
  region: string,
): Promise<JournalError | undefined> {
  const facts = encryptionFacts(written);
  if (facts.algorithm !== 'aws:kms' && facts.algorithm !== 'aws:kms:dsse') return undefined;
  // A resolver of its own: its cache must not answer with what the pre-write check described.
  const key = await new KeyResolver(sessionFor).resolve(facts.kmsKeyId, account, region, { rotation: false, aliases: false });
  if (isFactError(key)) return { ...asJournalError(key), message: `could not describe the written key again: ${key.message}` };
  const usability = s3KeyUsability(key, region);
  if (usability.usable) return undefined;
  return { code: 'KeyUnusable', operation: 'DescribeKey', message: `S3 could not encrypt with the written key ${key.arn}: it ${usability.reason ?? 'would be refused by KMS'}` };
}
