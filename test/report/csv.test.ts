import { expect } from 'chai';
import { CSV_COLUMNS, csvField, render } from '../../src/report/csv.js';
import { csvObjects, parseCsv } from '../helpers/csv-check.js';
import { fixedReport, makeFinding } from '../helpers/report-fixtures.js';
import { report as sampleReport } from './sample.js';

describe('report/csv', () => {
  const report = fixedReport();
  const text = render(report);

  it('is RFC 4180: CRLF after every record, a header, one record per finding', () => {
    expect(text.endsWith('\r\n')).to.equal(true);
    expect(text.replace(/\r\n/g, '')).to.not.match(/\n/); // no bare LF outside quoted fields here
    const records = parseCsv(text);
    expect(records[0]).to.deep.equal([...CSV_COLUMNS]);
    expect(records).to.have.length(report.findings.length + 1);
  });

  it('parses back to the report values', () => {
    const { rows } = csvObjects(text);
    rows.forEach((row, i) => {
      const f = report.findings[i]!;
      expect(row).to.include({ id: f.id, status: f.status, severity: f.severity, policy: f.policy, rule: f.rule, account: f.resource.account, region: f.resource.region, bucket: f.resource.bucket, arn: f.resource.arn, message: f.message });
      expect(row.key).to.equal(f.resource.key ?? '');
      expect(JSON.parse(row.evidence!)).to.deep.equal(f.evidence);
      expect(row.cause_code).to.equal(f.cause?.code ?? '');
      expect(row.exception_reason).to.equal(f.exception?.reason ?? '');
    });
  });

  it('adds the rule title and the mark against the baseline', () => {
    const { rows } = csvObjects(text);
    const row = (bucket: string, rule: string) => rows.find((r) => r.bucket === bucket && r.rule === rule)!;
    expect(row('prod-sse-s3', 's3-bucket-sse-kms')).to.include({ rule_title: 'Bucket default encryption is SSE-KMS', baseline: 'still-failing' });
    expect(row('prod-disabled', 's3-bucket-key-usable').baseline).to.equal('new');
    expect(row('prod-data', 's3-bucket-sse-kms').baseline).to.equal('resolved');
    expect(row('dev-ok', 's3-bucket-sse-kms').baseline).to.equal('');
    expect(rows.filter((r) => r.baseline === 'new')).to.have.length(report.diff!.new.length);
  });

  it('quotes fields with commas, quotes, CR or LF and doubles the quotes', () => {
    expect(csvField('plain')).to.equal('plain');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('two\nlines')).to.equal('"two\nlines"');
    expect(csvField('cr\rhere')).to.equal('"cr\rhere"');
  });

  it('neutralises formulas with a leading quote (OWASP CSV injection)', () => {
    for (const value of ['=1+1', '+cmd', '-2', '@SUM(A1)', '\tx', '\rx', '\0x']) {
      const field = csvField(value);
      expect(parseCsv(field + '\r\n')[0]![0]).to.equal(`'${value}`);
    }
    expect(csvField('a=b')).to.equal('a=b');
    expect(csvField('=HYPERLINK("http://x")')).to.equal('"\'=HYPERLINK(""http://x"")"');
  });

  it('neutralises formulas behind leading whitespace and full-width formula characters', () => {
    const disguised = [' =HYPERLINK("http://x")', '  +cmd', '\u00a0-2', '\u3000@SUM(A1)', ' \t=1', '\0 =1', '＝1+1', '＋cmd', '－2', '＠SUM(A1)', ' ＝1'];
    for (const value of disguised) expect(parseCsv(csvField(value) + '\r\n')[0]![0], JSON.stringify(value)).to.equal(`'${value}`);
    // Whitespace alone, or before ordinary text, is left exactly as it is.
    for (const value of [' leading space', '   ', ' a=b', 'x ＝ y', '']) expect(parseCsv(csvField(value) + '\r\n')[0]![0] ?? '').to.equal(value);
  });

  it('an empty report is just the header', () => {
    expect(render(sampleReport([]))).to.equal(CSV_COLUMNS.join(',') + '\r\n');
  });

  it('keeps object keys and unusual but harmless values exactly', () => {
    const r = sampleReport([makeFinding({ bucket: 'b', key: 'dir/ü 🔐.csv', rule: 'r', status: 'fail', message: 'ünïcödé, "quoted"' })]);
    const { rows } = csvObjects(render(r));
    expect(rows[0]).to.include({ key: 'dir/ü 🔐.csv', message: 'ünïcödé, "quoted"' });
  });

  it('the reader itself rejects malformed CSV (so its passes mean something)', () => {
    expect(() => parseCsv('a,b\r\n1\r\n')).to.throw(/record 2 has 1 fields/);
    expect(() => parseCsv('a"b\r\n')).to.throw(/quote inside/);
    expect(() => parseCsv('"a\r\n')).to.throw(/unterminated/);
    expect(() => parseCsv('a\nb\n')).to.throw(/CRLF/);
  });
});
