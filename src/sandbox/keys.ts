/**
 * KMS key identity in the sandbox: turning any spelling AWS accepts for a KMS key (key id, key
 * ARN, alias name, alias ARN) into the key it names, and the lazily created AWS managed keys
 * (`alias/aws/s3`). Used by the KMS handler, the S3 handler (SSE-KMS) and the estate loader.
 */
import { createHash } from 'node:crypto';
import type { Estate, SandboxKey } from './model.js';

export const keyArn = (account: string, region: string, keyId: string): string => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (account: string, region: string, aliasName: string): string => `arn:aws:kms:${region}:${account}:${aliasName}`;
export const aliasMapKey = (region: string, aliasName: string): string => `${region}/${aliasName}`;
/** Keys are kept per region: a multi-Region primary and its replicas share one key id. */
export const keyMapKey = (region: string, keyId: string): string => `${region}/${keyId}`;

/** The alias AWS gives the AWS managed key of a service. */
export const awsManagedAliasName = (service: 's3'): string => `alias/aws/${service}`;

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/** What a key spelling points at, before looking anything up. */
export type KeyReference =
  | { kind: 'key'; account: string; region: string; keyId: string; arn: string }
  | { kind: 'alias'; account: string; region: string; aliasName: string; arn: string };

/**
 * Parses a key spelling. ARNs carry their own account and region; bare key ids and alias names
 * are relative to the caller's account and region (as in AWS: an alias name never reaches into
 * another account).
 */
export function parseKeyReference(account: string, region: string, spelling: string): KeyReference {
  const keyArnMatch = KEY_ARN.exec(spelling);
  if (keyArnMatch) {
    const [, r, a, id] = keyArnMatch as unknown as [string, string, string, string];
    return { kind: 'key', account: a, region: r, keyId: id, arn: spelling };
  }
  const aliasArnMatch = ALIAS_ARN.exec(spelling);
  if (aliasArnMatch) {
    const [, r, a, name] = aliasArnMatch as unknown as [string, string, string, string];
    return { kind: 'alias', account: a, region: r, aliasName: name, arn: spelling };
  }
  if (spelling.startsWith('alias/')) {
    return { kind: 'alias', account, region, aliasName: spelling, arn: aliasArn(account, region, spelling) };
  }
  return { kind: 'key', account, region, keyId: spelling, arn: keyArn(account, region, spelling) };
}

/**
 * The key a spelling names, or undefined when there is none. `alias/aws/s3` (or its ARN) always
 * resolves: AWS creates the AWS managed key for S3 the first time it is needed.
 */
export function resolveKey(estate: Estate, account: string, region: string, spelling: string): SandboxKey | undefined {
  const ref = parseKeyReference(account, region, spelling);
  const owner = estate.accounts.get(ref.account);
  if (!owner) return undefined;
  if (ref.kind === 'key') {
    return owner.keys.get(keyMapKey(ref.region, ref.keyId));
  }
  const alias = owner.aliases.get(aliasMapKey(ref.region, ref.aliasName));
  if (alias) return owner.keys.get(keyMapKey(ref.region, alias.targetKeyId));
  if (ref.aliasName === awsManagedAliasName('s3')) return awsManagedKey(estate, ref.account, ref.region, 's3');
  return undefined;
}

/**
 * A stable UUID (version-4 layout) derived from the account, region and service, so the AWS
 * managed key of a given account and region has the same id in every run — tests and reports
 * can name it, and finding ids stay stable.
 */
export function deterministicKeyId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The AWS managed key for `service` in the account and region, created (with its alias) on first use. */
export function awsManagedKey(estate: Estate, account: string, region: string, service: 's3'): SandboxKey {
  const owner = estate.accounts.get(account);
  if (!owner) throw new Error(`awsManagedKey: unknown account ${account}`);
  const aliasName = awsManagedAliasName(service);
  const existing = owner.aliases.get(aliasMapKey(region, aliasName));
  const existingKey = existing && owner.keys.get(keyMapKey(region, existing.targetKeyId));
  if (existingKey) return existingKey;
  const id = deterministicKeyId(`aws-managed/${service}/${account}/${region}`);
  const key: SandboxKey = {
    id,
    account,
    region,
    arn: keyArn(account, region, id),
    manager: 'AWS',
    state: 'Enabled',
    // AWS rotates AWS managed keys automatically every year; it cannot be turned off.
    rotation: true,
    spec: 'SYMMETRIC_DEFAULT',
    usage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    description: `Default key that protects my ${service.toUpperCase()} objects when no other key is defined`,
    creationDate: new Date('2020-01-01T00:00:00Z'),
  };
  owner.keys.set(keyMapKey(region, id), key);
  owner.aliases.set(aliasMapKey(region, aliasName), { name: aliasName, account, region, targetKeyId: id });
  return key;
}
