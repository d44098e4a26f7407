/**
 * JUnit XML for CI test-report views (Jenkins, GitLab, GitHub test-report actions): one
 * <testsuite> per policy, one <testcase> per resource and rule. `fail` → <failure>, `error` →
 * <error>, `skip` and `excepted` → <skipped message="reason">, `pass` → an empty testcase.
 *
 * Choices, for how the common readers display it:
 * - classname = the policy name. GitLab shows classname as the "Suite" column and keys test cases by
 *   (classname, name), ignoring the testsuite name (gitlab-org/gitlab#299086); Jenkins splits
 *   classname at its last dot into package and class, and policy names (schema: ^[a-z0-9-]+$) have
 *   no dot, so Jenkins shows the policy as the class.
 * - name = "<rule> <account>/<bucket>[/<key>]": unique within a policy, readable in a list.
 * - The failure text is in the element body as well as in `message`, because GitLab shows the body
 *   and ignores the attribute (gitlab-org/gitlab-foss#53668).
 * - GitLab requires the .xml extension (docs.gitlab.com/ci/testing/unit_test_reports): the file is
 *   <name>.junit.xml.
 *
 * Escaping (escape.ts): attributes and text are XML 1.0-escaped, characters XML 1.0 forbids are
 * shown as `\x00`-style text, and no CDATA is used, so `]]>` in a value is just `]]&gt;`.
 */
import type { Finding } from '../domain/finding.js';
import type { AuditReport, RuleInfo } from '../domain/report.js';
import { diffMarks, type DiffMark } from './diff.js';
import { xmlAttr, xmlText } from './escape.js';

export const JUNIT_EXTENSION = 'junit.xml';

interface Suite {
  policy: string;
  findings: Finding[];
}

