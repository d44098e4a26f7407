/**
 * The object audit's files: the streaming JSONL writer (chunked writes, backpressure, temporary name
 * until close, nothing left on abort) and the S3 Batch Operations manifest (RFC 4180, keys URL-encoded,
 * version ids all or none), read back with an independent RFC 4180 parser.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlWriter } from '../../src/report/jsonl-writer.js';
import { LineFileWriter } from '../../src/report/line-file.js';
import { quoteField as csvField } from '../../src/report/csv.js';
import { encodeManifestKey, ManifestWriter, manifestRow } from '../../src/report/manifest.js';
import { parseCsv } from '../helpers/csv-check.js';

const TRICKY_KEYS = ['with space.txt', 'comma,separated.csv', 'quote"d "name".txt', 'plus+sign & percent%20.txt', 'line\nbreak.txt', 'unicodé/数据/😀.bin', 'a/b/c'];

describe('object outputs (report/jsonl-writer.ts, report/manifest.ts)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'objout-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('JSONL: one JSON value per line, the file appears only on close', async () => {
    const path = join(dir, 'x.objects.jsonl');
    const w = await JsonlWriter.open(path);
    const values = Array.from({ length: 5000 }, (_, i) => ({ i, key: TRICKY_KEYS[i % TRICKY_KEYS.length] }));
    for (const v of values) await w.write(v);
    expect(existsSync(path)).to.equal(false);
    expect(await w.close()).to.equal(path);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).to.equal('');
    expect(lines.map((l) => JSON.parse(l) as unknown)).to.deep.equal(values);
    expect(await readdir(dir)).to.deep.equal(['x.objects.jsonl']);
  });

  it('backpressure: a writer whose buffer is full makes the caller wait instead of queueing', async () => {
    const w = await LineFileWriter.open(join(dir, 'big.txt'));
    const line = 'x'.repeat(1000);
    let waits = 0;
    for (let i = 0; i < 2000; i++) {
      const p = w.writeLine(line);
      if (p) {
        waits++;
        await p;
      }
    }
    await w.close();
    expect(waits, 'the 2 MB did not all go into memory at once').to.be.greaterThan(0);
    expect((await readFile(join(dir, 'big.txt'))).length).to.equal(2000 * 1001);
  });

  it('abort removes the partial file', async () => {
    const w = await JsonlWriter.open(join(dir, 'gone.jsonl'));
    await w.write({ a: 1 });
    await w.abort();
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('manifest keys are URL-encoded as Batch Operations wants ("object%20key%20with%20spaces", "/" kept)', () => {
    expect(encodeManifestKey('object key with spaces')).to.equal('object%20key%20with%20spaces');
    expect(encodeManifestKey('photos/jpgs/newjersey/objectkey5')).to.equal('photos/jpgs/newjersey/objectkey5');
    expect(encodeManifestKey('a,b"c+d%e\n')).to.equal('a%2Cb%22c%2Bd%25e%0A');
    expect(manifestRow({ bucket: 'b', key: 'k 1' }, false)).to.equal('b,k%201');
    expect(manifestRow({ bucket: 'b', key: 'k' }, true)).to.equal('b,k,null');
    expect(manifestRow({ bucket: 'b', key: 'k', versionId: 'PZ9ibn9D5lP6p298B7S9_ceqx1n5EJ0p' }, true)).to.equal('b,k,PZ9ibn9D5lP6p298B7S9_ceqx1n5EJ0p');
    expect(csvField('a,"b"')).to.equal('"a,""b"""');
  });

  it('a manifest round-trips through an RFC 4180 parser: URL-decoded keys equal the objects written', async () => {
    const path = join(dir, 'failing.csv');
    const w = await ManifestWriter.open(path, true);
    const objects = TRICKY_KEYS.map((key, i) => ({ bucket: 'obj-special-keys', key, ...(i % 2 ? { versionId: `v${i}` } : {}) }));
    for (const o of objects) await w.add(o);
    await w.close();
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\r\n')).to.equal(true);
    const rows = parseCsv(text);
    expect(rows.map(([bucket, key, versionId]) => ({ bucket, key: decodeURIComponent(key!), versionId }))).to.deep.equal(
      objects.map((o) => ({ bucket: o.bucket, key: o.key, versionId: o.versionId ?? 'null' })),
    );
  });
});
