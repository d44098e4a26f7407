import { expect } from 'chai';
import { parseArgsOf } from '../../src/cli/program.js';
import { parseFormats } from '../../src/cli/values.js';
import { failureFor } from '../../src/cli/exit.js';
import { UsageError } from '../../src/domain/errors.js';
import { FILE_FORMATS, fileRenderings, REPORT_FORMATS } from '../../src/report/formats.js';
import { fixedReport } from '../helpers/report-fixtures.js';

const parseScanArgs = (argv: string[], env: NodeJS.ProcessEnv) => parseArgsOf('scan', argv, env);
const parseReportArgs = (argv: string[]) => parseArgsOf('report', argv);

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    expect(failureFor(e).exitCode).to.equal(2);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('report/formats registry', () => {
  it('offers json, console, html, md, junit, sarif and csv; every one but console is a file', () => {
    expect([...REPORT_FORMATS]).to.deep.equal(['json', 'console', 'html', 'md', 'junit', 'sarif', 'csv']);
    expect(Object.keys(FILE_FORMATS).sort()).to.deep.equal(['csv', 'html', 'json', 'junit', 'md', 'sarif']);
  });

  it('names files so CI tools recognise them (GitLab needs .xml for JUnit)', () => {
    expect(Object.fromEntries(Object.entries(FILE_FORMATS).map(([k, v]) => [k, v.extension]))).to.deep.equal({
      json: 'json', html: 'html', md: 'md', junit: 'junit.xml', sarif: 'sarif', csv: 'csv',
    });
  });

  it('renders the chosen file formats in the order given, skipping console', () => {
    const report = fixedReport();
    const out = fileRenderings(report, ['sarif', 'console', 'csv', 'json']);
    expect(out.map((r) => r.extension)).to.deep.equal(['sarif', 'csv', 'json']);
    expect(out[2]!.content).to.equal(JSON.stringify(report, null, 2) + '\n');
  });

  it('parses --format lists, dedupes, and suggests the nearest format for a typo', () => {
    expect(parseFormats('html, md,html,junit')).to.deep.equal(['html', 'md', 'junit']);
    expect(usageError(() => parseFormats('json,htm'))).to.match(/unknown format "htm" \(did you mean "html"\?\); formats: json, console, html, md, junit, sarif, csv/);
    expect(usageError(() => parseFormats('sarif2'))).to.contain('did you mean "sarif"');
    expect(usageError(() => parseFormats('xlsx'))).to.not.contain('did you mean');
  });
});

describe('cli: --baseline, --fail-on-new and the report command arguments', () => {
  it('scan takes --baseline and --fail-on-new; --fail-on-new alone is a usage error', () => {
    expect(parseScanArgs(['--baseline', 'prev.json', '--fail-on-new'], {})).to.deep.include({ baseline: 'prev.json', failOnNew: true });
    expect(parseScanArgs(['--baseline', 'prev.json'], {})).to.deep.include({ baseline: 'prev.json', failOnNew: false });
    expect(usageError(() => parseScanArgs(['--fail-on-new'], {}))).to.contain('--fail-on-new needs --baseline');
    expect(usageError(() => parseScanArgs(['--baseline', ''], {}))).to.contain('--baseline');
  });

  it('report takes one RESULT.json, formats (default every file format but json), out, name and baseline', () => {
    expect(parseReportArgs(['r.json'])).to.deep.equal({ input: 'r.json', formats: ['html', 'md', 'junit', 'sarif', 'csv'], verbose: false });
    expect(parseReportArgs(['r.json', '--format', 'md', '--out', 'o', '--name', 'n', '--baseline', 'b.json'])).to.deep.equal({
      input: 'r.json', formats: ['md'], out: 'o', name: 'n', baseline: 'b.json', verbose: false,
    });
    expect(usageError(() => parseReportArgs([]))).to.contain('give the JSON report');
    expect(usageError(() => parseReportArgs(['a.json', 'b.json']))).to.contain('unexpected argument "b.json"');
    expect(usageError(() => parseReportArgs(['a.json', '--format', 'pdf']))).to.contain('unknown format "pdf"');
    expect(usageError(() => parseReportArgs(['a.json', '--name', '../x']))).to.contain('invalid report name');
    expect(usageError(() => parseReportArgs(['a.json', '--bogus']))).to.contain("report: unknown option '--bogus'");
  });
});
