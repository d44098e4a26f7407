/**
 * Fixed reports for the format tests: `fixedReport()` (golden files: fixed clock, ids and run id,
 * every status, an object finding, an expired exception, a run error, rule metadata and a baseline
 * diff), `hostileReport()` (every string a format could mishandle, in every string field) and
 * `objectsReport()` (object scans whose passing and capped outcomes are counted, not listed).
 */
import type { Finding, Severity, Status } from '../../src/domain/finding.js';
import type { AuditReport, ObjectsSection, RuleInfo, RunError } from '../../src/domain/report.js';
import { countOutcome, emptyOutcomeCounts, emptyStatusCounts } from '../../src/domain/counts.js';
import { findingId } from '../../src/engine/evaluate.js';
import { withDiff } from '../../src/report/diff.js';
import { buildReport } from '../../src/run/report.js';

export const PROD = '111122223333';
export const DEV = '444455556666';

interface Spec {
  account?: string;
  region?: string;
  bucket: string;
  key?: string;
  policy?: string;
  rule: string;
  severity?: Severity;
  status: Status;
  message?: string;
  evidence?: Record<string, unknown>;
  cause?: Finding['cause'];
  exception?: Finding['exception'];
}

export function makeFinding(s: Spec): Finding {
  const account = s.account ?? PROD;
  const arn = s.key !== undefined ? `arn:aws:s3:::${s.bucket}/${s.key}` : `arn:aws:s3:::${s.bucket}`;
  const policy = s.policy ?? 'kms-baseline';
  const f: Finding = {
    id: findingId(account, arn, policy, s.rule),
    policy,
    rule: s.rule,
    severity: s.severity ?? 'high',
    status: s.status,
    resource: { type: s.key !== undefined ? 'object' : 'bucket', arn, account, region: s.region ?? 'us-east-1', bucket: s.bucket },
    message: s.message ?? `Bucket ${s.bucket}: ${s.rule} ${s.status}`,
    evidence: s.evidence ?? {},
  };
  if (s.key !== undefined) f.resource.key = s.key;
  if (s.cause) f.cause = s.cause;
  if (s.exception) f.exception = s.exception;
  return f;
}

export const FIXED_RULES: Record<string, RuleInfo> = {
  's3-bucket-sse-kms': {
    title: 'Bucket default encryption is SSE-KMS',
    description: 'New objects must be encrypted with a KMS key so that access to the data is governed by the key policy.',
    fix: 'aws s3api put-bucket-encryption --bucket BUCKET \\\n  --server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/YOUR-KEY"},"BucketKeyEnabled":true}]}\'',
    severity: 'high',
    resource: 'bucket',
    remediation: 'put-bucket-encryption',
  },
  's3-bucket-cmk': {
    title: 'Bucket default encryption uses a customer managed KMS key',
    description: 'The AWS managed key aws/s3 cannot be restricted, rotated on your schedule or used across accounts.',
    fix: 'Create a customer managed key and make it the bucket default (see s3-bucket-sse-kms).',
    severity: 'high',
    resource: 'bucket',
  },
  's3-bucket-key-usable': {
    title: 'The default KMS key exists, is enabled and is in the bucket region',
    description: 'A disabled, deleted or foreign-region key makes every PUT fail.',
    severity: 'critical',
    resource: 'bucket',
  },
};

const RUN = {
  start: '2025-06-01T02:00:00.000Z',
  end: '2025-06-01T02:00:04.250Z',
  policyFile: 'policies.yaml',
  policyFileSha256: 'c0ffee'.padEnd(64, '0'),
  rulesDirs: ['/opt/s3-kms-audit/rules'],
};

function build(id: string, start: string, findings: Finding[], errors: RunError[], rules?: Record<string, RuleInfo>): AuditReport {
  return buildReport({
    toolVersion: '1.2.3',
    run: { ...RUN, id, start, end: start.replace('02:00:00', '02:00:04'), accounts: [PROD, DEV], regions: ['us-east-1', 'eu-west-1'] },
    findings,
    errors,
    gate: { failOn: 'high', allowIncomplete: false },
    ...(rules ? { rules } : {}),
  });
}

const ACCESS_DENIED = { code: 'AccessDenied', operation: 'GetBucketEncryption', message: 'Access Denied' };

