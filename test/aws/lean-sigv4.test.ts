/**
 * The lean paths' SigV4 signer (src/aws/lean-sigv4.ts) against the SDK's own, @smithy/signature-v4 with
 * S3's settings (uriEscapePath false, applyChecksum false): for generated requests, credentials and
 * dates, the headers it returns must be exactly those @smithy/signature-v4 returns.
 */
import { expect } from 'chai';
import { SignatureV4 } from '@smithy/signature-v4';
import { signHeaders, type SigningCredentials } from '../../src/aws/lean-sigv4.js';
import { encodeSegment } from '../../src/aws/lean-request.js';
import { NodeSha256 } from '../helpers/node-sha256.js';
import { mulberry32 } from '../../src/sandbox/faults.js';

/** A small seeded generator (the sandbox's mulberry32), so a failure can be replayed. */
function generator(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  const next = mulberry32(seed);
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]!, chance: (p) => next() < p };
}

const KEY_PARTS = ['a', 'Z', '0', 'report', 'é', '日本', ' ', '+', '%', '!', "'", '(', ')', '*', '~', '-', '_', '.', '&', '=', '?', '#', ';', ':', '@', '$', ',', '😀'];
const QUERY_NAMES = ['versionId', 'encryption', 'partNumber', 'a', 'a-b', 'a.b', 'a_b', 'a~b', 'A', 'a1', 'x-id', 'response-content-type', 'é', 'with space', 'X-Amz-Signature'];
const HEADER_VALUES = ['plain', ' leading', 'trailing ', 'two  spaces', 'tab\there', 'line\nbreak', 'crlf\r\nvalue', '  both  ', 'a \t b'];
const EXTRA_HEADERS = ['x-amz-expected-bucket-owner', 'x-amz-request-payer', 'user-agent', 'x-amzn-trace-id', 'proxy-authorization', 'sec-fetch-mode', 'cache-control', 'x-custom'];
const REGIONS = ['us-east-1', 'eu-west-3', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1'];

function randomText(g: ReturnType<typeof generator>, parts: readonly string[], max: number): string {
  let s = '';
  for (let i = 1 + g.int(max); i > 0; i--) s += g.pick(parts);
  return s;
}

async function sdkSigned(
  req: { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; hostname: string },
  credentials: SigningCredentials,
  region: string,
  service: string,
  date: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: req.method, protocol: 'https:', hostname: req.hostname, path: req.path, query: { ...req.query }, headers: { ...req.headers } }, { signingDate: date });
  return signed.headers as Record<string, string>;
}

