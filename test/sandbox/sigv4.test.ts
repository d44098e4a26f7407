/**
 * SigV4 verification: AWS's documented examples, requests signed by the SDK's own signer, and
 * every authentication failure over real HTTP with the real SDK clients.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { GetCallerIdentityCommand, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import {
  canonicalQuery,
  canonicalRequest,
  parseAuthorization,
  queryDecode,
  parseAwsChunked,
  signingKey,
  stringToSign,
  verifyChunkSignatures,
  verifySignature,
  type SignedRequest,
} from '../../src/sandbox/sigv4.js';
import { cliCreds, kmsFor, s3For, sendRaw, signRequest, signedRequest, stsFor, useSandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/errors.js';

const raw = (headers: Record<string, string>): string[] => Object.entries(headers).flat();


describe('sandbox SigV4 verification', () => {
  describe("AWS's documented examples", () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    it('reproduces the S3 GET Object example signature (canonical request, string to sign, signature)', () => {
      const authorization =
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
      const auth = parseAuthorization(authorization)!;
      const req: SignedRequest = {
        method: 'GET',
        rawPath: '/test.txt',
        rawQuery: '',
        rawHeaders: raw({
          Host: 'examplebucket.s3.amazonaws.com',
          Range: 'bytes=0-9',
          'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          'x-amz-date': '20130524T000000Z',
          Authorization: authorization,
        }),
        payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      };
      const canonical = canonicalRequest(req, auth);
      expect(canonical).to.equal(
        'GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
      expect(stringToSign('20130524T000000Z', auth.scope, canonical)).to.equal(
        'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
      );
      expect(verifySignature(req, auth, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').ok).to.equal(true);
      expect(verifySignature(req, auth, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ').ok).to.equal(false);
    });

    // AWS SigV4 test suite, get-vanilla-query-order-key-case: parameters must be sorted by name.
    it('reproduces the test-suite signature of a query whose parameters arrive out of order', () => {
      const authorization =
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500';
      const auth = parseAuthorization(authorization)!;
      const req: SignedRequest = {
        method: 'GET',
        rawPath: '/',
        rawQuery: 'Param2=value2&Param1=value1',
        rawHeaders: raw({ Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' }),
        payloadHash: createHash('sha256').update('').digest('hex'),
      };
      expect(canonicalRequest(req, auth).split('\n')[2]).to.equal('Param1=value1&Param2=value2');
      expect(verifySignature(req, auth, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY').ok).to.equal(true);
    });

    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html: 66560 bytes of 'a' in chunks of 64 KiB, 1 KiB, 0.
    it('verifies the seed and every chunk signature of the streaming upload example, and rejects a changed chunk', () => {
      const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
      const authorization = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${seed}`;
      const auth = parseAuthorization(authorization)!;
      const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
      const req: SignedRequest = {
        method: 'PUT',
        rawPath: '/examplebucket/chunkObject.txt',
        rawQuery: '',
        rawHeaders: raw({
          Host: 's3.amazonaws.com',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'Content-Encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '66560',
          'Content-Length': '66824',
        }),
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      };
      const verified = verifySignature(req, auth, secret);
      expect(verified.ok).to.equal(true);

      const chunk = (size: number, signature: string): Buffer =>
        Buffer.concat([Buffer.from(`${size.toString(16)};chunk-signature=${signature}\r\n`), Buffer.alloc(size, 'a'), Buffer.from('\r\n')]);
      const body = Buffer.concat([
        chunk(65536, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648'),
        chunk(1024, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497'),
        chunk(0, 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'),
      ]);
      expect(body.length).to.equal(66824);
      const key = signingKey(secret, '20130524', 'us-east-1', 's3');
      const chunks = parseAwsChunked(body);
      expect(Buffer.concat(chunks.map((c) => c.data)).equals(Buffer.alloc(66560, 'a'))).to.equal(true);
      expect(verifyChunkSignatures(chunks, seed, key, '20130524T000000Z', auth.scope)).to.equal(true);

      const tampered = Buffer.from(body);
      tampered[200] = 'b'.charCodeAt(0);
      expect(verifyChunkSignatures(parseAwsChunked(tampered), seed, key, '20130524T000000Z', auth.scope)).to.equal(false);
    });

    it('ignores the trailer after the final chunk of an unsigned aws-chunked body', () => {
      const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
      expect(Buffer.concat(parseAwsChunked(body).map((c) => c.data)).toString()).to.equal('hello world');
    });
  });

  describe('requests signed by the SDK signer (@smithy/signature-v4)', () => {
    const sandbox = useSandbox();
    const creds = () => cliCreds(sandbox.sb, 'prod');

    /** Re-runs the server's verification on what the SDK signer produced. */
    async function verifyLocally(service: 's3' | 'kms', path: string, query: Record<string, string>, body: string) {
      const signed = await signRequest(sandbox.sb, service, creds(), { method: 'POST', path, query, body, headers: { 'content-type': 'application/x-amz-json-1.1' } });
      const rawQuery = new URLSearchParams(signed.query).toString().replace(/\+/g, '%20');
      const auth = parseAuthorization(signed.headers.authorization)!;
      const req: SignedRequest = {
        method: 'POST',
        rawPath: signed.path,
        rawQuery,
        rawHeaders: raw(signed.headers),
        payloadHash: signed.headers['x-amz-content-sha256'] ?? createHash('sha256').update(body).digest('hex'),
      };
      return { req, auth };
    }

    it('accepts an S3 path as sent (not double-encoded) and a KMS path double-encoded, as AWS does', async () => {
      for (const [service, path] of [
        ['s3', '/bucket/a%20b/%E2%9C%93%2Bc~d'],
        ['kms', '/'],
        ['kms', '/a%20b/c'],
      ] as const) {
        const { req, auth } = await verifyLocally(service, path, { 'list-type': '2', prefix: 'a b/(x)*' }, '{"KeyId":"alias/x"}');
        expect(verifySignature(req, auth, creds().secretAccessKey).ok, `${service} ${path}`).to.equal(true);
      }
    });

    it('rejects a tampered header, path or query', async () => {
      const { req, auth } = await verifyLocally('s3', '/bucket/key', { prefix: 'a' }, '');
      const secret = creds().secretAccessKey;
      expect(verifySignature(req, auth, secret).ok).to.equal(true); // the untouched request passes
      const hostIndex = req.rawHeaders.findIndex((h) => h.toLowerCase() === 'host');
      const otherHost = [...req.rawHeaders];
      otherHost[hostIndex + 1] = 'evil.example.com';
      expect(verifySignature({ ...req, rawHeaders: otherHost }, auth, secret).ok).to.equal(false);
      expect(verifySignature({ ...req, rawPath: '/bucket/other' }, auth, secret).ok).to.equal(false);
      expect(verifySignature({ ...req, rawQuery: 'prefix=b' }, auth, secret).ok).to.equal(false);
    });

    it('decodes a query exactly as URLSearchParams (the handlers’ view) does: raw + is a space, %2B a plus', () => {
      for (const text of ['a+b', 'a%2Bb', 'a%20b', '%E2%9C%93+x', 'bad%zz+%', '100%', '%e2%9c%93', '+%2B+']) {
        expect(queryDecode(text), text).to.equal(new URLSearchParams(`v=${text}`).get('v'));
      }
      expect(canonicalQuery('prefix=a+b&x=1%2B1')).to.equal('prefix=a%20b&x=1%2B1');
      expect(canonicalQuery('prefix=a+b')).to.equal(canonicalQuery('prefix=a%20b'));
    });

    it('over HTTP: a raw + signed as a space is accepted and served as a space; signed as a plus it is refused', async () => {
      // ListBuckets echoes Prefix, so the answer shows how the handler read the query.
      const send = async (signedValue: string) => {
        const signed = await signRequest(sandbox.sb, 's3', creds(), { path: '/', query: { prefix: signedValue } });
        return sendRaw(sandbox.sb, { method: signed.method, path: '/?prefix=prod+x', headers: signed.headers });
      };
      const asSpace = await send('prod x');
      expect(asSpace.status, asSpace.body).to.equal(200);
      expect(asSpace.body).to.contain('<Prefix>prod x</Prefix>');
      const asPlus = await send('prod+x');
      expect(asPlus.status).to.equal(403);
      expect(asPlus.body).to.contain('<Code>SignatureDoesNotMatch</Code>');
      expect(asPlus.body, 'the canonical query S3 computed').to.contain('prefix=prod%20x');
    });
  });

  describe('over HTTP with the SDK clients', () => {
    const sandbox = useSandbox();

    it('accepts good signatures for all three services', async () => {
      const sb = sandbox.sb;
      expect((await stsFor(sb, 'prod').send(new GetCallerIdentityCommand({}))).Account).to.equal('111122223333');
      expect((await kmsFor(sb, 'dev', 'eu-west-1').send(new DescribeKeyCommand({ KeyId: 'alias/dev-data' }))).KeyMetadata?.KeyId).to.equal(
        '4444bbbb-0000-4000-8000-000000000001',
      );
      expect((await s3For(sb, 'prod').send(new ListBucketsCommand({}))).Buckets?.length).to.be.greaterThan(0);
    });

    describe('a wrong secret', () => {
      const wrong = (name: string) => ({ maxAttempts: 1, credentials: { accessKeyId: cliCreds(sandbox.sb, name).accessKeyId, secretAccessKey: 'x'.repeat(40) } });

      it('S3 → 403 SignatureDoesNotMatch', async () => {
        const e = await rejection(s3For(sandbox.sb, 'prod', 'us-east-1', wrong('prod')).send(new ListBucketsCommand({})));
        expect(e.name).to.equal('SignatureDoesNotMatch');
        expect(e.$metadata?.httpStatusCode).to.equal(403);
      });
      it('KMS → 400 InvalidSignatureException', async () => {
        const e = await rejection(kmsFor(sandbox.sb, 'prod', 'us-east-1', wrong('prod')).send(new DescribeKeyCommand({ KeyId: 'alias/prod-data' })));
        expect(e.name).to.equal('InvalidSignatureException');
        expect(e.$metadata?.httpStatusCode).to.equal(400);
      });
      it('STS → 403 SignatureDoesNotMatch', async () => {
        const e = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', wrong('prod')).send(new GetCallerIdentityCommand({})));
        expect(e.name).to.equal('SignatureDoesNotMatch');
        expect(e.$metadata?.httpStatusCode).to.equal(403);
      });
    });

    describe('an unknown access key', () => {
      const unknown = { maxAttempts: 1, credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) } };

      it('S3 → 403 InvalidAccessKeyId', async () => {
        const e = await rejection(s3For(sandbox.sb, 'prod', 'us-east-1', unknown).send(new ListBucketsCommand({})));
        expect(e.name).to.equal('InvalidAccessKeyId');
        expect(e.$metadata?.httpStatusCode).to.equal(403);
      });
      it('KMS → 400 UnrecognizedClientException', async () => {
        const e = await rejection(kmsFor(sandbox.sb, 'prod', 'us-east-1', unknown).send(new DescribeKeyCommand({ KeyId: 'alias/prod-data' })));
        expect(e.name).to.equal('UnrecognizedClientException');
        expect(e.$metadata?.httpStatusCode).to.equal(400);
      });
      it('STS → 403 InvalidClientTokenId', async () => {
        const e = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', unknown).send(new GetCallerIdentityCommand({})));
        expect(e.name).to.equal('InvalidClientTokenId');
        expect(e.$metadata?.httpStatusCode).to.equal(403);
      });
    });

    describe('tampering after signing', () => {
      it('KMS: a changed body → InvalidSignatureException', async () => {
        const signed = await signRequest(sandbox.sb, 'kms', cliCreds(sandbox.sb, 'prod'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
          body: '{"KeyId":"alias/prod-data"}',
        });
        const ok = await sendRaw(sandbox.sb, signed);
        expect(ok.status).to.equal(200);
        const changed = await sendRaw(sandbox.sb, { ...signed, body: '{"KeyId":"alias/scratch"}' });
        expect(changed.status).to.equal(400);
        expect(JSON.parse(changed.body).__type).to.equal('InvalidSignatureException');
      });

      it('STS: a changed signed header → SignatureDoesNotMatch', async () => {
        const signed = await signRequest(sandbox.sb, 'sts', cliCreds(sandbox.sb, 'prod'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body: 'Action=GetCallerIdentity&Version=2011-06-15',
        });
        const changed = await sendRaw(sandbox.sb, { ...signed, headers: { ...signed.headers, 'content-type': 'application/x-www-form-urlencoded' } });
        expect(changed.status).to.equal(403);
        expect(changed.body).to.contain('<Code>SignatureDoesNotMatch</Code>');
      });

      it('S3: a body that does not match x-amz-content-sha256 → 400 XAmzContentSHA256Mismatch', async () => {
        const signed = await signRequest(sandbox.sb, 's3', cliCreds(sandbox.sb, 'prod'), { method: 'PUT', path: '/prod-sse-s3/tampered.txt', body: 'original' });
        const changed = await sendRaw(sandbox.sb, { ...signed, body: 'replaced', headers: { ...signed.headers, 'content-length': '8' } });
        expect(changed.status).to.equal(400);
        expect(changed.body).to.contain('<Code>XAmzContentSHA256Mismatch</Code>');
      });

      it('S3: a request without x-amz-content-sha256 → 400 InvalidRequest', async () => {
        const signed = await signRequest(sandbox.sb, 's3', cliCreds(sandbox.sb, 'prod'), { path: '/', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
        const headers = { ...signed.headers };
        delete headers['x-amz-content-sha256'];
        const res = await sendRaw(sandbox.sb, { ...signed, headers });
        expect(res.status).to.equal(400);
        expect(res.body).to.contain('<Code>InvalidRequest</Code>');
      });
    });

    describe('missing Authorization', () => {
      it('S3 → 403 AccessDenied, KMS → 400 MissingAuthenticationTokenException, STS → 403 MissingAuthenticationToken', async () => {
        const s3 = await sendRaw(sandbox.sb, { path: '/' });
        expect(s3.status).to.equal(403);
        expect(s3.body).to.contain('<Code>AccessDenied</Code>');
        const kms = await sendRaw(sandbox.sb, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
        expect(kms.status).to.equal(400);
        expect(JSON.parse(kms.body).__type).to.equal('MissingAuthenticationTokenException');
        const sts = await sendRaw(sandbox.sb, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
        expect(sts.status).to.equal(403);
        expect(sts.body).to.contain('<Code>MissingAuthenticationToken</Code>');
      });
    });

    describe('session credentials (ASIA…) need their session token', () => {
      let temp: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
      before(async () => {
        const out = await stsFor(sandbox.sb, 'prod').send(
          new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::444455556666:role/S3KmsAuditRole', RoleSessionName: 'sigv4-test' }),
        );
        temp = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
        expect(temp.accessKeyId).to.match(/^ASIA[A-Z0-9]{16}$/);
      });

      it('works with the token', async () => {
        const id = await stsFor(sandbox.sb, 'prod', 'us-east-1', { credentials: temp }).send(new GetCallerIdentityCommand({}));
        expect(id.Account).to.equal('444455556666');
      });

      it('without it: STS InvalidClientTokenId, KMS UnrecognizedClientException, S3 InvalidToken', async () => {
        const noToken = { maxAttempts: 1, credentials: { accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey } };
        expect((await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', noToken).send(new GetCallerIdentityCommand({})))).name).to.equal('InvalidClientTokenId');
        expect((await rejection(kmsFor(sandbox.sb, 'prod', 'us-east-1', noToken).send(new DescribeKeyCommand({ KeyId: 'alias/dev-us' })))).name).to.equal(
          'UnrecognizedClientException',
        );
        expect((await rejection(s3For(sandbox.sb, 'prod', 'us-east-1', noToken).send(new ListBucketsCommand({})))).name).to.equal('InvalidToken');
      });

      it('with a wrong token: rejected too', async () => {
        const wrongToken = { maxAttempts: 1, credentials: { ...temp, sessionToken: temp.sessionToken.slice(0, -4) + 'AAAA' } };
        expect((await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', wrongToken).send(new GetCallerIdentityCommand({})))).name).to.equal('InvalidClientTokenId');
      });

      it('expired: STS ExpiredToken', async () => {
        const session = sandbox.sb.estate.sessions.get(temp.accessKeyId)!;
        const expiration = session.expiration;
        session.expiration = new Date(Date.now() - 1000);
        try {
          const e = await rejection(stsFor(sandbox.sb, 'prod', 'us-east-1', { maxAttempts: 1, credentials: temp }).send(new GetCallerIdentityCommand({})));
          expect(e.name).to.equal('ExpiredToken');
        } finally {
          session.expiration = expiration;
        }
      });
    });

    it('a request signed more than 15 minutes ago → S3 403 RequestTimeTooSkewed, KMS 400 InvalidSignatureException', async () => {
      const old = new Date(Date.now() - 20 * 60 * 1000);
      const s3 = await signedRequest(sandbox.sb, 's3', cliCreds(sandbox.sb, 'prod'), { path: '/' }, 'us-east-1', old);
      expect(s3.status).to.equal(403);
      expect(s3.body).to.contain('<Code>RequestTimeTooSkewed</Code>');
      const kms = await signedRequest(
        sandbox.sb,
        'kms',
        cliCreds(sandbox.sb, 'prod'),
        { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' },
        'us-east-1',
        old,
      );
      expect(kms.status).to.equal(400);
      expect(JSON.parse(kms.body).__type).to.equal('InvalidSignatureException');
    });
  });
});
