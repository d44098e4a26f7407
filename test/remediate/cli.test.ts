/**
 * remediate / rollback / permissions through runCli in-process with fake streams: the IAM policies
 * printed per command, usage errors (exit 2) that happen before any AWS call, and the confirmation
 * prompt. Anything that changes buckets is tested end to end in test/e2e/remediate.test.ts.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { confirm, type PromptIO } from '../../src/cli/interaction.js';
import { parseArgsOf } from '../../src/cli/program.js';
import { rollbackJournalPath } from '../../src/cli/rollback.js';
import { runCli } from '../../src/cli/run.js';
import { packageRoot } from '../../src/paths.js';
import { useSandbox } from '../helpers/sandbox.js';

const parseRemediateArgs = (argv: string[], env: NodeJS.ProcessEnv) => parseArgsOf('remediate', argv, env);
const parseRollbackArgs = (argv: string[], env: NodeJS.ProcessEnv) => parseArgsOf('rollback', argv, env);

const fixture = (name: string): string => resolve(packageRoot(), 'test/fixtures/remediate', name);

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv; stdin?: PromptIO['stdin'] } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: PromptIO = {
    stdout: { write: (t: string) => (stdout += t), isTTY: opts.tty ?? false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: opts.env ?? {},
    stdin: opts.stdin ?? Object.assign(new PassThrough(), { isTTY: opts.tty ?? false }),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

interface Policy {
  Version: string;
  Statement: { Sid: string; Effect: string; Action: string[]; Resource: string | string[] }[];
}

async function policyFor(args: string[]): Promise<Policy> {
  const r = await run(['permissions', ...args]);
  expect(r.code, r.stderr).to.equal(0);
  return JSON.parse(r.stdout) as Policy;
}
// The set of actions granted (object remediation grants some KMS actions in two statements: target and current keys).
const actions = (p: Policy): string[] => [...new Set(p.Statement.flatMap((s) => s.Action))].sort();

describe('remediate: CLI (in-process)', () => {
  describe('permissions', () => {
    it('scan: exactly the read actions the policy file needs', async () => {
      const minimal = await policyFor(['scan', '--policies', fixture('minimal.yaml')]);
      expect(minimal.Version).to.equal('2012-10-17');
      expect(actions(minimal)).to.deep.equal(['s3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:ListAllMyBuckets']);
      const tagged = await policyFor(['scan', '--policies', fixture('tagged.yaml')]);
      // No kms:ListAliases: no rule here reads the key's aliases (only s3-bucket-allowed-keys does).
      expect(actions(tagged)).to.deep.equal([
        'kms:DescribeKey', 'kms:GetKeyRotationStatus',
        's3:GetBucketLocation', 's3:GetBucketTagging', 's3:GetEncryptionConfiguration', 's3:ListAllMyBuckets',
      ]);
    });

    it('remediate: the scan\'s actions, DescribeKey/ListAliases for target keys, and s3:PutEncryptionConfiguration', async () => {
      const p = await policyFor(['remediate', '--policies', fixture('minimal.yaml')]);
      expect(actions(p)).to.deep.equal([
        'kms:DescribeKey', 'kms:ListAliases',
        's3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:ListAllMyBuckets', 's3:PutEncryptionConfiguration',
      ]);
      // No KMS permission beyond describing: writing a general purpose bucket's configuration needs none.
      expect(actions(p).filter((a) => a.startsWith('kms:'))).to.deep.equal(['kms:DescribeKey', 'kms:ListAliases']);
      expect(p.Statement.map((s) => s.Sid)).to.deep.equal(['S3KmsAuditRemediateS3', 'S3KmsAuditRemediateKms']);
    });

    it('remediate on an object policy: HeadObject, s3:UpdateObjectEncryption and the KMS actions its API reference lists', async () => {
      const p = await policyFor(['remediate', '--policies', fixture('objects.yaml')]);
      expect(actions(p)).to.deep.equal([
        'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ListAliases', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
        's3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:GetObject', 's3:GetObjectVersion', 's3:ListAllMyBuckets', 's3:ListBucket',
        's3:UpdateObjectEncryption',
      ]);
    });

    it('rollback: read and write the encryption configuration (buckets) and the objects\' encryption, nothing else; --assume-role adds sts:AssumeRole on those roles', async () => {
      const p = await policyFor(['rollback']);
      // A journal may hold object changes: UpdateObjectEncryption back to the previous key, with the KMS actions its API reference lists.
      expect(actions(p)).to.deep.equal([
        'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
        's3:GetEncryptionConfiguration', 's3:GetObject', 's3:GetObjectVersion', 's3:PutEncryptionConfiguration', 's3:UpdateObjectEncryption',
      ]);
      const roles = ['arn:aws:iam::111122223333:role/Audit', 'arn:aws:iam::444455556666:role/Audit'];
      const withRoles = await policyFor(['rollback', '--assume-role', roles[0]!, '--assume-role', roles[1]!]);
      expect(withRoles.Statement.at(-1)).to.deep.equal({ Sid: 'S3KmsAuditAssumeRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roles });
    });

    it('asks which command, and rejects an unknown one (exit 2)', async () => {
      expect((await run(['permissions'])).code).to.equal(2);
      const r = await run(['permissions', 'delete-everything']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('unknown command "delete-everything"; one of scan, remediate, rollback');
    });
  });

  describe('usage errors stop before any AWS call (exit 2)', () => {
    const ctx = useSandbox();
    const env = (): NodeJS.ProcessEnv => ({ AWS_ENDPOINT_URL: ctx.sb.endpoint });
    let out: string;
    before(() => {
      out = mkdtempSync(join(tmpdir(), 'remediate-cli-'));
    });
    after(() => rmSync(out, { recursive: true, force: true }));

    it('--apply without --yes when stdin is not a terminal', async () => {
      const before = ctx.sb.requestCount();
      const r = await run(['remediate', '--apply', '--out', out, '--policies', fixture('minimal.yaml')], { env: env() });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('stdin is not a terminal, so pass --yes');
      expect(ctx.sb.requestCount()).to.equal(before);
    });

    it('rollback without --yes when stdin is not a terminal, and without a journal', async () => {
      const before = ctx.sb.requestCount();
      // A journal that exists (a run that started and changed nothing): the missing --yes is what is wrong.
      const start = { v: 1, runId: 'r', seq: 1, time: '2026-01-01T00:00:00Z', phase: 'start', kind: 'apply', tool: { name: 's3-kms-audit', version: '0' }, source: 'p', planned: 0 };
      writeFileSync(join(out, 'x.journal.jsonl'), JSON.stringify(start) + '\n');
      expect((await run(['rollback', join(out, 'x.journal.jsonl')], { env: env() })).stderr).to.contain('pass --yes');
      expect((await run(['rollback', '--yes'], { env: env() })).stderr).to.contain('give the journal to roll back');
      const missing = await run(['rollback', join(out, 'missing.journal.jsonl'), '--yes'], { env: env() });
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.contain(`JOURNAL: cannot read "${join(out, 'missing.journal.jsonl')}" (ENOENT): there is no such file.`);
      expect(ctx.sb.requestCount()).to.equal(before);
    });

    describe('a missing file is a sentence naming the file and what to give instead (exit 2, no AWS call)', () => {
      const cases: [string, () => string[], RegExp][] = [
        [
          'remediate --apply --plan missing.json',
          () => ['remediate', '--apply', '--plan', join(out, 'missing.json'), '--out', out],
          /^error: --plan: cannot read ".*missing\.json" \(ENOENT\): there is no such file\. Give the \.plan\.json file a run of "s3-kms-audit remediate" without --apply wrote/m,
        ],
        [
          'rollback missing.jsonl (without --yes: the file is checked first)',
          () => ['rollback', join(out, 'missing.jsonl')],
          /^error: JOURNAL: cannot read ".*missing\.jsonl" \(ENOENT\): there is no such file\. Give the \.journal\.jsonl file "s3-kms-audit remediate --apply" wrote/m,
        ],
        [
          'report missing.json',
          () => ['report', join(out, 'missing.json')],
          /^error: RESULT: cannot read ".*missing\.json" \(ENOENT\): there is no such file\. Give a JSON report written by "s3-kms-audit scan"/m,
        ],
        [
          'scan --baseline missing.json',
          () => ['scan', '--baseline', join(out, 'missing.json'), '--policies', resolve(packageRoot(), 'policies.yaml'), '--out', out],
          /^error: --baseline: cannot read ".*missing\.json" \(ENOENT\): there is no such file\. Give the JSON report of an earlier scan .*or leave --baseline out on a first run\./m,
        ],
        [
          'a folder given as the plan',
          () => ['remediate', '--apply', '--yes', '--plan', out, '--out', out],
          /^error: --plan: cannot read ".*" \(EISDIR\): it is a folder, not a file\. Give the \.plan\.json file/m,
        ],
      ];
      for (const [what, argv, message] of cases) {
        it(what, async () => {
          const before = ctx.sb.requestCount();
          const r = await run(argv(), { env: env() });
          expect(r.code, r.stderr).to.equal(2);
          expect(r.stderr).to.match(message);
          expect(r.stderr).to.contain('--help" for usage.');
          expect(r.stderr).to.not.match(/^\s*at /m);
          expect(ctx.sb.requestCount()).to.equal(before);
        });
      }
    });

    it('an invalid saved plan, a journal name already used, and flags that do not go together', async () => {
      const before = ctx.sb.requestCount();
      const planPath = join(out, 'bad.plan.json');
      writeFileSync(planPath, JSON.stringify({ schemaVersion: 1, kind: 's3-kms-audit/remediation-plan', changes: 'all of them' }));
      const bad = await run(['remediate', '--apply', '--yes', '--plan', planPath, '--out', out], { env: env() });
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('is not a valid remediation plan');
      writeFileSync(join(out, 'taken.journal.jsonl'), '');
      const taken = await run(['remediate', '--apply', '--yes', '--name', 'taken', '--out', out, '--policies', fixture('minimal.yaml')], { env: env() });
      expect(taken.code).to.equal(2);
      expect(taken.stderr).to.contain('already exists: choose another --name');
      expect(() => parseRemediateArgs(['--plan', planPath], {})).to.throw(/add --apply/);
      // A saved plan is checked against the policy file given now: --policies goes with --plan.
      expect(parseRemediateArgs(['--apply', '--plan', planPath, '--policies', 'p.yaml'], {})).to.deep.include({ plan: planPath, policies: 'p.yaml' });
      const goodPlan = join(out, 'good.plan.json');
      writeFileSync(goodPlan, JSON.stringify({
        schemaVersion: 1, kind: 's3-kms-audit/remediation-plan', tool: { name: 's3-kms-audit', version: '0' },
        run: { id: 'r', created: '2026-01-01T00:00:00.000Z', policyFile: 'p.yaml', policyFileSha256: '0'.repeat(64), accounts: [], scanComplete: true },
        limit: { maxChanges: 25, exceeded: false }, changes: [], refusals: [],
      }));
      const noPolicy = await run(['remediate', '--apply', '--yes', '--plan', goodPlan, '--policies', join(out, 'missing.yaml'), '--out', out], { env: env() });
      expect(noPolicy.code, noPolicy.stderr).to.equal(2);
      expect(() => parseRemediateArgs(['--max-changes', '0'], {})).to.throw(/--max-changes: "0"/);
      expect(ctx.sb.requestCount()).to.equal(before);
    });

    it('parses the shared AWS flags the same way as scan', () => {
      const a = parseRemediateArgs(['--region', 'eu-west-1', '--assume-role', 'arn:aws:iam::444455556666:role/Audit', '--max-attempts', '3'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
      expect(a).to.deep.include({ region: 'eu-west-1', assumeRoles: ['arn:aws:iam::444455556666:role/Audit'], maxAttempts: 3, endpointUrl: 'http://127.0.0.1:1', maxChanges: 25 });
      expect(() => parseRollbackArgs(['j.jsonl', '--region', 'mars'], {})).to.throw(/--region/);
      expect(rollbackJournalPath('reports/nightly.journal.jsonl', new Date('2026-03-04T05:06:07.890Z'))).to.equal('reports/nightly.journal.rollback-20260304T050607Z.jsonl');
    });
  });

  describe('confirmation prompt', () => {
    const ask = async (answer: string | null): Promise<boolean> => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true });
      let shown = '';
      const io: PromptIO = { stdout: { write: (t: string) => (shown += t), isTTY: true }, stderr: { write: () => true }, env: {}, stdin };
      const pending = confirm('Apply 3 changes?', io);
      if (answer === null) stdin.end();
      else stdin.write(answer);
      const result = await pending;
      expect(shown).to.equal('Apply 3 changes? [y/N] ');
      return result;
    };

    it('only y or yes (any case) is yes; anything else, or end of input, is no', async () => {
      expect(await ask('y\n')).to.equal(true);
      expect(await ask('YES\n')).to.equal(true);
      expect(await ask('\n')).to.equal(false);
      expect(await ask('no\n')).to.equal(false);
      expect(await ask('sure\n')).to.equal(false);
      expect(await ask(null)).to.equal(false);
    });
  });
});
