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
  /** null when the answer leaves them out (real KMS always answers them; some compatible backends do not). */
  spec: string | null;
  usage: string | null;
  origin: string | null;
  multiRegion: boolean | null;
  multiRegionKeyType: 'PRIMARY' | 'REPLICA' | null;
  customKeyStoreId: string | null;
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
    // KeySpec replaced CustomerMasterKeySpec (deprecated, still answered); either names the key type.
    spec: meta.KeySpec ?? meta.CustomerMasterKeySpec ?? null,
    usage: meta.KeyUsage ?? null,
    origin: meta.Origin ?? null,
    multiRegion: meta.MultiRegion ?? null,
    multiRegionKeyType: meta.MultiRegionConfiguration?.MultiRegionKeyType ?? null,
    customKeyStoreId: meta.CustomKeyStoreId ?? null,
  };
}

export interface AliasEntry {
  name: string;
  arn: string;
  /** The key id the alias points at; absent for a predefined AWS managed alias whose key does not exist yet. */
  targetKeyId?: string;
}

/**
 * Every alias of the caller's account in the client's region (ListAliases without the KeyId filter, all
 * pages): one listing answers the aliases of every key there, instead of one call per key. KMS lists only
 * aliases of the caller's own account, so call it with a client of the keys' account.
 */
export async function listRegionAliases(client: KMSClient, signal?: AbortSignal, onPage?: () => void): Promise<AliasEntry[]> {
  const aliases: AliasEntry[] = [];
  let marker: string | undefined;
  do {
    onPage?.();
    const out = await client.send(new ListAliasesCommand(marker ? { Marker: marker } : {}), { abortSignal: signal });
    for (const a of out.Aliases ?? []) {
      if (a.AliasName && a.AliasArn) aliases.push({ name: a.AliasName, arn: a.AliasArn, ...(a.TargetKeyId ? { targetKeyId: a.TargetKeyId } : {}) });
    }
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return aliases;
}

export async function getKeyRotationEnabled(client: KMSClient, keyId: string, signal?: AbortSignal): Promise<boolean> {
  const out = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), { abortSignal: signal });
  return out.KeyRotationEnabled === true;
}
