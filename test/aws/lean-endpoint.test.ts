/**
 * The lean paths' endpoint for plain bucket names (src/aws/lean-request.ts: computed once per client and the
 * name put in its place) against the client's own endpoint provider — S3's endpoint rules — for many names,
 * under path-style custom endpoints, virtual-hosted AWS endpoints in several partitions and regions, FIPS,
 * dual-stack and Transfer Acceleration; names outside the plain shape always ask the provider.
 */
import { expect } from 'chai';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { leanAddress, providerAddress } from '../../src/aws/lean-request.js';

const CONFIGS: Record<string, Partial<S3ClientConfig>> = {
  'custom endpoint, path-style (the sandbox)': { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', forcePathStyle: true },
  'custom endpoint with a path, path-style': { region: 'eu-west-1', endpoint: 'https://proxy.example.com:8443/s3', forcePathStyle: true },
  'custom endpoint, virtual-hosted': { region: 'us-east-1', endpoint: 'https://s3.example.com' },
  'AWS us-east-1': { region: 'us-east-1' },
  'AWS eu-west-1': { region: 'eu-west-1' },
  'AWS us-west-2, FIPS': { region: 'us-west-2', useFipsEndpoint: true },
  'AWS ap-southeast-2, dual-stack': { region: 'ap-southeast-2', useDualstackEndpoint: true },
  'AWS us-east-1, Transfer Acceleration': { region: 'us-east-1', useAccelerateEndpoint: true },
  'AWS us-east-1, path-style': { region: 'us-east-1', forcePathStyle: true },
  'AWS China': { region: 'cn-north-1' },
  'AWS GovCloud': { region: 'us-gov-west-1' },
};

/** Names of the plain shape (lower-case letters, digits, single hyphens), and a few outside it. */
function names(count: number): string[] {
  let seed = 7;
  const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = 3 + Math.floor(next() * 61);
    let name = '';
    while (name.length < length) {
      const c = alphabet[Math.floor(next() * alphabet.length)]!;
      name += name.length > 0 && name.length < length - 1 && !name.endsWith('-') && next() < 0.1 ? '-' : c;
    }
    out.push(name);
  }
  return [
    ...out,
    'my.dotted.bucket',
    '192.168.1.1',
    'Upper-Case',
    'ab',
    'xn--punycode',
    'sthree-bucket',
    'amzn-s3-demo-bucket',
    'bucket-s3alias',
    'bucket--ol-s3',
    'dir-bucket--use1-az4--x-s3',
    'a--b',
    'arn:aws:s3:us-east-1:111122223333:accesspoint/ap',
    'x'.repeat(64),
  ];
}

describe('aws/lean-request: the endpoint of a plain bucket name is the provider\'s, with the name in its place', () => {
  for (const [label, config] of Object.entries(CONFIGS)) {
    it(label, async () => {
      const client = new S3Client({ ...config, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
      try {
        let compared = 0;
        for (const bucket of names(400)) {
          const provider = await providerAddress(client, bucket).catch((e: Error) => ({ error: e.message }));
          const lean = await leanAddress(client, bucket).catch((e: Error) => ({ error: e.message }));
          expect(lean, `${label}: ${bucket}`).to.deep.equal(provider);
          compared++;
        }
        expect(compared).to.be.greaterThan(400);
      } finally {
        client.destroy();
      }
    });
  }

  it('plain names after the first do not ask the provider (so the comparisons above exercise the template)', async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    try {
      let calls = 0;
      const provider = client.config.endpointProvider;
      client.config.endpointProvider = (...args: Parameters<typeof provider>) => {
        calls++;
        return provider(...args);
      };
      for (let i = 0; i < 200; i++) await leanAddress(client, `bucket-${i}`);
      expect(calls).to.equal(1);
      await leanAddress(client, 'dotted.name');
      expect(calls).to.equal(2);
    } finally {
      client.destroy();
    }
  });
});
