/**
 * Golden files: every file format rendered from one fixed report (fixed clock, ids and run id, with a
 * baseline diff) must equal test/report/golden/fixed.<extension> byte for byte; the HTML and Markdown
 * of a report with object scans must equal golden/objects.<extension>.
 * After an intended change: `UPDATE_GOLDEN=1 npx mocha --no-config 'dist/test/report/golden.test.js'`,
 * then review the diff of test/report/golden/ like any other code change.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { FILE_FORMATS, type FileFormatName } from '../../src/report/formats.js';
import { fixedReport, objectsReport } from '../helpers/report-fixtures.js';
import { firstDifference } from '../helpers/golden.js';

const GOLDEN_DIR = resolve(packageRoot(), 'test/report/golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('report formats: golden files', () => {
  const report = fixedReport();

  for (const [format, spec] of Object.entries(FILE_FORMATS) as [FileFormatName, (typeof FILE_FORMATS)[FileFormatName]][]) {
    it(`${format} equals golden/fixed.${spec.extension}`, () => {
      const path = resolve(GOLDEN_DIR, `fixed.${spec.extension}`);
      const actual = spec.render(report);
      if (update) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(path, actual, 'utf8');
      }
      expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 to create it`).to.equal(true);
      const expected = readFileSync(path, 'utf8');
      if (actual !== expected) expect.fail(`${format} differs from ${path}; ${firstDifference(actual, expected)}\n(UPDATE_GOLDEN=1 regenerates after an intended change)`);
    });
  }

  // The object scan sections and the counted-not-listed note, which the fixed report (no object scans) lacks.
  for (const format of ['html', 'md'] as const) {
    it(`${format} of a report with object scans equals golden/objects.${FILE_FORMATS[format].extension}`, () => {
      const path = resolve(GOLDEN_DIR, `objects.${FILE_FORMATS[format].extension}`);
      const actual = FILE_FORMATS[format].render(objectsReport());
      if (update) writeFileSync(path, actual, 'utf8');
      expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 to create it`).to.equal(true);
      const expected = readFileSync(path, 'utf8');
      if (actual !== expected) expect.fail(`${format} differs from ${path}; ${firstDifference(actual, expected)}\n(UPDATE_GOLDEN=1 regenerates after an intended change)`);
    });
  }

  it('rendering is deterministic: the same report twice gives the same bytes', () => {
    for (const spec of Object.values(FILE_FORMATS)) expect(spec.render(fixedReport())).to.equal(spec.render(report));
  });
});
