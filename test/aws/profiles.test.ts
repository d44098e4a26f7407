/**
 * --profile: a profile defined in neither shared file is a usage error before any AWS call, naming the
 * files read; a profile that exists is used — also while AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are
 * set — without the SDK's warning about AWS_PROFILE, which the user did not set. The compiled CLI is run
 * with a temporary HOME or AWS_CONFIG_FILE, against the sandbox.
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listProfiles } from '../../src/aws/profiles.js';
import { packageRoot } from '../../src/paths.js';
import type { AuditReport } from '../../src/domain/report.js';
import { accountOf, useSandbox } from '../helpers/sandbox.js';
import { runCli } from '../e2e/run-cli.js';

const POLICIES = resolve(packageRoot(), 'test/fixtures/e2e/everything.yaml');
const SDK_WARNING = /Multiple credential sources|Both AWS_PROFILE/;

describe('--profile', function () {
  this.timeout(60_000);
  const box = useSandbox();
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 's3ka-profile-'));
    await mkdir(join(home, '.aws'));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  /** Only what the test sets: no AWS_CONFIG_FILE unless given, so ~/.aws under the temporary HOME is read. */
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...extra,
  });
  const scan = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['scan', '--policies', POLICIES, '--endpoint-url', box.sb.endpoint, '--region', 'us-east-1', '--out', join(home, 'out'), '--name', 'r', '--format', 'json', '--quiet', ...args], env(extra));

  it('that does not exist is a usage error naming the files read and the profiles they define (exit 2, no AWS call)', async () => {
    await writeFile(join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n\n[profile audit]\nregion = eu-west-1\n');
    await writeFile(join(home, '.aws', 'credentials'), '[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n');
    const before = box.sb.requestCount();
    const r = await scan(['--profile', 'audti']);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(
      `error: --profile: profile "audti" does not exist (read ${join(home, '.aws', 'config')} and ${join(home, '.aws', 'credentials')}; profiles defined: audit, ci, default).`,
    );
    expect(r.stderr).to.contain('Run "s3-kms-audit scan --help" for usage.');
    expect(box.sb.requestCount()).to.equal(before);
  });

  it('says which files do not exist, with AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE', async () => {
    const config = join(home, 'elsewhere.ini');
    await writeFile(config, '[profile other]\nregion = us-east-1\n');
    const r = await scan(['--profile', 'audit'], { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(`profile "audit" does not exist (read ${config}; ${join(home, 'none')} does not exist; profiles defined: other)`);
  });

  it('that exists is used, ahead of the access key variables, without the SDK warning about AWS_PROFILE', async () => {
    const dev = accountOf(box.sb, 'dev');
    const prod = accountOf(box.sb, 'prod');
    await writeFile(join(home, '.aws', 'credentials'), `[dev]\naws_access_key_id = ${dev.accessKeyId}\naws_secret_access_key = ${dev.secretAccessKey}\n`);
    const r = await scan(['--profile', 'dev'], { AWS_ACCESS_KEY_ID: prod.accessKeyId, AWS_SECRET_ACCESS_KEY: prod.secretAccessKey });
    expect(r.code, r.stderr).to.be.oneOf([0, 1]);
    expect(r.stderr).to.not.match(SDK_WARNING);
    const report = JSON.parse(await readFile(join(home, 'out', 'r.json'), 'utf8')) as AuditReport;
    expect(report.run.accounts).to.deep.equal([dev.id]);
  });

  it('defined only in the config file (keys there too) is found and used', async () => {
    const dev = accountOf(box.sb, 'dev');
    await writeFile(join(home, '.aws', 'config'), `# a comment\n[profile dev-config] ; trailing comment\naws_access_key_id = ${dev.accessKeyId}\naws_secret_access_key = ${dev.secretAccessKey}\n`);
    const r = await scan(['--profile', 'dev-config']);
    expect(r.code, r.stderr).to.be.oneOf([0, 1]);
    expect(r.stderr).to.not.match(SDK_WARNING);
  });

  it('reads profile names as the SDK does: [profile NAME] and [default] in config, [NAME] in credentials, comments ignored', async () => {
    const config = join(home, 'c');
    const credentials = join(home, 'k');
    await writeFile(config, '[default]\n[profile a]\n[sso-session corp]\n[services x]\n[b]\n# [profile commented]\n');
    await writeFile(credentials, '[c]\n; [d]\n');
    const found = listProfiles({ HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials });
    expect([...found.profiles].sort()).to.deep.equal(['a', 'c', 'default']);
    expect(found.read).to.deep.equal([config, credentials]);
    expect(listProfiles({ HOME: home }).missing).to.deep.equal([join(home, '.aws', 'config'), join(home, '.aws', 'credentials')]);
  });
});
