/**
 * In-process object audits against a sandbox: the real orchestrator (runAudit), real SDK clients over
 * HTTP, outputs captured in memory instead of files.
 */
import { resolve } from 'node:path';
import { runAudit } from '../../src/run/audit.js';
import type { ObjectOutputSinks } from '../../src/domain/outputs.js';
import { parsePolicyFile } from '../../src/config/policies.js';
import { loadRules } from '../../src/config/rules.js';
import type { Finding } from '../../src/domain/finding.js';
import type { AuditReport } from '../../src/domain/report.js';
import { builtinRulesDir, packageRoot } from '../../src/paths.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { accountOf } from '../helpers/sandbox.js';

export const OBJECTS_ESTATE = resolve(packageRoot(), 'test/fixtures/objects/estate.yaml');

export interface AuditRun {
  report: AuditReport;
  /** Every object finding the JSONL would hold. */
  streamed: Finding[];
  /** Objects the manifest would list. */
  failing: { bucket: string; key: string; versionId?: string }[];
}

export interface AuditRunOptions {
  account?: string;
  stateDir?: string;
  maxFindings?: number;
  concurrency?: number;
  maxAttempts?: number;
}

export async function auditObjects(sb: Sandbox, policyYaml: string, opts: AuditRunOptions = {}): Promise<AuditRun> {
  const rules = loadRules([builtinRulesDir()]);
  const policyFile = parsePolicyFile(policyYaml, 'objects-test.yaml', rules);
  const account = accountOf(sb, opts.account ?? 'objects');
  const streamed: Finding[] = [];
  const failing: AuditRun['failing'] = [];
  const sinks: ObjectOutputSinks = {
    finding: (f) => void streamed.push(f),
    failing: (o) => void failing.push(o),
    close: async () => ({}),
    abort: async () => undefined,
  };
  const report = await runAudit(
    { policyFile, rules, rulesDirs: [builtinRulesDir()] },
    {
      aws: {
        endpoint: sb.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
        maxAttempts: opts.maxAttempts ?? 5,
      },
      concurrency: opts.concurrency ?? 8,
      gate: { failOn: 'high', allowIncomplete: false },
      objects: {
        openOutputs: async () => sinks,
        ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
        ...(opts.maxFindings !== undefined ? { maxFindings: opts.maxFindings } : {}),
      },
    },
  );
  return { report, streamed, failing };
}

/** "key rule status" lines, sorted: a run's object outcomes in a comparable form. */
export const outcomeLines = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.resource.bucket}/${f.resource.key}${f.resource.versionId ? `?v=${f.resource.versionId}` : ''} ${f.rule} ${f.status}`).sort();

/** A one-policy file for objects. */
export function objectPolicy(opts: { include: string[]; objects: string; rules?: string[] }): string {
  const rules = opts.rules ?? ['s3-object-sse-kms', 's3-object-cmk'];
  return [
    'version: 1',
    'policies:',
    '  - name: objects',
    '    resource: object',
    `    scope: { include: [${opts.include.join(', ')}] }`,
    `    objects: ${opts.objects}`,
    '    rules:',
    ...rules.map((r) => `      - ${r}`),
    '',
  ].join('\n');
}
