/**
 * Estates: the demo estate's contract (names other tests and policies.yaml rely on), validation
 * errors with file:line:column, and the deterministic benchmark generator.
 */
import { expect } from 'chai';
import { demoEstatePath } from '../../src/paths.js';
import { EstateError, generateEstate, loadEstate, parseEstate } from '../../src/sandbox/estate.js';
import { generatedObject } from '../../src/sandbox/s3/store/generated.js';
import type { Estate } from '../../src/sandbox/model.js';
import { keyMapKey } from '../../src/sandbox/keys.js';

const PROD = '111122223333';
const DEV = '444455556666';
const PROD_DATA = `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`;

function parseError(yamlText: string, file = 'broken.yaml'): EstateError {
  try {
    parseEstate(yamlText, file);
  } catch (e) {
    if (e instanceof EstateError) return e;
    throw e;
  }
  throw new Error('expected the estate to be rejected');
}

/** A valid one-account estate to break in small ways. */
const VALID = `accounts:
  - id: "123456789012"
    name: test
    accessKeyId: AKIATEST000000000001
    secretAccessKey: abcdefghijabcdefghijabcdefghijabcdefghij
    keys:
      - { id: 00000000-0000-4000-8000-000000000001, region: us-east-1, aliases: [alias/k1] }
    buckets:
      - name: test-bucket
        region: us-east-1
        encryption: { algorithm: aws:kms, kmsKeyId: alias/k1 }
`;

