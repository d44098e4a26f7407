/**
 * The KMS calls key resolution makes, each turning an SDK answer into a plain value. Failures are
 * thrown as the SDK raised them, for the caller to map (NotFoundException → missing key, others → FactError).
 */
import { DescribeKeyCommand, GetKeyRotationStatusCommand, ListAliasesCommand, type KMSClient } from '@aws-sdk/client-kms';

export interface DescribedKey {
  id: string;
  arn: string;
  manager: 'AWS' | 'CUSTOMER';
  state: string;
  spec?: string;
  usage?: string;
  origin?: string;
  multiRegion?: boolean;
}

/** DescribeKey with any spelling KMS accepts: key id, key ARN, alias name, alias ARN. */
export async function describeKey(client: KMSClient, keyId: string, signal?: AbortSignal): Promise<DescribedKey> {
  const out = await client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal: signal });
  const meta = out.KeyMetadata;
  if (!meta?.KeyId || !meta.Arn) throw Object.assign(new Error('DescribeKey answered without KeyMetadata'), { name: 'InvalidResponse' });
  return {
    id: meta.KeyId,
    arn: meta.Arn,
    // KeyManager is always present in real answers; a key of unknown manager is treated as customer managed
    // because that is the stricter reading for rules (rotation is then checked, not skipped).
    manager: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER',
    state: meta.KeyState ?? 'Unknown',
    ...(meta.KeySpec ? { spec: meta.KeySpec } : {}),
    ...(meta.KeyUsage ? { usage: meta.KeyUsage } : {}),
    ...(meta.Origin ? { origin: meta.Origin } : {}),
    ...(meta.MultiRegion !== undefined ? { multiRegion: meta.MultiRegion } : {}),
  };
}

export interface AliasEntry {
  name: string;
  arn: string;
}

/**
 * Every alias pointing at the key (ListAliases with the KeyId filter, all pages). KMS only lists aliases
 * of the caller's own account, so call it with a client of the key's account.
 */
export async function listAliasesOfKey(client: KMSClient, keyId: string, signal?: AbortSignal, onPage?: () => void): Promise<AliasEntry[]> {
  const aliases: AliasEntry[] = [];
  let marker: string | undefined;
  do {
    onPage?.();
    const out = await client.send(new ListAliasesCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) }), { abortSignal: signal });
    for (const a of out.Aliases ?? []) if (a.AliasName && a.AliasArn) aliases.push({ name: a.AliasName, arn: a.AliasArn });
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return aliases;
}

export async function getKeyRotationEnabled(client: KMSClient, keyId: string, signal?: AbortSignal): Promise<boolean> {
  const out = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), { abortSignal: signal });
  return out.KeyRotationEnabled === true;
}
