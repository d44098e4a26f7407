/**
 * The sandbox's HTTP server: error rendering per protocol, request ids, aws-chunked bodies,
 * resets, unexpected exceptions, concurrency, keep-alive, stop(), and the `sandbox` command.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, GetBucketEncryptionCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { DescribeKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { demoEstatePath, packageRoot } from '../../src/paths.js';
import { generateEstate } from '../../src/sandbox/estate.js';
import { DEFAULT_BODY_LIMITS, startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { exposureWarning, isLoopbackHost } from '../../src/sandbox/exposure.js';
import { parseArgsOf } from '../../src/cli/program.js';
import { faultsOf } from '../../src/cli/sandbox.js';
import { cliCreds, kmsFor, s3For, sendRaw, signRequest, signedRequest, stsFor, useSandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/errors.js';

const CLI = resolve(packageRoot(), 'dist/src/cli/main.js');
const parseSandboxArgs = (argv: string[]) => parseArgsOf('sandbox', argv);


describe('sandbox server', () => {
  const sandbox = useSandbox();
  const prod = () => cliCreds(sandbox.sb, 'prod');

  describe('errors in each protocol', () => {
    it('S3: XML <Error> with Code, Message and the RequestId of the x-amz-request-id header', async () => {
      const res = await signedRequest(sandbox.sb, 's3', prod(), { path: '/no-such-bucket-anywhere', query: { 'list-type': '2' } });
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.equal('application/xml');
      expect(res.body).to.match(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchBucket<\/Code><Message>[^<]+<\/Message>/);
      const requestId = res.headers['x-amz-request-id'];
      expect(requestId).to.match(/^[0-9A-F]{16}$/);
      expect(res.body).to.contain(`<RequestId>${requestId}</RequestId>`);
      expect(res.headers['x-amz-id-2']).to.be.a('string');
    });

    it('S3: an error to a HEAD request has the status but no body', async () => {
      const res = await signedRequest(sandbox.sb, 's3', prod(), { method: 'HEAD', path: '/no-such-bucket-anywhere' });
      expect(res.status).to.equal(404);
      expect(res.body).to.equal('');
      expect(res.headers['x-amz-request-id']).to.be.a('string');
    });

    it('KMS: {"__type","message"} as application/x-amz-json-1.1 with x-amzn-RequestId', async () => {
      const res = await signedRequest(sandbox.sb, 'kms', prod(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
        body: '{"KeyId":"alias/none"}',
      });
      expect(res.status).to.equal(400);
      expect(res.headers['content-type']).to.equal('application/x-amz-json-1.1');
      expect(res.headers['x-amzn-requestid']).to.match(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(res.body)).to.deep.equal({ __type: 'NotFoundException', message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.' });
    });

    it('STS: <ErrorResponse> with Type, Code, Message and RequestId', async () => {
      const res = await signedRequest(sandbox.sb, 'sts', prod(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A444455556666%3Arole%2FNope&RoleSessionName=abc',
      });
      expect(res.status).to.equal(403);
      const requestId = res.headers['x-amzn-requestid'] as string;
      expect(res.body).to.equal(
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n' +
          '    <Message>User: arn:aws:iam::111122223333:user/prod-auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/Nope</Message>\n' +
          `  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
      );
    });

    it('a request signed for a service the sandbox does not serve → 400', async () => {
      const signed = await signRequest(sandbox.sb, 'kms', prod(), { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' });
      const forged = { ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization!.replace('/kms/aws4_request', '/sqs/aws4_request') } };
      const res = await sendRaw(sandbox.sb, forged);
      expect(res.status).to.equal(400);
      expect(JSON.parse(res.body).message).to.match(/signed for 'sqs'/);
    });

    it('an unexpected exception in a handler → 500 in the service’s protocol, with the message, logged to stderr', async () => {
      const account = sandbox.sb.estate.accounts.get('111122223333')!;
      const aliases = account.aliases;
      const logged: unknown[][] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void logged.push(args);
      (account as { aliases: unknown }).aliases = undefined; // make ListAliases throw a TypeError
      try {
        const e = await rejection(kmsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new ListAliasesCommand({})));
        expect(e.name).to.equal('KMSInternalException');
        expect(e.$metadata?.httpStatusCode).to.equal(500);
        expect(e.message).to.match(/Cannot read properties of undefined/);
      } finally {
        account.aliases = aliases;
        console.error = original;
      }
      expect(logged.some((args) => String(args[0]).includes('sandbox: unexpected error in kms'))).to.equal(true);
    });

    it('a handler’s ConnectionReset destroys the socket (SDK sees a network error)', async () => {
      const bucket = sandbox.sb.estate.buckets.get('prod-sse-s3')!;
      bucket.faults.push({ operation: 'GetBucketEncryption', error: 'Reset' });
      try {
        const e = await rejection(s3For(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1 }).send(new GetBucketEncryptionCommand({ Bucket: 'prod-sse-s3' })));
        expect(e.$metadata?.httpStatusCode).to.equal(undefined);
        expect(`${e.name} ${e.code ?? ''} ${e.message}`).to.match(/ECONNRESET|socket hang up/i);
      } finally {
        bucket.faults.pop();
      }
    });
  });

  describe('request bodies', () => {
    it('decodes aws-chunked uploads (PutObject with a stream body and a trailing checksum)', async () => {
      const s3 = s3For(sandbox.sb, 'prod');
      const data = Buffer.alloc(200_000, 'abcdefghij');
      await s3.send(new PutObjectCommand({ Bucket: 'prod-sse-s3', Key: 'stream/upload.bin', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'prod-sse-s3', Key: 'stream/upload.bin' }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      expect(bytes.length).to.equal(data.length);
      expect(bytes.equals(data)).to.equal(true);
    });

    it('verifies the chunk signatures of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload', async () => {
      const creds = prod();
      const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const date = amzDate.slice(0, 8);
      const scope = `${date}/us-east-1/s3/aws4_request`;
      const chunks = [Buffer.alloc(70_000, 'q'), Buffer.from('tail'), Buffer.alloc(0)];
      const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
      // Build the framing and its signatures per the S3 docs (sigv4-streaming.html), independently of the sandbox code.
      const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
      const key = hmac(hmac(hmac(hmac('AWS4' + creds.secretAccessKey, date), 'us-east-1'), 's3'), 'aws4_request');
      const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
      const build = (seed: string, tamper: boolean): Buffer => {
        let previous = seed;
        const parts: Buffer[] = [];
        for (const c of chunks) {
          const sig = createHmac('sha256', key).update(['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha(''), sha(c)].join('\n')).digest('hex');
          previous = sig;
          const data = tamper && c.length === 4 ? Buffer.from('TAIL') : c;
          parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sig}\r\n`), data, Buffer.from('\r\n'));
        }
        return Buffer.concat(parts);
      };
      // The encoded length must be known before signing the headers: it does not depend on the signatures' values.
      const encodedLength = build('0'.repeat(64), false).length;
      const upload = async (tamper: boolean) => {
        const signed = await signRequest(
          sandbox.sb,
          's3',
          creds,
          {
            method: 'PUT',
            path: '/prod-sse-s3/stream/signed-chunks.bin',
            headers: {
              'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
              'content-encoding': 'aws-chunked',
              'x-amz-decoded-content-length': String(decodedLength),
              'content-length': String(encodedLength),
              'x-amz-date': amzDate,
            },
          },
          'us-east-1',
          new Date(Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15))),
        );
        const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization!)![1]!;
        return sendRaw(sandbox.sb, { ...signed, body: build(seed, tamper) });
      };
      expect((await upload(false)).status).to.equal(200);
      const got = await s3For(sandbox.sb, 'prod').send(new GetObjectCommand({ Bucket: 'prod-sse-s3', Key: 'stream/signed-chunks.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(chunks))).to.equal(true);
      const tampered = await upload(true);
      expect(tampered.status).to.equal(403);
      expect(tampered.body).to.contain('<Code>SignatureDoesNotMatch</Code>');
    });
  });

  describe('request body limits', () => {
    const put = (sb: Sandbox, path: string, body: Buffer) =>
      signedRequest(sb, 's3', prod(), { method: 'PUT', path, body, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });

    it('default: 64 MiB for S3 (an object PUT over it → 400 EntityTooLarge) and 1 MiB for KMS/STS (→ 413)', async function () {
      this.timeout(30_000);
      expect(DEFAULT_BODY_LIMITS).to.deep.equal({ s3: 64 * 1024 * 1024, other: 1024 * 1024 });
      const big = await put(sandbox.sb, '/prod-sse-s3/too/big.bin', Buffer.alloc(DEFAULT_BODY_LIMITS.s3 + 1));
      expect(big.status).to.equal(400);
      expect(big.body).to.contain('<Code>EntityTooLarge</Code>');
      expect(big.body).to.contain(`<ProposedSize>${DEFAULT_BODY_LIMITS.s3 + 1}</ProposedSize><MaxSizeAllowed>${DEFAULT_BODY_LIMITS.s3}</MaxSizeAllowed>`);
      const kms = await signedRequest(sandbox.sb, 'kms', prod(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
        body: `{"Limit":1,"pad":"${'x'.repeat(DEFAULT_BODY_LIMITS.other)}"}`,
      });
      expect([kms.status, JSON.parse(kms.body).__type]).to.deep.equal([413, 'RequestEntityTooLarge']);
    });

    describe('lowered limits (startSandbox bodyLimits)', () => {
      const small = useSandbox({ bodyLimits: { s3: 1024, other: 512 } });

      it('S3: a body of exactly the limit is stored; one byte more → 400 EntityTooLarge with ProposedSize and MaxSizeAllowed', async () => {
        expect((await put(small.sb, '/prod-sse-s3/limit/at.bin', Buffer.alloc(1024, 'a'))).status).to.equal(200);
        const over = await put(small.sb, '/prod-sse-s3/limit/over.bin', Buffer.alloc(1025, 'a'));
        expect(over.status).to.equal(400);
        expect(over.body).to.match(/<Code>EntityTooLarge<\/Code><Message>Your proposed upload exceeds the maximum allowed size<\/Message><ProposedSize>1025<\/ProposedSize><MaxSizeAllowed>1024<\/MaxSizeAllowed>/);
        expect(small.sb.estate.buckets.get('prod-sse-s3')!.objects.has('limit/over.bin')).to.equal(false);
      });

      it('S3 through the SDK: PutObject over the limit → EntityTooLarge; another operation → MaxMessageLengthExceeded', async () => {
        const s3 = s3For(small.sb, 'prod');
        const e = await rejection(s3.send(new PutObjectCommand({ Bucket: 'prod-sse-s3', Key: 'limit/sdk.bin', Body: Buffer.alloc(4096, 'b') })));
        expect([e.name, e.$metadata?.httpStatusCode]).to.deep.equal(['EntityTooLarge', 400]);
        const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'x'.repeat(2000) }] });
        const p = await rejection(s3.send(new PutBucketPolicyCommand({ Bucket: 'prod-sse-s3', Policy: policy })));
        expect([p.name, p.$metadata?.httpStatusCode, p.message]).to.deep.equal(['MaxMessageLengthExceeded', 400, 'Your request was too big.']);
      });

      it('KMS and STS: 413 RequestEntityTooLarge in their own protocols; the connection then serves on', async () => {
        const kms = await rejection(kmsFor(small.sb, 'prod').send(new DescribeKeyCommand({ KeyId: 'alias/' + 'k'.repeat(600) })));
        expect([kms.name, kms.$metadata?.httpStatusCode]).to.deep.equal(['RequestEntityTooLarge', 413]);
        const sts = await signedRequest(small.sb, 'sts', prod(), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body: `Action=GetCallerIdentity&Version=2011-06-15&Pad=${'p'.repeat(600)}`,
        });
        expect(sts.status).to.equal(413);
        expect(sts.body).to.contain('<Code>RequestEntityTooLarge</Code>');
        const who = await stsFor(small.sb, 'prod').send(new GetCallerIdentityCommand({}));
        expect(who.Account).to.equal('111122223333');
      });
    });
  });

  describe('connections', () => {
    it('serves hundreds of concurrent connections', async () => {
      const signed = await signRequest(sandbox.sb, 'sts', prod(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      });
      const before = sandbox.sb.requestCount();
      const answers = await Promise.all(Array.from({ length: 300 }, () => sendRaw(sandbox.sb, signed)));
      expect(answers.every((a) => a.status === 200 && a.body.includes('<Account>111122223333</Account>'))).to.equal(true);
      expect(new Set(answers.map((a) => a.headers['x-amzn-requestid'])).size).to.equal(300);
      expect(sandbox.sb.requestCount() - before).to.equal(300);
    });

    it('keeps connections alive between requests', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const url = new URL(sandbox.sb.endpoint);
      const reused: boolean[] = [];
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((done, fail) => {
          const req = httpRequest({ host: url.hostname, port: url.port, path: '/', agent }, (res) => {
            reused.push(req.reusedSocket);
            res.resume();
            res.on('end', done);
          });
          req.on('error', fail);
          req.end();
        });
      }
      agent.destroy();
      expect(reused).to.deep.equal([false, true, true]);
    });

    it('counts every request, failures included', async () => {
      const before = sandbox.sb.requestCount();
      await sendRaw(sandbox.sb, { path: '/' }); // unauthenticated
      await stsFor(sandbox.sb, 'dev').send(new GetCallerIdentityCommand({}));
      expect(sandbox.sb.requestCount() - before).to.equal(2);
    });
  });

  describe('startSandbox', () => {
    it('loads an estate from a YAML path or takes an Estate object, and lists its accounts', async () => {
      const fromPath = await startSandbox({ estate: demoEstatePath() });
      const generated = await startSandbox({ estate: generateEstate({ buckets: 3, objectsPerBucket: 10, accounts: 2 }) });
      try {
        expect(fromPath.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(fromPath.accounts.map((a) => a.name)).to.deep.equal(['prod', 'dev']);
        expect(generated.accounts).to.have.length(2);
        const a = generated.accounts[1]!;
        const id = await stsFor(generated, a.id).send(new GetCallerIdentityCommand({}));
        expect(id.Account).to.equal(a.id);
      } finally {
        await Promise.all([fromPath.stop(), generated.stop()]);
      }
    });

    it('stop() closes idle keep-alive connections at once and refuses new ones', async function () {
      // No clock here: a server.close() that waited for the idle socket would wait keepAliveTimeout
      // (65 s), longer than this timeout, and the test would fail by timing out.
      this.timeout(30_000);
      const sb = await startSandbox({});
      const agent = new Agent({ keepAlive: true });
      const url = new URL(sb.endpoint);
      const get = (via: Agent | false = agent) =>
        new Promise<number>((done, fail) => {
          const req = httpRequest({ host: url.hostname, port: url.port, path: '/', agent: via }, (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode ?? 0));
          });
          req.on('error', fail);
          req.end();
        });
      expect(await get()).to.equal(403);
      const idle = Object.values(agent.freeSockets).flat();
      expect(idle, 'one idle keep-alive socket before stop()').to.have.length(1);
      const idleClosed = once(idle[0]!, 'close');
      // With an idle keep-alive socket open, server.close() alone would wait for keepAliveTimeout (65 s).
      await sb.stop();
      await idleClosed; // the sandbox hung up on it
      expect(Object.values(agent.freeSockets).flat()).to.deep.equal([]);
      const e = await get(false).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err,
      );
      expect(e?.code).to.equal('ECONNREFUSED');
      agent.destroy();
    });

    it('stop() does not wait for a request that is sleeping in injected latency', async () => {
      const sb = await startSandbox({ faults: { latencyMs: 10_000 } });
      const pending = stsFor(sb, 'prod', 'us-east-1', { maxAttempts: 1 })
        .send(new GetCallerIdentityCommand({}))
        .catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 50));
      await sb.stop();
      // No clock here either: a stop() that waited out the 10 s latency would let the request be
      // answered, and it would succeed; cut short, it gets no HTTP answer at all.
      const outcome = await pending;
      expect(outcome).to.be.instanceOf(Error);
      expect((outcome as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).to.equal(undefined);
    });
  });

  describe('the sandbox command', () => {
    it('parses its flags', () => {
      expect(parseSandboxArgs([])).to.deep.equal({ port: 4566, host: '127.0.0.1' });
      expect(faultsOf(parseSandboxArgs([]))).to.deep.equal({});
      const all = parseSandboxArgs(['--port', '0', '--latency', '100:20', '--throttle-rate', '0.25', '--error-rate', '0', '--reset-rate', '1', '--seed', '9', '--estate', 'x.yaml']);
      expect(all).to.deep.include({ port: 0, host: '127.0.0.1', estate: 'x.yaml' });
      expect(faultsOf(all)).to.deep.equal({ latencyMs: 100, jitterMs: 20, throttleRate: 0.25, errorRate: 0, resetRate: 1, seed: 9 });
    });

    for (const bad of [['--throttle-rate', '1.5'], ['--latency', 'fast'], ['--port', '-1'], ['--port', '70000'], ['--seed', 'x'], ['--bogus'], ['stray']]) {
      it(`rejects ${bad.join(' ')}`, () => {
        expect(() => parseSandboxArgs(bad)).to.throw();
      });
    }

    it('runs in the foreground: prints endpoint and credentials, serves, and exits 0 on SIGTERM', async function () {
      this.timeout(20_000);
      const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--throttle-rate', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const deadline = Date.now() + 15_000;
      while (!/Try: aws/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stderr, 'no exposure warning on loopback').to.not.contain('WARNING');
      const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      expect(endpoint, stdout).to.be.a('string');
      expect(stdout).to.contain('export AWS_ACCESS_KEY_ID=AKIADEMOPROD00000001 AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYDEMOPROD01');
      expect(stdout).to.contain('Account dev (444455556666)');
      const answer = await sendRaw({ endpoint } as never, { path: '/' });
      expect(answer.status).to.equal(403);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(stdout).to.contain('stopping the sandbox');
    });

    it('knows loopback addresses from the others', () => {
      for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).to.equal(true);
      for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).to.equal(false);
      expect(exposureWarning('127.0.0.1', 'http://127.0.0.1:4566')).to.equal(undefined);
    });

    it('warns on stderr when bound beyond loopback (--host 0.0.0.0)', async function () {
      this.timeout(20_000);
      // Nothing connects to it: the test only reads what the command prints, then stops it.
      const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--host', '0.0.0.0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const deadline = Date.now() + 15_000;
      while (!/Try: aws/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(stdout).to.contain('secret key:');
      expect(stderr).to.match(/^WARNING: the sandbox is bound to 0\.0\.0\.0 \(http:\/\/0\.0\.0\.0:\d+\), not to a loopback address/);
      expect(stderr).to.contain("anyone who can reach this machine on that port can use the estate's credentials");
    });

    it('exits 2 with a message on a bad flag or a bad estate file', async () => {
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          const child = spawn(process.execPath, [CLI, 'sandbox', ...args]);
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('exit', (code) => done({ code, stderr }));
        });
      const flag = await run(['--error-rate', '2']);
      expect(flag.code).to.equal(2);
      expect(flag.stderr).to.contain('--error-rate must be a number from 0 to 1');
      const estate = await run(['--port', '0', '--estate', '/nonexistent/estate.yaml']);
      expect(estate.code).to.equal(2);
      expect(estate.stderr).to.contain('/nonexistent/estate.yaml');
    });
  });
});
