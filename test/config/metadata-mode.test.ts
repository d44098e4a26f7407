/**
 * `objects: { mode: metadata }` in the policy file: what the schema accepts and refuses, the defaults,
 * and the IAM actions `permissions scan` adds for it.
 */
import { expect } from 'chai';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicyFile } from '../../src/config/policies.js';
import { loadRules } from '../../src/config/rules.js';
import { resolveObjectOptions } from '../../src/collect/objects-options.js';
import { commandActions } from '../../src/cli/permissions.js';
import { formatProblem } from '../../src/domain/errors.js';
import type { RuleSet } from '../../src/domain/rule.js';
import { builtinRulesDir } from '../../src/paths.js';
import { configProblemsOf } from '../helpers/errors.js';

const policy = (objects: string): string => `version: 1
policies:
  - name: objects
    resource: object
    scope: { include: ["*"] }
    objects: ${objects}
    rules: [s3-object-sse-kms]
`;

describe('config: the metadata object mode', () => {
  let rules: RuleSet;
  before(() => {
    rules = loadRules([builtinRulesDir()]);
  });
  const problems = (objects: string): string[] => configProblemsOf(() => parsePolicyFile(policy(objects), 'p.yaml', rules)).map(formatProblem);

  it('accepts mode, prefix, sampleKeys and athena; fills in the defaults', () => {
    const pf = parsePolicyFile(policy('{ mode: metadata, prefix: data/, athena: { outputLocation: "s3://results/q/" } }'), 'p.yaml', rules);
    expect(resolveObjectOptions(pf.policies[0]!.objects)).to.deep.include({
      mode: 'metadata',
      prefix: 'data/',
      sampleKeys: 10,
      athena: { workgroup: 'primary', outputLocation: 's3://results/q/', catalog: 's3tablescatalog/aws-s3' },
    });
  });

  it('refuses metadata without athena, options that do not apply to it, and athena on other modes', () => {
    expect(problems('{ mode: metadata }')).to.have.length.greaterThan(0);
    expect(problems('{ mode: metadata, versions: true, athena: { outputLocation: "s3://results/" } }')).to.have.length.greaterThan(0);
    expect(problems('{ mode: full, athena: { outputLocation: "s3://results/" } }')).to.have.length.greaterThan(0);
    expect(problems('{ mode: sample, sampleKeys: 3 }')).to.have.length.greaterThan(0);
  });

  it('refuses an output location, workgroup or catalog that could not go into a query as it is', () => {
    expect(problems(`{ mode: metadata, athena: { outputLocation: "s3://results/x' --/" } }`)).to.have.length.greaterThan(0);
    expect(problems('{ mode: metadata, athena: { outputLocation: "https://results/" } }')).to.have.length.greaterThan(0);
    expect(problems('{ mode: metadata, athena: { outputLocation: "s3://results/", catalog: "a\\"b" } }')).to.have.length.greaterThan(0);
    expect(problems('{ mode: metadata, athena: { outputLocation: "s3://results/", workgroup: "a b" } }')).to.have.length.greaterThan(0);
  });

  it('permissions scan adds the metadata table, Athena, Glue and S3 Tables actions, only when a policy uses the mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metadata-perms-'));
    try {
      const meta = join(dir, 'meta.yaml');
      const full = join(dir, 'full.yaml');
      writeFileSync(meta, policy('{ mode: metadata, athena: { outputLocation: "s3://results/" } }'));
      writeFileSync(full, policy('{ mode: full }'));
      const withMeta = commandActions('scan', { policies: meta, rules: [] });
      for (const a of ['s3:GetBucketMetadataTableConfiguration', 'athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 's3tables:GetTableData', 'glue:GetTable', 's3:PutObject']) {
        expect(withMeta, a).to.include(a);
      }
      expect(commandActions('scan', { policies: full, rules: [] }).filter((a) => a.startsWith('athena:') || a.includes('Metadata'))).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
