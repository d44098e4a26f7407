/**
 * The incremental state file (src/collect/state.ts): round trip in listing order, lookups that match only
 * the exact object (key, version, ETag, LastModified), compact encoding, and every way a file can be
 * untrustworthy — each must read as "no state" (a full scan), never as records.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compareUtf8 } from '../../src/domain/s3-key-order.js';
import { openState, StateWriter, stateFilePath, type StateRecord } from '../../src/state/object-state.js';

const EXPECTED = { account: '777788889999', bucket: 'b', fingerprint: 'f00d' };
const HEADER = { account: EXPECTED.account, bucket: 'b', region: 'us-east-1', fingerprint: 'f00d', startedAt: '2026-01-01T00:00:00.000Z' };
const CMK = 'arn:aws:kms:us-east-1:777788889999:key/7777cccc-0000-4000-8000-000000000001';

function record(key: string, extra: Partial<StateRecord> = {}): StateRecord {
  return { key, etag: 'abc123', lastModified: 1_700_000_000_000, size: 10, sse: 'aws:kms', kmsKeyId: CMK, bucketKeyEnabled: true, ...extra };
}

/** Keys in S3 order, including ones that share long prefixes, astral characters and control characters. */
const KEYS = ['a', 'logs/2025/01/01/a.gz', 'logs/2025/01/01/b.gz', 'logs/2025/01/02/a.gz', 'tab\there', 'x\ny', 'ｚ', '😀/a', '😀/b'].sort(compareUtf8);

