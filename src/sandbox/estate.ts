/**
 * Estates: the AWS state the sandbox serves, loaded from YAML (validated by
 * src/schema/estate.schema.json, every problem reported as file:line:column) or generated for
 * benchmarks. The YAML format is documented at the top of src/sandbox/estates/demo.yaml.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { packageRoot } from '../paths.js';
import { validatorFor, type ErrorObject } from '../schema/ajv.js';
import { DEFAULT_FAULTS } from './faults.js';
import { aliasMapKey, deterministicKeyId, keyArn, keyMapKey, parseKeyReference, resolveKey, awsManagedKey } from './keys.js';
import type {
  BucketFault,
  Estate,
  GlobalFaults,
  KeyState,
  ObjectGenerator,
  SandboxAccount,
  SandboxBucket,
  SandboxEncryption,
  KeyOrigin,
  SandboxKey,
  SandboxObject,
  SandboxRole,
} from './model.js';
import { buildOrganization, type OrganizationSpec } from './organizations/estate.js';
import { customerKeyMd5 } from './s3/customer-key.js';
import { etagFor, placeholderBody } from './s3/store/etag.js';
import { storeObject } from './s3/store/objects.js';
import { deliverInventoryReport } from './s3/inventory/report.js';
import { estateVersionId } from './s3/store/versions.js';

/**
 * Inventory reports an estate file asks for, delivered when the sandbox starts (writing Parquet is async and
 * needs the whole estate, since the destination may be any bucket): deliverEstateInventories().
 */
const pendingDeliveries = new WeakMap<SandboxBucket, (InventoryDeliverySpec & { configId: string })[]>();

