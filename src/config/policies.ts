/**
 * Loading policies.yaml: YAML → JSON Schema → checks that need the loaded rules (unknown rule ids,
 * params, resource types) and checks a schema cannot express (globs, dates, regions, KMS key
 * spellings, duplicate names). Every problem found is reported at once, each with file:line:column.
 */
import { createHash } from 'node:crypto';
import { ConfigError, type ConfigProblem } from '../domain/errors.js';
import type { Policy, PolicyException, PolicyFile, PolicyRuleRef } from '../domain/policy.js';
import policiesSchema from '../schema/policies.schema.json' with { type: 'json' };
import { paramProblems } from './params.js';
import type { RuleSet } from '../domain/rule.js';
import { schemaProblems } from './schema-problems.js';
import { suggest } from './suggest.js';
import { checkDate, checkGlob, checkKmsKeySpelling, checkRegion, kmsArnRegion, type ValueProblem } from './values.js';
import { parseYamlSource, positionOf, problemAt, readYamlFile, tidyProblems, type DataPath, type YamlSource } from './yaml-source.js';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** An S3 bucket or object ARN, possibly with globs (the partition may be a glob too). */
const S3_ARN = /^arn:[-a-z*?]+:s3:::[^/]+(\/.*)?$/;

class PolicyChecker {
  readonly problems: ConfigProblem[] = [];
  private readonly policyNames: string[] = [];

  constructor(
    private readonly source: YamlSource,
    private readonly rules: RuleSet,
  ) {}

  private add(path: DataPath, message: string, opts: { key?: boolean; suggestion?: string | undefined } = {}): void {
    this.problems.push(problemAt(this.source, path, message, opts));
  }

  private addValue(path: DataPath, problem: ValueProblem | null, prefix = ''): void {
    if (problem) this.add(path, `${prefix}${problem.message}`, { suggestion: problem.suggestion });
  }

  run(): ConfigProblem[] {
    const data = this.source.data;
    if (!isObject(data)) return this.problems;
    const seen = new Map<string, number>();
    asArray(data.policies).forEach((p, i) => {
      if (!isObject(p)) return;
      if (typeof p.name === 'string') {
        const first = seen.get(p.name);
        if (first !== undefined) {
          const line = positionOf(this.source, ['policies', first, 'name']).line;
          this.add(['policies', i, 'name'], `duplicate policy name "${p.name}" (first defined on line ${line})`);
        } else {
          seen.set(p.name, i);
          this.policyNames.push(p.name);
        }
      }
      this.policy(p, ['policies', i]);
    });
    asArray(data.exceptions).forEach((e, i) => {
      if (isObject(e)) this.exception(e, ['exceptions', i]);
    });
    return this.problems;
  }

  private policy(p: Obj, at: DataPath): void {
    const name = typeof p.name === 'string' ? p.name : describeIndex(at);
    if (isObject(p.scope)) this.scope(p.scope, [...at, 'scope']);
    const seenRules = new Map<string, number>();
    asArray(p.rules).forEach((ref, i) => {
      const refPath = [...at, 'rules', i];
      const id = typeof ref === 'string' ? ref : isObject(ref) && typeof ref.id === 'string' ? ref.id : undefined;
      if (id === undefined) return;
      const idPath = typeof ref === 'string' ? refPath : [...refPath, 'id'];
      if (seenRules.has(id)) {
        this.add(idPath, `rule ${id} is listed twice in policy ${name}`);
        return;
      }
      seenRules.set(id, i);
      const rule = this.rules.get(id);
      if (!rule) {
        this.add(idPath, `unknown rule "${id}"`, { suggestion: suggest(id, this.rules.keys()) });
        return;
      }
      if ((p.resource === 'bucket' || p.resource === 'object') && rule.resource !== p.resource) {
        this.add(idPath, `rule ${id} checks ${rule.resource} resources but policy ${name} is for ${p.resource} resources`);
      }
      const params = isObject(ref) ? ref.params : undefined;
      this.problems.push(...paramProblems(rule, params ?? {}, this.source, idPath, [...refPath, 'params']));
    });
    if (p.objects !== undefined && p.resource !== 'object') {
      this.add([...at, 'objects'], `"objects" only applies to policies with resource: object (policy ${name} is for ${String(p.resource)})`, { key: true });
    }
    if (isObject(p.remediation)) this.remediation(p.remediation, [...at, 'remediation']);
  }

