/** remediate --objects --from FILE: reading a saved scan's objects JSONL. */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSavedFindings, readSavedFindings, withinPolicies } from '../../src/cli/from-findings.js';
import { loadRules } from '../../src/config/rules.js';
import { findingId } from '../../src/engine/evaluate.js';
import { builtinRulesDir } from '../../src/paths.js';
import type { Finding } from '../../src/domain/finding.js';
import type { Policy } from '../../src/domain/policy.js';
import { UsageError } from '../../src/domain/errors.js';

const line = (key: string, status: 'fail' | 'error'): string =>
  JSON.stringify({
    id: `id-${key}`,
    policy: 'objects',
    rule: 's3-object-sse-kms',
    severity: 'high',
    status,
    resource: { type: 'object', arn: `arn:aws:s3:::b/${key}`, account: '111122223333', region: 'us-east-1', bucket: 'b', key },
    message: 'm',
    evidence: {},
  });

function jsonl(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'from-findings-')), 'scan.objects.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('cli/from-findings (objects JSONL)', () => {
  it('a JSONL with an error outcome comes from an incomplete scan; one without is taken as complete', async () => {
    expect((await readSavedFindings(jsonl([line('a', 'fail'), line('b', 'error')]))).complete).to.equal(false);
    expect((await readSavedFindings(jsonl([line('a', 'fail')]))).complete).to.equal(true);
  });

  it('a bad line is named by its line number in the file, blank lines included', async () => {
    const path = jsonl([line('a', 'fail'), '', 'not json']);
    let error: unknown;
    await readSavedFindings(path).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.equal(`${path}:3: not JSON`);
  });

  it('keeps only findings of an object policy, one of its rules and a bucket in its scope: an edited report cannot reach other objects', () => {
    const policy: Policy = { name: 'objects', resource: 'object', scope: { include: ['b'], tags: { team: 'x' } }, rules: [{ id: 's3-object-sse-kms' }] };
    const saved = (change: (f: Finding) => void): Finding => {
      const f = JSON.parse(line('k', 'fail')) as Finding;
      change(f);
      return f;
    };
    const inScope = saved(() => undefined);
    const otherBucket = saved((f) => Object.assign(f.resource, { bucket: 'victim', arn: 'arn:aws:s3:::victim/k' }));
    const otherRule = saved((f) => (f.rule = 's3-object-cmk'));
    const otherPolicy = saved((f) => (f.policy = 'gone'));
    const { kept, outside } = withinPolicies([inScope, otherBucket, otherRule, otherPolicy], [policy, { ...policy, name: 'gone', resource: 'bucket' }]);
    expect(kept).to.deep.equal([inScope]);
    expect(outside).to.deep.equal([otherBucket, otherRule, otherPolicy]);
  });

  describe('checkSavedFindings: a finding that no longer says what the scan wrote refuses the whole file', () => {
    const rules = loadRules([builtinRulesDir()]);
    const scanned = (key: string, status: string, sse: string): string => {
      const f = JSON.parse(line(key, 'fail')) as Finding;
      return JSON.stringify({ ...f, id: findingId(f.resource.account, f.resource.arn, f.policy, f.rule), status, evidence: { 'object.sse': sse } });
    };

    it('a file as the scan wrote it passes', async () => {
      const path = jsonl([scanned('a', 'fail', 'AES256'), scanned('b', 'pass', 'aws:kms')]);
      checkSavedFindings(path, await readSavedFindings(path), rules);
    });

    it('names the file, line and id of each edited finding (UsageError: exit 2), however many', async () => {
      const edited = JSON.parse(scanned('b', 'pass', 'AES256')) as Finding;
      const path = jsonl([scanned('a', 'fail', 'AES256'), '', JSON.stringify(edited), ...Array.from({ length: 11 }, (_, i) => scanned(`x${i}`, 'skip', 'AES256'))]);
      let error: unknown;
      try {
        checkSavedFindings(path, await readSavedFindings(path), rules);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(UsageError);
      const message = (error as Error).message;
      expect(message).to.contain(`${path}: 12 saved findings do not say what the scan wrote`);
      expect(message).to.contain(`${path}:3: finding ${edited.id} (objects/s3-object-sse-kms s3://b/b): it says pass, but rule s3-object-sse-kms gives fail`);
      expect(message).to.contain('… and 2 more');
    });
  });
});
