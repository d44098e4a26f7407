/**
 * An AWS Organization of many accounts, generated in code (a YAML file of 200 accounts × 25 buckets
 * would be megabytes of noise): a management account, member accounts spread over nested
 * organizational units, each with an audit role, two KMS keys per region and a realistic mix of
 * bucket encryption — plus the accounts an organisation-wide audit must cope with: one SUSPENDED,
 * one whose audit role's trust policy is broken (AssumeRole is AccessDenied), one throttled and, in
 * organisations of 6 accounts or more, the last one CLOSED, and in those of 7 or more, one whose audit
 * role may not call ListBuckets.
 * Deterministic for a given seed; used by the e2e tests and `npm run bench:org`.
 */
import { createHash } from 'node:crypto';
import { buildEstate, type AccountSpec, type BucketSpec } from '../estate.js';
import { deterministicKeyId } from '../keys.js';
import type { Estate } from '../model.js';
import type { OrganizationSpec } from '../organizations/estate.js';

export interface OrganizationEstateOptions {
  /** Member accounts, the management account and the special ones included (at least 4). */
  accounts: number;
  bucketsPerAccount: number;
  regions?: string[];
  seed?: number;
  /** The audit role in every account (default S3KmsAuditRole). */
  roleName?: string;
  /** Fraction of the throttled account's requests answered with a throttling error (default 0.3). */
  throttleRate?: number;
  /** When given, every audit role's trust policy requires this sts:ExternalId. */
  externalId?: string;
}

export interface GeneratedOrganization {
  estate: Estate;
  organizationId: string;
  managementAccount: { id: string; accessKeyId: string; secretAccessKey: string };
  roleName: string;
  /** Member accounts by role in the scenario. */
  suspended: string;
  /** The last account, closed (State CLOSED, Status SUSPENDED), when there are 6 accounts or more. */
  closed?: string;
  /** An account whose audit role lacks s3:ListAllMyBuckets (ListBuckets is AccessDenied), with 7 accounts or more. */
  listingDenied?: string;
  brokenTrust: string;
  throttled: string;
  /** Every ACTIVE account (management included) whose role can be assumed: the sessions a full audit opens. */
  auditable: string[];
  /** Buckets of the auditable accounts whose buckets can be listed. */
  auditableBuckets: number;
  /** The OU ids: two top-level units and one nested in the first. */
  units: { workloads: string; sandbox: string; workloadsProd: string };
}

