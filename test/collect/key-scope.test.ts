/**
 * Key facts are relative to the resource, and KMS answers are the asking account's own:
 *  - a bare key id or alias name names the key only for a bucket in the key's account and region, so a
 *    prod bucket using a dev-account key that happens to be aliased alias/prod-data does not pass an
 *    allow-list of [alias/prod-data];
 *  - DescribeKey answers are cached per calling account: a key one account may describe and another may
 *    not gets each its own answer, whichever bucket comes first;
 *  - a ListAliases failure makes only key.aliases unknown, not every key rule.
 * All over real HTTP against the sandbox with the real SDK clients.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { CreateAliasCommand, CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { openSessions, type AccountSession } from '../../src/aws/session.js';
import { collectBuckets, type CollectResult } from '../../src/collect/collector.js';
import { KeyResolver } from '../../src/collect/keys.js';
import { newStats } from '../../src/collect/stats.js';
import { parseRuleText } from '../../src/config/rules.js';
import type { FactContext, FactError, KeyFacts } from '../../src/domain/facts.js';
import type { FactAspect, Rule } from '../../src/domain/rule.js';
import { evaluateRule } from '../../src/engine/evaluate.js';
import { builtinRulesDir } from '../../src/paths.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf, kmsFor, s3For, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const PROD_DATA_ARN = `arn:aws:kms:us-east-1:${PROD}:key/1111aaaa-0000-4000-8000-000000000001`;
const PROD_DATA_ALIAS_ARN = `arn:aws:kms:us-east-1:${PROD}:alias/prod-data`;
const DEV_LOOKALIKE_ALIAS_ARN = `arn:aws:kms:us-east-1:${DEV}:alias/prod-data`;
const role = (account: string): string => `arn:aws:iam::${account}:role/S3KmsAuditRole`;

const builtin = (id: string): Rule => {
  const file = join(builtinRulesDir(), `${id}.yaml`);
  return parseRuleText(readFileSync(file, 'utf8'), file);
};

async function drain(result: CollectResult): Promise<Map<string, FactContext>> {
  const byName = new Map<string, FactContext>();
  for await (const ctx of result.contexts) byName.set(ctx.bucket.name, ctx);
  return byName;
}

function asKey(v: KeyFacts | FactError): KeyFacts {
  if (!('exists' in v)) throw new Error(`expected KeyFacts, got error ${JSON.stringify(v)}`);
  return v;
}

/**
 * A session of `account` whose KMS requests KMS refuses (a wrong secret: InvalidSignatureException), as an
 * account the key policy or the credentials do not let in would be. Only its KMS clients are used here.
 */
