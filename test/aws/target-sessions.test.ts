/**
 * Sessions for many accounts against the sandbox: one account's role failing does not stop the
 * others, role credentials are assumed again before they expire (a short DurationSeconds and a moved
 * clock, so no test waits 15 minutes), and a caller that is itself a role session asks for no more
 * than STS's one hour of role chaining.
 */
import { expect } from 'chai';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createStsClient } from '../../src/aws/clients.js';
import { openTargetSessions, roleCredentials, type AccountSession } from '../../src/aws/session.js';
import type { SandboxSession } from '../../src/sandbox/model.js';
import { awsOptionsFor, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const role = (account: string, name = 'S3KmsAuditRole'): string => `arn:aws:iam::${account}:role/${name}`;

describe('aws/session: openTargetSessions and refreshing role credentials', function () {
  const sandbox = useSandbox();
  const opened: AccountSession[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.destroy();
  });
  const newestSession = (): SandboxSession => [...sandbox.sb.estate.sessions.values()].at(-1)!;

  it('opens the accounts it can and returns the others as failures with their cause', async () => {
    const { sessions, failures } = await openTargetSessions(awsOptionsFor(sandbox.sb, PROD), [
      { id: PROD, roleArn: role(PROD, 'NoSuchRole') },
      { id: DEV, roleArn: role(DEV) },
    ]);
    opened.push(...sessions);
    expect(sessions.map((s) => s.account)).to.deep.equal([DEV]);
    const names = ((await sessions[0]!.s3('us-east-1').send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    expect(names).to.include('dev-cmk');
    expect(failures).to.have.length(1);
    expect(failures[0]).to.include({ account: PROD, roleArn: role(PROD, 'NoSuchRole'), operation: 'AssumeRole', code: 'AccessDenied' });
  });

  it('asks for the DurationSeconds given', async () => {
    const { sessions } = await openTargetSessions(awsOptionsFor(sandbox.sb, PROD), [{ id: DEV, roleArn: role(DEV) }], 900);
    opened.push(...sessions);
    const lifetime = (newestSession().expiration.getTime() - Date.now()) / 1000;
    expect(lifetime).to.be.within(890, 901);
  });

  it('caps DurationSeconds at one hour when the caller is itself a role session (role chaining)', async () => {
    // First become a role session in prod, then open dev from it asking for two hours.
    const first = await openTargetSessions(awsOptionsFor(sandbox.sb, PROD), [{ id: PROD, roleArn: role(PROD) }]);
    opened.push(...first.sessions);
    const chainedCaller = newestSession();
    const { sessions, failures } = await openTargetSessions(
      awsOptionsFor(sandbox.sb, PROD, {
        credentials: { accessKeyId: chainedCaller.accessKeyId, secretAccessKey: chainedCaller.secretAccessKey, sessionToken: chainedCaller.sessionToken },
      }),
      [{ id: DEV, roleArn: role(DEV) }],
      7200,
    );
    opened.push(...sessions);
    expect(failures).to.deep.equal([]);
    const lifetime = (newestSession().expiration.getTime() - Date.now()) / 1000;
    expect(lifetime).to.be.within(3590, 3601);
  });

  it('assumes the role again shortly before the credentials expire, not before', async () => {
    const agents = { http: new HttpAgent(), https: new HttpsAgent() };
    const sts = createStsClient(awsOptionsFor(sandbox.sb, PROD), 'us-east-1', awsOptionsFor(sandbox.sb, PROD).credentials, agents);
    try {
      let clock = Date.now();
      const provider = roleCredentials(sts, role(DEV), { durationSeconds: 900, now: () => clock });
      const sessionsBefore = sandbox.sb.estate.sessions.size;
      const first = await provider();
      expect(sandbox.sb.estate.sessions.size).to.equal(sessionsBefore + 1);
      const expiration = first.expiration!.getTime();

      clock = expiration - 6 * 60_000; // a third of 900 s is 5 minutes: still the same credentials
      expect((await provider()).accessKeyId).to.equal(first.accessKeyId);
      expect(sandbox.sb.estate.sessions.size).to.equal(sessionsBefore + 1);

      clock = expiration - 4 * 60_000; // inside the margin: a new AssumeRole
      const renewed = await provider();
      expect(renewed.accessKeyId).to.not.equal(first.accessKeyId);
      expect(sandbox.sb.estate.sessions.size).to.equal(sessionsBefore + 2);
    } finally {
      sts.destroy();
      agents.http.destroy();
      agents.https.destroy();
    }
  });
});
