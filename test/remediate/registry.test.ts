/**
 * The remediation action registry: every action declares what it is and what it needs; every rule names
 * a registered action; and a second action, registered only here, is planned, applied, journaled and
 * rolled back by the generic code without any change to it — the proof that nothing generic names an action.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules } from '../../src/config/rules.js';
import { UsageError } from '../../src/domain/errors.js';
import type { FactError } from '../../src/domain/facts.js';
import type { Finding } from '../../src/domain/finding.js';
import type { PolicyFile } from '../../src/domain/policy.js';
import { builtinRulesDir } from '../../src/paths.js';
import type { RemediationAction } from '../../src/remediate/action.js';
import { BUILTIN_ACTIONS } from '../../src/remediate/actions/index.js';
import { applyPlan } from '../../src/remediate/apply.js';
import { JournalWriter, readJournal } from '../../src/remediate/journal.js';
import { parsePlan } from '../../src/remediate/plan-file.js';
import { planRemediation, toPlanFinding } from '../../src/remediate/plan.js';
import { ActionRegistry } from '../../src/remediate/registry.js';
import { restoreTargets, rollbackJournal } from '../../src/remediate/rollback.js';
import type { ChangeBase, IntentRecord } from '../../src/remediate/types.js';
import { renderPlan } from '../../src/report/remediation.js';
import { validatorFor } from '../../src/schema/ajv.js';

const ACCOUNT = '111122223333';
const IAM_ACTION = /^[a-z0-9]+:[A-Za-z0-9]+$/;

describe('remediate: the action registry', () => {
  describe('every registered action declares its fields', () => {
    for (const action of BUILTIN_ACTIONS.actions) {
      const d = action.descriptor;
      it(d.id, () => {
        expect(d.id).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(d.title).to.be.a('string').and.not.equal('');
        expect(['bucket', 'object']).to.include(d.resource);
        expect(d.fixes).to.be.an('array').that.is.not.empty;
        expect(() => validatorFor(d.params), 'params is a JSON Schema the shared Ajv compiles').to.not.throw();
        const p = action.permissions;
        expect(p.planAspects).to.be.an('array');
        for (const step of [p.apply, p.rollback]) {
          expect(step).to.be.an('array').that.is.not.empty;
          for (const perm of step) {
            expect(perm.operation).to.match(/^[A-Z][A-Za-z]+$/);
            expect(perm.iamAction).to.match(IAM_ACTION);
            expect(perm.citation, `${perm.operation} cites its source`).to.be.a('string').and.not.equal('');
          }
        }
        for (const fn of ['plan', 'changeSteps', 'restoreSteps', 'isState', 'describeState', 'describeChange'] as const) expect(action[fn]).to.be.a('function');
      });
    }
  });

  it("every rule's remediation names a registered action of its resource type that declares it, and back", () => {
    const rules = loadRules([builtinRulesDir()]);
    for (const rule of rules.values()) {
      if (rule.remediation === undefined) continue;
      expect(BUILTIN_ACTIONS.has(rule.remediation), `${rule.id} -> ${rule.remediation}`).to.equal(true);
      const d = BUILTIN_ACTIONS.of({ action: rule.remediation }).descriptor;
      expect(d.resource, rule.id).to.equal(rule.resource);
      expect(d.fixes, rule.id).to.include(rule.id);
    }
    for (const action of BUILTIN_ACTIONS.actions) {
      for (const id of action.descriptor.fixes) expect(rules.get(id)?.remediation, `${action.descriptor.id} fixes ${id}`).to.equal(action.descriptor.id);
    }
  });

  it('records without an action id (written before actions had ids) are the legacy default action; unknown ids are refused', () => {
    expect(BUILTIN_ACTIONS.idOf({})).to.equal('put-bucket-encryption');
    expect(BUILTIN_ACTIONS.of({}).descriptor.id).to.equal('put-bucket-encryption');
    expect(() => BUILTIN_ACTIONS.of({ action: 'no-such-action' })).to.throw(UsageError, /unknown remediation action "no-such-action"/);
    expect(() => new ActionRegistry(BUILTIN_ACTIONS.actions, 'no-such-action')).to.throw(/legacy default/);
  });

  it('a saved plan whose changes have no action parses (schemaVersion 1); an unknown action is a usage error', () => {
    const config = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-east-1:111122223333:key/k' }, BucketKeyEnabled: true }] };
    const change = {
      id: 'c1', account: ACCOUNT, region: 'us-east-1', bucket: 'b', arn: 'arn:aws:s3:::b', kind: 'policy-target', before: 'none', after: config,
      key: { arn: 'arn:aws:kms:us-east-1:111122223333:key/k', spelling: 'alias/k', aliases: [], account: ACCOUNT, region: 'us-east-1', manager: 'CUSTOMER', state: 'Enabled' },
      policies: ['p'], requireCustomerManaged: false, fixes: [], stillFailing: [],
    };
    const plan = (changes: object[]) => JSON.stringify({
      schemaVersion: 1, kind: 's3-kms-audit/remediation-plan', tool: { name: 's3-kms-audit', version: '0.0.0' },
      run: { id: 'r', created: '2026-01-01T00:00:00.000Z', policyFile: 'p', policyFileSha256: '0'.repeat(64), accounts: [ACCOUNT], scanComplete: true },
      limit: { maxChanges: 25, exceeded: false }, changes, refusals: [],
    });
    expect(parsePlan(plan([change]), 'legacy.plan.json').changes[0]!.action).to.equal(undefined);
    expect(parsePlan(plan([{ action: 'put-bucket-encryption', ...change }]), 'new.plan.json').changes).to.have.length(1);
    expect(() => parsePlan(plan([{ action: 'no-such-action', ...change }]), 'x.plan.json')).to.throw(UsageError, /unknown remediation action "no-such-action"/);
  });
});

// ---------------------------------------------------------------------------------------------
// A second action, of resource `object`, registered only in this test.

type ObjectState = { sse: string };

interface ObjectChange extends ChangeBase {
  before: ObjectState;
  after: ObjectState;
}

/** An in-memory object store standing in for S3: the fake action reads and writes it. */
function fakeObjectAction(store: Map<string, ObjectState>, calls: string[]): RemediationAction<ObjectChange, ObjectState> {
  const ref = (p: { bucket: string; object?: { key: string } }): string => `${p.bucket}/${p.object!.key}`;
  const write = async (p: { bucket: string; object?: { key: string } }, wanted: ObjectState): Promise<FactError | undefined> => {
    calls.push(`write ${ref(p)} ${wanted.sse}`);
    store.set(ref(p), wanted);
    return undefined;
  };
  const read = async (p: { bucket: string; object?: { key: string } }): Promise<ObjectState> => ({ ...store.get(ref(p))! });
  const mismatch = (s: ObjectState) => ({ code: 'VerificationMismatch', operation: 'HeadObject', message: `read back ${s.sse}` });
  return {
    descriptor: { id: 'fake-object-encryption', title: 'Re-encrypts an object (test double)', resource: 'object', fixes: ['s3-object-sse-kms'], params: { type: 'object' } },
    permissions: {
      planAspects: ['object'],
      apply: [{ operation: 'UpdateObjectEncryption', iamAction: 's3:PutObject', citation: 'test double' }],
      rollback: [{ operation: 'UpdateObjectEncryption', iamAction: 's3:PutObject', citation: 'test double' }],
    },
    async plan({ findings, rules }) {
      const failing = findings.filter((f) => f.status === 'fail' && rules.get(f.rule)?.remediation === 'fake-object-encryption');
      return {
        changes: failing.map((f) => ({
          id: `change-${f.resource.key}`,
          account: f.resource.account,
          region: f.resource.region,
          bucket: f.resource.bucket,
          object: { key: f.resource.key! },
          arn: f.resource.arn,
          before: store.get(`${f.resource.bucket}/${f.resource.key}`)!,
          after: { sse: 'aws:kms' },
          policies: [f.policy],
          fixes: [toPlanFinding(f)],
          stillFailing: [],
        })),
        refusals: [],
      };
    },
    changeSteps: () => ({
      write,
      read,
      mismatch,
      async prepare(change) {
        const current = await read(change);
        return current.sse === change.before.sse ? { current } : { status: 'drifted', detail: `now ${current.sse}` };
      },
      verified: (readBack, change) => readBack.sse === change.after.sse,
    }),
    restoreSteps: () => ({ write, read, mismatch, current: async (p) => ({ current: await read(p) }), matches: (a, b) => a.sse === b.sse, inexact: () => undefined }),
    isState: (v: unknown): v is ObjectState => typeof v === 'object' && v !== null && typeof (v as ObjectState).sse === 'string',
    describeState: (s) => s.sse,
    describeChange: (c) => ({ fields: [['now', c.before.sse], ['new', c.after.sse]] }),
  };
}