/** The report of a second nightly run, diffed against `fixedBaseline()`. */
export function fixedReport(): AuditReport {
  const findings = [
    makeFinding({ bucket: 'prod-data', rule: 's3-bucket-sse-kms', status: 'pass', message: 'Bucket prod-data uses aws:kms', evidence: { 'bucket.encryption.algorithm': 'aws:kms' } }),
    makeFinding({ bucket: 'prod-data', rule: 's3-bucket-cmk', policy: 'prod-cmk', status: 'pass', message: 'Bucket prod-data uses a customer managed key' }),
    makeFinding({ bucket: 'prod-sse-s3', rule: 's3-bucket-sse-kms', status: 'fail', message: 'Bucket prod-sse-s3 (us-east-1) default encryption is AES256; SSE-KMS is required', evidence: { 'bucket.encryption.algorithm': 'AES256' } }),
    makeFinding({ bucket: 'prod-sse-s3', rule: 's3-bucket-cmk', policy: 'prod-cmk', status: 'fail', message: 'Bucket prod-sse-s3 uses no KMS key; a customer managed key is required', evidence: { 'key.manager': null } }),
    makeFinding({ bucket: 'prod-disabled', rule: 's3-bucket-key-usable', severity: 'critical', status: 'fail', message: 'Bucket prod-disabled default KMS key alias/old is not usable (state: Disabled)', evidence: { 'key.state': 'Disabled', 'key.aliases': ['alias/old'] } }),
    makeFinding({ bucket: 'prod-archive', rule: 's3-bucket-sse-kms', status: 'fail', message: 'Bucket prod-archive default encryption is AES256 (exception expired on 2025-05-31: migration due)', exception: { reason: 'migration due', expires: '2025-05-31', expired: true } }),
    makeFinding({ bucket: 'prod-logs', rule: 's3-bucket-sse-kms', status: 'excepted', message: 'Bucket prod-logs default encryption is AES256', exception: { reason: 'Access log targets only support SSE-S3', expired: false } }),
    makeFinding({ bucket: 'prod-logs', rule: 's3-bucket-key-usable', severity: 'critical', status: 'skip', message: 'Bucket prod-logs does not use SSE-KMS: key usability does not apply' }),
    makeFinding({ bucket: 'prod-locked', rule: 's3-bucket-sse-kms', status: 'error', message: 'prod-locked: cannot evaluate s3-bucket-sse-kms: bucket.encryption could not be read (GetBucketEncryption failed with AccessDenied: Access Denied)', cause: ACCESS_DENIED }),
    makeFinding({ bucket: 'prod-data', key: 'exports/2025/06/report.csv', rule: 's3-object-sse-kms', policy: 'objects', severity: 'medium', status: 'fail', message: 's3://prod-data/exports/2025/06/report.csv is encrypted with AES256' }),
    makeFinding({ account: DEV, region: 'eu-west-1', bucket: 'dev-scratch', rule: 's3-bucket-sse-kms', severity: 'low', status: 'fail', message: 'Bucket dev-scratch default encryption is AES256' }),
    makeFinding({ account: DEV, region: 'eu-west-1', bucket: 'dev-ok', rule: 's3-bucket-sse-kms', status: 'pass', message: 'Bucket dev-ok uses aws:kms' }),
  ];
  const errors: RunError[] = [{ account: DEV, region: 'ap-southeast-2', operation: 'ListObjectsV2', code: 'SlowDown', message: 'Please reduce your request rate.' }];
  return withDiff(build('run-2025-06-01', RUN.start, findings, errors, FIXED_RULES), fixedBaseline());
}

