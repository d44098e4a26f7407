/**
 * The inventory benchmark's sandbox, in its own process: one source bucket with an inventory configuration
 * and a destination bucket holding one report of `--rows` generated rows (`--format` CSV or Parquet,
 * `--rows-per-file` rows per data file). The rows are generated straight into the report's data files (the
 * source bucket holds no objects), so ten million rows cost the data files' bytes, not ten million objects.
 * Prints one JSON line (endpoint, keys, generation time and report bytes) when listening; then answers `stats`
 * lines like sandbox-child.ts; runs until SIGTERM.
 *
 *   node dist/test/bench/inventory-sandbox-child.js --rows 1000000 --format CSV --rows-per-file 1000000
 */
import { parseArgs } from 'node:util';
import { buildEstate } from '../../src/sandbox/estate.js';
import { deliverInventoryReport, startSandbox, type InventoryRecord } from '../../src/sandbox/server.js';
import { serveBenchSandbox } from './sandbox-child-protocol.js';

const { values } = parseArgs({ options: { rows: { type: 'string' }, format: { type: 'string' }, 'rows-per-file': { type: 'string' } } });
const rows = Number(values.rows ?? 1_000_000);
const format = (values.format ?? 'CSV') as 'CSV' | 'Parquet';
const rowsPerFile = Number(values['rows-per-file'] ?? 1_000_000);

const estate = buildEstate({
  accounts: [
    {
      id: '111122223333',
      name: 'bench',
      accessKeyId: 'AKIABENCHINVENTORY01',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHINV0001',
      buckets: [
        { name: 'inv-dest', region: 'us-east-1' },
        {
          name: 'inv-src',
          region: 'us-east-1',
          encryption: { algorithm: 'aws:kms', bucketKeyEnabled: true },
          inventory: [{ id: 'bench', destination: 'inv-dest', prefix: 'inventory', format, fields: ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'EncryptionStatus', 'BucketKeyStatus'] }],
        },
      ],
    },
  ],
});

/**
 * Row i: 9 in 10 SSE-KMS with a Bucket Key, 1 in 10 SSE-S3; keys and ETags of realistic length, and each
 * object its own LastModifiedDate (a second apart), as in a real report.
 */
function* generated(): Generator<InventoryRecord> {
  const firstModified = Date.parse('2026-01-01T00:00:00Z');
  const width = String(rows - 1).length;
  for (let i = 0; i < rows; i++) {
    const kms = i % 10 !== 0;
    yield {
      key: `data/2026/01/${String(i).padStart(width, '0')}.json`,
      versionId: 'null',
      isLatest: true,
      isDeleteMarker: false,
      size: 1024 + (i % 4096),
      lastModified: new Date(firstModified + i * 1000),
      etag: (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(4),
      encryptionStatus: kms ? 'SSE-KMS' : 'SSE-S3',
      bucketKeyStatus: kms ? 'ENABLED' : 'DISABLED',
    };
  }
}

const started = Date.now();
const sandbox = await startSandbox({ estate, port: 0 });
const report = await deliverInventoryReport(estate, 'inv-src', 'bench', { rows: generated(), rowsPerFile, at: new Date(Date.now() - 3_600_000) });
const dest = estate.buckets.get('inv-dest')!;
const reportBytes = report.dataKeys.reduce((n, k) => n + (dest.objects.get(k)?.size ?? 0), 0);
const account = sandbox.accounts[0]!;
serveBenchSandbox(sandbox, {
    endpoint: sandbox.endpoint,
    accessKeyId: account.accessKeyId,
    secretAccessKey: account.secretAccessKey,
    buckets: 1,
    rows: report.rows,
    dataFiles: report.dataKeys.length,
    reportBytes,
    generationMs: Date.now() - started,
  });