describe('incremental state file (collect/state.ts)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(records: StateRecord[], path = join(dir, 's.gz')): Promise<string> {
    const w = await StateWriter.create(path, HEADER);
    for (const r of records) await w.append(r);
    await w.commit('2026-01-01T00:05:00.000Z');
    return path;
  }

  it('round-trips records in listing order and finds only the exact object', async () => {
    const records = KEYS.map((k, i) => record(k, i % 3 === 0 ? { sse: 'AES256', kmsKeyId: undefined, bucketKeyEnabled: false } : { etag: `e${i}` }));
    for (const r of records) if (r.kmsKeyId === undefined) delete r.kmsKeyId;
    const path = await write(records);
    const opened = await openState(path, EXPECTED);
    expect(opened.status).to.equal('used');
    if (opened.status !== 'used') return;
    expect(opened.records).to.equal(KEYS.length);
    for (const r of records) {
      const hit = await opened.reader.lookup({ key: r.key, etag: `"${r.etag}"`, lastModified: r.lastModified });
      expect(hit, r.key).to.deep.equal(r);
    }
    await opened.reader.close();

    const again = await openState(path, EXPECTED);
    if (again.status !== 'used') throw new Error('expected a usable state');
    const changedEtag = await again.reader.lookup({ key: KEYS[1]!, etag: '"other"', lastModified: 1_700_000_000_000 });
    const changedTime = await again.reader.lookup({ key: KEYS[2]!, etag: `"e2"`, lastModified: 1_700_000_000_001 });
    const unknownKey = await again.reader.lookup({ key: 'logs/2025/01/01/zzz', etag: '"abc123"', lastModified: 1_700_000_000_000 });
    const later = await again.reader.lookup({ key: KEYS[4]!, etag: `"e4"`, lastModified: 1_700_000_000_000 });
    expect([changedEtag, changedTime, unknownKey]).to.deep.equal([undefined, undefined, undefined]);
    expect(later?.key).to.equal(KEYS[4]);
    await again.reader.close();
  });

  it('matches versions of one key by version id', async () => {
    const records = [record('k', { versionId: 'v2', etag: 'two' }), record('k', { versionId: 'v1', etag: 'one', sse: 'AES256', kmsKeyId: undefined }), record('l', { versionId: 'null' })];
    delete records[1]!.kmsKeyId;
    const opened = await openState(await write(records), EXPECTED);
    if (opened.status !== 'used') throw new Error('expected a usable state');
    expect((await opened.reader.lookup({ key: 'k', versionId: 'v1', etag: '"one"', lastModified: 1_700_000_000_000 }))?.sse).to.equal('AES256');
    expect((await opened.reader.lookup({ key: 'k', versionId: 'v2', etag: '"two"', lastModified: 1_700_000_000_000 }))?.sse).to.equal('aws:kms');
    expect(await opened.reader.lookup({ key: 'k', versionId: 'v3', etag: '"two"', lastModified: 1_700_000_000_000 })).to.equal(undefined);
    expect((await opened.reader.lookup({ key: 'l', versionId: 'null', etag: '"abc123"', lastModified: 1_700_000_000_000 }))?.key).to.equal('l');
    await opened.reader.close();
  });

  it('is compact: front-coded keys, the key ARN once, gzip — under 20 bytes per object for 10,000 similar keys', async () => {
    const records = Array.from({ length: 10_000 }, (_, i) => record(`logs/2025/10/${String(i).padStart(6, '0')}.json.gz`, { etag: `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}` }));
    const path = await write(records);
    const bytes = (await readFile(path)).length;
    expect(bytes / records.length).to.be.below(20);
    const text = gunzipSync(await readFile(path)).toString('utf8');
    expect(text.split(CMK).length - 1, 'the key ARN is written once').to.equal(1);
  });

  it('is written atomically: nothing at the final path until commit; abort leaves nothing', async () => {
    const path = join(dir, 'a.gz');
    const w = await StateWriter.create(path, HEADER);
    await w.append(record('a'));
    expect(existsSync(path)).to.equal(false);
    await w.abort();
    expect(existsSync(path)).to.equal(false);
    expect((await openState(path, EXPECTED)).status).to.equal('none');
  });

  it('two writers of one path never share a temporary file: both commit, the file read is whole', async () => {
    const path = join(dir, 'shared.gz');
    const [a, b] = await Promise.all([StateWriter.create(path, HEADER), StateWriter.create(path, HEADER)]);
    for (const k of KEYS) {
      await a.append(record(k));
      await b.append(record(k, { size: 99 }));
    }
    await a.commit('2026-01-01T00:05:00.000Z');
    await b.commit('2026-01-01T00:06:00.000Z');
    const opened = await openState(path, EXPECTED);
    expect(opened.status).to.equal('used');
    if (opened.status === 'used') {
      expect(opened.records).to.equal(KEYS.length);
      expect((await opened.reader.lookup({ key: KEYS[0]!, etag: '"abc123"', lastModified: 1_700_000_000_000 }))?.size).to.equal(99);
      await opened.reader.close();
    }
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
  });

  describe('anything untrustworthy reads as no state (invalid), with the reason', () => {
    const cases: [string, (gz: Buffer, text: string) => Buffer, RegExp][] = [
      ['truncated file', (gz) => gz.subarray(0, gz.length - 30), /truncated|unreadable/],
      ['a flipped byte in the compressed data', (gz) => Buffer.from(gz.map((b, i) => (i === Math.floor(gz.length / 2) ? b ^ 0x40 : b))), /./],
      ['an edited record (digest mismatch)', (_gz, t) => gzipSync(t.replace('"AES256"', '"aws:kms"').replace(',1,0,', ',2,0,')), /digest|./],
      ['records out of order', (_gz, t) => {
        const lines = t.split('\n');
        [lines[2], lines[3]] = [lines[3]!, lines[2]!];
        return gzipSync(lines.join('\n'));
      }, /order|malformed|digest/],
      ['no trailer', (_gz, t) => gzipSync(t.split('\n').slice(0, -2).join('\n') + '\n'), /truncated/],
      ['wrong record count', (_gz, t) => gzipSync(t.replace(/"records":\d+/, '"records":99')), /counts 99/],
      ['not gzip at all', () => Buffer.from('hello'), /unreadable/],
      ['another bucket\'s state', (_gz, t) => gzipSync(t.replace('"bucket":"b"', '"bucket":"c"')), /belongs to/],
      ['other scan options', (_gz, t) => gzipSync(t.replace('"fingerprint":"f00d"', '"fingerprint":"beef"')), /other scan options/],
    ];
    for (const [name, corrupt, why] of cases) {
      it(name, async () => {
        const path = await write([record('a'), record('b', { sse: 'AES256', kmsKeyId: undefined }), record('c'), record('d')].map((r) => {
          if (r.kmsKeyId === undefined) delete r.kmsKeyId;
          return r;
        }));
        const gz = await readFile(path);
        await writeFile(path, corrupt(gz, gunzipSync(gz).toString('utf8')));
        const opened = await openState(path, EXPECTED);
        expect(opened.status).to.equal('invalid');
        if (opened.status === 'invalid') {
          expect(opened.note).to.match(why).and.match(/full scan$/);
        }
      });
    }
  });

  it('names files per account, bucket and options fingerprint', () => {
    expect(stateFilePath('/s', '111122223333', 'my.bucket-1', 'abcd')).to.equal('/s/111122223333.my.bucket-1.abcd.state.gz');
  });
});