function suites(report: AuditReport): Suite[] {
  const byPolicy = new Map<string, Finding[]>();
  for (const f of report.findings) {
    let list = byPolicy.get(f.policy);
    if (!list) byPolicy.set(f.policy, (list = []));
    list.push(f);
  }
  return [...byPolicy.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((policy) => ({ policy, findings: byPolicy.get(policy)! }));
}

function testName(f: Finding): string {
  const key = f.resource.key !== undefined ? `/${f.resource.key}` : '';
  const version = f.resource.versionId !== undefined ? `?versionId=${f.resource.versionId}` : '';
  return `${f.rule} ${f.resource.account}/${f.resource.bucket}${key}${version}`;
}

function counts(findings: readonly Finding[]) {
  return {
    tests: findings.length,
    failures: findings.filter((f) => f.status === 'fail').length,
    errors: findings.filter((f) => f.status === 'error').length,
    skipped: findings.filter((f) => f.status === 'skip' || f.status === 'excepted').length,
  };
}

/** The body of a <failure> / <error>: what a person needs without opening another report. */
function detailText(f: Finding, rule: RuleInfo | undefined, mark: DiffMark | undefined): string {
  const lines = [f.message, '', `resource: ${f.resource.arn}`, `policy: ${f.policy} · rule: ${f.rule} · severity: ${f.severity} · finding id: ${f.id}`];
  if (mark === 'new') lines.push('new since the baseline');
  if (f.cause) lines.push(`cause: ${f.cause.code} on ${f.cause.operation}: ${f.cause.message}`);
  if (f.exception?.expired) lines.push(`exception expired${f.exception.expires !== undefined ? ` on ${f.exception.expires}` : ''}: ${f.exception.reason}`);
  const evidence = Object.entries(f.evidence);
  if (evidence.length > 0) lines.push('evidence:', ...evidence.map(([k, v]) => `  ${k} = ${v === undefined ? 'undefined' : JSON.stringify(v)}`));
  if (rule) {
    lines.push('', `${rule.title}`, rule.description);
    if (rule.fix !== undefined) lines.push('', 'fix:', rule.fix);
  }
  return lines.join('\n');
}

function skipReason(f: Finding): string {
  if (f.status === 'excepted' && f.exception) {
    const until = f.exception.expires !== undefined ? ` (expires ${f.exception.expires})` : '';
    return `excepted: ${f.exception.reason}${until}`;
  }
  return `not applicable: ${f.message}`;
}

function testcase(f: Finding, rule: RuleInfo | undefined, mark: DiffMark | undefined): string {
  const open = `    <testcase classname="${xmlAttr(f.policy)}" name="${xmlAttr(testName(f))}" time="0"`;
  switch (f.status) {
    case 'fail': {
      const message = `${mark === 'new' ? '[new] ' : ''}${f.message}`;
      return `${open}>\n      <failure message="${xmlAttr(message)}" type="${xmlAttr(`${f.severity} ${f.rule}`)}">${xmlText(detailText(f, rule, mark))}</failure>\n    </testcase>`;
    }
    case 'error': {
      const type = f.cause?.code ?? 'Error';
      return `${open}>\n      <error message="${xmlAttr(f.message)}" type="${xmlAttr(type)}">${xmlText(detailText(f, rule, mark))}</error>\n    </testcase>`;
    }
    case 'skip':
    case 'excepted':
      return `${open}>\n      <skipped message="${xmlAttr(skipReason(f))}"/>\n    </testcase>`;
    default:
      return `${open}/>`;
  }
}

const property = (name: string, value: string): string => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`;

function suiteXml(report: AuditReport, suite: Suite, index: number): string {
  const c = counts(suite.findings);
  const rules = report.rules ?? {};
  const mark = diffMarks(report);
  const { run, summary } = report;
  const props = [
    property('run.id', run.id),
    property('policy.file', run.policyFile),
    property('policy.sha256', run.policyFileSha256),
    property('run.complete', String(run.complete)),
    property('gate', `${summary.gate.passed ? 'PASSED' : 'FAILED'} (exit ${summary.gate.exitCode}): ${summary.gate.reason}`),
  ];
  const out: string[] = [];
  if (report.diff) {
    // Per policy: every fail now is either new or still failing; resolved ones are listed in system-out.
    const fresh = suite.findings.filter((f) => mark(f) === 'new').length;
    const resolved = report.diff.resolved.filter((e) => e.policy === suite.policy);
    props.push(
      property('baseline.run.id', report.diff.baseline.runId),
      property('baseline.new', String(fresh)),
      property('baseline.resolved', String(resolved.length)),
      property('baseline.stillFailing', String(c.failures - fresh)),
    );
    out.push(`Since baseline ${report.diff.baseline.runId}: ${fresh} new, ${resolved.length} resolved, ${c.failures - fresh} still failing`);
    for (const e of resolved) out.push(`resolved: ${e.rule} ${e.resource.account}/${e.resource.bucket}${e.resource.key !== undefined ? `/${e.resource.key}` : ''} (now ${e.after})`);
  }
  // The Ant JUnit schema's timestamp has no zone (YYYY-MM-DDTHH:MM:SS); ours is UTC.
  const attributes =
    `name="${xmlAttr(suite.policy)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"` +
    ` time="0" timestamp="${xmlAttr(run.start.slice(0, 19))}" id="${index}"`;
  return [
    `  <testsuite ${attributes}>`,
    '    <properties>',
    ...props,
    '    </properties>',
    ...suite.findings.map((f) => testcase(f, Object.hasOwn(rules, f.rule) ? rules[f.rule] : undefined, mark(f))),
    ...(out.length > 0 ? [`    <system-out>${xmlText(out.join('\n'))}</system-out>`] : []),
    '  </testsuite>',
  ].join('\n');
}

export function render(report: AuditReport): string {
  const all = counts(report.findings);
  const seconds = (Date.parse(report.run.end) - Date.parse(report.run.start)) / 1000;
  const time = Number.isFinite(seconds) && seconds >= 0 ? seconds.toFixed(3) : '0';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="s3-kms-audit" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${time}">`,
    ...suites(report).map((s, i) => suiteXml(report, s, i)),
    '</testsuites>',
    '',
  ].join('\n');
}
