/**
 * The rules reference, docs/rules.md, rendered from the rule files themselves: each rule's severity,
 * remediation action and texts are written once, in rules/<id>.yaml, and this page is derived from
 * them (`npm run docs:rules`; a test fails when the committed page is stale).
 *
 * Pure and deterministic: rules are listed by id, and nothing machine-specific (such as the absolute
 * path a rule was loaded from) is written, so the same rule files always give the same bytes.
 */
import { stringify } from 'yaml';
import type { Rule, RuleParam } from '../domain/rule.js';

/** The page's first line: says where the page comes from, so nobody edits it by hand. */
export const GENERATED_NOTICE =
  '<!-- GENERATED from rules/*.yaml by `npm run docs:rules` (src/report/rules-reference.ts): edit the rule files, not this page. -->';

export function renderRulesReference(rules: ReadonlyMap<string, Rule>): string {
  const sorted = [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const parts = [GENERATED_NOTICE, '', '# Built-in rules', '', ...intro(sorted.length), '', ...overview(sorted)];
  for (const rule of sorted) parts.push('', ...section(rule));
  return parts.join('\n') + '\n';
}

function intro(count: number): string[] {
  return [
    `The ${count} rules in \`rules/\`, by id. Each is one YAML file, \`rules/<id>.yaml\`, with its fixtures`,
    '(facts in, expected outcome out) in `rules/<id>.test.yaml`. The rule file is the only place a',
    "rule's severity, remediation action and texts are written; this page is generated from them.",
    'How conditions read: [rule-language.md](rule-language.md); choosing rules and overriding a',
    'severity per policy: [policies.md](policies.md); what `remediate` does with a remediation action:',
    '[remediation.md](remediation.md).',
  ];
}

function overview(rules: readonly Rule[]): string[] {
  const rows = rules.map(
    (r) => `| [\`${r.id}\`](#${r.id}) | ${r.resource} | ${r.severity} | ${remediationCell(r)} | ${tableText(r.title)} |`,
  );
  return ['| id | resource | severity | remediation | title |', '|---|---|---|---|---|', ...rows];
}

function remediationCell(rule: Rule): string {
  if (rule.remediation) return `\`${rule.remediation}\``;
  return rule.resource === 'object' ? '— (`--export-manifest`)' : '—';
}

function section(rule: Rule): string[] {
  const lines = [`## ${rule.id}`, '', `**${inlineText(rule.title)}**`, ''];
  lines.push(`- resource: \`${rule.resource}\``);
  lines.push(`- severity: \`${rule.severity}\` (a policy may override it)`);
  lines.push(`- requires: ${rule.requires.map((a) => `\`${a}\``).join(', ')}`);
  lines.push(`- remediation: ${remediationLine(rule)}`);
  lines.push(`- file: [rules/${rule.id}.yaml](../rules/${rule.id}.yaml), fixtures: [rules/${rule.id}.test.yaml](../rules/${rule.id}.test.yaml)`);
  lines.push('', inlineText(rule.description));
  const params = Object.entries(rule.params ?? {});
  if (params.length > 0) {
    lines.push('', '| param | required | type | format | description |', '|---|---|---|---|---|');
    for (const [name, p] of params.sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(paramRow(name, p));
  }
  lines.push('', 'Condition (`when` false → `skip`; `assert` true → `pass`, otherwise `fail`):', '', ...fenced(conditionYaml(rule), 'yaml'));
  if (rule.fix) lines.push('', 'Fix by hand:', '', ...fenced(rule.fix, 'text'));
  return lines;
}

function remediationLine(rule: Rule): string {
  if (rule.remediation) return `\`${rule.remediation}\` ([remediation.md](remediation.md))`;
  if (rule.resource === 'object') {
    return 'none: objects are re-encrypted by copying them; `scan --export-manifest` lists them for S3 Batch Operations ([object-audits.md](object-audits.md))';
  }
  return 'none: reported by `scan`, never changed by `remediate`';
}

function paramRow(name: string, p: RuleParam): string {
  return `| \`${name}\` | ${p.required ? 'yes' : 'no'} | ${p.type ?? 'any'} | ${p.format ?? '—'} | ${tableText(p.description)} |`;
}

/** `when` and `assert` exactly as the rule file states them. */
function conditionYaml(rule: Rule): string {
  const doc: Record<string, unknown> = {};
  if (rule.when) doc.when = rule.when;
  doc.assert = rule.assert;
  return stringify(doc, { lineWidth: 0 }).trimEnd();
}

/** A fence longer than any backtick run in the text, so the text cannot close it. */
function fenced(text: string, info: string): string[] {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [fence + info, text, fence];
}

/** Rule texts are prose: keep them on one line and stop `<` from being read as HTML. */
function inlineText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim().replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function tableText(text: string): string {
  return inlineText(text).replace(/\|/g, '\\|');
}
