/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for
 * code-scanning dashboards such as GitHub code scanning. One reportingDescriptor per rule, one result
 * per non-passing finding. Pure render(report) → string.
 *
 * Mapping, and why:
 * - `fail` → kind "fail", level by severity: critical/high → error, medium → warning, low/info → note.
 * - `excepted` → the same result plus `suppressions: [{ kind: "external", status: "accepted",
 *   justification }]`: the exception lives in policies.yaml, outside the scanned artifact (§3.35).
 * - `error` → kind "open", level "none". SARIF defines kind "open" as "the tool could not decide
 *   whether a problem exists" (§3.27.9) — exactly an unreadable fact — and requires level "none" for
 *   any kind other than "fail" (§3.27.10). Calling it error/warning would claim a violation we do not
 *   know about; dropping it would hide that the scan is incomplete.
 * - `pass` and `skip` are not results: a dashboard would show them as alerts.
 * - Location: the bucket (or object) ARN as a logicalLocation (name + fullyQualifiedName). GitHub
 *   rejects a result whose locations have no physicalLocation ("expected a physical location",
 *   github/codeql-action#1738, forcedotcom/code-analyzer#1970), so each result also points at the
 *   policy file that demands the rule (line 1): run the scan from the repository root with a
 *   relative --policies path and the alert lands on that file.
 * - partialFingerprints carry the finding id (sha256 of account, ARN, policy, rule), so GitHub
 *   matches an alert across runs instead of opening a new one each night
 *   (docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 * - `properties.security-severity` on each rule: GitHub's numeric score (string) that sorts alerts
 *   as critical 9.0–10.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9
 *   (github.blog/changelog/2021-07-19-codeql-code-scanning-new-severity-levels-for-security-alerts);
 *   it applies to rules tagged "security". `info` gets no score (GitHub's "None" is 0.0).
 */
import type { Finding, Severity } from '../domain/finding.js';
import type { AuditReport, RuleInfo } from '../domain/report.js';
import { diffMarks } from './diff.js';
import { mdFence, mdText, revealControls } from './escape.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'note' | 'none';

export const LEVEL_FOR_SEVERITY: Record<Severity, Level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** Midpoints of GitHub's bands, so a small change of the bands does not move our rules across them. */
export const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: undefined,
};

/** The finding-id fingerprint key; versioned so a change of id scheme can start a new series. */
export const FINGERPRINT_KEY = 's3KmsAuditFindingId/v1';

/** s3-bucket-sse-kms → S3BucketSseKms: SARIF's `name` is an identifier-like display name (§3.49.7). */
function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** A URI reference for the policy file: relative paths stay relative (repository-root based on GitHub). */
export function artifactUri(path: string): string {
  // A lone surrogate cannot be percent-encoded (URIError): it becomes U+FFFD first.
  const slashed = path.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd').replace(/\\/g, '/');
  const encoded = slashed.split('/').map(encodeURIComponent).join('/');
  return slashed.startsWith('/') ? `file://${encoded}` : encoded;
}

function descriptor(id: string, rule: RuleInfo | undefined) {
  const severity = rule?.severity;
  const d: Record<string, unknown> = { id, name: pascalCase(id) || id };
  if (rule) {
    d.shortDescription = { text: revealControls(rule.title) };
    d.fullDescription = { text: revealControls(rule.description) };
    // help is what GitHub shows under an alert: the fix by hand, or at least why it matters.
    d.help =
      rule.fix !== undefined
        ? { text: revealControls(rule.fix), markdown: `${mdText(rule.description)}\n\n**How to fix**\n\n${mdFence(rule.fix)}` }
        : { text: revealControls(rule.description), markdown: mdText(rule.description) };
    d.defaultConfiguration = { level: LEVEL_FOR_SEVERITY[rule.severity] };
  } else {
    d.shortDescription = { text: revealControls(id) };
  }
  const properties: Record<string, unknown> = { tags: ['security', 'aws', 's3', 'kms'], precision: 'very-high' };
  const score = severity ? SECURITY_SEVERITY[severity] : undefined;
  if (score !== undefined) properties['security-severity'] = score;
  d.properties = properties;
  return d;
}

function messageText(f: Finding): string {
  const parts = [f.message];
  if (f.status === 'error' && f.cause && !f.message.includes(f.cause.code)) parts.push(`[${f.cause.code} on ${f.cause.operation}: ${f.cause.message}]`);
  if (f.exception?.expired && !f.message.includes('expired')) parts.push(`[exception expired${f.exception.expires !== undefined ? ` on ${f.exception.expires}` : ''}: ${f.exception.reason}]`);
  return revealControls(parts.join(' '));
}

function result(f: Finding, ruleIndex: number, policyUri: string, mark: ReturnType<typeof diffMarks>) {
  const isError = f.status === 'error';
  const r: Record<string, unknown> = {
    ruleId: f.rule,
    ruleIndex,
    kind: isError ? 'open' : 'fail',
    level: isError ? 'none' : LEVEL_FOR_SEVERITY[f.severity],
    message: { text: messageText(f) },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: policyUri }, region: { startLine: 1 } },
        logicalLocations: [
          {
            name: f.resource.key !== undefined ? f.resource.key : f.resource.bucket,
            fullyQualifiedName: f.resource.arn,
            kind: 'resource',
          },
        ],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.id },
  };
  if (f.status === 'excepted' && f.exception) {
    const until = f.exception.expires !== undefined ? ` (expires ${f.exception.expires})` : '';
    r.suppressions = [{ kind: 'external', status: 'accepted', justification: revealControls(`${f.exception.reason}${until}`) }];
  }
  const properties: Record<string, unknown> = {
    status: f.status,
    severity: f.severity,
    policy: f.policy,
    account: f.resource.account,
    region: f.resource.region,
    bucket: f.resource.bucket,
    findingId: f.id,
  };
  if (f.resource.key !== undefined) properties.key = f.resource.key;
  if (f.resource.versionId !== undefined) properties.versionId = f.resource.versionId;
  if (f.cause) properties.cause = f.cause;
  const m = mark(f);
  if (m) properties.baseline = m;
  r.properties = properties;
  return r;
}