describe('remediate: a second action goes through the generic plan, apply, journal and rollback unchanged', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kms-actions-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('plans, applies, verifies and rolls back an object change, each record naming the action', async () => {
    const store = new Map<string, ObjectState>([['data/a.csv', { sse: 'AES256' }], ['data/b.csv', { sse: 'aws:kms' }]]);
    const calls: string[] = [];
    const fake = fakeObjectAction(store, calls);
    const registry = new ActionRegistry([...BUILTIN_ACTIONS.actions, fake as unknown as RemediationAction], BUILTIN_ACTIONS.idOf({}));

    const rules = loadRules([builtinRulesDir()], registry.catalogue());
    // A user's copy of the object rule that names the fake action (its descriptor declares that it fixes it).
    rules.set('s3-object-sse-kms', { ...rules.get('s3-object-sse-kms')!, remediation: 'fake-object-encryption' });
    const policyFile: PolicyFile = { version: 1, path: 'p.yaml', sha256: '0'.repeat(64), exceptions: [], policies: [{ name: 'objects', resource: 'object', scope: {}, rules: [{ id: 's3-object-sse-kms' }] }] };
    const resource = { type: 'object' as const, arn: 'arn:aws:s3:::data/a.csv', account: ACCOUNT, region: 'us-east-1', bucket: 'data', key: 'a.csv' };
    const findings: Finding[] = [
      { id: 'f1', policy: 'objects', rule: 's3-object-sse-kms', severity: 'high', status: 'fail', resource, message: 'AES256', evidence: {} },
      { id: 'f2', policy: 'objects', rule: 's3-object-sse-kms', severity: 'high', status: 'pass', resource: { ...resource, arn: 'arn:aws:s3:::data/b.csv', key: 'b.csv' }, message: 'ok', evidence: {} },
    ];
    const run = { id: 'run-1', created: '2026-01-01T00:00:00.000Z', policyFile: 'p.yaml', policyFileSha256: '0'.repeat(64), accounts: [ACCOUNT], scanComplete: true };

    const plan = await planRemediation({ policyFile, rules, findings, sessions: [], concurrency: 1 }, { maxChanges: 25, run, tool: { name: 's3-kms-audit', version: 'test' } }, registry.actions);
    expect(plan.changes.map((c) => [c.action, c.bucket, c.object?.key])).to.deep.equal([['fake-object-encryption', 'data', 'a.csv']]);
    expect(plan.refusals).to.deep.equal([]);
    expect(renderPlan(plan, {}, registry)).to.contain('data/a.csv · account 111122223333 · us-east-1').and.contain('AES256');

    const journalPath = join(dir, 'fake.journal.jsonl');
    const journal = await JournalWriter.create(journalPath, 'apply-1');
    const applied = await applyPlan({ plan, sessions: [], journal, concurrency: 1, toolVersion: 'test', actions: registry });
    await journal.close();
    expect(applied).to.include({ planned: 1, applied: 1, verified: 1, failed: 0, refused: 0 });
    expect(store.get('data/a.csv')).to.deep.equal({ sse: 'aws:kms' });

    // The built-in registry does not know the action: its journal is refused, not misread as a bucket's.
    try {
      await readJournal(journalPath);
      expect.fail('expected a UsageError');
    } catch (e) {
      expect(e).to.be.instanceOf(UsageError);
      expect((e as Error).message).to.contain('unknown remediation action "fake-object-encryption"');
    }
    const { records } = await readJournal(journalPath, registry);
    const intent = records.find((r): r is IntentRecord => r.phase === 'intent')!;
    expect(intent).to.deep.include({ action: 'fake-object-encryption', bucket: 'data', object: { key: 'a.csv' }, before: { sse: 'AES256' }, after: { sse: 'aws:kms' } });

    const targets = restoreTargets(records);
    expect(targets.map((t) => [t.action, t.object?.key])).to.deep.equal([['fake-object-encryption', 'a.csv']]);
    const rollback = await JournalWriter.create(join(dir, 'fake.rollback.jsonl'), 'rollback-1');
    const restored = await rollbackJournal({ targets, sessions: [], journal: rollback, source: journalPath, concurrency: 1, force: false, toolVersion: 'test', actions: registry });
    await rollback.close();
    expect(restored).to.include({ buckets: 1, restored: 1, failed: 0, skipped: 0 });
    expect(store.get('data/a.csv')).to.deep.equal({ sse: 'AES256' });
    expect(calls).to.deep.equal(['write data/a.csv aws:kms', 'write data/a.csv AES256']);
  });
});
