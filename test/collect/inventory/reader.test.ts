/**
 * The pure parts of the inventory reader (collect/inventory/): the CSV line parser and row streamer, the
 * manifest and its checksum, the report folders and which is newest, rows → object facts, the shard choice of
 * data files, the options and their policy-file checks, and the IAM actions `permissions` prints for the mode.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { commandActions } from '../../../src/cli/permissions.js';
import { parseCsvLine, readCsvRows } from '../../../src/collect/inventory/csv.js';
import { candidates, hiveFolderName, hiveFolderTime, manifestFolderName, manifestFolderTime, reportRoot } from '../../../src/collect/inventory/locate.js';
import { csvFieldsFromConfiguration, InventoryProblem, readManifest, readSymlink } from '../../../src/collect/inventory/manifest.js';
import { durationMs, resolveInventoryOptions } from '../../../src/collect/inventory/options.js';
import { factsFromRow, normaliseField } from '../../../src/collect/inventory/rows.js';
import { checkShard, dataFileHash, inShard } from '../../../src/collect/inventory/shard.js';
import { parsePolicyFile } from '../../../src/config/policies.js';
import { loadRules } from '../../../src/config/rules.js';
import { ConfigError, formatProblem } from '../../../src/domain/errors.js';
import { builtinRulesDir } from '../../../src/paths.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('inventory reader: CSV', () => {
  it('parses quoted fields, doubled quotes, commas inside quotes, empty and unquoted fields', () => {
    expect(parseCsvLine('"b","k%20x","","true"')).to.deep.equal(['b', 'k%20x', '', 'true']);
    expect(parseCsvLine('"a ""quoted"" , comma","2"')).to.deep.equal(['a "quoted" , comma', '2']);
    expect(parseCsvLine('plain,"q",')).to.deep.equal(['plain', 'q', '']);
    expect(parseCsvLine('""')).to.deep.equal(['']);
  });

  it('refuses a line with an unterminated quote or garbage after a closing quote', () => {
    expect(() => parseCsvLine('"open,"x"')).to.throw(/unexpected character|unterminated/);
    expect(() => parseCsvLine('"x"y,"z"')).to.throw(/unexpected character/);
  });

  it('streams rows across chunk boundaries, CRLF and a split multi-byte character, and a last line without a newline', async () => {
    const text = Buffer.from('"a","é1"\r\n"b","2"\n"c","€3"');
    // Split inside the two-byte é and the three-byte €.
    const chunks = [text.subarray(0, 7), text.subarray(7, 20), text.subarray(20, 27), text.subarray(27)];
    const rows: string[][] = [];
    const count = await readCsvRows(Readable.from(chunks), (f) => {
      rows.push(f);
      return undefined;
    });
    expect(count).to.equal(3);
    expect(rows).to.deep.equal([['a', 'é1'], ['b', '2'], ['c', '€3']]);
  });

  it('waits for a row handler that returns a promise before the next row', async () => {
    const seen: string[] = [];
    let pending = 0;
    await readCsvRows(Readable.from(['"1"\n"2"\n"3"\n']), (f) => {
      expect(pending).to.equal(0);
      pending++;
      return new Promise<void>((r) => setImmediate(() => {
        pending--;
        seen.push(f[0]!);
        r();
      }));
    });
    expect(seen).to.deep.equal(['1', '2', '3']);
  });
});

describe('inventory reader: manifest, symlink and report folders', () => {
  const manifest = Buffer.from(JSON.stringify({
    sourceBucket: 'src',
    destinationBucket: 'arn:aws:s3:::dest',
    version: '2016-11-30',
    creationTimestamp: '1514944800000',
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key, Size, EncryptionStatus',
    files: [{ key: 'inv/src/c/data/a.csv.gz', size: 10, MD5checksum: 'ABCDEF' }],
  }));
  const md5 = createHash('md5').update(manifest).digest('hex');

  it('reads a manifest whose checksum matches (destination ARN → name, MD5 lower-cased)', () => {
    const m = readManifest(manifest, Buffer.from(`${md5}\n`), 's3://dest/x/');
    expect(m).to.deep.include({ sourceBucket: 'src', destinationBucket: 'dest', fileFormat: 'CSV', creationTimestamp: 1514944800000 });
    expect(m.files).to.deep.equal([{ key: 'inv/src/c/data/a.csv.gz', size: 10, md5: 'abcdef' }]);
  });

  it('refuses a manifest that does not match manifest.checksum, or is not a manifest', () => {
    expect(() => readManifest(manifest, Buffer.from('0'.repeat(32)), '')).to.throw(InventoryProblem, /does not match manifest\.checksum/);
    const notJson = Buffer.from('{');
    expect(() => readManifest(notJson, Buffer.from(createHash('md5').update(notJson).digest('hex')), '')).to.throw(/not JSON/);
  });

  it('reads symlink.txt, refusing a URI outside the destination bucket', () => {
    expect(readSymlink('s3://dest/a/data/1.csv.gz\ns3://dest/a/data/2.csv.gz\n', 'dest')).to.deep.equal([{ key: 'a/data/1.csv.gz' }, { key: 'a/data/2.csv.gz' }]);
    expect(() => readSymlink('s3://other/x\n', 'dest')).to.throw(/not an object of s3:\/\/dest/);
  });

  it('names CSV columns from a configuration as S3 orders them (hive layout: no manifest)', () => {
    expect(csvFieldsFromConfiguration('All', ['BucketKeyStatus', 'Size', 'EncryptionStatus'])).to.deep.equal(['Bucket', 'Key', 'VersionId', 'IsLatest', 'IsDeleteMarker', 'Size', 'EncryptionStatus', 'BucketKeyStatus']);
    expect(csvFieldsFromConfiguration('Current', [])).to.deep.equal(['Bucket', 'Key']);
  });

  it('folder names and times round-trip; the newest report wins, a manifest before a hive symlink of the same time', () => {
    const t = new Date('2026-11-06T21:32:00Z');
    expect(manifestFolderName(t)).to.equal('2026-11-06T21-32Z');
    expect(hiveFolderName(t)).to.equal('dt=2026-11-06-21-32');
    expect(manifestFolderTime('2026-11-06T21-32Z/')).to.equal(t.getTime());
    expect(hiveFolderTime('dt=2026-11-06-21-32/')).to.equal(t.getTime());
    expect(manifestFolderTime('data/')).to.equal(undefined);
    const root = reportRoot('inv/', 'src', 'cfg');
    expect(root).to.equal('inv/src/cfg/');
    expect(reportRoot('', 'src', 'cfg')).to.equal('src/cfg/');
    const found = candidates(root, [`${root}2026-11-05T00-00Z/`, `${root}2026-11-06T21-32Z/`, `${root}data/`, `${root}hive/`], [`${root}hive/dt=2026-11-06-21-32/`, `${root}hive/dt=2026-11-07-00-00/`]);
    expect(found.map((c) => [c.layout, new Date(c.time).toISOString()])).to.deep.equal([
      ['hive', '2026-11-07T00:00:00.000Z'],
      ['manifest', '2026-11-06T21:32:00.000Z'],
      ['hive', '2026-11-06T21:32:00.000Z'],
      ['manifest', '2026-11-05T00:00:00.000Z'],
    ]);
  });
});

describe('inventory reader: rows → object facts', () => {
  const row = { key: 'a b', size: 5, lastModified: Date.parse('2025-01-02T03:04:05Z'), etag: 'abc' };

  it('maps EncryptionStatus to the algorithm HeadObject answers and BucketKeyStatus to bucketKeyEnabled', () => {
    const cases: [string, unknown][] = [['SSE-S3', 'AES256'], ['SSE-KMS', 'aws:kms'], ['DSSE-KMS', 'aws:kms:dsse'], ['SSE-C', 'SSE-C'], ['NOT-SSE', null]];
    for (const [status, sse] of cases) expect(factsFromRow('b', { ...row, encryptionStatus: status }, false).sse, status).to.equal(sse);
    const f = factsFromRow('b', { ...row, encryptionStatus: 'SSE-KMS', bucketKeyStatus: 'ENABLED' }, false);
    expect(f).to.deep.equal({ bucket: 'b', key: 'a b', size: 5, lastModified: '2025-01-02T03:04:05.000Z', etag: '"abc"', sse: 'aws:kms', bucketKeyEnabled: true, errors: {} });
  });

  it('spells the null version "null" and keeps IsLatest in versions mode', () => {
    expect(factsFromRow('b', { ...row, encryptionStatus: 'SSE-S3', versionId: '', isLatest: true }, true)).to.deep.include({ versionId: 'null', isLatest: true });
    expect(factsFromRow('b', { ...row, encryptionStatus: 'SSE-S3', versionId: 'v1', isLatest: false }, true)).to.deep.include({ versionId: 'v1', isLatest: false });
  });

  it('gives LastModifiedDate as toISOString spells it, from epoch milliseconds or any text Date reads', () => {
    const at = (lastModified: number | string): string => factsFromRow('b', { ...row, lastModified, encryptionStatus: 'SSE-S3' }, false).lastModified;
    expect(at('2025-01-02T03:04:05.000Z')).to.equal('2025-01-02T03:04:05.000Z');
    expect(at('2025-01-02T03:04:05Z')).to.equal('2025-01-02T03:04:05.000Z');
    expect(at('2026-02-30T00:00:00.000Z')).to.equal(new Date(Date.parse('2026-02-30T00:00:00.000Z')).toISOString());
    expect(at('2026-13-01T00:00:00.000Z')).to.equal('1970-01-01T00:00:00.000Z');
    expect(at('')).to.equal('1970-01-01T00:00:00.000Z');
    expect(at(0)).to.equal('1970-01-01T00:00:00.000Z');
  });

  it('an unknown EncryptionStatus or a report without the field is an error fact, never a pass', () => {
    expect(factsFromRow('b', { ...row, encryptionStatus: 'SSE-X' }, false).errors.object).to.deep.include({ code: 'UnknownEncryptionStatus' });
    expect(factsFromRow('b', row, false).errors.object).to.deep.include({ code: 'FieldNotInInventory' });
  });

  it('normalises CSV and Parquet column names alike', () => {
    expect(['BucketKeyStatus', 'bucket_key_status'].map(normaliseField)).to.deep.equal(['bucketkeystatus', 'bucketkeystatus']);
    expect(['ETag', 'e_tag'].map(normaliseField)).to.deep.equal(['etag', 'etag']);
  });
});

describe('inventory reader: shards of data files', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `inv/src/cfg/data/${i}-${createHash('sha1').update(String(i)).digest('hex')}.csv.gz`);

  it('every data file falls in exactly one of N shards, and one shard reads everything', () => {
    for (const n of [1, 2, 3, 7]) {
      for (const k of keys) expect(Array.from({ length: n }, (_, i) => inShard(k, { index: i, count: n })).filter(Boolean), `${k} of ${n}`).to.have.length(1);
    }
    expect(keys.every((k) => inShard(k, undefined))).to.equal(true);
  });

  it('the hash is of the key alone and fixed (SHA-256), so every machine picks the same files', () => {
    expect(dataFileHash('a')).to.equal(0xca978112);
    const shares = [0, 1, 2].map((i) => keys.filter((k) => inShard(k, { index: i, count: 3 })).length);
    for (const s of shares) expect(s).to.be.within(40, 95);
  });

  it('refuses an index outside 0 … count − 1', () => {
    expect(() => checkShard({ index: 3, count: 3 })).to.throw(/invalid shard/);
    expect(() => checkShard({ index: 0, count: 0 })).to.throw(/invalid shard/);
    expect(() => checkShard({ index: 2, count: 3 })).to.not.throw();
  });
});

describe('inventory mode: options, policy-file checks and permissions', () => {
  const rules = loadRules([builtinRulesDir()]);
  const problems = (objects: string): string[] => {
    try {
      parsePolicyFile(`version: 1\npolicies:\n  - name: a\n    resource: object\n    objects: ${objects}\n    rules: [s3-object-sse-kms]\n`, 'p.yaml', rules);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map(formatProblem);
      throw e;
    }
    return [];
  };

  it('defaults: maxAge 8d, no key check, no fallback', () => {
    expect(resolveInventoryOptions({ mode: 'inventory' })).to.deep.equal({ maxAge: '8d', maxAgeMs: 8 * 24 * 3_600_000, keyCheckSample: 0 });
    expect(resolveInventoryOptions({ mode: 'inventory', inventoryId: 'x', maxAge: '36h', keyCheck: { sample: 5 }, fallback: 'list' })).to.deep.equal({
      inventoryId: 'x',
      maxAge: '36h',
      maxAgeMs: 36 * 3_600_000,
      keyCheckSample: 5,
      fallback: 'list',
    });
    expect(durationMs('2d')).to.equal(172_800_000);
    expect(() => durationMs('2w')).to.throw(/not a duration/);
  });

  it('accepts the inventory options in mode inventory and refuses them elsewhere, and sample options in inventory mode', () => {
    expect(problems('{ mode: inventory, inventoryId: daily, maxAge: 36h, keyCheck: { sample: 10 }, fallback: list, versions: true, prefix: a/ }')).to.deep.equal([]);
    expect(problems('{ mode: full, maxAge: 8d }').join('\n')).to.match(/maxAge/);
    expect(problems('{ mode: sample, keyCheck: { sample: 1 } }').join('\n')).to.match(/keyCheck/);
    expect(problems('{ mode: inventory, sample: 10 }').join('\n')).to.match(/sample/);
    expect(problems('{ mode: inventory, maxAge: 8 }').join('\n')).to.match(/maxAge/);
    expect(problems('{ mode: inventory, fallback: full }').join('\n')).to.match(/fallback/);
  });

  it('`permissions scan` adds s3:GetInventoryConfiguration, s3:ListBucket and s3:GetObject for the mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inv-perm-'));
    try {
      const file = join(dir, 'p.yaml');
      writeFileSync(file, 'version: 1\npolicies:\n  - name: a\n    resource: object\n    objects: { mode: inventory }\n    rules: [s3-object-sse-kms]\n');
      const actions = commandActions('scan', { policies: file, rules: [] });
      expect(actions).to.include.members(['s3:GetInventoryConfiguration', 's3:ListBucket', 's3:GetObject']);
      writeFileSync(file, 'version: 1\npolicies:\n  - name: a\n    resource: object\n    objects: { mode: full }\n    rules: [s3-object-sse-kms]\n');
      expect(commandActions('scan', { policies: file, rules: [] })).to.not.include('s3:GetInventoryConfiguration');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
