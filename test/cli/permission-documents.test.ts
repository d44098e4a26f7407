/**
 * What `permissions` prints, in-process: the KMS actions S3 uses on the caller's behalf (UpdateObjectEncryption)
 * are allowed only through S3 (kms:ViaService) and, for remediate, on the target keys the policy file names;
 * the reads the tool calls itself stay on "*"; every document is IAM's grammar, and our own wrapper keys are
 * camelCase in every command.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const CRYPTO = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;

async function printed(argv: string[]): Promise<unknown> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
  const code = await runCli(['permissions', ...argv], io);
  expect(code, stderr).to.equal(0);
  return JSON.parse(stdout) as unknown;
}

const actionsOf = (s: Statement): string[] => [s.Action].flat();
const bySid = (p: Policy, sid: string): Statement => {
  const s = p.Statement.find((x) => x.Sid === sid);
  if (!s) expect.fail(`no statement ${sid} in ${p.Statement.map((x) => x.Sid).join(', ')}`);
  return s;
};

describe('cli: permissions documents', () => {
  let dir: string;
  const policyFile = (name: string, remediation: string): string => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `version: 1
policies:
  - name: objects
    resource: object
    scope: { include: ["*"] }
    objects: { mode: full }
    rules: [s3-object-sse-kms]
    remediation: ${remediation}
`,
    );
    return file;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'permission-docs-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('remediate: no KMS action S3 uses is allowed on "*" outside S3', async () => {
    const p = (await printed(['remediate', '--policies', policyFile('alias', '{ kmsKeyId: { us-east-1: alias/prod-data } }')])) as Policy;
    for (const s of p.Statement.filter((x) => actionsOf(x).some((a) => CRYPTO.includes(a)))) {
      expect(s.Condition?.['StringEquals']?.['kms:ViaService'] ?? s.Condition?.['StringLike']?.['kms:ViaService'], s.Sid).to.not.equal(undefined);
    }
    // The reads the tool calls itself: on "*" (ListAliases accepts nothing else), and nothing more.
    expect(bySid(p, 'S3KmsAuditRemediateKms')).to.deep.equal({ Sid: 'S3KmsAuditRemediateKms', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:ListAliases'], Resource: '*' });
  });

  it('remediate: an alias target is matched with kms:ResourceAliases on the keys of its Region, through S3 in that Region', async () => {
    const p = (await printed(['remediate', '--policies', policyFile('alias', '{ kmsKeyId: { us-east-1: alias/prod-data } }')])) as Policy;
    expect(bySid(p, 'S3KmsAuditRemediateTargetKeyAliases')).to.deep.equal({
      Sid: 'S3KmsAuditRemediateTargetKeyAliases',
      Effect: 'Allow',
      Action: CRYPTO,
      Resource: 'arn:aws:kms:us-east-1:*:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/prod-data'] } },
    });
    // The objects' current keys are what the scan finds: only the actions that read their data keys, on any key, through S3.
    expect(bySid(p, 'S3KmsAuditRemediateCurrentKeys')).to.deep.equal({
      Sid: 'S3KmsAuditRemediateCurrentKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
  });

  it('remediate: key ARNs as they are, a key id as the ARN of its Region in any account', async () => {
    const p = (await printed(['remediate', '--policies', policyFile('keys', `{ kmsKeyId: { eu-west-1: "${KEY_ARN}", us-east-1: ${KEY_ID} } }`)])) as Policy;
    const targets = bySid(p, 'S3KmsAuditRemediateTargetKeys');
    expect(targets.Resource).to.deep.equal([KEY_ARN, `arn:aws:kms:us-east-1:*:key/${KEY_ID}`]);
    expect(targets.Condition).to.deep.equal({ StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 's3.us-east-1.amazonaws.com'] } });
    expect(p.Statement.map((s) => s.Sid)).to.not.include('S3KmsAuditRemediateTargetKeyAliases');
  });

  it('remediate: an alias ARN: the keys of its account and Region that carry the alias', async () => {
    const p = (await printed(['remediate', '--policies', policyFile('alias-arn', '{ kmsKeyId: { eu-west-1: "arn:aws:kms:eu-west-1:111122223333:alias/prod-eu" } }')])) as Policy;
    const aliases = bySid(p, 'S3KmsAuditRemediateTargetKeyAliases');
    expect(aliases.Resource).to.equal('arn:aws:kms:eu-west-1:111122223333:key/*');
    expect(aliases.Condition?.['ForAnyValue:StringEquals']).to.deep.equal({ 'kms:ResourceAliases': ['alias/prod-eu'] });
  });

  it('remediate: a target for any Region (one spelling, no map) allows S3 in any Region', async () => {
    const p = (await printed(['remediate', '--policies', policyFile('any', '{ kmsKeyId: alias/prod-data }')])) as Policy;
    const aliases = bySid(p, 'S3KmsAuditRemediateTargetKeyAliases');
    expect(aliases.Resource).to.equal('arn:aws:kms:*:*:key/*');
    expect(aliases.Condition?.['StringLike']).to.deep.equal({ 'kms:ViaService': 's3.*.amazonaws.com' });
  });

  it('rollback: the journal\'s keys are not known offline: any key, only through S3', async () => {
    const p = (await printed(['rollback'])) as Policy;
    expect(bySid(p, 'S3KmsAuditRollbackKmsThroughS3')).to.deep.equal({
      Sid: 'S3KmsAuditRollbackKmsThroughS3',
      Effect: 'Allow',
      Action: CRYPTO,
      Resource: '*',
      Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
    });
  });

  it('scan: the KMS reads unchanged, on "*" without a condition', async () => {
    const p = (await printed(['scan', '--policies', policyFile('scan', '{ kmsKeyId: alias/prod-data }')])) as Policy;
    for (const s of p.Statement) expect(s, s.Sid).to.not.have.property('Condition');
    expect(p.Statement.every((s) => s.Resource === '*')).to.equal(true);
  });

  it('every IAM document in exactly IAM\'s grammar; our own wrapper keys camelCase, in batch as in --organization', async () => {
    const iamDocument = (doc: unknown, where: string): void => {
      const d = doc as Policy;
      expect(Object.keys(d), where).to.deep.equal(['Version', 'Statement']);
      for (const s of d.Statement) {
        for (const k of Object.keys(s)) expect(['Sid', 'Effect', 'Principal', 'Action', 'Resource', 'Condition'], `${where}: ${k}`).to.include(k);
      }
    };
    for (const command of ['scan', 'remediate', 'rollback']) iamDocument(await printed([command, '--policies', policyFile('g', '{ kmsKeyId: alias/prod-data }')]), command);
    const wrappers = [
      (await printed(['batch'])) as Record<string, unknown>,
      (await printed(['scan', '--policies', policyFile('g', '{ kmsKeyId: alias/prod-data }'), '--organization', '--role-name', 'S3KmsAuditRole', '--trusted-principal', 'arn:aws:iam::123456789012:role/Scanner'])) as Record<string, unknown>,
    ];
    for (const wrapper of wrappers) {
      for (const [key, doc] of Object.entries(wrapper)) {
        expect(key).to.match(/^[a-z][A-Za-z]*$/);
        iamDocument(doc, key);
      }
    }
  });
});
