/**
 * Rule fixtures (<id>.test.yaml): facts in, expected outcome out. Used by the project's own
 * tests and by the user-facing `s3-kms-audit test [DIR]` command, so users can unit-test rules.
 *
 * Fixtures may give partial facts; the rest is filled with plain defaults (a bucket
 * "example-bucket" in 111122223333 / us-east-1, an Enabled customer managed symmetric encryption key
 * with key material from KMS (origin AWS_KMS) in the bucket's account and region; an mrk- id makes it a
 * multi-Region primary) so each fixture states only what it is about. Derived facts (s3Usable, the
 * reserved alias/aws/ manager) come from keyFactsFor, as in a scan. Key spellings follow the collector's
 * rule (keyFactsFor): a bare key id or alias name names the key only for a bucket in the key's own
 * account and region, so a fixture cannot claim a match a scan would never see.
 */
import type { BucketFacts, FactContext, FactError, KeyFacts, ObjectFacts } from '../domain/facts.js';
import type { Status } from '../domain/finding.js';
import type { RuleFixture } from '../domain/rule.js';
import type { FixtureSet, RuleSet } from '../domain/rule.js';
import { keyFactsFor } from '../domain/keys.js';
import { evaluateRule } from './evaluate.js';

export interface FixtureResult {
  rule: string;
  file: string;
  name: string;
  expected: Status;
  actual: Status;
  passed: boolean;
  message: string;
}

export const DEFAULT_ACCOUNT = '111122223333';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

function partitionOf(arn: string | undefined): string {
  return arn?.split(':')[1] || 'aws';
}

export function fixtureBucket(partial: Partial<BucketFacts> = {}): BucketFacts {
  const name = partial.name ?? 'example-bucket';
  const bucket: BucketFacts = {
    arn: partial.arn ?? `arn:aws:s3:::${name}`,
    name,
    account: partial.account ?? DEFAULT_ACCOUNT,
    region: partial.region ?? DEFAULT_REGION,
    tags: partial.tags ?? {},
    errors: partial.errors ?? {},
  };
  if (partial.encryption !== undefined) bucket.encryption = partial.encryption;
  return bucket;
}

/** Every spelling of a key: id, ARN, alias names and alias ARNs (before keyFactsFor keeps those the bucket can use). */
export function keySpellings(key: Pick<KeyFacts, 'id' | 'arn' | 'aliases' | 'account' | 'region'>): string[] {
  const partition = partitionOf(key.arn);
  const out = new Set<string>([key.id, key.arn]);
  for (const alias of key.aliases) {
    out.add(alias);
    if (alias.startsWith('alias/')) out.add(`arn:${partition}:kms:${key.region}:${key.account}:${alias}`);
  }
  return [...out].filter((s) => s.length > 0);
}

export function fixtureKey(partial: Partial<KeyFacts> | null | undefined, bucket: BucketFacts): KeyFacts | null | undefined {
  if (partial === null || partial === undefined) return partial;
  const account = partial.account ?? bucket.account;
  const region = partial.region ?? bucket.region;
  const id = partial.id ?? DEFAULT_KEY_ID;
  const arn = partial.arn ?? `arn:${partitionOf(bucket.arn)}:kms:${region}:${account}:key/${id}`;
  const exists = partial.exists ?? true;
  const key: KeyFacts = {
    exists,
    ref: partial.ref ?? arn,
    arn,
    id,
    account,
    region,
    aliases: partial.aliases ?? [],
    manager: partial.manager !== undefined ? partial.manager : exists ? 'CUSTOMER' : null,
    state: partial.state !== undefined ? partial.state : exists ? 'Enabled' : null,
    ...kmsDefaults(partial, id, exists),
    spellings: [],
  };
  if (partial.rotationEnabled !== undefined) key.rotationEnabled = partial.rotationEnabled;
  if (partial.uncheckedSpellings !== undefined) key.uncheckedSpellings = partial.uncheckedSpellings;
  key.spellings = partial.spellings ?? keySpellings(key);
  return keyFactsFor(key, bucket.account, bucket.region);
}