export function render(report: AuditReport): string {
  const rules = report.rules ?? {};
  const ids = [...new Set([...Object.keys(rules), ...report.findings.map((f) => f.rule)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(ids.map((id, i) => [id, i]));
  const policyUri = artifactUri(report.run.policyFile);
  const mark = diffMarks(report);
  const results = report.findings
    .filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'excepted')
    .map((f) => result(f, index.get(f.rule)!, policyUri, mark));

  const runProperties: Record<string, unknown> = {
    runId: report.run.id,
    policyFile: report.run.policyFile,
    policyFileSha256: report.run.policyFileSha256,
    accounts: report.run.accounts,
    regions: report.run.regions,
    complete: report.run.complete,
    summary: { total: report.summary.total, byStatus: report.summary.byStatus, buckets: report.summary.buckets },
    gate: report.summary.gate,
  };
  if (report.diff) {
    const d = report.diff;
    runProperties.diff = {
      baselineRunId: d.baseline.runId,
      baselineStart: d.baseline.start,
      samePolicyFile: d.baseline.samePolicyFile,
      new: d.new.length,
      resolved: d.resolved.length,
      stillFailing: d.stillFailing,
      unknown: d.unknown,
      newIds: d.new.map((e) => e.id),
      resolvedIds: d.resolved.map((e) => e.id),
    };
  }

  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: ids.map((id) => descriptor(id, Object.hasOwn(rules, id) ? rules[id] : undefined)),
          },
        },
        // GitHub uses the part before the last "/" as the analysis category: stable across runs.
        automationDetails: { id: `s3-kms-audit/${report.run.id}` },
        invocations: [
          {
            executionSuccessful: report.run.complete,
            startTimeUtc: report.run.start,
            endTimeUtc: report.run.end,
            toolExecutionNotifications: report.errors.map((e) => ({
              level: 'error',
              message: { text: revealControls(`${e.code} on ${e.operation}${e.bucket !== undefined ? ` (bucket ${e.bucket})` : ''}: ${e.message}`) },
              properties: { ...e },
            })),
          },
        ],
        results,
        properties: runProperties,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
