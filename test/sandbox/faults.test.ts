/**
 * Global fault injection: the seeded PRNG and decisions (unit), and what real SDK clients see
 * over HTTP for each fault kind (throttling, 5xx, resets, latency), including retries.
 */
import { expect } from 'chai';
import { DescribeKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { FaultInjector, mulberry32, validateFaults } from '../../src/sandbox/faults.js';
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

    it('gives the same decisions for the same seed, and restarts when the seed is set again', () => {
      const run = (f: FaultInjector) => Array.from({ length: 50 }, () => f.nextDecision());
      const a = new FaultInjector({ seed: 7, throttleRate: 0.3, errorRate: 0.2, resetRate: 0.1 });
      const b = new FaultInjector({ seed: 7, throttleRate: 0.3, errorRate: 0.2, resetRate: 0.1 });
      const first = run(a);
      expect(run(b)).to.deep.equal(first);
      expect(new Set(first)).to.include.members(['none', 'throttle', 'error', 'reset']);
      a.set({ seed: 7 });
      expect(run(a)).to.deep.equal(first);
    });

    it('honours rates 0 and 1 exactly', () => {
      const never = new FaultInjector({ seed: 3 });
      expect(Array.from({ length: 100 }, () => never.nextDecision()).every((d) => d === 'none')).to.equal(true);
      const always = new FaultInjector({ seed: 3, throttleRate: 1 });
      expect(Array.from({ length: 100 }, () => always.nextDecision()).every((d) => d === 'throttle')).to.equal(true);
    });

    it('keeps the fault sequence independent of jitter', () => {
      const plain = new FaultInjector({ seed: 11, errorRate: 0.5 });
      const jittery = new FaultInjector({ seed: 11, errorRate: 0.5, latencyMs: 5, jitterMs: 5 });
      const a: string[] = [];
      const b: string[] = [];
      for (let i = 0; i < 30; i++) {
        plain.nextDelayMs();
        jittery.nextDelayMs();
        a.push(plain.nextDecision());
        b.push(jittery.nextDecision());
      }
      expect(b).to.deep.equal(a);
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
      const results = await Promise.all(Array.from({ length: calls }, () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/prod-data' }))));
      expect(results.every((r) => r.KeyMetadata?.KeyId === '1111aaaa-0000-4000-8000-000000000001')).to.equal(true);
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
      const out = await Promise.all(Array.from({ length: 15 }, () => sts.send(new GetCallerIdentityCommand({}))));
      expect(out.every((o) => o.Account === '111122223333')).to.equal(true);
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
      const out = await Promise.all(Array.from({ length: 15 }, () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/dev-data' }))));
      expect(out.every((o) => o.KeyMetadata?.KeyState === 'Enabled')).to.equal(true);
      expect(sandbox.sb.requestCount() - before).to.be.greaterThan(15);
    });

    it('latency: a call takes at least latencyMs', async () => {
      sandbox.sb.setFaults({ latencyMs: 150 });
      const sts = stsFor(sandbox.sb, 'prod');
      const started = performance.now();
      await sts.send(new GetCallerIdentityCommand({}));
      expect(performance.now() - started).to.be.at.least(150);
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
