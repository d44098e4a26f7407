/**
 * Conformance of the sandbox's AWS Organizations with an independent client: the real AWS CLI v2
 * (/usr/bin/aws, botocore) lists the demo organisation — paginated, with OUs — and we check what it
 * prints. Skipped with a message when the CLI is missing, a failure in CI.
 */
import { expect } from 'chai';
import { awsCli, requireAwsCli, type CliCredentials, type CliResult } from '../helpers/awscli.js';
import { cliCreds, useSandbox } from '../helpers/sandbox.js';

const PROD = '111122223333';
const DEV = '444455556666';
const RETIRED = '999988887777';
const ORG = 'o-demo1example';
const ROOT = 'r-demo';
const WORKLOADS = 'ou-demo-workloads';
const DEVELOPMENT = 'ou-demo-development';

function json(result: CliResult): Record<string, any> {
  expect(result.code, `aws exited ${result.code}: ${result.stderr}`).to.equal(0);
  return JSON.parse(result.stdout) as Record<string, any>;
}

describe('AWS CLI conformance: Organizations', function () {
  this.timeout(180_000);
  const sandbox = useSandbox();
  before(function () {
    requireAwsCli(this);
  });

  const aws = (args: string[], creds: CliCredentials = cliCreds(sandbox.sb, 'prod')) => awsCli(sandbox.sb.endpoint, creds, 'us-east-1', ['organizations', ...args]);

  // Each CLI run is a Python start-up: start them together, then check each.
  const results = new Map<string, Promise<CliResult>>();
  before(() => {
    const runs: Record<string, () => Promise<CliResult>> = {
      describe: () => aws(['describe-organization']),
      accounts: () => aws(['list-accounts']),
      // --page-size makes the CLI send MaxResults 1 and follow every NextToken.
      'accounts-paged': () => aws(['list-accounts', '--page-size', '1']),
      'accounts-first-page': () => aws(['list-accounts', '--max-items', '2']),
      roots: () => aws(['list-roots']),
      'units-of-root': () => aws(['list-organizational-units-for-parent', '--parent-id', ROOT]),
      'units-of-workloads': () => aws(['list-children', '--parent-id', WORKLOADS, '--child-type', 'ORGANIZATIONAL_UNIT']),
      'accounts-of-workloads': () => aws(['list-children', '--parent-id', WORKLOADS, '--child-type', 'ACCOUNT', '--page-size', '1']),
      'accounts-for-development': () => aws(['list-accounts-for-parent', '--parent-id', DEVELOPMENT]),
      'describe-account': () => aws(['describe-account', '--account-id', RETIRED]),
      'no-such-parent': () => aws(['list-children', '--parent-id', 'ou-demo-nosuchunit', '--child-type', 'ACCOUNT']),
      'no-such-account': () => aws(['describe-account', '--account-id', '123456789012']),
      'member-denied': () => aws(['list-accounts'], cliCreds(sandbox.sb, 'dev')),
      // SigV4 is checked as for the other services: a wrong secret is refused before anything is listed.
      'bad-signature': () => aws(['list-accounts'], { ...cliCreds(sandbox.sb, 'prod'), secretAccessKey: 'x'.repeat(40) }),
    };
    for (const [label, start] of Object.entries(runs)) results.set(label, start());
  });
  const result = (label: string): Promise<CliResult> => results.get(label) ?? Promise.reject(new Error(`no CLI run '${label}'`));

  it('describe-organization names the management account', async () => {
    const { Organization } = json(await result('describe'));
    expect(Organization).to.include({ Id: ORG, MasterAccountId: PROD, FeatureSet: 'ALL', Arn: `arn:aws:organizations::${PROD}:organization/${ORG}` });
  });

  it('list-accounts lists every member with its status, suspended included', async () => {
    const { Accounts } = json(await result('accounts'));
    expect(Accounts.map((a: any) => [a.Id, a.Name, a.Status])).to.deep.equal([
      [PROD, 'prod', 'ACTIVE'],
      [DEV, 'dev', 'ACTIVE'],
      [RETIRED, 'retired-sandbox', 'SUSPENDED'],
    ]);
    expect(Accounts[1]).to.include({ Arn: `arn:aws:organizations::${PROD}:account/${ORG}/${DEV}`, Email: 'aws-dev@example.com', JoinedMethod: 'INVITED' });
    // botocore parses JoinedTimestamp (epoch seconds on the wire) into a date.
    expect(String(Accounts[1].JoinedTimestamp)).to.match(/^2023-02-01T00:00:00/);
  });

  it('list-accounts --page-size 1 follows NextToken through every page', async () => {
    const { Accounts } = json(await result('accounts-paged'));
    expect(Accounts.map((a: any) => a.Id)).to.deep.equal([PROD, DEV, RETIRED]);
  });

  it('list-accounts --max-items 2 stops with a NextToken', async () => {
    const out = json(await result('accounts-first-page'));
    expect(out.Accounts).to.have.length(2);
    expect(out.NextToken).to.be.a('string');
  });

  it('list-roots and the OUs under the root and under an OU', async () => {
    expect(json(await result('roots')).Roots).to.deep.equal([{ Id: ROOT, Arn: `arn:aws:organizations::${PROD}:root/${ORG}/${ROOT}`, Name: 'Root', PolicyTypes: [] }]);
    expect(json(await result('units-of-root')).OrganizationalUnits).to.deep.equal([
      { Id: WORKLOADS, Arn: `arn:aws:organizations::${PROD}:ou/${ORG}/${WORKLOADS}`, Name: 'Workloads' },
    ]);
    expect(json(await result('units-of-workloads')).Children).to.deep.equal([{ Id: DEVELOPMENT, Type: 'ORGANIZATIONAL_UNIT' }]);
  });

  it('list-children ACCOUNT and list-accounts-for-parent see only the direct members of a unit', async () => {
    expect(json(await result('accounts-of-workloads')).Children).to.deep.equal([{ Id: RETIRED, Type: 'ACCOUNT' }]);
    expect(json(await result('accounts-for-development')).Accounts.map((a: any) => a.Id)).to.deep.equal([DEV]);
  });

  it('describe-account', async () => {
    expect(json(await result('describe-account')).Account).to.include({ Id: RETIRED, Name: 'retired-sandbox', Status: 'SUSPENDED' });
  });

  it('errors: unknown parent, unknown account, a member account asking, a bad signature', async () => {
    const parent = await result('no-such-parent');
    expect(parent.code).to.not.equal(0);
    expect(parent.stderr).to.contain('ParentNotFoundException');
    const account = await result('no-such-account');
    expect(account.stderr).to.contain('AccountNotFoundException');
    const member = await result('member-denied');
    expect(member.stderr).to.contain('AccessDeniedException');
    const forged = await result('bad-signature');
    expect(forged.code).to.not.equal(0);
    expect(forged.stderr).to.contain('InvalidSignatureException');
  });
});
