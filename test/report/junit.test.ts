import { expect } from 'chai';
import { xmlAttr, xmlText } from '../../src/report/escape.js';
import { render } from '../../src/report/junit.js';
import { checkJunit, childElements, parseXml, textOf } from '../helpers/junit-check.js';
import { fixedReport, makeFinding } from '../helpers/report-fixtures.js';
import { report as sampleReport } from './sample.js';

describe('report/junit', () => {
  const report = fixedReport();
  const xml = render(report);
  const check = checkJunit(xml);

  it('passes the structural checks CI test-report views rely on', () => {
    expect(check.problems).to.deep.equal([]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="s3-kms-audit" tests="12" failures="6" errors="1" skipped="2" time="4.000">')).to.equal(true);
  });

  it('has one testsuite per policy and one testcase per finding', () => {
    const suites = childElements(check.root!, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests])).to.deep.equal([
      ['kms-baseline', '9'],
      ['objects', '1'],
      ['prod-cmk', '2'],
    ]);
    expect(check.cases).to.have.length(report.findings.length);
  });

  it('names a testcase by policy (classname) and rule, account and bucket (name)', () => {
    const names = check.cases.map((c) => `${c.classname} | ${c.name}`);
    expect(names).to.include('kms-baseline | s3-bucket-sse-kms 111122223333/prod-sse-s3');
    expect(names).to.include('objects | s3-object-sse-kms 111122223333/prod-data/exports/2025/06/report.csv');
  });

  it('maps fail → failure, error → error, skip and excepted → skipped with the reason, pass → empty', () => {
    const outcome = (status: string) => report.findings.map((f, i) => [f.status, check.cases.find((c) => c.name.endsWith(`/${f.resource.bucket}${f.resource.key ? `/${f.resource.key}` : ''}`) && c.name.startsWith(f.rule) && c.classname === f.policy)!.outcome, i] as const).filter(([s]) => s === status).map(([, o]) => o);
    expect(new Set(outcome('fail'))).to.deep.equal(new Set(['failure']));
    expect(new Set(outcome('error'))).to.deep.equal(new Set(['error']));
    expect(new Set(outcome('skip'))).to.deep.equal(new Set(['skipped']));
    expect(new Set(outcome('excepted'))).to.deep.equal(new Set(['skipped']));
    expect(new Set(outcome('pass'))).to.deep.equal(new Set(['pass']));
    const excepted = check.cases.find((c) => c.name === 's3-bucket-sse-kms 111122223333/prod-logs')!;
    expect(excepted.detail!.attrs.message).to.equal('excepted: Access log targets only support SSE-S3');
    const skipped = check.cases.find((c) => c.name === 's3-bucket-key-usable 111122223333/prod-logs')!;
    expect(skipped.detail!.attrs.message).to.equal('not applicable: Bucket prod-logs does not use SSE-KMS: key usability does not apply');
  });

  it('puts the message, evidence and fix in the failure body (GitLab shows the body, not the attribute)', () => {
    const failure = check.cases.find((c) => c.name === 's3-bucket-sse-kms 111122223333/prod-sse-s3')!.detail!;
    expect(failure.attrs).to.deep.equal({ message: 'Bucket prod-sse-s3 (us-east-1) default encryption is AES256; SSE-KMS is required', type: 'high s3-bucket-sse-kms' });
    const body = textOf(failure);
    expect(body).to.contain('bucket.encryption.algorithm = "AES256"');
    expect(body).to.contain('fix:\naws s3api put-bucket-encryption');
    const error = check.cases.find((c) => c.outcome === 'error')!.detail!;
    expect(error.attrs.type).to.equal('AccessDenied');
    expect(textOf(error)).to.contain('cause: AccessDenied on GetBucketEncryption: Access Denied');
  });

  it('carries the baseline counts per policy, marks new failures and lists resolved ones', () => {
    const suite = childElements(check.root!, 'testsuite').find((s) => s.attrs.name === 'kms-baseline')!;
    const props = Object.fromEntries(childElements(childElements(suite, 'properties')[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).to.include({ 'baseline.run.id': 'run-2025-05-31', 'baseline.new': '2', 'baseline.resolved': '2', 'baseline.stillFailing': '2' });
    expect(textOf(childElements(suite, 'system-out')[0]!)).to.contain('resolved: s3-bucket-sse-kms 111122223333/prod-gone (now absent)');
    expect(check.cases.filter((c) => c.detail?.attrs.message?.startsWith('[new] '))).to.have.length(3);
  });

  it('renders an empty report as an empty, valid testsuites element', () => {
    const empty = checkJunit(render(sampleReport([])));
    expect(empty.problems).to.deep.equal([]);
    expect(empty.root!.attrs.tests).to.equal('0');
  });

  it('escapes for XML 1.0: attributes keep line breaks as references, text never holds ]]>', () => {
    expect(xmlAttr('a"b\'c<d>&e\tf\ng\rh')).to.equal('a&quot;b&apos;c&lt;d&gt;&amp;e&#9;f&#10;g&#13;h');
    expect(xmlText('x]]>y\rz')).to.equal('x]]&gt;y&#13;z');
    expect(xmlText('\u0000\u001b\ufffe\ud800')).to.equal('\\x00\\x1b\\ufffe\\ud800');
    const r = sampleReport([makeFinding({ bucket: 'b', rule: 'r', status: 'fail', message: 'one\ntwo\r"]]>' })]);
    const parsed = checkJunit(render(r));
    expect(parsed.problems).to.deep.equal([]);
    expect(parsed.cases[0]!.detail!.attrs.message).to.equal('one\ntwo\r"]]>');
  });

  it('the checker itself rejects malformed XML and wrong counts (so its passes mean something)', () => {
    expect(() => parseXml('<a><b></a></b>')).to.throw(/closes/);
    expect(() => parseXml('<a x="1" x="2"/>')).to.throw(/duplicate/);
    expect(() => parseXml('<a>]]></a>')).to.throw(/\]\]>/);
    expect(() => parseXml('<a>&nbsp;</a>')).to.throw(/undeclared/);
    expect(() => parseXml('<a>\u0001</a>')).to.throw(/illegal character/);
    expect(() => parseXml('<a b="<"/>')).to.throw(/"<" in an attribute/);
    expect(checkJunit('<testsuites><testsuite name="s" tests="2" failures="0" errors="0" skipped="0"><testcase classname="c" name="n"/></testsuite></testsuites>').problems)
      .to.deep.equal(['<testsuite s> tests="2" but 1 counted']);
  });
});