/** The night before: prod-data failed then (now resolved), prod-sse-s3 failed too (still failing). */
export function fixedBaseline(): AuditReport {
  const start = '2025-05-31T02:00:00.000Z';
  const findings = [
    makeFinding({ bucket: 'prod-data', rule: 's3-bucket-sse-kms', status: 'fail' }),
    makeFinding({ bucket: 'prod-data', rule: 's3-bucket-cmk', policy: 'prod-cmk', status: 'pass' }),
    makeFinding({ bucket: 'prod-sse-s3', rule: 's3-bucket-sse-kms', status: 'fail' }),
    makeFinding({ bucket: 'prod-sse-s3', rule: 's3-bucket-cmk', policy: 'prod-cmk', status: 'fail' }),
    makeFinding({ bucket: 'prod-disabled', rule: 's3-bucket-key-usable', severity: 'critical', status: 'pass' }),
    makeFinding({ bucket: 'prod-archive', rule: 's3-bucket-sse-kms', status: 'excepted', exception: { reason: 'migration due', expires: '2025-05-31', expired: false } }),
    makeFinding({ bucket: 'prod-locked', rule: 's3-bucket-sse-kms', status: 'fail' }),
    makeFinding({ bucket: 'prod-gone', rule: 's3-bucket-sse-kms', status: 'fail' }),
    makeFinding({ account: DEV, region: 'eu-west-1', bucket: 'dev-scratch', rule: 's3-bucket-sse-kms', severity: 'low', status: 'fail' }),
  ];
  return build('run-2025-05-31', start, findings, []);
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Strings that break naive HTML, XML, Markdown, CSV and terminal output, one per trap. */
export const HOSTILE = [
  '<script>alert(1)</script>',
  '"]]>',
  '=HYPERLINK("http://x")',
  '+cmd',
  '@SUM(1+1)',
  '-2',
  'line1\nline2',
  'carriage\rreturn',
  'tab\there',
  'a | pipe | b',
  '`code` and ``` fences',
  'rtl \u202egnp.exe',
  'emoji 🔐🪣',
  'esc \u001b[31mred\u001b[0m',
  'nul \u0000 byte',
  "quote ' and \" both",
  '&amp; &lt;not&gt; entities',
  '[link](http://evil.example) ![img](x) www.evil.example @someone #1',
  '\tleading tab',
  '\rleading cr',
  '</textarea></title></style><img src=x onerror=alert(2)>',
  '\ufffe\uffff noncharacters and a lone \ud800 surrogate',
];

/** All hostile strings in one, for fields that hold one value. */
export const HOSTILE_ALL = HOSTILE.join(' ');

/**
 * A report whose every free-text field (bucket names, keys, regions, policy and rule names, tags and
 * aliases in evidence, messages, causes, exception reasons, rule texts, run metadata) is hostile.
 * Only fields the JSON schema pins down (account ids, statuses, severities, timestamps) are normal.
 */
export function hostileReport(): AuditReport {
  const statuses: Status[] = ['fail', 'error', 'skip', 'excepted', 'pass'];
  const findings: Finding[] = HOSTILE.map((value, i) => {
    const status = statuses[i % statuses.length]!;
    return makeFinding({
      bucket: value,
      key: i % 3 === 0 ? `${value}/key` : undefined,
      region: value,
      policy: `policy ${value}`,
      rule: `rule ${value}`,
      severity: (['critical', 'high', 'medium', 'low', 'info'] as Severity[])[i % 5]!,
      status,
      message: `message ${value}`,
      evidence: { 'bucket.tags': { [value]: value }, 'key.aliases': [value, `alias/${value}`], [value]: i },
      ...(status === 'error' ? { cause: { code: value, operation: value, message: value } } : {}),
      ...(status === 'excepted' || status === 'fail' ? { exception: { reason: value, expires: value, expired: status === 'fail' } } : {}),
    } as Spec);
  });
  const rules: Record<string, RuleInfo> = Object.fromEntries(
    HOSTILE.map((value) => [`rule ${value}`, { title: `title ${value}`, description: `description ${value}`, fix: `fix ${value}`, severity: 'high', resource: 'bucket', remediation: value } satisfies RuleInfo]),
  );
  const errors: RunError[] = HOSTILE.map((value) => ({ account: PROD, region: value, bucket: value, operation: value, code: value, message: value }));
  const report = buildReport({
    toolVersion: HOSTILE_ALL,
    run: { id: HOSTILE_ALL, start: RUN.start, end: RUN.end, policyFile: HOSTILE_ALL, policyFileSha256: RUN.policyFileSha256, rulesDirs: [HOSTILE_ALL], accounts: [PROD], regions: HOSTILE, endpoint: HOSTILE_ALL },
    findings,
    errors,
    gate: { failOn: 'high', allowIncomplete: false },
    rules,
  });
  // A baseline in which everything failed, so the diff lists hostile values as resolved and new.
  const baseline: AuditReport = {
    ...report,
    run: { ...report.run, id: `baseline ${HOSTILE_ALL}`, policyFileSha256: 'f'.repeat(64) },
    findings: report.findings.map((f, i) => ({ ...f, status: i % 2 === 0 ? 'fail' : 'pass' })),
  };
  return withDiff(report, baseline);
}

// ---------------------------------------------------------------------------------------------
// Object scans

/**
 * A report with object scans as a real run builds it: of 2 buckets' 45 object outcomes only the first
 * 2 non-passing ones are listed (--max-object-findings 2); the other non-passing ones and every pass
 * are counted in the summary and the scans, not listed. One scan stopped early; one had no usable state.
 */
export function objectsReport(): AuditReport {
  const bucketFindings = [
    makeFinding({ bucket: 'prod-data', rule: 's3-bucket-sse-kms', status: 'pass', message: 'Bucket prod-data uses aws:kms' }),
    makeFinding({ account: DEV, region: 'eu-west-1', bucket: 'dev-generated', rule: 's3-bucket-sse-kms', status: 'fail', message: 'Bucket dev-generated default encryption is AES256' }),
  ];
  const object = (bucket: string, i: number, status: Status, account = PROD, region = 'us-east-1'): Finding =>
    makeFinding({ account, region, bucket, key: `data/${String(i).padStart(3, '0')}.csv`, policy: 'objects', rule: i % 2 === 0 ? 's3-object-sse-kms' : 's3-object-cmk', severity: 'medium', status, message: `s3://${bucket}/data/${i}.csv: ${status}` });
  const prod = [...Array.from({ length: 30 }, (_, i) => object('prod-data', i, 'pass')), object('prod-data', 30, 'fail'), object('prod-data', 31, 'fail'), object('prod-data', 32, 'error')];
  const dev = [...Array.from({ length: 10 }, (_, i) => object('dev-generated', i, 'pass', DEV, 'eu-west-1')), object('dev-generated', 10, 'fail', DEV, 'eu-west-1'), object('dev-generated', 11, 'excepted', DEV, 'eu-west-1')];
  const nonPass = [...prod, ...dev].filter((f) => f.status !== 'pass');
  const listed = nonPass.slice(0, 2);
  const uncounted = emptyOutcomeCounts();
  for (const f of [...prod, ...dev].filter((f) => !listed.includes(f))) countOutcome(uncounted, f);
  const outcomes = (fs: Finding[]): Record<Status, number> => {
    const c = emptyStatusCounts();
    for (const f of fs) c[f.status] += 1;
    return c;
  };
  const section: ObjectsSection = {
    jsonl: 'reports/audit.objects.jsonl',
    maxFindings: 2,
    findingsListed: listed.length,
    findingsOmitted: nonPass.length - listed.length,
    buckets: [
      { account: PROD, region: 'us-east-1', bucket: 'prod-data', policies: ['objects'], mode: 'sample', versions: false, listed: 120, selected: 17, inspected: 16, skipped: 0, vanished: 0, unreadable: 1, outcomes: outcomes(prod), complete: true },
      { account: DEV, region: 'eu-west-1', bucket: 'dev-generated', policies: ['objects'], mode: 'incremental', prefix: 'data/', versions: true, listed: 9, selected: 9, inspected: 4, skipped: 3, vanished: 1, unreadable: 0, outcomes: outcomes(dev), complete: false, state: { status: 'invalid', path: 'state/dev-generated.json', note: 'state file is from another policy file' } },
    ],
  };
  return buildReport({
    toolVersion: '1.2.3',
    run: { ...RUN, id: 'run-objects', accounts: [PROD, DEV], regions: ['us-east-1', 'eu-west-1'] },
    findings: [...bucketFindings, ...listed],
    errors: [{ account: DEV, region: 'eu-west-1', bucket: 'dev-generated', operation: 'ListObjectVersions', code: 'SlowDown', message: 'Please reduce your request rate.' }],
    gate: { failOn: 'high', allowIncomplete: false },
    objects: { section, uncounted, errorCauses: [] },
  });
}
