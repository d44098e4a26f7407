/**
 * Sharding an inventory audit by data file, in process against the sandbox: the shards of a report together
 * judge every object exactly once, and their merged outcomes equal one unsharded run.
 */
import { expect } from 'chai';
import { resolve } from 'node:path';
import { dataFileHash, type Shard } from '../../../src/collect/inventory/shard.js';
import { parsePolicyFile } from '../../../src/config/policies.js';
import { loadRules } from '../../../src/config/rules.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { AuditReport } from '../../../src/domain/report.js';
import { builtinRulesDir, packageRoot } from '../../../src/paths.js';
import { runAudit } from '../../../src/run/audit.js';
import { newestInventoryDataFiles } from '../../helpers/inventory-reports.js';
import { accountOf, useSandbox } from '../../helpers/sandbox.js';

const ESTATE = resolve(packageRoot(), 'test/fixtures/inventory/estate.yaml');
const POLICY = `version: 1
policies:
  - name: objects
    resource: object
    scope: { include: [inv-csv, inv-parquet] }
    objects: { mode: inventory }
    rules: [s3-object-sse-kms]
`;

describe('inventory audit sharded by data file (sandbox)', function () {
  this.timeout(60_000);
  const box = useSandbox({ estate: ESTATE });

  async function audit(shard?: Shard): Promise<{ report: AuditReport; findings: Finding[] }> {
    const rules = loadRules([builtinRulesDir()]);
    const policyFile = parsePolicyFile(POLICY, 'shards.yaml', rules);
    const account = accountOf(box.sb, 'prod');
    const findings: Finding[] = [];
    const report = await runAudit(
      { policyFile, rules, rulesDirs: [builtinRulesDir()] },
      {
        aws: { endpoint: box.sb.endpoint, region: 'us-east-1', credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey }, maxAttempts: 3 },
        concurrency: 4,
        gate: { failOn: 'high', allowIncomplete: false },
        objects: {
          openOutputs: async () => ({ finding: (f) => void findings.push(f), failing: () => undefined, close: async () => ({}), abort: async () => undefined }),
          ...(shard ? { inventoryShard: shard } : {}),
        },
      },
    );
    return { report, findings };
  }
  const lines = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.id} ${f.status}`).sort();

  it('two shards read disjoint data files and together equal one run', async () => {
    const whole = await audit();
    const a = await audit({ index: 0, count: 2 });
    const b = await audit({ index: 1, count: 2 });
    expect(lines([...a.findings, ...b.findings])).to.deep.equal(lines(whole.findings));
    expect(whole.findings).to.have.length(16);
    for (const bucket of ['inv-csv', 'inv-parquet']) {
      const of = (r: AuditReport) => r.objects!.buckets.find((s) => s.bucket === bucket)!.inventory!;
      expect(of(a.report).dataFilesRead + of(b.report).dataFilesRead, bucket).to.equal(of(whole.report).dataFiles);
      expect(of(a.report).shard).to.deep.equal({ index: 0, count: 2 });
      expect(of(whole.report).shard).to.equal(undefined);
    }
    // Each shard read exactly the data files whose key hashes to it (the keys are random UUIDs: read them from the manifest).
    const csv = (r: AuditReport) => r.objects!.buckets.find((s) => s.bucket === 'inv-csv')!.inventory!;
    const keys = await newestInventoryDataFiles(box.sb, csv(whole.report).destination!);
    expect(keys).to.have.length(3);
    expect(csv(a.report).dataFilesRead).to.equal(keys.filter((k) => dataFileHash(k) % 2 === 0).length);
    expect(csv(b.report).dataFilesRead).to.equal(keys.filter((k) => dataFileHash(k) % 2 === 1).length);
  });
});
