import { expect } from 'chai';
import { artifactUri, FINGERPRINT_KEY, render, SARIF_SCHEMA } from '../../src/report/sarif.js';
import { checkSarif } from '../helpers/sarif-check.js';
import { fixedReport, makeFinding } from '../helpers/report-fixtures.js';
import { report as sampleReport } from './sample.js';

interface Result {
  ruleId: string;
  ruleIndex: number;
  kind: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[] }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; justification: string }[];
  properties: Record<string, unknown>;
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help?: { text: string; markdown: string };
  defaultConfiguration?: { level: string };
  properties: Record<string, unknown>;
}

describe('report/sarif', () => {
  const report = fixedReport();
  const log = JSON.parse(render(report));
  const run = log.runs[0];
  const rules: Rule[] = run.tool.driver.rules;
  const results: Result[] = run.results;
  const resultFor = (bucket: string, rule: string): Result => results.find((r) => r.properties.bucket === bucket && r.ruleId === rule)!;

  it('passes the structural checks code scanning relies on', () => {
    expect(checkSarif(log)).to.deep.equal([]);
    expect(log.version).to.equal('2.1.0');
    expect(log.$schema).to.equal(SARIF_SCHEMA);
  });

  it('has one reportingDescriptor per rule with the rule file text', () => {
    expect(rules.map((r) => r.id)).to.deep.equal(['s3-bucket-cmk', 's3-bucket-key-usable', 's3-bucket-sse-kms', 's3-object-sse-kms']);
    const sse = rules.find((r) => r.id === 's3-bucket-sse-kms')!;
    expect(sse.name).to.equal('S3BucketSseKms');
    expect(sse.shortDescription.text).to.equal('Bucket default encryption is SSE-KMS');
    expect(sse.fullDescription!.text).to.match(/^New objects must be encrypted/);
    expect(sse.help!.text).to.match(/^aws s3api put-bucket-encryption/);
    expect(sse.help!.markdown).to.contain('**How to fix**\n\n```text\naws s3api');
    expect(sse.defaultConfiguration).to.deep.equal({ level: 'error' });
    expect(sse.properties).to.include({ 'security-severity': '8.0' });
    expect(sse.properties.tags).to.include('security');
    expect(rules.find((r) => r.id === 's3-bucket-key-usable')!.properties['security-severity']).to.equal('9.5');
    // A rule the report has no metadata for still gets a descriptor, so every result has a rule.
    expect(rules.find((r) => r.id === 's3-object-sse-kms')).to.deep.equal({
      id: 's3-object-sse-kms', name: 'S3ObjectSseKms', shortDescription: { text: 's3-object-sse-kms' }, properties: { tags: ['security', 'aws', 's3', 'kms'], precision: 'very-high' },
    });
  });

  it('has one result per fail, error and excepted finding; none for pass and skip', () => {
    const expected = report.findings.filter((f) => ['fail', 'error', 'excepted'].includes(f.status)).map((f) => f.id);
    expect(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).to.deep.equal(expected);
  });

  it('maps severity to level, error to kind open / level none, excepted to an accepted suppression', () => {
    expect(resultFor('prod-disabled', 's3-bucket-key-usable')).to.include({ kind: 'fail', level: 'error' });
    expect(resultFor('prod-data', 's3-object-sse-kms')).to.include({ kind: 'fail', level: 'warning' });
    expect(resultFor('dev-scratch', 's3-bucket-sse-kms')).to.include({ kind: 'fail', level: 'note' });
    const error = resultFor('prod-locked', 's3-bucket-sse-kms');
    expect(error).to.include({ kind: 'open', level: 'none' });
    expect(error.properties.cause).to.deep.equal({ code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' });
    expect(resultFor('prod-logs', 's3-bucket-sse-kms').suppressions).to.deep.equal([{ kind: 'external', status: 'accepted', justification: 'Access log targets only support SSE-S3' }]);
    expect(resultFor('prod-sse-s3', 's3-bucket-sse-kms').suppressions).to.equal(undefined);
  });

  it('locates each result at the bucket or object ARN, anchored on the policy file', () => {
    const object = resultFor('prod-data', 's3-object-sse-kms');
    expect(object.locations).to.deep.equal([
      {
        physicalLocation: { artifactLocation: { uri: 'policies.yaml' }, region: { startLine: 1 } },
        logicalLocations: [{ name: 'exports/2025/06/report.csv', fullyQualifiedName: 'arn:aws:s3:::prod-data/exports/2025/06/report.csv', kind: 'resource' }],
      },
    ]);
    expect(artifactUri('config/my policies.yaml')).to.equal('config/my%20policies.yaml');
    expect(artifactUri('/abs/p.yaml')).to.equal('file:///abs/p.yaml');
  });

  it('keeps ruleIndex consistent with the rules array', () => {
    for (const r of results) expect(rules[r.ruleIndex]!.id).to.equal(r.ruleId);
  });

  it('records the run, the gate and the baseline diff in run properties and per result', () => {
    expect(run.invocations[0]).to.deep.include({ executionSuccessful: false, startTimeUtc: '2025-06-01T02:00:00.000Z' });
    expect(run.invocations[0].toolExecutionNotifications).to.have.length(report.errors.length);
    expect(run.properties.diff).to.deep.include({ baselineRunId: 'run-2025-05-31', new: 3, resolved: 2, stillFailing: 3, unknown: 1 });
    expect(run.properties.gate.exitCode).to.equal(1);
    expect(resultFor('prod-disabled', 's3-bucket-key-usable').properties.baseline).to.equal('new');
    expect(resultFor('prod-sse-s3', 's3-bucket-sse-kms').properties.baseline).to.equal('still-failing');
    expect(run.automationDetails.id).to.equal('s3-kms-audit/run-2025-06-01');
  });

  it('an empty report is a valid log with no results', () => {
    const empty = JSON.parse(render(sampleReport([])));
    expect(checkSarif(empty)).to.deep.equal([]);
    expect(empty.runs[0].results).to.deep.equal([]);
  });

  it('the checker itself catches what code scanning would reject', () => {
    const bad = JSON.parse(render(sampleReport([makeFinding({ bucket: 'b', rule: 'r', status: 'fail' })])));
    const result = bad.runs[0].results[0];
    result.ruleIndex = 5;
    result.level = 'fatal';
    delete result.locations[0].physicalLocation;
    bad.version = '2.0.0';
    expect(checkSarif(bad)).to.deep.equal([
      'version is "2.0.0", expected "2.1.0"',
      'results[0].ruleIndex 5 does not point at r',
      'results[0].level fatal is not a SARIF level',
      'results[0].locations[0] has no physicalLocation.artifactLocation.uri',
    ]);
    const open = JSON.parse(render(sampleReport([makeFinding({ bucket: 'b', rule: 'r', status: 'fail' })])));
    open.runs[0].results[0].kind = 'open';
    expect(checkSarif(open)).to.deep.equal(['results[0]: kind open requires level "none"']);
  });
});
