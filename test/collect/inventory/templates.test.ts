/**
 * An inventory audit's objects JSONL is the same, byte for byte, whether outcomes come from per-tuple
 * templates (run/object-outcome-cache.ts, what a real scan uses) or from evaluating each object: in process
 * against the sandbox, over CSV and Parquet reports with versions, delete markers, every encryption, keys
 * that need escaping, exceptions that match by key glob, and a keyCheck sample that reads some keys.
 */
import { expect } from 'chai';
import { resolve } from 'node:path';
import { parsePolicyFile } from '../../../src/config/policies.js';
import { loadRules } from '../../../src/config/rules.js';
import type { ObjectOutputSinks } from '../../../src/domain/outputs.js';
import type { AuditReport } from '../../../src/domain/report.js';
import { builtinRulesDir, packageRoot } from '../../../src/paths.js';
import { runAudit } from '../../../src/run/audit.js';
import { withoutRunTiming } from '../../helpers/report-files.js';
import { accountOf, useSandbox } from '../../helpers/sandbox.js';

const ESTATE = resolve(packageRoot(), 'test/fixtures/inventory/templates-estate.yaml');
const POLICY = `version: 1
policies:
  - name: versions
    resource: object
    scope: { include: [tpl-versions] }
    objects: { mode: inventory, versions: true, keyCheck: { sample: 2 } }
    rules: &rules
      - s3-object-sse-kms
      - s3-object-cmk
      - s3-object-matches-bucket-key
      - id: s3-object-allowed-keys
        params: { keys: [alias/prod-data] }
  - name: current
    resource: object
    objects: { mode: inventory }
    rules: *rules
exceptions:
  - resource: "arn:aws:s3:::tpl-*/legacy/*"
    reason: legacy uploads
    expires: "2099-01-01"
    rules: [s3-object-sse-kms]
  - resource: "arn:aws:s3:::tpl-versions/old/*"
    reason: ran out
    expires: "2020-01-01"
  - resource: tpl-parquet
    reason: the whole bucket, for one policy
    policies: [current]
    rules: [s3-object-cmk]
`;

describe('inventory audit: outcomes from templates write the same JSONL as evaluating each object (sandbox)', function () {
  this.timeout(60_000);
  const box = useSandbox({ estate: ESTATE });
  // One instant for both runs, so the reports' ages and times agree.
  const clock = Date.now();

  /** One audit; `templates` false gives outputs without findingJson, which keeps every object on the generic path. */
  async function audit(templates: boolean): Promise<{ report: AuditReport; lines: string[]; serialised: number }> {
    const rules = loadRules([builtinRulesDir()]);
    const policyFile = parsePolicyFile(POLICY, 'templates.yaml', rules);
    const account = accountOf(box.sb, 'prod');
    const lines: string[] = [];
    let serialised = 0;
    const outputs: ObjectOutputSinks = {
      finding: (f) => void lines.push(JSON.stringify(f)),
      ...(templates ? { findingJson: (json: string) => void (serialised++, lines.push(json)) } : {}),
      failing: () => undefined,
      close: async () => ({}),
      abort: async () => undefined,
    };
    const report = await runAudit(
      { policyFile, rules, rulesDirs: [builtinRulesDir()] },
      {
        aws: { endpoint: box.sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey }, maxAttempts: 3 },
        // One bucket scan at a time, so both runs write their lines in the same order.
        concurrency: 1,
        now: () => new Date(clock),
        gate: { failOn: 'high', allowIncomplete: true },
        objects: { openOutputs: async () => outputs, workers: 1 },
      },
    );
    return { report, lines, serialised };
  }

  it('gives the same lines, the same findings and the same summary', async () => {
    const generic = await audit(false);
    const templated = await audit(true);
    expect(generic.serialised).to.equal(0);
    // Nearly every line came from a template: only the first object of each tuple is also evaluated alone.
    expect(templated.serialised).to.be.greaterThan(templated.lines.length / 2);
    // Sorted: bucket scans run side by side, and keyCheck's HeadObjects finish in any order.
    expect([...templated.lines].sort().join('\n')).to.equal([...generic.lines].sort().join('\n'));
    expect(withoutRunTiming(templated.report)).to.deep.equal(withoutRunTiming(generic.report));
    const statuses = new Set(generic.lines.map((l) => (JSON.parse(l) as { status: string }).status));
    expect([...statuses].sort()).to.deep.equal(['error', 'excepted', 'fail', 'pass', 'skip']);
    const keys = new Set(generic.lines.map((l) => (JSON.parse(l) as { resource: { key: string } }).resource.key));
    for (const k of ['old/line\nbreak.txt', 'legacy/say "hi".txt', 'unicode/é/日本/🙂 +plus%25.txt', 'ctl/\u0001\u001f</script>\u2028.txt']) expect(keys, k).to.include(k);
    // A delete marker is not an object: its older version is judged in versions mode only.
    const gone = generic.lines.filter((l) => l.includes('gone \\"x\\".txt'));
    expect(gone.length).to.be.greaterThan(0);
    expect(gone.every((l) => (JSON.parse(l) as { policy: string }).policy === 'versions')).to.equal(true);
  });
});
