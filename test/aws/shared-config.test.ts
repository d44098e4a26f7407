/**
 * Clients opened together share the providers of the settings the SDK reads from the environment and
 * the config files (src/aws/shared-config.ts): a later client of the same service and region gets the
 * first one's providers, a client of another region or service gets its own, and what the providers
 * resolve to is what an unshared client resolves.
 */
import { expect } from 'chai';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createKmsClient, createS3Client } from '../../src/aws/clients.js';
import { COMMON_SHARED_KEYS, S3_SHARED_KEYS, newClientConfigShare } from '../../src/aws/shared-config.js';

const agents = { http: new HttpAgent(), https: new HttpsAgent() };
const opts = { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 };
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
type Config = Record<string, unknown>;
const configOf = (c: { config: object }): Config => c.config as Config;

describe('shared client config providers', () => {
  it('gives a later S3 client of the same region the first one’s providers for every shared setting', () => {
    const share = newClientConfigShare();
    const first = createS3Client(opts, 'eu-west-1', creds, agents, share);
    const second = createS3Client(opts, 'eu-west-1', { ...creds }, agents, share);
    const shared = S3_SHARED_KEYS.filter((k) => typeof configOf(first)[k] === 'function');
    expect(shared).to.include.members(['useDualstackEndpoint', 'disableS3ExpressSessionAuth', 'useArnRegion', 'authSchemePreference', 'defaultUserAgentProvider']);
    for (const k of ['useDualstackEndpoint', 'disableS3ExpressSessionAuth', 'useArnRegion', 'authSchemePreference', 'defaultUserAgentProvider']) {
      expect(configOf(second)[k], k).to.equal(configOf(first)[k]);
    }
    first.destroy();
    second.destroy();
  });

  it('keeps regions, services and unshared clients apart', () => {
    const share = newClientConfigShare();
    const east = createS3Client(opts, 'us-east-1', creds, agents, share);
    const west = createS3Client(opts, 'eu-west-1', creds, agents, share);
    const kms = createKmsClient(opts, 'us-east-1', creds, agents, share);
    const alone = createS3Client(opts, 'us-east-1', creds, agents);
    expect(configOf(west).useDualstackEndpoint).to.not.equal(configOf(east).useDualstackEndpoint);
    expect(configOf(kms).useDualstackEndpoint).to.not.equal(configOf(east).useDualstackEndpoint);
    expect(configOf(alone).useDualstackEndpoint).to.not.equal(configOf(east).useDualstackEndpoint);
    for (const c of [east, west, kms, alone]) c.destroy();
  });

  it('resolves every shared setting to what an unshared client resolves', async () => {
    const share = newClientConfigShare();
    createS3Client(opts, 'us-east-1', creds, agents, share).destroy();
    const kmsFirst = createKmsClient(opts, 'us-east-1', creds, agents, share);
    const s3 = createS3Client(opts, 'us-east-1', creds, agents, share);
    const kms = createKmsClient(opts, 'us-east-1', creds, agents, share);
    const s3Alone = createS3Client(opts, 'us-east-1', creds, agents);
    const kmsAlone = createKmsClient(opts, 'us-east-1', creds, agents);
    const resolved = async (c: { config: object }, keys: readonly string[]): Promise<Config> => {
      const out: Config = {};
      for (const k of keys) {
        const v = configOf(c)[k];
        if (typeof v === 'function' && k !== 'defaultUserAgentProvider') out[k] = await (v as () => Promise<unknown>)();
      }
      return out;
    };
    expect(await resolved(s3, S3_SHARED_KEYS)).to.deep.equal(await resolved(s3Alone, S3_SHARED_KEYS));
    expect(await resolved(kms, COMMON_SHARED_KEYS)).to.deep.equal(await resolved(kmsAlone, COMMON_SHARED_KEYS));
    for (const c of [kmsFirst, s3, kms, s3Alone, kmsAlone]) c.destroy();
  });
});