function refusedKmsSession(sb: Sandbox, account: string): AccountSession {
  const clients: KMSClient[] = [];
  const a = accountOf(sb, account);
  return {
    account,
    principalArn: `arn:aws:iam::${account}:user/${a.name}-auditor`,
    homeRegion: 'us-east-1',
    s3: () => {
      throw new Error('not used');
    },
    kms: (region) => {
      const client = kmsFor(sb, account, region, { credentials: { accessKeyId: a.accessKeyId, secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    destroy: () => {
      for (const c of clients) c.destroy();
    },
  };
}

describe('collect: key facts relative to the resource, KMS answers per asking account', function () {
  const sandbox = useSandbox();
  let both: AccountSession[] = [];
  let devKeyArn: string;

  before(async () => {
    // The reviewer's reproduction: a dev-account key that happens to be aliased alias/prod-data, used by a prod bucket.
    const devKms = kmsFor(sandbox.sb, DEV, 'us-east-1');
    const created = await devKms.send(new CreateKeyCommand({ Description: 'dev key with a prod-looking alias' }));
    devKeyArn = created.KeyMetadata!.Arn!;
    await devKms.send(new CreateAliasCommand({ AliasName: 'alias/prod-data', TargetKeyId: created.KeyMetadata!.KeyId! }));
    devKms.destroy();
    const prodS3 = s3For(sandbox.sb, PROD, 'us-east-1');
    await prodS3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'prod-scratch-key',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: devKeyArn }, BucketKeyEnabled: true }] },
      }),
    );
    prodS3.destroy();
    const prod = accountOf(sandbox.sb, PROD);
    both = await openSessions({
      endpoint: sandbox.sb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: prod.accessKeyId, secretAccessKey: prod.secretAccessKey },
      maxAttempts: 2,
      assumeRoles: [role(PROD), role(DEV)],
    });
  });
  after(() => {
    for (const s of both) s.destroy();
  });

  describe('allow-lists: bare spellings name the bucket’s own account and region', () => {
    let ctxs: Map<string, FactContext>;
    const allowedKeys = (): Rule => builtin('s3-bucket-allowed-keys');
    const judge = (bucket: string, keys: string[]): string => evaluateRule(allowedKeys(), ctxs.get(bucket)!, { keys }).status;

    before(async () => {
      const aspects = new Set<FactAspect>(['bucket.encryption', 'key', 'key.aliases']);
      ctxs = await drain(collectBuckets({ sessions: both, aspects, concurrency: 8 }));
    });

    it('keeps the alias of another account’s key in aliases, but only its ARN spellings', () => {
      const key = ctxs.get('prod-scratch-key')!.key!;
      expect(key).to.deep.include({ account: DEV, arn: devKeyArn, exists: true });
      expect(key.aliases).to.deep.equal(['alias/prod-data', DEV_LOOKALIKE_ALIAS_ARN]);
      expect(key.spellings).to.have.members([devKeyArn, DEV_LOOKALIKE_ALIAS_ARN]);
    });

    it('a prod bucket under the dev key aliased alias/prod-data fails keys: [alias/prod-data] (it passed before)', () => {
      expect(judge('prod-scratch-key', ['alias/prod-data'])).to.equal('fail');
      expect(judge('prod-scratch-key', [devKeyArn.split('/')[1]!]), 'nor by the bare key id').to.equal('fail');
      // The real prod-data key, in the bucket's own account and region, still passes under every spelling.
      expect(judge('prod-cmk-by-id', ['alias/prod-data'])).to.equal('pass');
      expect(judge('prod-cmk-by-alias', ['1111aaaa-0000-4000-8000-000000000001'])).to.equal('pass');
    });

    it('an ARN approves a key of another account: the alias ARN or the key ARN', () => {
      expect(judge('prod-scratch-key', [DEV_LOOKALIKE_ALIAS_ARN])).to.equal('pass');
      expect(judge('prod-scratch-key', [devKeyArn])).to.equal('pass');
      expect(judge('prod-scratch-key', [PROD_DATA_ALIAS_ARN]), 'the prod alias ARN is another key').to.equal('fail');
    });

    it('a key of another region (or another account using it) matches its ARNs only', () => {
      const otherRegion = ctxs.get('prod-key-other-region')!.key!; // eu-west-1 bucket, us-east-1 key
      expect(otherRegion.spellings).to.have.members([PROD_DATA_ARN, PROD_DATA_ALIAS_ARN]);
      expect(judge('prod-key-other-region', ['alias/prod-data'])).to.equal('fail');
      expect(judge('prod-key-other-region', [PROD_DATA_ALIAS_ARN])).to.equal('pass');
      const crossAccount = ctxs.get('dev-cross-account-key')!.key!; // dev bucket, prod key
      expect(crossAccount.spellings).to.have.members([PROD_DATA_ARN, PROD_DATA_ALIAS_ARN]);
      expect(judge('dev-cross-account-key', ['alias/prod-data'])).to.equal('fail');
    });
  });

  describe('the KMS cache is per asking account', () => {
    const prodSession = (): AccountSession => both.find((s) => s.account === PROD)!;
    let refusedDev: AccountSession;
    beforeEach(() => (refusedDev = refusedKmsSession(sandbox.sb, DEV)));
    afterEach(() => refusedDev.destroy());
    const resolver = (): KeyResolver => new KeyResolver((account) => (account === PROD ? prodSession() : account === DEV ? refusedDev : undefined), newStats());

    for (const order of [
      [PROD, DEV],
      [DEV, PROD],
    ]) {
      it(`gives each account its own DescribeKey answer for the same key ARN (${order[0] === PROD ? 'prod' : 'dev'} asks first)`, async () => {
        const keys = resolver();
        const answers = new Map<string, KeyFacts | FactError>();
        for (const account of order) answers.set(account, await keys.resolve(PROD_DATA_ARN, account, 'us-east-1', {}));
        expect(asKey(answers.get(PROD)!)).to.deep.include({ exists: true, arn: PROD_DATA_ARN });
        expect(answers.get(DEV)).to.deep.include({ code: 'InvalidSignatureException', operation: 'DescribeKey' });
      });
    }

    it('and when both ask at once', async () => {
      const keys = resolver();
      const [prod, dev] = await Promise.all([PROD, DEV].map((a) => keys.resolve(PROD_DATA_ARN, a, 'us-east-1', {})));
      expect(asKey(prod!).exists).to.equal(true);
      expect(dev).to.deep.include({ operation: 'DescribeKey' });
    });
  });

  describe('a ListAliases failure', () => {
    it('makes key.aliases unknown and leaves every rule that does not read aliases alone', async () => {
      // The auditor may describe the prod key from dev, but KMS refuses it in prod, where aliases are listed.
      const dev = both.find((s) => s.account === DEV)!;
      const refusedProd = refusedKmsSession(sandbox.sb, PROD);
      try {
        const keys = new KeyResolver((account) => (account === DEV ? dev : account === PROD ? refusedProd : undefined));
        const run = collectBuckets({
          sessions: [dev],
          keys,
          aspects: new Set<FactAspect>(['bucket.encryption', 'key', 'key.aliases']),
          concurrency: 2,
          prefilter: (b) => b.name === 'dev-cross-account-key',
        });
        const ctx = (await drain(run)).get('dev-cross-account-key')!;
        expect(Object.keys(ctx.errors)).to.deep.equal(['key.aliases']);
        expect(ctx.errors['key.aliases']).to.deep.include({ code: 'InvalidSignatureException', operation: 'ListAliases' });
        expect(ctx.key).to.deep.include({ exists: true, arn: PROD_DATA_ARN, manager: 'CUSTOMER', state: 'Enabled' });
        expect(evaluateRule(builtin('s3-bucket-cmk'), ctx, {}).status).to.equal('pass');
        expect(evaluateRule(builtin('s3-bucket-key-usable'), ctx, {}).status).to.equal('pass');
        const allowed = evaluateRule(builtin('s3-bucket-allowed-keys'), ctx, { keys: [PROD_DATA_ALIAS_ARN] });
        expect(allowed.status).to.equal('error');
        expect(allowed.cause).to.deep.include({ operation: 'ListAliases' });
      } finally {
        refusedProd.destroy();
      }
    });
  });
});