  private scope(scope: Obj, at: DataPath): void {
    for (const field of ['include', 'exclude'] as const) {
      asArray(scope[field]).forEach((g, i) => {
        if (typeof g === 'string') this.addValue([...at, field, i], checkGlob(g), `bucket name pattern: `);
      });
    }
    if (isObject(scope.tags)) {
      for (const [tag, glob] of Object.entries(scope.tags)) {
        if (typeof glob === 'string') this.addValue([...at, 'tags', tag], checkGlob(glob), `tag ${tag}: `);
      }
    }
    asArray(scope.regions).forEach((r, i) => {
      if (typeof r === 'string') this.addValue([...at, 'regions', i], checkRegion(r));
    });
  }

  private remediation(r: Obj, at: DataPath): void {
    const keyPath = [...at, 'kmsKeyId'];
    if (typeof r.kmsKeyId === 'string') {
      this.addValue(keyPath, checkKmsKeySpelling(r.kmsKeyId), 'kmsKeyId: ');
    } else if (isObject(r.kmsKeyId)) {
      for (const [region, key] of Object.entries(r.kmsKeyId)) {
        const regionProblem = checkRegion(region);
        if (regionProblem) {
          this.add([...keyPath, region], regionProblem.message, { key: true, suggestion: regionProblem.suggestion });
          continue;
        }
        if (typeof key !== 'string') continue;
        const keyProblem = checkKmsKeySpelling(key);
        if (keyProblem) {
          this.addValue([...keyPath, region], keyProblem, `kmsKeyId for ${region}: `);
          continue;
        }
        // S3 can only use a KMS key in the bucket's own region.
        const keyRegion = kmsArnRegion(key);
        if (keyRegion && keyRegion !== region) {
          this.add([...keyPath, region], `kmsKeyId for ${region} names a key in ${keyRegion}; S3 buckets can only use KMS keys in their own region`);
        }
      }
    }
  }

  private exception(e: Obj, at: DataPath): void {
    if (typeof e.resource === 'string') {
      const problem = checkGlob(e.resource);
      if (problem) this.addValue([...at, 'resource'], problem, 'exception resource: ');
      else if (e.resource.startsWith('arn:') && !S3_ARN.test(e.resource)) {
        this.add([...at, 'resource'], `exception resource "${e.resource}" is not an S3 ARN (arn:aws:s3:::BUCKET or arn:aws:s3:::BUCKET/KEY)`);
      }
    }
    asArray(e.rules).forEach((id, i) => {
      if (typeof id !== 'string' || id === '*' || this.rules.has(id)) return;
      this.add([...at, 'rules', i], `unknown rule "${id}"`, { suggestion: suggest(id, this.rules.keys()) });
    });
    asArray(e.policies).forEach((name, i) => {
      if (typeof name !== 'string' || name === '*' || this.policyNames.includes(name)) return;
      this.add([...at, 'policies', i], `unknown policy "${name}"`, { suggestion: suggest(name, this.policyNames) });
    });
    if (e.expires !== undefined && typeof e.expires === 'string') this.addValue([...at, 'expires'], checkDate(e.expires), 'expires: ');
  }
}

function describeIndex(at: DataPath): string {
  return `#${Number(at[1]) + 1}`;
}

function normaliseRuleRef(ref: string | PolicyRuleRef): PolicyRuleRef {
  return typeof ref === 'string' ? { id: ref } : ref;
}

function buildPolicyFile(data: Obj, path: string, text: string): PolicyFile {
  const policies = (data.policies as Policy[]).map(
    (p): Policy => ({ ...p, scope: p.scope ?? {}, rules: (p.rules as (string | PolicyRuleRef)[]).map(normaliseRuleRef) }),
  );
  return {
    version: 1,
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    policies,
    exceptions: (data.exceptions as PolicyException[] | undefined) ?? [],
  };
}

/** Parse and validate policy file text. Throws ConfigError listing every problem. */
export function parsePolicyFile(text: string, path: string, rules: RuleSet): PolicyFile {
  const parsed = parseYamlSource(text, path);
  const problems = [...parsed.problems];
  if (parsed.source) {
    problems.push(...schemaProblems(policiesSchema, parsed.source));
    problems.push(...new PolicyChecker(parsed.source, rules).run());
  }
  if (problems.length > 0 || !parsed.source) throw new ConfigError(tidyProblems(problems));
  return buildPolicyFile(parsed.source.data as Obj, path, text);
}

/** Read and validate a policy file. Throws ConfigError (file not found included). */
export function loadPolicyFile(path: string, rules: RuleSet): PolicyFile {
  const read = readYamlFile(path);
  if (read.text === undefined) throw new ConfigError(read.problems);
  return parsePolicyFile(read.text, path, rules);
}
