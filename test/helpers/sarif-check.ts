/**
 * Structural checks of a SARIF 2.1.0 log for the parts code-scanning tools read (GitHub code
 * scanning's supported subset, and the SARIF spec's own constraints on them):
 * version and $schema; runs[].tool.driver.name and rules[] with unique ids; each result's ruleId
 * present in rules and ruleIndex pointing at it; kind/level in their enums, and level "none" for any
 * kind but "fail" (SARIF §3.27.10); message.text; at least one location, each with a
 * physicalLocation.artifactLocation.uri (GitHub rejects results without one) and logical locations
 * with a fullyQualifiedName; partialFingerprints as strings; suppressions' kind and status;
 * security-severity a number from 0 to 10.
 */

const LEVELS = ['none', 'note', 'warning', 'error'];
const KINDS = ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'];
const SUPPRESSION_KINDS = ['inSource', 'external'];
const SUPPRESSION_STATUSES = ['accepted', 'underReview', 'rejected'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

export function checkSarif(log: unknown): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  if (!isObject(log)) return ['the log is not an object'];
  need(log.version === '2.1.0', `version is ${JSON.stringify(log.version)}, expected "2.1.0"`);
  need(isText(log.$schema) && /sarif-schema-2\.1\.0\.json$|sarif-2\.1\.0/.test(log.$schema), `$schema ${JSON.stringify(log.$schema)} is not the SARIF 2.1.0 schema`);
  const runs = log.runs;
  if (!Array.isArray(runs) || runs.length === 0) return [...problems, 'runs is not a non-empty array'];

  runs.forEach((run: unknown, r) => {
    if (!isObject(run)) return need(false, `runs[${r}] is not an object`);
    const driver = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : undefined;
    if (!driver) return need(false, `runs[${r}].tool.driver is missing`);
    need(isText(driver.name), `runs[${r}].tool.driver.name is missing`);
    const rules = Array.isArray(driver.rules) ? driver.rules : [];
    const ids: string[] = [];
    rules.forEach((rule: unknown, i) => {
      if (!isObject(rule) || !isText(rule.id)) return need(false, `rules[${i}] has no id`);
      need(!ids.includes(rule.id), `rule id ${rule.id} is duplicated`);
      ids.push(rule.id);
      if (rule.defaultConfiguration !== undefined) {
        const level = isObject(rule.defaultConfiguration) ? rule.defaultConfiguration.level : undefined;
        need(level === undefined || LEVELS.includes(String(level)), `rule ${rule.id} defaultConfiguration.level ${String(level)}`);
      }
      for (const field of ['shortDescription', 'fullDescription', 'help'] as const) {
        if (rule[field] !== undefined) need(isObject(rule[field]) && typeof (rule[field] as Json).text === 'string', `rule ${rule.id} ${field}.text is missing`);
      }
      const score = isObject(rule.properties) ? rule.properties['security-severity'] : undefined;
      if (score !== undefined) {
        const n = Number(score);
        need(typeof score === 'string' && Number.isFinite(n) && n >= 0 && n <= 10, `rule ${rule.id} security-severity ${JSON.stringify(score)} is not a number 0–10`);
      }
    });

    const results = run.results;
    if (!Array.isArray(results)) return need(false, `runs[${r}].results is not an array`);
    results.forEach((result: unknown, i) => {
      const at = `results[${i}]`;
      if (!isObject(result)) return need(false, `${at} is not an object`);
      need(isText(result.ruleId) && ids.includes(result.ruleId), `${at}.ruleId ${JSON.stringify(result.ruleId)} is not among the rules`);
      if (result.ruleIndex !== undefined) {
        need(Number.isInteger(result.ruleIndex) && ids[result.ruleIndex as number] === result.ruleId, `${at}.ruleIndex ${String(result.ruleIndex)} does not point at ${String(result.ruleId)}`);
      }
      const kind = result.kind ?? 'fail';
      need(KINDS.includes(String(kind)), `${at}.kind ${String(kind)} is not a SARIF kind`);
      if (result.level !== undefined) {
        need(LEVELS.includes(String(result.level)), `${at}.level ${String(result.level)} is not a SARIF level`);
        need(kind === 'fail' || result.level === 'none', `${at}: kind ${String(kind)} requires level "none"`);
      }
      need(isObject(result.message) && isText(result.message.text), `${at}.message.text is missing`);
      const locations = result.locations;
      if (!Array.isArray(locations) || locations.length === 0) need(false, `${at} has no location`);
      else {
        locations.forEach((loc: unknown, l) => {
          const physical = isObject(loc) && isObject(loc.physicalLocation) ? loc.physicalLocation : undefined;
          const uri = physical && isObject(physical.artifactLocation) ? physical.artifactLocation.uri : undefined;
          need(isText(uri), `${at}.locations[${l}] has no physicalLocation.artifactLocation.uri`);
          const logical = isObject(loc) ? loc.logicalLocations : undefined;
          if (logical !== undefined) {
            need(Array.isArray(logical) && logical.every((ll: unknown) => isObject(ll) && isText(ll.fullyQualifiedName)), `${at}.locations[${l}].logicalLocations lack fullyQualifiedName`);
          }
        });
      }
      if (result.partialFingerprints !== undefined) {
        need(isObject(result.partialFingerprints) && Object.values(result.partialFingerprints).every(isText), `${at}.partialFingerprints values must be strings`);
      }
      if (result.suppressions !== undefined) {
        const list = Array.isArray(result.suppressions) ? result.suppressions : [];
        need(list.length > 0, `${at}.suppressions is empty or not an array`);
        for (const s of list) {
          need(isObject(s) && SUPPRESSION_KINDS.includes(String(s.kind)), `${at} suppression kind ${isObject(s) ? String(s.kind) : '?'}`);
          if (isObject(s) && s.status !== undefined) need(SUPPRESSION_STATUSES.includes(String(s.status)), `${at} suppression status ${String(s.status)}`);
        }
      }
    });
  });
  return problems;
}
