/**
 * docs/iam.md agrees with what `permissions` prints: each row of its object table lists exactly the actions
 * the command adds for that kind of object policy, and every IAM action the page names is one some
 * `permissions` output prints (and every one printed is on the page).
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { batchPolicies, commandActions } from '../../src/cli/permissions.js';
import { organizationPermissions } from '../../src/cli/organization-permissions.js';
import { packageRoot } from '../../src/paths.js';

// Without its fenced examples: their ``` would pair with the code spans' backticks.
const page = readFileSync(resolve(packageRoot(), 'docs/iam.md'), 'utf8').replace(/```[\s\S]*?```/g, '');
const IAM_ACTION = /^[a-z0-9-]+:[A-Z][A-Za-z]+$/;
/** The IAM actions named in code spans of `text`. */
const actionsIn = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((t) => IAM_ACTION.test(t));

/** The object table's rows: "object policy / command" → the actions of its third column. */
function objectTable(): Map<string, string[]> {
  const section = page.slice(page.indexOf('### Object audits and object remediation'));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| object policy') && !l.startsWith('|---'));
  return new Map(
    rows.map((row) => {
      const [policy, command, actions] = row.slice(2).split(' | ');
      return [`${policy} / ${command}`, actionsIn(actions!)] as const;
    }),
  );
}

type Printed = (command: 'scan' | 'remediate' | 'rollback', objects?: string) => string[];
const policyActions = (doc: unknown): string[] => (doc as { Statement: { Action: string | string[] }[] }).Statement.flatMap((s) => [s.Action].flat());
const added = (withObjects: string[], base: string[]): string[] => withObjects.filter((a) => !base.includes(a));

describe('docs/iam.md against what `permissions` prints', () => {
  let dir: string;
  let printed: Printed;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'iam-doc-'));
    // A bucket policy only (the base the object table adds to), or that and an object policy with `objects`.
    const bucketPolicy = `  - name: buckets\n    resource: bucket\n    rules: [s3-bucket-sse-kms]\n    remediation: { kmsKeyId: alias/prod-data }\n`;
    const objectPolicy = (objects: string): string =>
      `  - name: objects\n    resource: object\n    scope: { include: ["*"] }\n    objects: ${objects}\n    rules: [s3-object-sse-kms]\n    remediation: { kmsKeyId: { us-east-1: alias/prod-data } }\n`;
    let n = 0;
    printed = (command, objects) => {
      const file = join(dir, `p${n++}.yaml`);
      writeFileSync(file, `version: 1\npolicies:\n${objects === undefined ? bucketPolicy : objectPolicy(objects)}`);
      return commandActions(command, { policies: file, rules: [] });
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('each row of the object table lists exactly what the command adds', () => {
    const expected: Record<string, () => string[]> = {
      '`mode: sample`, `full` or `incremental` / `scan`': () => added(printed('scan', '{ mode: full }'), printed('scan')),
      '`versions: true` / `scan`': () => added(printed('scan', '{ mode: full, versions: true }'), printed('scan')),
      '`mode: inventory` / `scan`': () => added(printed('scan', '{ mode: inventory }'), printed('scan')),
      '`mode: metadata` / `scan`': () => added(printed('scan', '{ mode: metadata, athena: { outputLocation: "s3://results/" } }'), printed('scan')),
      'with `remediation:` / `remediate --objects`': () => added(printed('remediate', '{ mode: full }'), printed('remediate')),
      // The bucket actions of rollback are in the table above the object table.
      '— / `rollback` (a journal of object changes)': () => added(printed('rollback'), ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration']),
      '— / `remediate --batch`, `status` (`callerPolicy` of `permissions batch`)': () => policyActions(batchPolicies()['callerPolicy']),
      '— / the job\'s role, `--role-arn` (`batchOperationsRolePolicy`)': () => policyActions(batchPolicies()['batchOperationsRolePolicy']),
    };
    const table = objectTable();
    expect([...table.keys()]).to.have.members(Object.keys(expected));
    for (const [row, actions] of table) expect([...new Set(actions)].sort(), row).to.deep.equal([...new Set(expected[row]!())].sort());
    // The three list modes need the same.
    expect(added(printed('scan', '{ mode: sample }'), printed('scan'))).to.have.members(table.get('`mode: sample`, `full` or `incremental` / `scan`')!);
    expect(added(printed('scan', '{ mode: incremental }'), printed('scan'))).to.have.members(table.get('`mode: sample`, `full` or `incremental` / `scan`')!);
  });

  it('names no IAM action that `permissions` never prints, and misses none it prints', () => {
    const fixtures = resolve(packageRoot(), 'test/fixtures/remediate');
    const everything = new Set<string>([
      ...['scan', 'remediate', 'rollback'].flatMap((c) => commandActions(c as 'scan', { policies: resolve(packageRoot(), 'policies.yaml'), rules: [] })),
      ...['scan', 'remediate'].flatMap((c) => commandActions(c as 'scan', { policies: join(fixtures, 'tagged.yaml'), rules: [] })),
      ...['{ mode: full, versions: true }', '{ mode: inventory }', '{ mode: metadata, athena: { outputLocation: "s3://results/" } }'].flatMap((o) => [...printed('scan', o), ...printed('remediate', o)]),
      ...printed('rollback'),
      ...Object.values(batchPolicies()).flatMap(policyActions),
      ...Object.values(organizationPermissions({ Version: '2012-10-17', Statement: [] }, 'R', 'arn:aws:iam::123456789012:root')).flatMap(policyActions),
      'sts:AssumeRole',
    ]);
    // Named on the page without being granted: needs no permission, or a condition key.
    const notActions = new Set(['sts:GetCallerIdentity', 'iam:PassedToService', 'aws:SourceAccount', 'kms:ViaService', 'kms:ResourceAliases', 'kms:RequestAlias']);
    const named = new Set(actionsIn(page).filter((a) => !notActions.has(a)));
    expect([...named].filter((a) => !everything.has(a)), 'named in docs/iam.md, never printed').to.deep.equal([]);
    const organizationOnly = (a: string): boolean => a.startsWith('organizations:'); // documented in organizations.md
    expect([...everything].filter((a) => !named.has(a) && !organizationOnly(a)), 'printed, missing from docs/iam.md').to.deep.equal([]);
  });
});