describe('sandbox estates', () => {
  describe('the demo estate', () => {
    let estate: Estate;
    before(() => {
      estate = loadEstate(demoEstatePath());
    });

    it('has 2 accounts, at least 30 buckets and 3 regions', () => {
      expect([...estate.accounts.keys()]).to.deep.equal([PROD, DEV]);
      expect(estate.buckets.size).to.be.at.least(30);
      expect(new Set([...estate.buckets.values()].map((b) => b.region))).to.deep.equal(new Set(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
      expect(estate.accounts.get(PROD)).to.include({ name: 'prod', accessKeyId: 'AKIADEMOPROD00000001' });
      expect(estate.accounts.get(DEV)).to.include({ name: 'dev', accessKeyId: 'AKIADEMODEV000000002' });
      for (const account of estate.accounts.values()) {
        expect(account.secretAccessKey).to.have.length(40);
        expect(account.roles.map((r) => r.arn)).to.include(`arn:aws:iam::${account.id}:role/S3KmsAuditRole`);
      }
    });

    it('keeps the contracted keys, aliases and states', () => {
      const prod = estate.accounts.get(PROD)!;
      const byAlias = (region: string, alias: string) => prod.keys.get(keyMapKey(region, prod.aliases.get(`${region}/${alias}`)!.targetKeyId))!;
      expect(byAlias('us-east-1', 'alias/prod-data')).to.include({ id: '1111aaaa-0000-4000-8000-000000000001', state: 'Enabled', rotation: true, manager: 'CUSTOMER' });
      expect(byAlias('us-east-1', 'alias/prod-norotate')).to.include({ state: 'Enabled', rotation: false });
      expect(byAlias('us-east-1', 'alias/prod-disabled')).to.include({ state: 'Disabled' });
      const retired = byAlias('us-east-1', 'alias/prod-retired');
      expect(retired.state).to.equal('PendingDeletion');
      expect(retired.deletionDate!.getTime()).to.be.greaterThan(Date.now());
      expect(byAlias('us-east-1', 'alias/scratch')).to.include({ state: 'Enabled', rotation: true });
      expect(byAlias('eu-west-1', 'alias/prod-eu')).to.include({ rotation: true });
      expect(byAlias('ap-southeast-2', 'alias/prod-ap')).to.include({ rotation: true });
      const dev = estate.accounts.get(DEV)!;
      expect(dev.keys.get(keyMapKey('eu-west-1', dev.aliases.get('eu-west-1/alias/dev-data')!.targetKeyId))!.id).to.equal('4444bbbb-0000-4000-8000-000000000001');
      expect(dev.aliases.has('us-east-1/alias/dev-us')).to.equal(true);
    });

    // [bucket, account, region, algorithm or null (legacy), kmsKeyId, bucketKeyEnabled]
    const CONTRACT: [string, string, string, string | null, string | undefined, boolean?][] = [
      ['prod-legacy-none', PROD, 'us-east-1', null, undefined],
      ['prod-sse-s3', PROD, 'us-east-1', 'AES256', undefined],
      ['prod-aws-managed', PROD, 'us-east-1', 'aws:kms', undefined, true],
      ['prod-aws-s3-alias', PROD, 'eu-west-1', 'aws:kms', 'alias/aws/s3'],
      ['prod-cmk-by-id', PROD, 'us-east-1', 'aws:kms', '1111aaaa-0000-4000-8000-000000000001', true],
      ['prod-cmk-by-arn', PROD, 'us-east-1', 'aws:kms', PROD_DATA],
      ['prod-cmk-by-alias', PROD, 'us-east-1', 'aws:kms', 'alias/prod-data'],
      ['prod-cmk-by-alias-arn', PROD, 'us-east-1', 'aws:kms', `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`],
      ['prod-dsse', PROD, 'us-east-1', 'aws:kms:dsse', PROD_DATA, false],
      ['prod-disabled-key', PROD, 'us-east-1', 'aws:kms', 'alias/prod-disabled'],
      ['prod-pending-deletion', PROD, 'us-east-1', 'aws:kms', 'alias/prod-retired'],
      ['prod-key-other-region', PROD, 'eu-west-1', 'aws:kms', PROD_DATA],
      ['prod-bucket-key-off', PROD, 'us-east-1', 'aws:kms', 'alias/prod-data', false],
      ['prod-rotation-off', PROD, 'us-east-1', 'aws:kms', 'alias/prod-norotate'],
      ['prod-access-denied', PROD, 'us-east-1', 'aws:kms', 'alias/prod-data'],
      ['prod-eu-cmk', PROD, 'eu-west-1', 'aws:kms', 'alias/prod-eu'],
      ['prod-ap-cmk', PROD, 'ap-southeast-2', 'aws:kms', 'alias/prod-ap'],
      ['prod-legacy-eu', PROD, 'eu-west-1', null, undefined],
      ['prod-scratch-key', PROD, 'us-east-1', 'aws:kms', 'alias/scratch'],
      ['prod-missing-key', PROD, 'us-east-1', 'aws:kms', `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000099`],
      ['prod-logs-excepted', PROD, 'us-east-1', 'AES256', undefined],
      ['prod-archive-expired', PROD, 'us-east-1', 'AES256', undefined],
      ['prod-pci-cmk', PROD, 'us-east-1', 'aws:kms', 'alias/prod-data'],
      ['prod-pci-aws-managed', PROD, 'us-east-1', 'aws:kms', undefined],
      ['prod-objects-mixed', PROD, 'us-east-1', 'aws:kms', 'alias/prod-data'],
      ['dev-sse-s3', DEV, 'us-east-1', 'AES256', undefined],
      ['dev-cmk', DEV, 'eu-west-1', 'aws:kms', 'alias/dev-data'],
      ['dev-aws-managed', DEV, 'ap-southeast-2', 'aws:kms', undefined],
      ['dev-legacy', DEV, 'ap-southeast-2', null, undefined],
      ['dev-cross-account-key', DEV, 'us-east-1', 'aws:kms', PROD_DATA],
      ['dev-generated', DEV, 'us-east-1', 'aws:kms', undefined],
    ];

    for (const [name, account, region, algorithm, kmsKeyId, bucketKey] of CONTRACT) {
      it(`${name}: ${account} ${region} ${algorithm ?? 'no configuration'}${kmsKeyId ? ` ${kmsKeyId}` : ''}`, () => {
        const b = estate.buckets.get(name);
        expect(b, name).to.not.equal(undefined);
        expect(b).to.include({ account, region });
        if (algorithm === null) expect(b!.encryption).to.equal(null);
        else {
          expect(b!.encryption?.algorithm).to.equal(algorithm);
          expect(b!.encryption?.kmsKeyId).to.equal(kmsKeyId);
          if (bucketKey !== undefined) expect(b!.encryption?.bucketKeyEnabled).to.equal(bucketKey);
        }
      });
    }

    it('has the tags, locations, faults, policies and objects the scenarios need', () => {
      const b = (name: string) => estate.buckets.get(name)!;
      expect(b('prod-legacy-eu').locationConstraint).to.equal('EU');
      expect(b('prod-legacy-none').locationConstraint).to.equal(null);
      expect(b('prod-eu-cmk').locationConstraint).to.equal('eu-west-1');
      expect(b('prod-logs-excepted').tags).to.include({ purpose: 'access-logs' });
      expect(b('prod-archive-expired').tags).to.include({ purpose: 'archive' });
      expect(b('prod-pci-cmk').tags).to.include({ 'data-class': 'pci', env: 'prod' });
      expect(b('prod-pci-aws-managed').tags).to.include({ 'data-class': 'pci', env: 'prod' });
      expect(b('prod-access-denied').faults).to.deep.equal([{ operation: 'GetBucketEncryption', error: 'AccessDenied' }]);
      for (const name of ['prod-cmk-by-id', 'prod-cmk-by-arn', 'prod-cmk-by-alias', 'prod-cmk-by-alias-arn']) {
        expect(JSON.parse(b(name).policy!).Version, name).to.equal('2012-10-17');
      }
      const taggedWithOwner = [...estate.buckets.values()].filter((x) => x.tags?.env && x.tags?.owner);
      expect(taggedWithOwner.length).to.be.at.least(20);

      const mixed = b('prod-objects-mixed');
      expect(mixed.objects.size).to.be.at.least(12);
      expect(mixed.faults).to.deep.equal([{ operation: 'HeadObject', keys: 'restricted/*', error: 'AccessDenied' }]);
      const sses = new Set([...mixed.objects.values()].map((o) => `${o.sse} ${o.kmsKeyArn ?? ''}`));
      expect(sses.size).to.be.at.least(4);
      const q3 = mixed.objects.get('reports/2025/q3.csv')!;
      expect(q3).to.include({ sse: 'aws:kms', kmsKeyArn: PROD_DATA, bucketKeyEnabled: false });
      expect(mixed.objects.get('reports/2025/q1.csv')).to.include({ sse: 'aws:kms', kmsKeyArn: PROD_DATA, bucketKeyEnabled: true });
      const managed = mixed.objects.get('uploads/managed.json')!;
      const prod = estate.accounts.get(PROD)!;
      expect(prod.keys.get(keyMapKey('us-east-1', managed.kmsKeyArn!.split('/').pop()!))!.manager).to.equal('AWS');
      expect(mixed.objects.get('dsse/ledger.parquet')).to.include({ sse: 'aws:kms:dsse', bucketKeyEnabled: false });
      expect(mixed.objects.get('index.html')!.body!.toString()).to.contain('mixed');

      const gen = b('dev-generated').generator!;
      expect(gen).to.include({ count: 500, prefix: 'data/' });
      expect(gen.mix.map((m) => m.weight)).to.deep.equal([1, 2, 3]);
    });
  });

  describe('validation errors name file:line:column', () => {
    it('accepts the valid base estate, with a bucket naming an alias that does not exist (a deleted key)', () => {
      const estate = parseEstate(VALID.replace('kmsKeyId: alias/k1', 'kmsKeyId: alias/deleted'), 'ok.yaml');
      expect(estate.buckets.get('test-bucket')!.encryption!.kmsKeyId).to.equal('alias/deleted');
    });

    it('accepts IAM roles with a path (path/Name) and gives them the full role ARN', () => {
      const estate = parseEstate(VALID.replace('    keys:\n', '    roles: [S3KmsAuditRole, ops/team/Auditor]\n    keys:\n'), 'roles.yaml');
      const arns = estate.accounts.get('123456789012')!.roles.map((r) => r.arn);
      expect(arns).to.deep.equal(['arn:aws:iam::123456789012:role/S3KmsAuditRole', 'arn:aws:iam::123456789012:role/ops/team/Auditor']);
    });

    it('an unknown key, with a suggestion', () => {
      const e = parseError(VALID.replace('        region: us-east-1\n        encryption', '        regoin: us-east-1\n        encryption'));
      expect(e.message).to.contain("broken.yaml:10:9: unknown key 'regoin'");
      expect(e.message).to.contain("did you mean 'region'?");
    });

    it('a bad enum value, with the allowed values', () => {
      const e = parseError(VALID.replace('algorithm: aws:kms,', 'algorithm: aws:kms:sse,'));
      expect(e.message).to.match(/^broken\.yaml:11:34: accounts\[0\]\.buckets\[0\]\.encryption\.algorithm is "aws:kms:sse", must be one of AES256, aws:kms, aws:kms:dsse/);
    });

    it('a wrong type (an unquoted account id is a number)', () => {
      const e = parseError(VALID.replace('id: "123456789012"', 'id: 123456789012'));
      expect(e.message).to.match(/^broken\.yaml:2:9: accounts\[0\]\.id must be string/);
    });

    it('a missing required key', () => {
      const e = parseError(VALID.replace('    accessKeyId: AKIATEST000000000001\n', ''));
      expect(e.message).to.match(/^broken\.yaml:2:5: accounts\[0\] is missing required key 'accessKeyId'/);
    });

    it('a YAML syntax error', () => {
      const e = parseError(VALID.replace('aliases: [alias/k1] }', 'aliases: [alias/k1 }'));
      expect(e.message).to.match(/^broken\.yaml:7:\d+: YAML syntax error/);
    });

    it('a key id declared twice', () => {
      const twice = VALID.replace(
        '    buckets:',
        '      - { id: 00000000-0000-4000-8000-000000000001, region: eu-west-1 }\n    buckets:',
      );
      const e = parseError(twice);
      expect(e.message).to.contain('broken.yaml:8:15:');
      expect(e.message).to.contain('key id 00000000-0000-4000-8000-000000000001 is declared twice');
    });

    it('contradictions a schema cannot see: legacy with encryption, AES256 with a key, an EU constraint outside eu-west-1', () => {
      expect(parseError(VALID.replace('        encryption:', '        legacy: true\n        encryption:')).message).to.match(/broken\.yaml:11:17: .*legacy bucket has no default encryption/);
      expect(parseError(VALID.replace('algorithm: aws:kms,', 'algorithm: AES256,')).message).to.contain('kmsKeyId applies only to aws:kms');
      expect(parseError(VALID.replace('        encryption:', '        locationConstraint: EU\n        encryption:')).message).to.contain('the legacy EU location constraint means eu-west-1');
    });

    it('reports every problem at once', () => {
      const e = parseError(VALID.replace('name: test\n', 'name: Test_Account\n').replace('region: us-east-1, aliases', 'region: mars-1, aliases'));
      expect(e.problems).to.have.length(2);
    });

    it('loadEstate names the file it read', () => {
      expect(() => loadEstate('/nonexistent/estate.yaml')).to.throw(/nonexistent\/estate\.yaml/);
    });
  });

  describe('generateEstate (benchmarks)', () => {
    it('builds the requested shape', () => {
      const estate = generateEstate({ buckets: 40, objectsPerBucket: 1000, accounts: 2, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] });
      expect(estate.accounts.size).to.equal(2);
      expect(estate.buckets.size).to.equal(40);
      expect(new Set([...estate.buckets.values()].map((b) => b.region)).size).to.equal(3);
      expect(new Set([...estate.buckets.values()].map((b) => b.account)).size).to.equal(2);
      expect([...estate.buckets.values()].every((b) => b.generator?.count === 1000)).to.equal(true);
      const algorithms = new Set([...estate.buckets.values()].map((b) => b.encryption?.algorithm ?? 'legacy'));
      expect(algorithms.size).to.be.at.least(3);
      for (const a of estate.accounts.values()) {
        expect(a.accessKeyId).to.match(/^AKIA[A-Z0-9]{16}$/);
        expect(a.secretAccessKey).to.have.length(40);
      }
    });

    it('is deterministic for a seed, down to each generated object', () => {
      const summary = (estate: Estate) =>
        [...estate.buckets.values()].map((b) => {
          const objects = [0, 1, 2, 50, 99].map((i) => {
            const o = generatedObject(estate, b, b.generator!, i);
            return `${o.key} ${o.sse} ${o.kmsKeyArn ?? ''} ${o.etag}`;
          });
          return `${b.name} ${b.account} ${b.region} ${JSON.stringify(b.encryption)} ${objects.join(',')}`;
        });
      const a = summary(generateEstate({ buckets: 25, objectsPerBucket: 100, seed: 3 }));
      const b = summary(generateEstate({ buckets: 25, objectsPerBucket: 100, seed: 3 }));
      const c = summary(generateEstate({ buckets: 25, objectsPerBucket: 100, seed: 4 }));
      expect(b).to.deep.equal(a);
      expect(c).to.not.deep.equal(a);
      expect(new Set(a.map((s) => s.split(' ')[3])).size).to.be.greaterThan(1);
    });

    it('holds a million objects without storing them', () => {
      const estate = generateEstate({ buckets: 10, objectsPerBucket: 100_000 });
      expect([...estate.buckets.values()].every((b) => b.objects.size === 0 && b.generator!.count === 100_000)).to.equal(true);
    });
  });
});
