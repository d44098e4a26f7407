/** remediate --objects --from FILE: reading a saved scan's objects JSONL. */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSavedFindings } from '../../src/cli/from-findings.js';
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
});