/** Default bucket encryption mix, weighted: most buckets fine, a realistic minority not. */
const BUCKET_MIX: { weight: number; legacy?: true; encryption?: BucketSpec['encryption'] }[] = [
  { weight: 1, legacy: true },
  { weight: 3, encryption: { algorithm: 'AES256' } },
  { weight: 2, encryption: { algorithm: 'aws:kms', bucketKeyEnabled: true } },
  { weight: 6, encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/org-data', bucketKeyEnabled: true } },
  { weight: 1, encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/org-norotate', bucketKeyEnabled: false } },
  { weight: 1, encryption: { algorithm: 'aws:kms:dsse', kmsKeyId: 'alias/org-data' } },
];

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateOrganization(opts: OrganizationEstateOptions): GeneratedOrganization {
  if (opts.accounts < 4) throw new Error('generateOrganization needs at least 4 accounts (management, suspended, broken trust, throttled)');
  const regions = opts.regions ?? ['us-east-1', 'eu-west-1'];
  const seed = opts.seed ?? 1;
  const roleName = opts.roleName ?? 'S3KmsAuditRole';
  const random = mulberry32(seed);
  const totalWeight = BUCKET_MIX.reduce((s, e) => s + e.weight, 0);
  const pick = (): (typeof BUCKET_MIX)[number] => {
    let r = random() * totalWeight;
    for (const e of BUCKET_MIX) if ((r -= e.weight) < 0) return e;
    return BUCKET_MIX[0]!;
  };

  const idOf = (i: number): string => String(300000000000 + i);
  const management = 0;
  const suspended = 1;
  const brokenTrust = 2;
  const throttled = 3;
  const closed = opts.accounts >= 6 ? opts.accounts - 1 : undefined;
  const listingDenied = opts.accounts >= 7 ? 4 : undefined;
  const tag = String(seed).padStart(4, '0').slice(-4);
  const organizationId = `o-org${tag}sample`;
  const units = { workloads: `ou-org${tag.slice(0, 1)}-workloads`, sandbox: `ou-org${tag.slice(0, 1)}-sandboxes`, workloadsProd: `ou-org${tag.slice(0, 1)}-production` };

  const accounts: AccountSpec[] = [];
  const members: OrganizationSpec['accounts'] = [];
  let auditableBuckets = 0;
  const auditable: string[] = [];
  for (let i = 0; i < opts.accounts; i++) {
    const id = idOf(i);
    const name = i === management ? 'management' : `member-${String(i).padStart(4, '0')}`;
    // Members alternate between the nested production unit, the workloads unit and the sandbox unit.
    const parent = i === management ? undefined : [units.workloadsProd, units.workloads, units.sandbox][i % 3]!;
    if (i === suspended || i === closed) {
      // Suspended or closed: in the organisation, not reachable (no estate account, no credentials).
      members.push({ id, name, status: i === closed ? 'CLOSED' : 'SUSPENDED', ...(parent ? { parent } : {}) });
      continue;
    }
    members.push({ id, ...(parent ? { parent } : {}) });
    const buckets: BucketSpec[] = [];
    for (let b = 0; b < opts.bucketsPerAccount; b++) {
      const choice = pick();
      buckets.push({
        name: `org${tag}-${String(i).padStart(4, '0')}-${String(b).padStart(3, '0')}`,
        region: regions[b % regions.length]!,
        ...(choice.legacy ? { legacy: true } : { encryption: choice.encryption! }),
        tags: { env: i % 3 === 1 ? 'prod' : 'dev', owner: `team-${(i + b) % 9}` },
      });
    }
    accounts.push({
      id,
      name,
      accessKeyId: `AKIAORG${String(i).padStart(13, '0')}`,
      secretAccessKey: createHash('sha256').update(`org-secret/${seed}/${i}`).digest('base64').slice(0, 40),
      roles: [
        i === brokenTrust
          ? { name: roleName, trust: 'none' }
          : opts.externalId !== undefined || i === listingDenied
            ? { name: roleName, ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}), ...(i === listingDenied ? { deny: ['ListBuckets'] } : {}) }
            : roleName,
      ],
      ...(i === throttled ? { throttleRate: opts.throttleRate ?? 0.3 } : {}),
      keys: regions.flatMap((region) => [
        { id: deterministicKeyId(`org/${seed}/${i}/${region}/data`), region, aliases: ['alias/org-data'], rotation: true, description: 'data key' },
        { id: deterministicKeyId(`org/${seed}/${i}/${region}/norotate`), region, aliases: ['alias/org-norotate'], rotation: false, description: 'data key without rotation' },
      ]),
      buckets,
    });
    if (i !== brokenTrust) {
      auditable.push(id);
      if (i !== listingDenied) auditableBuckets += buckets.length;
    }
  }

  const estate = buildEstate({
    accounts,
    organization: {
      id: organizationId,
      managementAccount: idOf(management),
      units: [
        { id: units.workloads, name: 'Workloads' },
        { id: units.workloadsProd, name: 'Production', parent: units.workloads },
        { id: units.sandbox, name: 'Sandboxes' },
      ],
      accounts: members,
    },
  });
  const mgmt = accounts[0]!;
  return {
    estate,
    organizationId,
    managementAccount: { id: mgmt.id, accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey },
    roleName,
    suspended: idOf(suspended),
    ...(closed !== undefined ? { closed: idOf(closed) } : {}),
    ...(listingDenied !== undefined ? { listingDenied: idOf(listingDenied) } : {}),
    brokenTrust: idOf(brokenTrust),
    throttled: idOf(throttled),
    auditable,
    auditableBuckets,
    units,
  };
}