describe('aws/lean-sigv4: the lean signer signs as @smithy/signature-v4', () => {
  it('1,000 generated requests: the same headers, byte for byte (paths, queries, header values, tokens, dates, regions)', async () => {
    const g = generator(20261202);
    const plain: SigningCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const session: SigningCredentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'c2VjcmV0/+=', sessionToken: 'FwoGZXIvYXdzE//token+with/odd=chars' };
    for (let i = 0; i < 1000; i++) {
      const credentials = g.chance(0.5) ? plain : session;
      const hostname = g.chance(0.5) ? 'bucket-1.s3.eu-west-3.amazonaws.com' : '127.0.0.1';
      const host = hostname === '127.0.0.1' ? `${hostname}:${1024 + g.int(60000)}` : hostname;
      const segments = Array.from({ length: g.int(4) }, () => encodeSegment(randomText(g, KEY_PARTS, 6)));
      const path = `/${g.chance(0.5) ? 'bucket-1' : ''}${segments.length ? `/${segments.join('/')}` : ''}${g.chance(0.1) ? '/' : ''}` || '/';
      const query: Record<string, string> = {};
      for (let q = g.int(4); q > 0; q--) query[g.pick(QUERY_NAMES)] = g.chance(0.3) ? '' : randomText(g, KEY_PARTS, 5);
      const headers: Record<string, string> = { host, 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };
      for (let h = g.int(3); h > 0; h--) headers[g.pick(EXTRA_HEADERS)] = g.pick(HEADER_VALUES);
      const region = g.pick(REGIONS);
      const service = g.chance(0.9) ? 's3' : 's3-outposts';
      // Dates over two years, with milliseconds (the signature keeps whole seconds).
      const ms = Date.UTC(2025, 0, 1) + g.int(2 * 365 * 86_400_000);
      const method = g.chance(0.5) ? 'GET' : 'HEAD';

      const expected = await sdkSigned({ method, path, query, headers, hostname }, credentials, region, service, new Date(ms));
      const actual = signHeaders({ method, path, query: { ...query }, headers: { ...headers } }, credentials, region, service, ms);
      expect(actual, `case ${i}: ${method} ${path} ${JSON.stringify(query)} ${JSON.stringify(headers)}`).to.deep.equal(expected);
    }
  });

  it('refreshed credentials (a new object from the provider) are signed with their own key, not a cached one', async () => {
    const ms = Date.UTC(2026, 11, 2, 4, 30, 14, 500);
    const request = (): { method: string; path: string; query: Record<string, string>; headers: Record<string, string> } => ({
      method: 'HEAD',
      path: '/b/k',
      query: {},
      headers: { host: 'b.s3.us-east-1.amazonaws.com', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const first: SigningCredentials = { accessKeyId: 'ASIA1', secretAccessKey: 'first-secret', sessionToken: 't1' };
    const second: SigningCredentials = { accessKeyId: 'ASIA1', secretAccessKey: 'second-secret', sessionToken: 't2' };
    const a = signHeaders(request(), first, 'us-east-1', 's3', ms);
    const b = signHeaders(request(), second, 'us-east-1', 's3', ms);
    expect(a.authorization).to.not.equal(b.authorization);
    const hostname = 'b.s3.us-east-1.amazonaws.com';
    expect(b).to.deep.equal(await sdkSigned({ ...request(), hostname }, second, 'us-east-1', 's3', new Date(ms)));
    // Back to the first object on another day, then the same day again: each matches the SDK.
    for (const when of [ms + 86_400_000, ms]) {
      expect(signHeaders(request(), first, 'us-east-1', 's3', when)).to.deep.equal(await sdkSigned({ ...request(), hostname }, first, 'us-east-1', 's3', new Date(when)));
    }
  });

  it('credentials changed in place (a provider that updates its object) are signed with the new secret, not the cached key', async () => {
    const ms = Date.UTC(2026, 11, 2, 5, 0, 0);
    const hostname = 'b.s3.us-east-1.amazonaws.com';
    const request = (): { method: string; path: string; query: Record<string, string>; headers: Record<string, string> } => ({
      method: 'HEAD',
      path: '/k',
      query: {},
      headers: { host: hostname, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = { accessKeyId: 'ASIA1', secretAccessKey: 'first', sessionToken: 't1' };
    signHeaders(request(), creds, 'us-east-1', 's3', ms);
    Object.assign(creds, { accessKeyId: 'ASIA2', secretAccessKey: 'second', sessionToken: 't2' });
    expect(signHeaders(request(), creds, 'us-east-1', 's3', ms)).to.deep.equal(await sdkSigned({ ...request(), hostname }, { ...creds }, 'us-east-1', 's3', new Date(ms)));
  });

  it('a Date header the caller set is neither sent nor signed, as the SDK signer drops it', async () => {
    const ms = Date.UTC(2026, 0, 1);
    const headers = { host: 'h', 'x-amz-content-sha256': 'x', date: 'Thu, 01 Jan 2026 00:00:00 GMT' };
    const actual = signHeaders({ method: 'GET', path: '/', query: {}, headers: { ...headers } }, { accessKeyId: 'A', secretAccessKey: 'S' }, 'us-east-1', 's3', ms);
    expect(actual).to.not.have.property('date');
    expect(actual).to.deep.equal(await sdkSigned({ method: 'GET', path: '/', query: {}, headers, hostname: 'h' }, { accessKeyId: 'A', secretAccessKey: 'S' }, 'us-east-1', 's3', new Date(ms)));
  });
});
