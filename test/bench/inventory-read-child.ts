/**
 * The reading floor of the inventory benchmark: the auditor's own data-file readers (collect/inventory/
 * data-files.ts) over every data file of the report, rows counted and dropped — no evaluation, no outputs.
 * Loaded with rss-probe.js like the CLI, so its CPU and peak RSS are measured the same way.
 * Prints one JSON line: rows, wall time, and the CPU time of the reading alone (without process start-up).
 *
 *   node --import rss-probe.js dist/test/bench/inventory-read-child.js --endpoint URL --access-key-id … --secret-access-key … --format CSV
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parseArgs } from 'node:util';
import { readCsvGzFile, readParquetFile } from '../../src/collect/inventory/data-files.js';

const { values } = parseArgs({ options: { endpoint: { type: 'string' }, 'access-key-id': { type: 'string' }, 'secret-access-key': { type: 'string' }, format: { type: 'string' } } });
const s3 = new S3Client({
  endpoint: values.endpoint!,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: values['access-key-id']!, secretAccessKey: values['secret-access-key']! },
});
const started = Date.now();
// CPU of the reading alone (after the imports), beside the probe's whole-process figure.
const cpuAtStart = process.cpuUsage();
const list = await s3.send(new ListObjectsV2Command({ Bucket: 'inv-dest', Prefix: 'inventory/inv-src/bench/data/' }));
let rows = 0;
const columns = ['Bucket', 'Key', 'Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'EncryptionStatus', 'BucketKeyStatus'];
for (const o of list.Contents ?? []) {
  if (values.format === 'Parquet') rows += await readParquetFile(s3, 'inv-dest', o.Key!, o.Size!, () => undefined);
  else rows += await readCsvGzFile(s3, 'inv-dest', o.Key!, columns, () => undefined);
}
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(JSON.stringify({ rows, wallMs: Date.now() - started, readCpuMs: (cpu.user + cpu.system) / 1000 }) + '\n');
