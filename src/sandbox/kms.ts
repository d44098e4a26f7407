/**
 * KMS, JSON 1.1 protocol (`X-Amz-Target: TrentService.<Operation>`): the key-management subset
 * the auditor and its remediation use. Shapes, error codes and key-state rules follow the AWS KMS
 * API reference (https://docs.aws.amazon.com/kms/latest/APIReference/) and the key-state table
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
 *
 * Cross-account: DescribeKey and GetKeyRotationStatus accept a key ARN of another estate account
 * (as if that key's policy allowed the caller, the usual audit set-up); everything else acts only
 * on the caller's own keys. Alias names always resolve in the caller's own account.
 */
import { randomUUID } from 'node:crypto';
import type { Estate, SandboxAccount, SandboxKey } from './model.js';
import { AwsError, parseJsonInput as parseInput, type JsonInput, type SandboxRequest, type SandboxResponse, type ServiceHandler } from './protocol.js';
import { aliasArn, aliasMapKey, awsManagedAliasName, keyArn, keyMapKey, parseKeyReference, resolveKey } from './keys.js';

type Json = JsonInput;
type Operation = (req: SandboxRequest, estate: Estate, input: Json) => Json | undefined;

const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Errors, worded as KMS words them.

const validation = (detail: string): AwsError => new AwsError('ValidationException', 400, `1 validation error detected: ${detail}`);
const notNull = (member: string): AwsError => validation(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
const keyNotFound = (arn: string): AwsError => new AwsError('NotFoundException', 400, `Key '${arn}' does not exist`);
const aliasNotFound = (arn: string): AwsError => new AwsError('NotFoundException', 400, `Alias ${arn} is not found.`);
const pendingDeletion = (key: SandboxKey): AwsError => new AwsError('KMSInvalidStateException', 400, `${key.arn} is pending deletion.`);
const disabled = (key: SandboxKey): AwsError => new AwsError('DisabledException', 400, `${key.arn} is disabled.`);

/**
 * AWS managed keys have a key policy that lets account principals only read them (kms:Describe*,
 * kms:Get*, kms:List*), so management calls are refused by the key policy, in KMS's words.
 */
function notAllowed(req: SandboxRequest, operation: string, key: SandboxKey): AwsError {
  return new AwsError(
    'AccessDeniedException',
    400,
    `User: ${req.principalArn} is not authorized to perform: kms:${operation} on resource: ${key.arn} because no resource-based policy allows the kms:${operation} action`,
  );
}

// ---------------------------------------------------------------------------------------------
// Input helpers.

function requiredString(input: Json, name: string): string {
  const v = input[name];
  if (v === undefined || v === null) throw notNull(name.charAt(0).toLowerCase() + name.slice(1));
  if (typeof v !== 'string') throw new AwsError('SerializationException', 400, `${name} must be a string`);
  if (v.length === 0) throw validation(`Value '' at '${name.charAt(0).toLowerCase() + name.slice(1)}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  return v;
}

function optionalString(input: Json, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsError('SerializationException', 400, `${name} must be a string`);
  return v;
}

function optionalInteger(input: Json, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new AwsError('SerializationException', 400, `${name} must be an integer`);
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  if (v < min) throw validation(`Value '${v}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (v > max) throw validation(`Value '${v}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  return v;
}

/** Opaque pagination markers, as KMS's are. */
const encodeMarker = (index: number): string => Buffer.from(`sandbox-marker:${index}`).toString('base64');
function decodeMarker(marker: string | undefined): number {
  if (marker === undefined) return 0;
  const m = /^sandbox-marker:(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
  if (!m) throw new AwsError('InvalidMarkerException', 400, 'Invalid marker');
  return Number(m[1]);
}

function page<T>(items: T[], input: Json): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const limit = optionalInteger(input, 'Limit', 1, 1000) ?? 100;
  const start = decodeMarker(optionalString(input, 'Marker'));
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return truncated ? { items: slice, Truncated: true, NextMarker: encodeMarker(start + limit) } : { items: slice, Truncated: false };
}

// ---------------------------------------------------------------------------------------------
// Key lookup.

interface LookupRules {
  /** The operation accepts alias names and alias ARNs (DescribeKey does; most management calls take only a key id or ARN). */
  aliases: boolean;
  /** The operation works on a key ARN of another account ("Cross-account use: Yes" in the API reference). */
  crossAccount: boolean;
  operation: string;
}

/** The key a KeyId parameter names, for the caller's account and region, or the error KMS gives. */
function findKey(req: SandboxRequest, estate: Estate, spelling: string, rules: LookupRules): SandboxKey {
  const ref = parseKeyReference(req.account.id, req.region, spelling);
  // A KMS endpoint serves one region; an ARN of another region is not a key it can find.
  if (ref.region !== req.region) throw new AwsError('NotFoundException', 400, 'Invalid arn');
  if (ref.kind === 'alias' && !rules.aliases) throw new AwsError('NotFoundException', 400, `Invalid keyId ${spelling}`);
  if (ref.account !== req.account.id) {
    const owner = estate.accounts.get(ref.account);
    if (!rules.crossAccount || !owner) {
      throw new AwsError(
        'AccessDeniedException',
        400,
        `User: ${req.principalArn} is not authorized to perform: kms:${rules.operation} on resource: ${ref.arn} because no resource-based policy allows the kms:${rules.operation} action`,
      );
    }
  }
  const key = resolveKey(estate, ref.account, ref.region, spelling);
  if (!key) throw ref.kind === 'alias' ? aliasNotFound(ref.arn) : keyNotFound(ref.arn);
  return key;
}

// ---------------------------------------------------------------------------------------------
// Shapes.

const epochSeconds = (d: Date): number => d.getTime() / 1000;

function encryptionAlgorithms(key: SandboxKey): string[] | undefined {
  if (key.usage !== 'ENCRYPT_DECRYPT') return undefined;
  if (key.spec === 'SYMMETRIC_DEFAULT') return ['SYMMETRIC_DEFAULT'];
  if (key.spec.startsWith('RSA_')) return ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
  return undefined;
}

/**
 * DescribeKey's KeyMetadata. Origin, CustomKeyStoreId, MultiRegion and MultiRegionConfiguration are
 * answered as KMS answers them (API reference, KeyMetadata): MultiRegion always; CustomKeyStoreId only
 * for a key in a custom key store; MultiRegionConfiguration only for a multi-Region key, naming its
 * primary and every replica.
 */
export function keyMetadata(key: SandboxKey, owner?: SandboxAccount): Json {
  const metadata: Json = {
    AWSAccountId: key.account,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    Origin: key.origin,
    KeyManager: key.manager,
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    MultiRegion: key.multiRegion !== undefined,
  };
  if (key.customKeyStoreId) metadata.CustomKeyStoreId = key.customKeyStoreId;
  if (key.multiRegion && owner) metadata.MultiRegionConfiguration = multiRegionConfiguration(key, owner);
  const algorithms = encryptionAlgorithms(key);
  if (algorithms) metadata.EncryptionAlgorithms = algorithms;
  if (key.state === 'PendingDeletion' && key.deletionDate) metadata.DeletionDate = epochSeconds(key.deletionDate);
  return metadata;
}

function multiRegionConfiguration(key: SandboxKey, owner: SandboxAccount): Json {
  const related = [...owner.keys.values()].filter((k) => k.id === key.id && k.multiRegion !== undefined);
  const entry = (k: SandboxKey): Json => ({ Arn: k.arn, Region: k.region });
  const primary = related.find((k) => k.multiRegion === 'PRIMARY');
  return {
    MultiRegionKeyType: key.multiRegion,
    ...(primary ? { PrimaryKey: entry(primary) } : {}),
    ReplicaKeys: related.filter((k) => k.multiRegion === 'REPLICA').map(entry),
  };
}

// ---------------------------------------------------------------------------------------------
// Operations.

const KEY_SPECS = new Set([
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
]);
const KEY_USAGES = new Set(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT']);

const createKey: Operation = (req, _estate, input) => {
  const spec = optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
  const usage = optionalString(input, 'KeyUsage') ?? 'ENCRYPT_DECRYPT';
  if (!KEY_SPECS.has(spec)) throw validation(`Value '${spec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${[...KEY_SPECS].join(', ')}]`);
  if (!KEY_USAGES.has(usage)) throw validation(`Value '${usage}' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [${[...KEY_USAGES].join(', ')}]`);
  const tags = input.Tags;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((t: unknown) => typeof t === 'object' && t !== null && typeof (t as Json).TagKey === 'string' && typeof (t as Json).TagValue === 'string'))) {
    throw new AwsError('TagException', 400, 'Tags must be a list of {TagKey, TagValue} strings');
  }
  const id = randomUUID();
  const account = req.account;
  const key: SandboxKey = {
    id,
    account: account.id,
    region: req.region,
    arn: keyArn(account.id, req.region, id),
    manager: 'CUSTOMER',
    state: 'Enabled',
    rotation: false,
    spec,
    usage,
    origin: 'AWS_KMS',
    description: optionalString(input, 'Description') ?? '',
    // KMS reports creation time with millisecond precision.
    creationDate: new Date(),
  };
  account.keys.set(keyMapKey(req.region, id), key);
  return { KeyMetadata: keyMetadata(key, account) };
};

const describeKey: Operation = (req, estate, input) => {
  const key = findKey(req, estate, requiredString(input, 'KeyId'), { aliases: true, crossAccount: true, operation: 'DescribeKey' });
  return { KeyMetadata: keyMetadata(key, estate.accounts.get(key.account)) };
};

const listKeys: Operation = (req, _estate, input) => {
  const keys = [...req.account.keys.values()].filter((k) => k.region === req.region).sort((a, b) => (a.id < b.id ? -1 : 1));
  const { items, ...rest } = page(keys, input);
  return { Keys: items.map((k) => ({ KeyId: k.id, KeyArn: k.arn })), ...rest };
};

const listAliases: Operation = (req, estate, input) => {
  const account = req.account;
  const keyFilter = optionalString(input, 'KeyId');
  const filterKey = keyFilter === undefined ? undefined : findKey(req, estate, keyFilter, { aliases: false, crossAccount: false, operation: 'ListAliases' });
  const entries: Json[] = [];
  const seen = new Set<string>();
  for (const alias of account.aliases.values()) {
    if (alias.region !== req.region) continue;
    if (filterKey && alias.targetKeyId !== filterKey.id) continue;
    seen.add(alias.name);
    entries.push({ AliasName: alias.name, AliasArn: aliasArn(account.id, req.region, alias.name), TargetKeyId: alias.targetKeyId });
  }
  // KMS lists the predefined AWS managed alias even before its key exists, without a TargetKeyId.
  const s3Alias = awsManagedAliasName('s3');
  if (!filterKey && !seen.has(s3Alias)) entries.push({ AliasName: s3Alias, AliasArn: aliasArn(account.id, req.region, s3Alias) });
  entries.sort((a, b) => ((a.AliasName as string) < (b.AliasName as string) ? -1 : 1));
  const { items, ...rest } = page(entries, input);
  return { Aliases: items, ...rest };
};

const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

const createAlias: Operation = (req, estate, input) => {
  const name = requiredString(input, 'AliasName');
  const target = requiredString(input, 'TargetKeyId');
  if (!name.startsWith('alias/')) {
    throw new AwsError('ValidationException', 400, 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (!ALIAS_NAME.test(name) || name.length > 256) {
    throw validation(`Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`);
  }
  if (name.startsWith('alias/aws/')) throw new AwsError('NotAuthorizedException', 400, `Cannot create alias with prefix 'alias/aws/'`);
  const key = findKey(req, estate, target, { aliases: false, crossAccount: false, operation: 'CreateAlias' });
  if (key.manager === 'AWS') throw notAllowed(req, 'CreateAlias', key);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
  const account = req.account;
  const mapKey = aliasMapKey(req.region, name);
  if (account.aliases.has(mapKey)) {
    throw new AwsError('AlreadyExistsException', 400, `An alias with the name ${aliasArn(account.id, req.region, name)} already exists`);
  }
  account.aliases.set(mapKey, { name, account: account.id, region: req.region, targetKeyId: key.id });
  return undefined;
};

const getKeyRotationStatus: Operation = (req, estate, input) => {
  const key = findKey(req, estate, requiredString(input, 'KeyId'), { aliases: false, crossAccount: true, operation: 'GetKeyRotationStatus' });
  // API reference: "While a KMS key is pending deletion, its key rotation status is false ... If you
  // cancel the deletion, the original key rotation status is restored." AWS managed keys: always true.
  const enabled = key.manager === 'AWS' || (key.rotation && key.state !== 'PendingDeletion');
  const answer: Json = { KeyRotationEnabled: enabled, KeyId: key.arn };
  if (enabled) answer.RotationPeriodInDays = 365;
  return answer;
};

function setRotation(operation: 'EnableKeyRotation' | 'DisableKeyRotation', on: boolean): Operation {
  return (req, estate, input) => {
    const key = findKey(req, estate, requiredString(input, 'KeyId'), { aliases: false, crossAccount: false, operation });
    if (on) optionalInteger(input, 'RotationPeriodInDays', 90, 2560);
    if (key.manager === 'AWS') throw notAllowed(req, operation, key);
    // Automatic rotation exists only for symmetric encryption keys; GetKeyRotationStatus reports false for the others.
    if (key.spec !== 'SYMMETRIC_DEFAULT' || key.usage !== 'ENCRYPT_DECRYPT') {
      throw new AwsError('UnsupportedOperationException', 400, 'You cannot perform this operation on a non-symmetric key or a key with non-ENCRYPT_DECRYPT key usage.');
    }
    if (key.state === 'PendingDeletion') throw pendingDeletion(key);
    if (key.state === 'Disabled') throw disabled(key);
    key.rotation = on;
    return undefined;
  };
}

function setEnabled(operation: 'EnableKey' | 'DisableKey', on: boolean): Operation {
  return (req, estate, input) => {
    const key = findKey(req, estate, requiredString(input, 'KeyId'), { aliases: false, crossAccount: false, operation });
    if (key.manager === 'AWS') throw notAllowed(req, operation, key);
    if (key.state === 'PendingDeletion') throw pendingDeletion(key);
    key.state = on ? 'Enabled' : 'Disabled';
    return undefined;
  };
}

const scheduleKeyDeletion: Operation = (req, estate, input) => {
  const key = findKey(req, estate, requiredString(input, 'KeyId'), { aliases: false, crossAccount: false, operation: 'ScheduleKeyDeletion' });
  const days = optionalInteger(input, 'PendingWindowInDays', 7, 30) ?? 30;
  if (key.manager === 'AWS') throw notAllowed(req, 'ScheduleKeyDeletion', key);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
  key.state = 'PendingDeletion';
  key.deletionDate = new Date(Date.now() + days * DAY_MS);
  return { KeyId: key.arn, DeletionDate: epochSeconds(key.deletionDate), KeyState: key.state, PendingWindowInDays: days };
};

const cancelKeyDeletion: Operation = (req, estate, input) => {
  const key = findKey(req, estate, requiredString(input, 'KeyId'), { aliases: false, crossAccount: false, operation: 'CancelKeyDeletion' });
  if (key.manager === 'AWS') throw notAllowed(req, 'CancelKeyDeletion', key);
  if (key.state !== 'PendingDeletion') throw new AwsError('KMSInvalidStateException', 400, `${key.arn} is not pending deletion.`);
  // "When this operation succeeds, the key state of the KMS key is Disabled." (API_CancelKeyDeletion)
  key.state = 'Disabled';
  delete key.deletionDate;
  return { KeyId: key.arn };
};

const OPERATIONS: Record<string, Operation> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  ListAliases: listAliases,
  CreateAlias: createAlias,
  GetKeyRotationStatus: getKeyRotationStatus,
  EnableKeyRotation: setRotation('EnableKeyRotation', true),
  DisableKeyRotation: setRotation('DisableKeyRotation', false),
  EnableKey: setEnabled('EnableKey', true),
  DisableKey: setEnabled('DisableKey', false),
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
};

export const handleKms: ServiceHandler = (req, estate): SandboxResponse => {
  const target = req.headers['x-amz-target'];
  const operation = typeof target === 'string' && target.startsWith('TrentService.') ? OPERATIONS[target.slice('TrentService.'.length)] : undefined;
  if (req.method !== 'POST' || !operation) throw new AwsError('UnknownOperationException', 400, '');
  const output = operation(req, estate, parseInput(req.body));
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: output === undefined ? '' : JSON.stringify(output),
  };
};
