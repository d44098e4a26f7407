/**
 * `npm start` runs end to end, and its JSON report has the expected outcome for every
 * bucket of the demo estate. The table below is the demo estate's design (src/sandbox/estates/demo.yaml)
 * read through the repo's policies.yaml; each cell was derived from the rule's definition, not
 * copied from a run.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { AuditReport } from '../../src/domain/report.js';

// Columns: kms-baseline sse-kms, prod-customer-managed-keys cmk, allowed-keys, kms-baseline key-usable,
// prod-customer-managed-keys key-rotation, kms-baseline bucket-key, pci-data cmk, sse-c-blocked sse-c-blocked
// (P only where the demo estate sets BlockedEncryptionTypes [SSE-C]; dev-cmk sets [NONE]).
// P pass · F fail · E error · - skip · X excepted · . rule not applied (bucket out of the policy's scope)
const EXPECTED: Record<string, string> = {
  'dev-aws-managed':       'P . . P . P . F',
  'dev-cmk':               'P . . P . P . F',
  'dev-cross-account-key': 'P . . P . P . F',
  'dev-generated':         'P . . P . P . F',
  'dev-legacy':            'F . . - . - . F',
  'dev-sse-s3':            'F . . - . - . F',
  'prod-access-denied':    'E E E E E E . E',
  'prod-ap-cmk':           'P P P P P P . P',
  'prod-archive-expired':  'F F F - - - . F',
  'prod-aws-managed':      'P F F P - P . F',
  'prod-aws-s3-alias':     'P F F P - P . F',
  'prod-bucket-key-off':   'P P P P P F . F',
  'prod-cmk-by-alias':     'P P P P P P . F',
  'prod-cmk-by-alias-arn': 'P P P P P P . F',
  'prod-cmk-by-arn':       'P P P P P P . F',
  'prod-cmk-by-id':        'P P P P P P . F',
  'prod-disabled-key':     'P P F F P P . F',
  'prod-dsse':             'P P P P P - . F',
  'prod-eu-cmk':           'P P P P P P . F',
  // allowed-keys F: the list names alias/prod-data, which for this eu-west-1 bucket is the eu-west-1 alias of
  // its own account; the us-east-1 key it uses matches only by ARN (a bare alias name is relative to the bucket).
  'prod-key-other-region': 'P P F F P P . F',
  'prod-legacy-eu':        'F F F - - - . F',
  'prod-legacy-none':      'F F F - - - . F',
  'prod-logs-excepted':    'X X X - - - . F',
  'prod-missing-key':      'P F F F - P . F',
  'prod-objects-mixed':    'P P P P P P . F',
  'prod-pci-aws-managed':  'P F F P - P F F',
  'prod-pci-cmk':          'P P P P P P P P',
  // key-rotation F: GetKeyRotationStatus answers false while a key is pending deletion (read, not assumed).
  'prod-pending-deletion': 'P P F F F P . F',
  'prod-rotation-off':     'P P F P F P . F',
  'prod-scratch-key':      'P P F P P P . F',
  'prod-sse-s3':           'F F F - - - . F',
};

const COLUMNS: [policy: string, rule: string][] = [
  ['kms-baseline', 's3-bucket-sse-kms'],
  ['prod-customer-managed-keys', 's3-bucket-cmk'],
  ['prod-customer-managed-keys', 's3-bucket-allowed-keys'],
  ['kms-baseline', 's3-bucket-key-usable'],
  ['prod-customer-managed-keys', 's3-bucket-key-rotation'],
  ['kms-baseline', 's3-bucket-bucket-key'],
  ['pci-data', 's3-bucket-cmk'],
  ['sse-c-blocked', 's3-bucket-sse-c-blocked'],
];
const LETTER: Record<string, string> = { pass: 'P', fail: 'F', error: 'E', skip: '-', excepted: 'X' };

describe('npm start (the demo)', function () {
  this.timeout(120_000);
  let out: string;
  let report: AuditReport;
  let stdout = '';
  let code: number | null;

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 's3-kms-audit-demo-'));
    const child = spawn(process.execPath, [resolve(packageRoot(), 'dist/src/cli/demo.js'), '--out', out], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    code = await new Promise((r) => child.on('close', r));
    report = JSON.parse(readFileSync(join(out, 'demo.json'), 'utf8')) as AuditReport;
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('exits 0 and prints the summary, the gate decision and the report path', () => {
    expect(code, stdout).to.equal(0);
    expect(stdout).to.match(/Gate: FAILED \(exit 1, fail-on high\)/);
    expect(stdout).to.include(join(out, 'demo.json'));
    expect(stdout).to.include('prod-access-denied');
  });

  it('fits on two screens (at most 120 lines), leads with the decision and ends with it and the report paths', () => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length, stdout).to.be.at.most(120);
    const gate = lines.findIndex((l) => l.startsWith('Gate: FAILED'));
    const firstFinding = lines.findIndex((l) => /^ {2}(FAIL|ERROR) /.test(l));
    expect(gate).to.be.greaterThan(0).and.lessThan(firstFinding);
    expect(lines.at(-2)).to.match(/^Demo done: scan exit code 1 \(gate failed/);
    expect(lines.at(-1)).to.match(/^Reports: .*demo\.\{json,html,md,junit\.xml,sarif,csv\} and the plan .*demo-remediation\.plan\.json$/);
  });

  it('audits both accounts in all three regions', () => {
    expect(report.run.accounts).to.deep.equal(['111122223333', '444455556666']);
    expect(report.run.regions).to.deep.equal(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    expect(report.run.complete).to.equal(false);
    expect(report.summary.gate.exitCode).to.equal(1);
  });

  it('has the designed outcome for every bucket of the demo estate', () => {
    const bucketFindings = report.findings.filter((f) => f.resource.type === 'bucket');
    const seenBuckets = [...new Set(bucketFindings.map((f) => f.resource.bucket))].sort();
    expect(seenBuckets).to.deep.equal(Object.keys(EXPECTED).sort());
    const actual: Record<string, string> = {};
    for (const bucket of seenBuckets) {
      actual[bucket] = COLUMNS.map(([policy, rule]) => {
        const matches = bucketFindings.filter((f) => f.resource.bucket === bucket && f.policy === policy && f.rule === rule);
        expect(matches.length, `${bucket} ${policy} ${rule}`).to.be.at.most(1);
        return matches[0] ? LETTER[matches[0].status] : '.';
      }).join(' ');
    }
    expect(actual).to.deep.equal(EXPECTED);
  });

  it('keeps the cause of every error and the reason of every exception', () => {
    for (const f of report.findings.filter((x) => x.status === 'error')) {
      // Buckets: prod-access-denied's configuration; objects (the object-encryption-sample policy): restricted/* of prod-objects-mixed.
      const operation = f.resource.type === 'object' ? 'HeadObject' : 'GetBucketEncryption';
      expect(f.cause, f.id).to.deep.include({ code: 'AccessDenied', operation });
    }
    const excepted = report.findings.filter((f) => f.status === 'excepted');
    expect(excepted).to.have.length(3);
    for (const f of excepted) expect(f.exception?.reason).to.match(/server access log/);
    const expired = report.findings.filter((f) => f.resource.bucket === 'prod-archive-expired' && f.status === 'fail');
    for (const f of expired) expect(f.exception).to.deep.include({ expired: true, expires: '2025-12-31' });
  });
});