/** Delivers (once) every report the estate's files declared, dated `ageHours` before `now`. */
export async function deliverEstateInventories(estate: Estate, now: Date = new Date()): Promise<void> {
  for (const bucket of estate.buckets.values()) {
    const pending = pendingDeliveries.get(bucket);
    if (!pending) continue;
    pendingDeliveries.delete(bucket);
    for (const d of pending) {
      await deliverInventoryReport(estate, bucket.name, d.configId, {
        at: new Date(now.getTime() - (d.ageHours ?? 0) * 3_600_000),
        ...(d.corrupt ? { corrupt: d.corrupt } : {}),
        ...(d.hiveOnly ? { hiveOnly: true } : {}),
        ...(d.rowsPerFile ? { rowsPerFile: d.rowsPerFile } : {}),
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The YAML shapes (what the schema admits).

type Sse = SandboxEncryption['algorithm'];

export interface KeySpec {
  id: string;
  region: string;
  aliases?: string[];
  manager?: 'CUSTOMER' | 'AWS';
  state?: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';
  rotation?: boolean;
  description?: string;
  spec?: string;
  usage?: string;
  origin?: KeyOrigin;
  customKeyStoreId?: string;
  multiRegion?: 'PRIMARY' | 'REPLICA';
  creationDate?: string;
  deletionDate?: string;
}

export interface ObjectSpec {
  key: string;
  size?: number;
  body?: string;
  /** 'none': stored unencrypted before 5 January 2023; 'SSE-C': under `customerKey`. */
  sse?: Sse | 'SSE-C' | 'none';
  /** SSE-C: the customer key, base64 of 32 bytes (the sandbox keeps only its MD5, as S3 keeps only an HMAC). */
  customerKey?: string;
  /** This version is a delete marker (on the object itself: the key's latest version is one). */
  deleteMarker?: boolean;
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  lastModified?: string;
  /** Versioned buckets: the current version's id (default: a stable id derived from bucket and key). */
  versionId?: string;
  /** Versioned buckets: older (non-current) versions of this key, newest first. */
  versions?: Omit<ObjectSpec, 'key' | 'versions'>[];
}

export interface GeneratorSpec {
  count: number;
  prefix?: string;
  size?: number;
  seed?: number;
  lastModified?: string;
  mix?: { sse: Sse; kmsKeyId?: string; bucketKeyEnabled?: boolean; weight: number }[];
}

export interface BucketSpec {
  name: string;
  region: string;
  locationConstraint?: 'EU';
  creationDate?: string;
  encryption?: { algorithm: Sse; kmsKeyId?: string; bucketKeyEnabled?: boolean; blockedEncryptionTypes?: ('NONE' | 'SSE-C')[] };
  legacy?: boolean;
  tags?: Record<string, string>;
  policy?: object | string;
  objects?: ObjectSpec[];
  generate?: GeneratorSpec;
  faults?: BucketFault[];
  /** S3 Versioning status; omitted: never enabled (every version id is "null"). */
  versioning?: 'Enabled' | 'Suspended';
  /** S3 Metadata: the live inventory table's status (DISABLED: a configuration with a journal table only). */
  metadata?: { inventoryTable: 'ACTIVE' | 'BACKFILLING' | 'CREATING' | 'FAILED' | 'DISABLED' };
  /** S3 Inventory configurations, and the reports to deliver at startup (s3/inventory/). */
  inventory?: InventorySpec[];
}

export interface InventorySpec {
  id: string;
  destination: string;
  prefix?: string;
  format?: 'CSV' | 'Parquet' | 'ORC';
  versions?: 'All' | 'Current';
  frequency?: 'Daily' | 'Weekly';
  enabled?: boolean;
  filterPrefix?: string;
  /** Optional fields (default: Size, LastModifiedDate, ETag, EncryptionStatus, BucketKeyStatus). */
  fields?: string[];
  deliver?: InventoryDeliverySpec[];
}

export interface InventoryDeliverySpec {
  ageHours?: number;
  corrupt?: 'manifest' | 'data';
  hiveOnly?: boolean;
  rowsPerFile?: number;
}

/**
 * A role by name (`Name` or `path/Name`), or with its trust: `trust: none` trusts no estate principal,
 * `externalId` requires that sts:ExternalId (either way a refused AssumeRole is AccessDenied); `deny`
 * lists S3 operations its sessions may not call (403 AccessDenied).
 */
export type RoleSpec = string | { name: string; trust?: 'none'; externalId?: string; deny?: string[] };

export interface AccountSpec {
  id: string;
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  roles?: RoleSpec[];
  /** Fraction 0..1 of this account's requests answered with a throttling error. */
  throttleRate?: number;
  keys?: KeySpec[];
  buckets?: BucketSpec[];
}

export interface EstateSpec {
  accounts: AccountSpec[];
  faults?: Partial<GlobalFaults>;
  organization?: OrganizationSpec;
}

/** Every problem found in an estate file, each prefixed with file:line:column. */
export class EstateError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'EstateError';
  }
}

// Fixed defaults keep a loaded estate (and so every report of it) identical from run to run.
const DEFAULT_KEY_CREATION = '2024-01-01T00:00:00Z';
const DEFAULT_BUCKET_CREATION = '2024-02-01T00:00:00Z';
const DEFAULT_LAST_MODIFIED = '2025-01-01T00:00:00Z';
/**
 * "Starting January 5, 2023, all new object uploads to Amazon S3 are automatically encrypted" (User Guide,
 * "Using server-side encryption with Amazon S3 managed keys (SSE-S3)"): an object without server-side
 * encryption must be older.
 */
const DEFAULT_ENCRYPTION_START = Date.parse('2023-01-05T00:00:00Z');
const PENDING_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Positions: from a JSON path in the parsed data to line:column in the YAML text.

type PathSegment = string | number;
type Locate = (path: PathSegment[], atKey?: string) => string;

const pathText = (path: PathSegment[]): string =>
  path.reduce<string>((text, seg) => (typeof seg === 'number' ? `${text}[${seg}]` : text ? `${text}.${seg}` : seg), '') || '(top level)';

function yamlLocator(doc: Document, lines: LineCounter, file: string): Locate {
  return (path, atKey) => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    const walk = atKey === undefined ? path : [...path, atKey];
    for (let i = 0; i < walk.length; i++) {
      const seg = walk[i]!;
      const last = i === walk.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        // An unknown key is reported where the key is written; anything else where its value is.
        const target = last && atKey !== undefined ? pair.key : (pair.value ?? pair.key);
        const range = (target as { range?: [number, number, number] } | null)?.range;
        if (range) offset = range[0];
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        const range = (item as { range?: [number, number, number] } | null)?.range;
        if (!item) break;
        if (range) offset = range[0];
        node = item;
      } else break;
    }
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Schema validation.

let schemaCache: object | undefined;
export const estateSchemaPath = (): string => resolve(packageRoot(), 'src/schema/estate.schema.json');
function estateSchema(): object {
  schemaCache ??= JSON.parse(readFileSync(estateSchemaPath(), 'utf8')) as object;
  return schemaCache;
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function describeSchemaError(e: ErrorObject, locate: Locate): string {
  const path: PathSegment[] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const where = pathText(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = nearest(extra, allowed);
      return `${locate(path, extra)}: unknown key '${extra}' in ${where}${hint ? ` (did you mean '${hint}'?)` : ''}; allowed: ${allowed.join(', ')}`;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const hint = typeof e.data === 'string' ? nearest(e.data, allowed) : undefined;
      return `${locate(path)}: ${where} is ${JSON.stringify(e.data)}, must be one of ${allowed.join(', ')}${hint ? ` (did you mean '${hint}'?)` : ''}`;
    }
    case 'required':
      return `${locate(path)}: ${where} is missing required key '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'pattern':
      return `${locate(path)}: ${where} is ${JSON.stringify(e.data)}, which is not a valid ${path[path.length - 1] ?? 'value'} (pattern ${(e.params as { pattern: string }).pattern})`;
    default:
      return `${locate(path)}: ${where} ${e.message ?? 'is invalid'}${e.data !== undefined && typeof e.data !== 'object' ? ` (got ${JSON.stringify(e.data)})` : ''}`;
  }
}

/** anyOf reports each failed branch and then itself; the summary line is enough for a reader. */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'anyOf' || !anyOfPaths.has(e.instancePath) || !e.schemaPath.includes('/anyOf/'));
}

// ---------------------------------------------------------------------------------------------
// Loading.

export function loadEstate(path: string): Estate {
  return parseEstate(readFileSync(path, 'utf8'), path);
}

export function parseEstate(yamlText: string, file: string): Estate {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new EstateError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return `${file}:${pos.line}:${pos.col}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const data: unknown = doc.toJS();
  const locate = yamlLocator(doc, lines, file);
  const validate = validatorFor<EstateSpec>(estateSchema());
  if (!validate(data)) {
    throw new EstateError([...new Set(usefulErrors(validate.errors ?? []).map((e) => describeSchemaError(e, locate)))]);
  }
  return buildEstate(data, locate);
}

const toDate = (text: string | undefined, fallback: string): Date => new Date(text ?? fallback);

/**
 * A role given as `Name` (path `/`) or `some/path/Name`: the name is the last segment and the path
 * is part of the ARN (`arn:aws:iam::ACCT:role/some/path/Name`), as IAM writes role ARNs.
 */
function estateRole(account: string, role: RoleSpec): SandboxRole {
  const spelling = typeof role === 'string' ? role : role.name;
  const segments = spelling.split('/').filter((s) => s !== '');
  return {
    name: segments[segments.length - 1] ?? spelling,
    arn: `arn:aws:iam::${account}:role/${segments.join('/')}`,
    ...(typeof role !== 'string' && role.trust === 'none' ? { trustBroken: true as const } : {}),
    ...(typeof role !== 'string' && role.externalId !== undefined ? { externalId: role.externalId } : {}),
    ...(typeof role !== 'string' && role.deny !== undefined ? { deny: [...role.deny] } : {}),
  };
}

/** One role per ARN: the last spelling of a role wins (so `{ name: X, trust: none }` after `X` breaks it). */
function estateRoles(account: string, roles: readonly RoleSpec[]): SandboxRole[] {
  const byArn = new Map<string, SandboxRole>();
  for (const r of roles) {
    const role = estateRole(account, r);
    byArn.set(role.arn, role);
  }
  return [...byArn.values()];
}

/** Turns a schema-valid spec into an Estate, checking what a schema cannot (uniqueness, references). */
export function buildEstate(spec: EstateSpec, locate: Locate = (path) => `estate ${pathText(path)}`): Estate {
  const problems: string[] = [];
  const problem = (path: PathSegment[], message: string): void => {
    problems.push(`${locate(path)}: ${pathText(path)}: ${message}`);
  };
  const estate: Estate = { accounts: new Map(), buckets: new Map(), sessions: new Map(), faults: { ...DEFAULT_FAULTS, ...spec.faults } };

  // Pass 1: accounts, keys and aliases — every bucket may refer to any account's keys.
  const keyIds = new Map<string, string>(); // key id → account: ids are unique in the estate, except a multi-Region key's regions
  const accessKeys = new Set<string>();
  spec.accounts.forEach((a, ai) => {
    const at: PathSegment[] = ['accounts', ai];
    if (estate.accounts.has(a.id)) problem([...at, 'id'], `account id ${a.id} is declared twice`);
    if (accessKeys.has(a.accessKeyId)) problem([...at, 'accessKeyId'], `access key ${a.accessKeyId} is used by two accounts`);
    accessKeys.add(a.accessKeyId);
    const account: SandboxAccount = {
      id: a.id,
      name: a.name,
      accessKeyId: a.accessKeyId,
      secretAccessKey: a.secretAccessKey,
      roles: estateRoles(a.id, a.roles ?? []),
      keys: new Map(),
      aliases: new Map(),
      throttleRate: a.throttleRate ?? 0,
    };
    estate.accounts.set(a.id, account);
    (a.keys ?? []).forEach((k, ki) => {
      const kat: PathSegment[] = [...at, 'keys', ki];
      const sameId = keyIds.get(k.id);
      if (sameId !== undefined && !(k.multiRegion && sameId === a.id && !account.keys.has(keyMapKey(k.region, k.id)))) problem([...kat, 'id'], `key id ${k.id} is declared twice`);
      keyIds.set(k.id, a.id);
      for (const p of keyShapeProblems(k)) problem([...kat, p.field], p.message);
      const state: KeyState = k.state ?? 'Enabled';
      if (k.deletionDate !== undefined && state !== 'PendingDeletion') problem([...kat, 'deletionDate'], 'deletionDate is only for keys in state PendingDeletion');
      const manager = k.manager ?? 'CUSTOMER';
      const key: SandboxKey = {
        id: k.id,
        account: a.id,
        region: k.region,
        arn: keyArn(a.id, k.region, k.id),
        manager,
        state,
        // AWS managed keys always rotate (yearly); AWS reports their rotation as enabled.
        rotation: manager === 'AWS' ? true : (k.rotation ?? false),
        spec: k.spec ?? 'SYMMETRIC_DEFAULT',
        usage: k.usage ?? defaultUsage(k.spec),
        origin: k.origin ?? 'AWS_KMS',
        ...(k.customKeyStoreId ? { customKeyStoreId: k.customKeyStoreId } : {}),
        ...(k.multiRegion ? { multiRegion: k.multiRegion } : {}),
        description: k.description ?? '',
        creationDate: toDate(k.creationDate, DEFAULT_KEY_CREATION),
      };
      // AWS schedules deletion at least 7 days ahead; a key declared pending deletion keeps that shape.
      if (state === 'PendingDeletion') key.deletionDate = k.deletionDate ? new Date(k.deletionDate) : new Date(Date.now() + PENDING_WINDOW_MS);
      account.keys.set(keyMapKey(k.region, k.id), key);
      (k.aliases ?? []).forEach((alias, li) => {
        const mapKey = aliasMapKey(k.region, alias);
        if (account.aliases.has(mapKey)) problem([...kat, 'aliases', li], `alias ${alias} already names another key in ${a.id} ${k.region}`);
        if (alias.startsWith('alias/aws/') && manager !== 'AWS') problem([...kat, 'aliases', li], `the alias/aws/ prefix is reserved for AWS managed keys (manager: AWS)`);
        account.aliases.set(mapKey, { name: alias, account: a.id, region: k.region, targetKeyId: k.id });
      });
      // A replica is made from its primary (ReplicateKey): the primary, same id, is in the same account.
      if (k.multiRegion === 'REPLICA' && !(a.keys ?? []).some((o) => o.id === k.id && o.multiRegion === 'PRIMARY')) {
        problem([...kat, 'multiRegion'], `multi-Region replica ${k.id} has no PRIMARY key of the same id in account ${a.id}`);
      }
    });
  });

  // Pass 2: buckets and their objects.
  spec.accounts.forEach((a, ai) => {
    (a.buckets ?? []).forEach((b, bi) => {
      const at: PathSegment[] = ['accounts', ai, 'buckets', bi];
      const bucket = buildBucket(estate, a.id, b, at, problem);
      if (estate.buckets.has(b.name)) problem([...at, 'name'], `bucket name ${b.name} is already taken (bucket names are global)`);
      else estate.buckets.set(b.name, bucket);
    });
  });

  if (spec.organization) estate.organization = buildOrganization(spec.organization, estate, (path, message) => problem(['organization', ...path], message));

  if (problems.length > 0) throw new EstateError(problems);
  return estate;
}

/** The KeyUsage KMS gives a new key of this spec when none is asked for (CreateKey "KeyUsage"). */
function defaultUsage(spec: string | undefined): string {
  if (spec?.startsWith('HMAC_')) return 'GENERATE_VERIFY_MAC';
  if (spec?.startsWith('ECC_')) return 'SIGN_VERIFY';
  return 'ENCRYPT_DECRYPT';
}

/** Usages each key spec admits (KMS Developer Guide, "Key type reference", symm-asymm-compare.html). */
function usagesOf(spec: string): string[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY', 'KEY_AGREEMENT']; // ECC_*
}

/**
 * What a schema cannot say about a key: combinations KMS never produces. PendingImport belongs to keys
 * with imported material (origin EXTERNAL), Unavailable to keys in a custom key store (a disconnected
 * store), and only such keys have a CustomKeyStoreId (KMS Developer Guide, key-state.html and
 * create-keys "Origin"). A multi-Region key has an mrk- id, and only an mrk- id is multi-Region.
 */
function keyShapeProblems(k: KeySpec): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const spec = k.spec ?? 'SYMMETRIC_DEFAULT';
  const usage = k.usage ?? defaultUsage(k.spec);
  if (!usagesOf(spec).includes(usage)) out.push({ field: 'usage', message: `a ${spec} key cannot have usage ${usage} (allowed: ${usagesOf(spec).join(', ')})` });
  const origin = k.origin ?? 'AWS_KMS';
  const inKeyStore = origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE';
  if (k.state === 'PendingImport' && origin !== 'EXTERNAL') out.push({ field: 'state', message: 'PendingImport is only for keys with imported key material (origin: EXTERNAL)' });
  if (k.state === 'Unavailable' && !inKeyStore) out.push({ field: 'state', message: 'Unavailable is only for keys in a custom key store (origin: AWS_CLOUDHSM or EXTERNAL_KEY_STORE)' });
  if (inKeyStore !== (k.customKeyStoreId !== undefined)) out.push({ field: 'customKeyStoreId', message: 'a key in a custom key store (origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE), and only such a key, has a customKeyStoreId' });
  if (k.id.startsWith('mrk-') !== (k.multiRegion !== undefined)) out.push({ field: 'multiRegion', message: 'a multi-Region key (multiRegion: PRIMARY or REPLICA), and only such a key, has an mrk- id' });
  return out;
}

function buildBucket(estate: Estate, account: string, b: BucketSpec, at: PathSegment[], problem: (path: PathSegment[], message: string) => void): SandboxBucket {
  if (b.legacy && b.encryption) problem([...at, 'legacy'], 'a legacy bucket has no default encryption; remove either legacy or encryption');
  if (b.locationConstraint === 'EU' && b.region !== 'eu-west-1') problem([...at, 'locationConstraint'], 'the legacy EU location constraint means eu-west-1');
  if (b.encryption && b.encryption.algorithm === 'AES256' && b.encryption.kmsKeyId !== undefined) {
    problem([...at, 'encryption', 'kmsKeyId'], 'kmsKeyId applies only to aws:kms and aws:kms:dsse (S3 rejects it with AES256)');
  }
  // Since January 2023 S3 gives every bucket SSE-S3 unless told otherwise; `legacy` models older buckets without any configuration.
  const encryption: SandboxEncryption | null = b.legacy
    ? null
    : b.encryption
      ? {
          algorithm: b.encryption.algorithm,
          ...(b.encryption.kmsKeyId !== undefined ? { kmsKeyId: b.encryption.kmsKeyId } : {}),
          bucketKeyEnabled: b.encryption.bucketKeyEnabled ?? false,
          // Omitted: no BlockedEncryptionTypes element, as GetBucketEncryption answered before April 2026.
          ...(b.encryption.blockedEncryptionTypes !== undefined ? { blockedEncryptionTypes: [...b.encryption.blockedEncryptionTypes] } : {}),
        }
      : { algorithm: 'AES256', bucketKeyEnabled: false };

  let policy: string | null = null;
  if (typeof b.policy === 'string') {
    try {
      JSON.parse(b.policy);
      policy = b.policy;
    } catch {
      problem([...at, 'policy'], 'policy text is not valid JSON');
    }
  } else if (b.policy !== undefined) policy = JSON.stringify(b.policy);

  const bucket: SandboxBucket = {
    name: b.name,
    account,
    region: b.region,
    locationConstraint: b.locationConstraint ?? (b.region === 'us-east-1' ? null : b.region),
    creationDate: toDate(b.creationDate, DEFAULT_BUCKET_CREATION),
    encryption,
    tags: b.tags && Object.keys(b.tags).length > 0 ? { ...b.tags } : null,
    policy,
    objects: new Map(),
    faults: (b.faults ?? []).map((f) => ({ ...f })),
    ...(b.versioning ? { versioning: b.versioning } : {}),
    ...(b.metadata
      ? {
          metadata: {
            inventory: b.metadata.inventoryTable === 'DISABLED' ? { configurationState: 'DISABLED' as const } : { configurationState: 'ENABLED' as const, tableStatus: b.metadata.inventoryTable },
          },
        }
      : {}),
  };
  if (b.inventory && b.inventory.length > 0) {
    bucket.inventory = new Map();
    b.inventory.forEach((inv, ii) => {
      if (bucket.inventory!.has(inv.id)) problem([...at, 'inventory', ii, 'id'], `inventory configuration ${inv.id} is declared twice`);
      bucket.inventory!.set(inv.id, {
        id: inv.id,
        enabled: inv.enabled ?? true,
        destinationBucketArn: `arn:aws:s3:::${inv.destination}`,
        ...(inv.prefix !== undefined ? { destinationPrefix: inv.prefix } : {}),
        format: inv.format ?? 'CSV',
        ...(inv.filterPrefix !== undefined ? { filterPrefix: inv.filterPrefix } : {}),
        includedVersions: inv.versions ?? 'Current',
        optionalFields: inv.fields ?? ['Size', 'LastModifiedDate', 'ETag', 'EncryptionStatus', 'BucketKeyStatus'],
        frequency: inv.frequency ?? 'Daily',
      });
      if (inv.deliver?.length) pendingDeliveries.set(bucket, [...(pendingDeliveries.get(bucket) ?? []), ...inv.deliver.map((d) => ({ configId: inv.id, ...d }))]);
    });
  }

  (b.objects ?? []).forEach((o, oi) => {
    const oat: PathSegment[] = [...at, 'objects', oi];
    if (bucket.objects.has(o.key)) problem([...oat, 'key'], `object key ${o.key} is listed twice`);
    const versioned = o.versions ? 'versions' : o.versionId !== undefined ? 'versionId' : o.deleteMarker ? 'deleteMarker' : undefined;
    if (versioned && !b.versioning) {
      problem([...oat, versioned], 'object versions and delete markers need a versioned bucket (versioning: Enabled or Suspended)');
    }
    const object = buildObject(estate, bucket, o, oat, problem);
    if (!object) return;
    if (b.versioning) object.versionId = o.versionId ?? estateVersionId(bucket.name, o.key, 0);
    // A key whose latest version is a delete marker has no current object: the marker heads its other versions.
    if (!object.deleteMarker) storeObject(bucket, object);
    const older = (o.versions ?? []).flatMap((v, vi) => {
      const version = buildObject(estate, bucket, { ...v, key: o.key }, [...oat, 'versions', vi], problem);
      return version ? [{ ...version, versionId: v.versionId ?? estateVersionId(bucket.name, o.key, vi + 1) }] : [];
    });
    const others = object.deleteMarker ? [object, ...older] : older;
    if (others.length > 0) (bucket.noncurrent ??= new Map()).set(o.key, others);
  });

  if (b.generate) {
    const g = b.generate;
    (g.mix ?? []).forEach((m, mi) => {
      if (m.sse === 'AES256' && m.kmsKeyId !== undefined) problem([...at, 'generate', 'mix', mi, 'kmsKeyId'], 'kmsKeyId applies only to aws:kms and aws:kms:dsse');
    });
    const generator: ObjectGenerator = {
      count: g.count,
      prefix: g.prefix ?? '',
      size: g.size ?? 1024,
      // Without a mix, generated objects take the bucket's default encryption.
      mix: g.mix?.map((m) => ({ ...m })) ?? [
        encryption
          ? { sse: encryption.algorithm, ...(encryption.kmsKeyId ? { kmsKeyId: encryption.kmsKeyId } : {}), bucketKeyEnabled: encryption.bucketKeyEnabled, weight: 1 }
          : { sse: 'AES256', weight: 1 },
      ],
      seed: g.seed ?? 1,
      lastModified: toDate(g.lastModified, DEFAULT_LAST_MODIFIED),
    };
    bucket.generator = generator;
  }
  return bucket;
}

/**
 * An explicit object. `sse` omitted takes the bucket default (AES256 for legacy buckets, as S3
 * encrypts every new object since 2023); `sse: aws:kms` without kmsKeyId means aws/s3, as a PUT
 * with only x-amz-server-side-encryption: aws:kms does. kmsKeyArn is resolved now, so the object
 * reports the key it was written with even if its alias changes later. `sse: none` is an object stored
 * before S3 encrypted every upload, `sse: SSE-C` one under the customer key `customerKey`, and
 * `deleteMarker: true` a delete marker (no data, no encryption).
 */
function buildObject(
  estate: Estate,
  bucket: SandboxBucket,
  o: ObjectSpec,
  at: PathSegment[],
  problem: (path: PathSegment[], message: string) => void,
): SandboxObject | undefined {
  if (o.deleteMarker) return buildDeleteMarker(o, at, problem);
  if ((o.customerKey !== undefined) !== (o.sse === 'SSE-C')) {
    problem([...at, o.customerKey !== undefined ? 'customerKey' : 'sse'], 'an SSE-C object needs its customerKey (base64 of 32 bytes), and only an SSE-C object has one');
    return undefined;
  }
  if (o.sse === 'none' || o.sse === 'SSE-C') return buildUnmanagedObject(o, o.sse, at, problem);
  const inherits = o.sse === undefined;
  const sse: Sse = o.sse ?? bucket.encryption?.algorithm ?? 'AES256';
  const spelling = inherits ? (o.kmsKeyId ?? bucket.encryption?.kmsKeyId) : o.kmsKeyId;
  if (sse === 'AES256' && o.kmsKeyId !== undefined) {
    problem([...at, 'kmsKeyId'], 'kmsKeyId applies only to aws:kms and aws:kms:dsse objects');
    return undefined;
  }
  let kmsKeyArn: string | undefined;
  if (sse !== 'AES256') {
    if (spelling === undefined) kmsKeyArn = awsManagedKey(estate, bucket.account, bucket.region, 's3').arn;
    else {
      const key = resolveKey(estate, bucket.account, bucket.region, spelling);
      const ref = parseKeyReference(bucket.account, bucket.region, spelling);
      if (key) kmsKeyArn = key.arn;
      else if (ref.kind === 'key') kmsKeyArn = ref.arn; // a key since deleted: the object still names it
      else {
        problem([...at, o.kmsKeyId !== undefined ? 'kmsKeyId' : 'key'], `${spelling} names no key, so S3 could not have written this object with it; give the key ARN for an object under a deleted key`);
        return undefined;
      }
    }
  }
  const { body, size, md5 } = objectData(o, at, problem);
  return {
    key: o.key,
    versionId: 'null',
    size,
    etag: etagFor(md5, sse, kmsKeyArn),
    lastModified: toDate(o.lastModified, DEFAULT_LAST_MODIFIED),
    sse,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    // S3 Bucket Keys exist only for SSE-KMS; an object takes the bucket's setting unless it says otherwise.
    bucketKeyEnabled: sse === 'aws:kms' && (o.bucketKeyEnabled ?? bucket.encryption?.bucketKeyEnabled === true),
    ...(body ? { body } : {}),
  };
}

/** An object's bytes (`body`, else `size` placeholder bytes), their size and MD5. */
function objectData(o: ObjectSpec, at: PathSegment[], problem: (path: PathSegment[], message: string) => void): { body?: Buffer; size: number; md5: string } {
  const body = o.body !== undefined ? Buffer.from(o.body, 'utf8') : undefined;
  if (body && o.size !== undefined && o.size !== body.length) problem([...at, 'size'], `size ${o.size} differs from the body's ${body.length} bytes`);
  const size = body ? body.length : (o.size ?? 0);
  return { ...(body ? { body } : {}), size, md5: createHash('md5').update(body ?? placeholderBody(size)).digest('hex') };
}

/** An object whose key is not in KMS: stored unencrypted before 2023 (`none`), or under a customer key (SSE-C). */
function buildUnmanagedObject(o: ObjectSpec, kind: 'none' | 'SSE-C', at: PathSegment[], problem: (path: PathSegment[], message: string) => void): SandboxObject | undefined {
  const field = o.kmsKeyId !== undefined ? 'kmsKeyId' : o.bucketKeyEnabled !== undefined ? 'bucketKeyEnabled' : undefined;
  if (field) {
    problem([...at, field], `${field} applies only to aws:kms and aws:kms:dsse objects`);
    return undefined;
  }
  const lastModified = toDate(o.lastModified, DEFAULT_LAST_MODIFIED);
  if (kind === 'none' && !(lastModified.getTime() < DEFAULT_ENCRYPTION_START)) {
    problem([...at, o.lastModified !== undefined ? 'lastModified' : 'sse'], 'an object without server-side encryption must have been stored before 2023-01-05 (S3 has encrypted every new object since): give its lastModified');
    return undefined;
  }
  const { body, size, md5 } = objectData(o, at, problem);
  const sse = kind === 'none' ? null : 'SSE-C';
  return {
    key: o.key,
    versionId: 'null',
    size,
    etag: etagFor(md5, sse),
    lastModified,
    sse,
    bucketKeyEnabled: false,
    ...(o.customerKey !== undefined ? { customerKeyMd5: customerKeyMd5(o.customerKey) } : {}),
    ...(body ? { body } : {}),
  };
}

/** A delete marker: a key, a version id and a date, nothing else (User Guide, "Working with delete markers"). */
function buildDeleteMarker(o: ObjectSpec, at: PathSegment[], problem: (path: PathSegment[], message: string) => void): SandboxObject | undefined {
  const extra = (['size', 'body', 'sse', 'customerKey', 'kmsKeyId', 'bucketKeyEnabled'] as const).find((f) => o[f] !== undefined);
  if (extra) {
    problem([...at, extra], `a delete marker has no data and no encryption: remove ${extra}`);
    return undefined;
  }
  return { key: o.key, versionId: 'null', size: 0, etag: '', lastModified: toDate(o.lastModified, DEFAULT_LAST_MODIFIED), sse: null, bucketKeyEnabled: false, deleteMarker: true };
}

// ---------------------------------------------------------------------------------------------
// Generated estates (benchmarks).

export interface GenerateOptions {
  buckets: number;
  objectsPerBucket: number;
  accounts?: number;
  regions?: string[];
  seed?: number;
}

/** Per-bucket default encryption choices of a generated estate, with their weights. */
const GENERATED_ENCRYPTIONS: { weight: number; legacy?: true; encryption?: BucketSpec['encryption'] }[] = [
  { weight: 1, legacy: true },
  { weight: 3, encryption: { algorithm: 'AES256' } },
  { weight: 2, encryption: { algorithm: 'aws:kms', bucketKeyEnabled: true } },
  { weight: 4, encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/bench-cmk', bucketKeyEnabled: true } },
  { weight: 1, encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/bench-norotate', bucketKeyEnabled: false } },
  { weight: 1, encryption: { algorithm: 'aws:kms:dsse', kmsKeyId: 'alias/bench-cmk' } },
];

/**
 * A large estate for benchmarks: `accounts` accounts (default 1), each with a rotating and a
 * non-rotating CMK per region, and `buckets` buckets spread over accounts and regions with a
 * weighted mix of default encryptions, each holding `objectsPerBucket` generated objects.
 * Deterministic for a given seed.
 */
export function generateEstate(opts: GenerateOptions): Estate {
  const accountCount = opts.accounts ?? 1;
  const regions = opts.regions ?? ['us-east-1', 'eu-west-1'];
  const seed = opts.seed ?? 1;
  if (accountCount < 1 || regions.length === 0) throw new Error('generateEstate needs at least one account and one region');
  let state = seed >>> 0;
  const random = (): number => {
    // mulberry32, inline to keep this deterministic independent of the fault PRNG.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const totalWeight = GENERATED_ENCRYPTIONS.reduce((s, e) => s + e.weight, 0);
  const pick = (): (typeof GENERATED_ENCRYPTIONS)[number] => {
    let r = random() * totalWeight;
    for (const e of GENERATED_ENCRYPTIONS) if ((r -= e.weight) < 0) return e;
    return GENERATED_ENCRYPTIONS[0]!;
  };

  const accounts: AccountSpec[] = Array.from({ length: accountCount }, (_, i) => ({
    id: String(210000000000 + i),
    name: `bench-${i}`,
    accessKeyId: `AKIABENCH${String(i).padStart(11, '0')}`,
    secretAccessKey: createHash('sha256').update(`bench-secret/${seed}/${i}`).digest('base64').slice(0, 40),
    roles: ['S3KmsAuditRole'],
    keys: regions.flatMap((region) => [
      { id: deterministicKeyId(`bench/${seed}/${i}/${region}/cmk`), region, aliases: ['alias/bench-cmk'], rotation: true, description: 'benchmark CMK' },
      { id: deterministicKeyId(`bench/${seed}/${i}/${region}/norotate`), region, aliases: ['alias/bench-norotate'], rotation: false, description: 'benchmark CMK without rotation' },
    ]),
    buckets: [],
  }));
  for (let b = 0; b < opts.buckets; b++) {
    const account = accounts[b % accountCount]!;
    const region = regions[Math.floor(b / accountCount) % regions.length]!;
    const choice = pick();
    account.buckets!.push({
      name: `bench-${seed}-${String(b).padStart(6, '0')}`,
      region,
      ...(choice.legacy ? { legacy: true } : { encryption: choice.encryption }),
      tags: { env: b % 3 === 0 ? 'dev' : 'prod', owner: `team-${b % 7}` },
      generate: {
        count: opts.objectsPerBucket,
        prefix: 'obj/',
        size: 128,
        seed: seed * 100003 + b,
        mix: [
          { sse: 'AES256', weight: 1 },
          { sse: 'aws:kms', weight: 1 },
          { sse: 'aws:kms', kmsKeyId: 'alias/bench-cmk', bucketKeyEnabled: true, weight: 2 },
        ],
      },
    });
  }
  return buildEstate({ accounts });
}
