/**
 * Global fault injection: the seeded PRNG and decisions (unit), and what real SDK clients see
 * over HTTP for each fault kind (throttling, 5xx, resets, latency), including retries.
 */
import { expect } from 'chai';
import { DescribeKeyCommand, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { HeadObjectCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { FaultInjector, faultDraws, mulberry32, requestIdentity, validateFaults } from '../../src/sandbox/faults.js';
import { kmsFor, s3For, stsFor, useSandbox } from '../helpers/sandbox.js';
import { rejection, type SdkError } from '../helpers/errors.js';


const NO_FAULTS = { latencyMs: 0, jitterMs: 0, throttleRate: 0, errorRate: 0, resetRate: 0 };

describe('sandbox faults', () => {
  describe('seeded decisions (unit)', () => {
    it('mulberry32 repeats its sequence for a seed and differs between seeds', () => {
      const take = (seed: number) => {
        const r = mulberry32(seed);
        return Array.from({ length: 8 }, () => r());
      };
      expect(take(1)).to.deep.equal(take(1));
      expect(take(1)).to.not.deep.equal(take(2));
      expect(take(1).every((x) => x >= 0 && x < 1)).to.equal(true);
    });

    const ids = Array.from({ length: 40 }, (_, i) => `kms\n111122223333\nPOST\n/\n\nTrentService.DescribeKey\nkey-${i}`);
    const decideAll = (f: FaultInjector, order: string[]) => new Map(order.map((id) => [id, f.decide(id).decision]));

    it('gives the same decisions for the same seed, and starts over when the seed is set again', () => {
      const rates = { throttleRate: 0.3, errorRate: 0.2, resetRate: 0.1 };
      const a = new FaultInjector({ seed: 7, ...rates });
      const first = decideAll(a, ids);
      expect(decideAll(new FaultInjector({ seed: 7, ...rates }), ids)).to.deep.equal(first);
      expect(new Set(first.values())).to.include.members(['none', 'throttle', 'error', 'reset']);
      a.set({ seed: 7 });
      expect(decideAll(a, ids), 'attempt counts were forgotten').to.deep.equal(first);
      expect(decideAll(new FaultInjector({ seed: 8, ...rates }), ids)).to.not.deep.equal(first);
    });

    it('decides by (identity, attempt), whatever order the identities arrive in', () => {
      const rates = { seed: 21, throttleRate: 0.4, errorRate: 0.2 };
      const shuffled = [...ids].sort((x, y) => (createHash('md5').update(x).digest('hex') < createHash('md5').update(y).digest('hex') ? -1 : 1));
      expect(shuffled).to.not.deep.equal(ids);
      const run = (order: string[]) => {
        const f = new FaultInjector(rates);
        // Three rounds, the later ones standing for retries, each round in the given order.
        return [0, 1, 2].flatMap(() => order.map((id) => ({ id, ...f.decide(id) }))).sort((x, y) => (x.id + x.attempt < y.id + y.attempt ? -1 : 1));
      };
      expect(run(shuffled)).to.deep.equal(run(ids));
      expect(run([...ids].reverse())).to.deep.equal(run(ids));
    });

    it('gives a retry (the next attempt of an identity) a fresh draw', () => {
      const f = new FaultInjector({ seed: 5, throttleRate: 0.5 });
      const attempts = Array.from({ length: 40 }, () => f.decide(ids[0]!));
      expect(attempts.map((d) => d.attempt)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(attempts.map((d) => d.decision))).to.deep.equal(new Set(['none', 'throttle']));
      expect(faultDraws(5, ids[0]!, 1)).to.deep.equal(faultDraws(5, ids[0]!, 1));
      expect(faultDraws(5, ids[0]!, 1)).to.not.deep.equal(faultDraws(5, ids[0]!, 2));
      expect(faultDraws(5, ids[0]!, 1).every((x) => x >= 0 && x < 1)).to.equal(true);
    });

    it('honours rates 0 and 1 exactly, and counts nothing while every rate is 0', () => {
      const never = new FaultInjector({ seed: 3 });
      expect(ids.map((id) => never.decide(id))).to.deep.equal(ids.map(() => ({ decision: 'none', attempt: 0 })));
      const always = new FaultInjector({ seed: 3, throttleRate: 1 });
      expect(ids.every((id) => always.decide(id).decision === 'throttle')).to.equal(true);
    });

    it('keeps fault decisions independent of jitter', () => {
      const plain = new FaultInjector({ seed: 11, errorRate: 0.5 });
      const jittery = new FaultInjector({ seed: 11, errorRate: 0.5, latencyMs: 5, jitterMs: 5 });
      const a: string[] = [];
      const b: string[] = [];
      for (const id of ids) {
        plain.nextDelayMs();
        jittery.nextDelayMs();
        a.push(plain.decide(id).decision);
        b.push(jittery.decide(id).decision);
      }
      expect(b).to.deep.equal(a);
    });

    it('identifies a request by what it asks for: service, account, method, decoded path, query, target, KMS/STS body', () => {
      const base = { service: 'kms', account: '111122223333', method: 'POST', rawPath: '/', canonicalQuery: '', target: 'TrentService.DescribeKey', body: Buffer.from('{"KeyId":"a"}') };
      const id = requestIdentity(base);
      expect(requestIdentity({ ...base })).to.equal(id);
      for (const change of [{ account: '444455556666' }, { body: Buffer.from('{"KeyId":"b"}') }, { target: 'TrentService.ListKeys' }, { canonicalQuery: 'Limit=1' }]) {
        expect(requestIdentity({ ...base, ...change }), JSON.stringify(change)).to.not.equal(id);
      }
      const s3 = { service: 's3', account: '111122223333', method: 'HEAD', rawPath: '/b/a%20b', canonicalQuery: '' };
      expect(requestIdentity(s3)).to.equal(requestIdentity({ ...s3, rawPath: '/b/a b' }));
      expect(requestIdentity({ ...s3, body: Buffer.from('x') }), 'S3 bodies do not count').to.equal(requestIdentity({ ...s3, body: Buffer.from('y') }));
      expect(requestIdentity({ ...s3, rawPath: '/b/c' })).to.not.equal(requestIdentity(s3));
    });

    it('draws latency within latencyMs ± jitterMs, never negative', () => {
      const f = new FaultInjector({ seed: 5, latencyMs: 100, jitterMs: 40 });
      const delays = Array.from({ length: 200 }, () => f.nextDelayMs());
      expect(Math.min(...delays)).to.be.at.least(60);
      expect(Math.max(...delays)).to.be.at.most(140);
      expect(new Set(delays).size).to.be.greaterThan(10);
      const g = new FaultInjector({ seed: 5, latencyMs: 10, jitterMs: 50 });
      expect(Array.from({ length: 100 }, () => g.nextDelayMs()).every((d) => d >= 0)).to.equal(true);
    });

    it('rejects rates outside 0..1 and negative latency', () => {
      expect(() => validateFaults({ throttleRate: 1.5 })).to.throw(/throttleRate/);
      expect(() => validateFaults({ errorRate: -0.1 })).to.throw(/errorRate/);
      expect(() => validateFaults({ latencyMs: -1 })).to.throw(/latencyMs/);
      expect(() => validateFaults({ seed: 1.5 })).to.throw(/seed/);
    });
  });

  describe('over HTTP', () => {
    const sandbox = useSandbox();
    afterEach(() => sandbox.sb.setFaults(NO_FAULTS));

    describe('throttling at rate 1', () => {
      it('KMS: ThrottlingException after the SDK’s retries', async () => {
        sandbox.sb.setFaults({ throttleRate: 1, seed: 1 });
        const before = sandbox.sb.requestCount();
        const e = await rejection(kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 2 }).send(new ListKeysCommand({})));
        expect(e.name).to.equal('ThrottlingException');
        expect(e.$metadata?.httpStatusCode).to.equal(400);
        expect(e.$metadata?.attempts).to.equal(2);
        expect(sandbox.sb.requestCount() - before).to.equal(2);
      });

      it('STS: Throttling', async () => {
        sandbox.sb.setFaults({ throttleRate: 1 });
        const e = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 2 }).send(new GetCallerIdentityCommand({})));
        expect(e.name).to.equal('Throttling');
        expect(e.$metadata?.httpStatusCode).to.equal(400);
      });

      it('S3: 503 SlowDown', async () => {
        sandbox.sb.setFaults({ throttleRate: 1 });
        const e = await rejection(s3For(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new ListBucketsCommand({})));
        expect(e.name).to.equal('SlowDown');
        expect(e.$metadata?.httpStatusCode).to.equal(503);
        expect(e.message).to.equal('Please reduce your request rate.');
      });

      it('applies only after authentication: a bad key still gets its own error', async () => {
        sandbox.sb.setFaults({ throttleRate: 1 });
        const e = await rejection(
          kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1, credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) } }).send(
            new ListKeysCommand({}),
          ),
        );
        expect(e.name).to.equal('UnrecognizedClientException');
      });
    });

    it('throttling at rate 0.3: every call succeeds with SDK retries, and the server saw more requests than calls', async () => {
      sandbox.sb.setFaults({ throttleRate: 0.3, seed: 1 });
      const kms = kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 5 });
      const before = sandbox.sb.requestCount();
      const calls = 10;
      // Distinct requests (Limit 1…10), so each call's retries draw from its own identity's sequence
      // and the outcome does not depend on how the concurrent calls interleave.
      const results = await Promise.all(Array.from({ length: calls }, (_, i) => kms.send(new ListKeysCommand({ Limit: i + 1 }))));
      // prod has 6 keys in us-east-1, so Limit ≥ 6 lists all of them.
      expect(results.map((r) => r.Keys?.length)).to.deep.equal(Array.from({ length: calls }, (_, i) => Math.min(i + 1, 6)));
      expect(sandbox.sb.requestCount() - before).to.be.greaterThan(calls);
    });

    it('error rate 1: KMS KMSInternalException, S3 InternalError, STS InternalFailure (all 500)', async () => {
      sandbox.sb.setFaults({ errorRate: 1 });
      const kms = await rejection(kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new ListKeysCommand({})));
      expect([kms.name, kms.$metadata?.httpStatusCode]).to.deep.equal(['KMSInternalException', 500]);
      const s3 = await rejection(s3For(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new ListBucketsCommand({})));
      expect([s3.name, s3.$metadata?.httpStatusCode]).to.deep.equal(['InternalError', 500]);
      const sts = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new GetCallerIdentityCommand({})));
      expect([sts.name, sts.$metadata?.httpStatusCode]).to.deep.equal(['InternalFailure', 500]);
    });

    it('error rate 0.3: retried 500s still end in success', async () => {
      sandbox.sb.setFaults({ errorRate: 0.3, seed: 9 });
      const sts = stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 5 });
      const before = sandbox.sb.requestCount();
      const out = await Promise.all(
        Array.from({ length: 15 }, (_, i) => sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444455556666:role/S3KmsAuditRole', RoleSessionName: `retry-${i}` }))),
      );
      expect(out.map((o) => o.AssumedRoleUser?.Arn)).to.deep.equal(Array.from({ length: 15 }, (_, i) => `arn:aws:sts::444455556666:assumed-role/S3KmsAuditRole/retry-${i}`));
      expect(sandbox.sb.requestCount() - before).to.be.greaterThan(15);
    });

    it('reset rate 1: the SDK sees a network error after retrying', async () => {
      sandbox.sb.setFaults({ resetRate: 1 });
      const before = sandbox.sb.requestCount();
      const e = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 2 }).send(new GetCallerIdentityCommand({})));
      expect(e.$metadata?.httpStatusCode).to.equal(undefined);
      expect(`${e.name} ${e.code ?? ''} ${e.message}`).to.match(/ECONNRESET|socket hang up/i);
      expect(sandbox.sb.requestCount() - before).to.equal(2);
    });

    it('reset rate 0.3: retried resets still end in success', async () => {
      sandbox.sb.setFaults({ resetRate: 0.3, seed: 4 });
      const kms = kmsFor(sandbox.sb, 'dev', 'eu-west-1', { maxAttempts: 5 });
      const before = sandbox.sb.requestCount();
      const out = await Promise.all(Array.from({ length: 15 }, (_, i) => kms.send(new ListAliasesCommand({ Limit: i + 1 }))));
      expect(out.every((o) => (o.Aliases?.length ?? 0) > 0)).to.equal(true);
      expect(sandbox.sb.requestCount() - before).to.be.greaterThan(15);
    });

    it('latency: a call takes at least latencyMs', async () => {
      sandbox.sb.setFaults({ latencyMs: 150 });
      const sts = stsFor(sandbox.sb, 'prod');
      const started = performance.now();
      await sts.send(new GetCallerIdentityCommand({}));
      expect(performance.now() - started).to.be.at.least(150);
    });

    it('faults the same (request, attempt) pairs whatever order concurrent requests arrive in', async () => {
      const sb = sandbox.sb;
      const s3 = s3For(sb, 'prod', 'us-east-1', { maxAttempts: 1 });
      const kms = kmsFor(sb, 'prod', 'us-east-1', { maxAttempts: 1 });
      const objectKeys = ['index.html', 'reports/2025/q1.csv', 'reports/2025/q2.csv', 'reports/2025/q3.csv', 'uploads/legacy-1.bin', 'uploads/managed.json', 'scratch/tmp-1.txt', 'dsse/ledger.parquet'];
      const keySpellings = [
        '1111aaaa-0000-4000-8000-000000000001',
        '1111aaaa-0000-4000-8000-000000000002',
        '1111aaaa-0000-4000-8000-000000000003',
        'alias/prod-data',
        'alias/prod-norotate',
        'arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000001',
        'arn:aws:kms:us-east-1:111122223333:alias/prod-data',
      ];
      const calls: [string, () => Promise<unknown>][] = [
        ...objectKeys.map((Key): [string, () => Promise<unknown>] => [`HeadObject ${Key}`, () => s3.send(new HeadObjectCommand({ Bucket: 'prod-objects-mixed', Key }))]),
        ...keySpellings.map((KeyId): [string, () => Promise<unknown>] => [`DescribeKey ${KeyId}`, () => kms.send(new DescribeKeyCommand({ KeyId }))]),
        ...(['prod', 'dev'] as const).map((account): [string, () => Promise<unknown>] => [
          `GetCallerIdentity ${account}`,
          () => stsFor(sb, account, 'us-east-1', { maxAttempts: 1 }).send(new GetCallerIdentityCommand({})),
        ]),
      ];
      const outcome = (call: Promise<unknown>): Promise<string> =>
        call.then(
          () => 'ok',
          (e: SdkError) => {
            const status = e.$metadata?.httpStatusCode;
            if (status === undefined) return 'reset';
            if (status === 503 || /Throttl/.test(e.name)) return 'throttle';
            if (status === 500) return 'error';
            return `unexpected ${status} ${e.name}`;
          },
        );
      /** Every call is made twice (the second is the next attempt of the same request), all calls at once. */
      const run = async (order: typeof calls): Promise<[string, string[]][]> => {
        sb.setFaults({ throttleRate: 0.25, errorRate: 0.2, resetRate: 0.1, seed: 42 });
        const results = await Promise.all(order.map(async ([label, call]): Promise<[string, string[]]> => [label, [await outcome(call()), await outcome(call())]]));
        return results.sort(([a], [b]) => (a < b ? -1 : 1));
      };
      const forward = await run(calls);
      const backward = await run([...calls].reverse());
      expect(backward).to.deep.equal(forward);
      const seen = forward.flatMap(([, o]) => o);
      expect(seen).to.include('ok').and.to.include('throttle').and.to.include('error');
      expect(seen.filter((o) => o.startsWith('unexpected'))).to.deep.equal([]);
      expect(forward.some(([, [first, second]]) => first !== second), 'a retry gets its own draw').to.equal(true);
    });

    it('the same seed gives the same sequence of faults', async () => {
      const kms = kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 });
      const pattern = async (): Promise<string> => {
        let out = '';
        for (let i = 0; i < 24; i++) {
          out += await kms.send(new ListKeysCommand({ Limit: 1 })).then(
            () => '.',
            (e: SdkError) => (e.name === 'ThrottlingException' ? 'T' : e.name === 'KMSInternalException' ? 'E' : '?'),
          );
        }
        return out;
      };
      sandbox.sb.setFaults({ throttleRate: 0.3, errorRate: 0.3, seed: 42 });
      const first = await pattern();
      sandbox.sb.setFaults({ seed: 42 });
      expect(await pattern()).to.equal(first);
      expect(first).to.match(/T/).and.to.match(/E/).and.to.match(/\./);
      sandbox.sb.setFaults({ seed: 43 });
      expect(await pattern()).to.not.equal(first);
    });
  });

  describe('configuration', () => {
    const sandbox = useSandbox({ faults: { latencyMs: 60, seed: 5 } });

    it('startSandbox({ faults }) overrides the estate’s faults and shows in estate.faults', async () => {
      expect(sandbox.sb.estate.faults).to.include({ latencyMs: 60, seed: 5, throttleRate: 0 });
      const started = performance.now();
      await stsFor(sandbox.sb, 'dev').send(new GetCallerIdentityCommand({}));
      expect(performance.now() - started).to.be.at.least(60);
      sandbox.sb.setFaults({ latencyMs: 0 });
      expect(sandbox.sb.estate.faults.latencyMs).to.equal(0);
    });

    it('setFaults refuses a rate above 1', () => {
      expect(() => sandbox.sb.setFaults({ resetRate: 2 })).to.throw(/resetRate/);
    });
  });
});