type KmsMetadata = Pick<KeyFacts, 'spec' | 'usage' | 'origin' | 'multiRegion' | 'multiRegionKeyType' | 'customKeyStoreId'>;

/** DescribeKey's type and origin fields: a fixture's own values, else those of an ordinary key (none for a missing one). */
function kmsDefaults(partial: Partial<KeyFacts>, id: string, exists: boolean): KmsMetadata {
  const multiRegion = partial.multiRegion ?? (exists ? id.startsWith('mrk-') : null);
  const pick = <K extends keyof KmsMetadata>(k: K, fallback: KmsMetadata[K]): KmsMetadata[K] => (partial[k] !== undefined ? partial[k] : exists ? fallback : null);
  return {
    spec: pick('spec', 'SYMMETRIC_DEFAULT'),
    usage: pick('usage', 'ENCRYPT_DECRYPT'),
    origin: pick('origin', 'AWS_KMS'),
    multiRegion,
    multiRegionKeyType: pick('multiRegionKeyType', multiRegion ? 'PRIMARY' : null),
    customKeyStoreId: pick('customKeyStoreId', null),
  };
}

export function fixtureObject(partial: Partial<ObjectFacts> | undefined, bucket: BucketFacts): ObjectFacts | undefined {
  if (!partial) return undefined;
  const object: ObjectFacts = {
    bucket: partial.bucket ?? bucket.name,
    key: partial.key ?? 'example.txt',
    size: partial.size ?? 0,
    lastModified: partial.lastModified ?? '2024-01-01T00:00:00.000Z',
    sse: partial.sse !== undefined ? partial.sse : null,
    bucketKeyEnabled: partial.bucketKeyEnabled ?? false,
    errors: partial.errors ?? {},
  };
  for (const k of ['versionId', 'isLatest', 'etag', 'kmsKeyId'] as const) {
    if (partial[k] !== undefined) (object as unknown as Record<string, unknown>)[k] = partial[k];
  }
  return object;
}

/** The FactContext a fixture describes. An absent `key` means "not KMS encrypted" (null). */
export function fixtureContext(fixture: RuleFixture): FactContext {
  const facts = fixture.facts ?? {};
  const bucket = fixtureBucket(facts.bucket);
  const ctx: FactContext = {
    bucket,
    key: fixtureKey(facts.key === undefined ? null : (facts.key as Partial<KeyFacts> | null), bucket),
    errors: { ...bucket.errors, ...((facts.errors ?? {}) as Record<string, FactError>) },
  };
  const object = fixtureObject(facts.object as Partial<ObjectFacts> | undefined, bucket);
  if (object) {
    ctx.object = object;
    Object.assign(ctx.errors, object.errors);
  }
  if (facts.bucketKey !== undefined) {
    ctx.bucketKey = fixtureKey(facts.bucketKey as Partial<KeyFacts> | null, bucket);
  }
  return ctx;
}

export function runFixtures(rules: RuleSet, fixtures: FixtureSet): FixtureResult[] {
  const results: FixtureResult[] = [];
  for (const [ruleId, { file, fixtures: list }] of fixtures) {
    const rule = rules.get(ruleId);
    for (const fixture of list) {
      if (!rule) {
        results.push({ rule: ruleId, file, name: fixture.name, expected: fixture.expect, actual: 'error', passed: false, message: `no rule with id ${ruleId}` });
        continue;
      }
      const outcome = evaluateRule(rule, fixtureContext(fixture), fixture.params ?? {});
      const statusOk = outcome.status === fixture.expect;
      const messageOk = fixture.messageIncludes === undefined || outcome.message.includes(fixture.messageIncludes);
      let message = outcome.message;
      if (!statusOk) message = `expected ${fixture.expect}, got ${outcome.status}: ${outcome.message}`;
      else if (!messageOk) message = `message does not include ${JSON.stringify(fixture.messageIncludes)}: ${outcome.message}`;
      results.push({
        rule: ruleId,
        file,
        name: fixture.name,
        expected: fixture.expect,
        actual: outcome.status,
        passed: statusOk && messageOk,
        message,
      });
    }
  }
  return results;
}
