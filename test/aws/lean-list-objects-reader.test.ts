/**
 * The lean ListObjectsV2 reader (src/aws/lean-list-objects.ts, src/aws/lean-xml.ts) against the SDK's
 * own deserialiser, run on the same bodies through a real S3Client (test/helpers/sdk-deserialize.ts):
 * for every body the reader accepts, its object deep-equals the SDK's; bodies outside what it repeats
 * exactly are refused (undefined), so the SDK reads them. Handcrafted bodies (S3's answers, empty and
 * truncated pages, url-encoded keys, owners, restore status, checksums, common prefixes, entities,
 * dates, missing, empty and unknown members) and a seeded generator of mixed documents.
 */
import { expect } from 'chai';
import { readListObjectsV2 } from '../../src/aws/lean-list-objects.js';
import { cannedS3Client, sdkListObjectsV2 } from '../helpers/sdk-deserialize.js';
import { mulberry32 } from '../../src/sandbox/faults.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const doc = (inner: string, root = `<ListBucketResult xmlns="${XMLNS}">`): string => `${DECL}${root}${inner}</ListBucketResult>`;
const head = (extra = ''): string => `<Name>bucket</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>${extra}`;
const contents = (key: string, inner = ''): string =>
  `<Contents><Key>${key}</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass>${inner}</Contents>`;
const OWNER = '<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>owner</DisplayName></Owner>';

/** Bodies the reader must understand (and then agree with the SDK on). */
const UNDERSTOOD: Record<string, string> = {
  'one object, not truncated': doc(head('<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>') + contents('a.txt')),
  'empty page': doc(head('<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>')),
  'empty page, self-closing root': `${DECL}<ListBucketResult xmlns="${XMLNS}"/>`,
  'truncated page with continuation tokens': doc(
    head('<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken><NextContinuationToken>1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==</NextContinuationToken>') +
      contents('k1') +
      contents('k2'),
  ),
  'url-encoded keys (space as +, percent escapes)': doc(head('<KeyCount>3</KeyCount><IsTruncated>false</IsTruncated>') + contents('a+b%2Bc') + contents('%E6%95%B0%E6%8D%AE/%F0%9F%98%80') + contents('line%0Abreak')),
  'prefix, delimiter, start-after and common prefixes': doc(
    '<Name>b</Name><Prefix>logs%2F</Prefix><Delimiter>%2F</Delimiter><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><KeyCount>3</KeyCount><IsTruncated>false</IsTruncated><StartAfter>logs%2Fa</StartAfter>' +
      contents('logs%2Fb') +
      '<CommonPrefixes><Prefix>logs%2F2025%2F</Prefix></CommonPrefixes><CommonPrefixes><Prefix>logs%2F2026%2F</Prefix></CommonPrefixes>',
  ),
  'one common prefix': doc(head('<CommonPrefixes><Prefix>x/</Prefix></CommonPrefixes>')),
  'empty common prefix element': doc(head('<CommonPrefixes/>')),
  'owner, restore status, checksums': doc(
    head() +
      contents('k', OWNER + '<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumAlgorithm>SHA256</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2026-12-31T00:00:00.000Z</RestoreExpiryDate></RestoreStatus>'),
  ),
  'one checksum algorithm': doc(head() + contents('k', '<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>')),
  'empty owner and restore status': doc(head() + contents('k', '<Owner/><RestoreStatus></RestoreStatus>')),
  'empty contents element': doc(head('<Contents/><Contents></Contents>')),
  'contents without a key': doc(head('<Contents><Size>3</Size></Contents>')),
  'empty members': doc('<Name/><Prefix/><MaxKeys/><KeyCount></KeyCount><IsTruncated/><NextContinuationToken/>' + '<Contents><Key/><ETag/><Size/><StorageClass/></Contents>'),
  'numbers as the SDK reads them (Number)': doc(head('<KeyCount> 7 </KeyCount>') + '<Contents><Key>k</Key><Size>1e3</Size></Contents><Contents><Key>j</Key><Size>abc</Size></Contents><Contents><Key>h</Key><Size>9007199254740993</Size></Contents>'),
  'booleans as the SDK reads them': doc('<IsTruncated>TRUE</IsTruncated>' + contents('k', '<RestoreStatus><IsRestoreInProgress>True</IsRestoreInProgress></RestoreStatus>')),
  'IsTruncated " true" is false': doc('<IsTruncated> true</IsTruncated>'),
  'dates: no fraction, long fraction, leap second, 31 February, year 0099': doc(
    '<Contents><Key>a</Key><LastModified>2026-01-02T03:04:05Z</LastModified></Contents>' +
      '<Contents><Key>b</Key><LastModified>2026-01-02T03:04:05.123456789Z</LastModified></Contents>' +
      '<Contents><Key>c</Key><LastModified>2016-12-31T23:59:60.000Z</LastModified></Contents>' +
      '<Contents><Key>d</Key><LastModified>2026-02-31T00:00:00.999Z</LastModified></Contents>' +
      '<Contents><Key>e</Key><LastModified>0099-06-01T00:00:00.5Z</LastModified></Contents>' +
      '<Contents><Key>f</Key><LastModified>2026-01-02T03:04:05.0005Z</LastModified></Contents>',
  ),
  'entities in keys and ETags': doc(head() + contents('a&amp;b&lt;c&gt;&quot;d&apos;e&#65;&#x42;&#x20AC;')),
  'unicode key (not url-encoded)': doc(head() + contents('数据/😀 é')),
  'unknown elements at every level': doc('<Future>1</Future>' + head() + contents('k', '<New><Deep>x</Deep></New>') + '<CommonPrefixes><Prefix>p/</Prefix><Extra/></CommonPrefixes><Tail/>'),
  'contents interleaved with other members': doc(contents('k1') + '<Name>b</Name>' + contents('k2') + '<IsTruncated>false</IsTruncated>' + contents('k3')),
  'no declaration, no xmlns': `<ListBucketResult>${head()}${contents('k')}</ListBucketResult>`,
  'pretty-printed with line breaks and indentation': `${DECL}<ListBucketResult xmlns="${XMLNS}">
  <Name>bucket</Name>
  <Prefix></Prefix>
  <KeyCount>1</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>k</Key>
    <LastModified>2026-01-02T03:04:05.000Z</LastModified>
    <Size>5</Size>
  </Contents>
</ListBucketResult>
`,
  'pretty-printed with CR LF': doc('\r\n  ' + contents('k') + '\r\n'),
};

/** Bodies outside what the reader repeats exactly: refused, so the SDK reads them. */
const REFUSED: Record<string, string> = {
  'a comment': doc(head() + '<!-- c -->' + contents('k')),
  'CDATA key': doc(head() + '<Contents><Key><![CDATA[k]]></Key></Contents>'),
  'an attribute below the root': doc(head() + '<Contents id="1"><Key>k</Key></Contents>'),
  'text mixed with elements': doc(head() + '<Contents>abc<Key>k</Key></Contents>'),
  'text in a structure element': doc(head() + '<Contents>abc</Contents>'),
  'text in Owner': doc(head() + contents('k', '<Owner>me</Owner>')),
  'an element inside Key': doc(head() + '<Contents><Key><x/></Key></Contents>'),
  'an element inside ChecksumAlgorithm': doc(head() + contents('k', '<ChecksumAlgorithm><x/></ChecksumAlgorithm>')),
  'two Name': doc('<Name>a</Name><Name>b</Name>'),
  'two IsTruncated': doc('<IsTruncated>true</IsTruncated><IsTruncated>false</IsTruncated>'),
  'two Key in one Contents': doc('<Contents><Key>a</Key><Key>b</Key></Contents>'),
  'two Owner in one Contents': doc(contents('k', OWNER + OWNER)),
  'a date with an offset': doc('<Contents><Key>k</Key><LastModified>2026-01-02T03:04:05+01:00</LastModified></Contents>'),
  'a date with lower-case t and z': doc('<Contents><Key>k</Key><LastModified>2026-01-02t03:04:05z</LastModified></Contents>'),
  'a date in another format': doc('<Contents><Key>k</Key><LastModified>Fri, 02 Jan 2026 03:04:05 GMT</LastModified></Contents>'),
  'an empty date': doc('<Contents><Key>k</Key><LastModified/></Contents>'),
  'month 13': doc('<Contents><Key>k</Key><LastModified>2026-13-02T03:04:05Z</LastModified></Contents>'),
  'hour 24': doc('<Contents><Key>k</Key><LastModified>2026-01-02T24:04:05Z</LastModified></Contents>'),
  'an unknown named entity': doc(head() + contents('a&nbsp;b')),
  'a bare ampersand': doc(head() + contents('a & b')),
  'another root element': `<ListVersionsResult>${head()}</ListVersionsResult>`,
  'an error document': '<Error><Code>NoSuchBucket</Code></Error>',
  'an empty body': '',
  'content after the root': doc(head()) + 'x',
  unclosed: `<ListBucketResult>${head()}`,
};

/** One SDK client for every body: it answers each request with the body under test. */
let current = '';
const oracle = cannedS3Client(() => ({ status: 200, body: current }));

/** The SDK's ListObjectsV2Output for `body` in a 200 answer (or 'threw'). */
async function sdkRead(body: string): Promise<unknown> {
  current = body;
  const r = await sdkListObjectsV2(oracle);
  return 'output' in r ? r.output : 'threw';
}

/** A small seeded generator (the sandbox's mulberry32), so every run checks the same documents. */
const random = mulberry32;

function generated(count: number, seed: number): string[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // Mostly what the reader accepts, now and then what it refuses (a space between elements, a bare &, a date with an offset).
  const sometimes = <T>(good: readonly T[], bad: readonly T[], p: number): T => (r() < p ? pick(bad) : pick(good));
  const gap = (): string => sometimes(['', '', '', '\n', '\n  ', '\r\n\t'], [' ', '\t'], 0.004);
  const text = (): string =>
    sometimes(['k', 'a%2Fb+c', 'logs/', '&lt;x&gt;', '&quot;etag&quot;', '', ' ', '\n', 'a&#10;b', '数据', 'true', 'TRUE', 'false', '12', ' 3 ', '1e2', 'abc'], ['x&y', '&nbsp;'], 0.01);
  const date = (): string =>
    sometimes(['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05Z', '1999-12-31T23:59:59.9Z', '2026-02-30T00:00:00.000Z', '2016-12-31T23:59:60Z'], ['2026-01-02T03:04:05+00:00', 'not a date', ''], 0.03);
  const element = (name: string, inner: string): string => (inner === '' && r() < 0.3 ? `<${name}/>` : `<${name}>${inner}</${name}>`);
  const shuffle = (parts: string[]): string[] => {
    for (let i = parts.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
    return parts;
  };
  const join = (parts: string[]): string => shuffle(parts).map((p) => gap() + p).join('') + (parts.length ? gap() : '');
  const maybe = (p: number, f: () => string): string[] => (r() < p ? [f()] : []);
  const owner = (): string => element('Owner', join([...maybe(0.8, () => element('ID', text())), ...maybe(0.5, () => element('DisplayName', text()))]));
  const restore = (): string => element('RestoreStatus', join([...maybe(0.8, () => element('IsRestoreInProgress', text())), ...maybe(0.5, () => element('RestoreExpiryDate', date()))]));
  const object = (): string =>
    element(
      'Contents',
      join([
        ...maybe(0.95, () => element('Key', text())),
        ...maybe(0.9, () => element('LastModified', date())),
        ...maybe(0.8, () => element('ETag', text())),
        ...maybe(0.8, () => element('Size', text())),
        ...maybe(0.7, () => element('StorageClass', 'STANDARD')),
        ...Array.from({ length: r() < 0.2 ? Math.floor(r() * 3) : 0 }, () => element('ChecksumAlgorithm', pick(['CRC32', 'SHA1', '']))),
        ...maybe(0.1, () => element('ChecksumType', 'COMPOSITE')),
        ...maybe(0.15, owner),
        ...maybe(0.1, restore),
        ...maybe(0.05, () => element('Unknown', text())),
        ...maybe(0.02, () => element('Key', text())),
      ]),
    );
  const commonPrefix = (): string => element('CommonPrefixes', join([...maybe(0.9, () => element('Prefix', text()))]));
  return Array.from({ length: count }, () => {
    const parts = [
      ...maybe(0.9, () => element('Name', text())),
      ...maybe(0.8, () => element('Prefix', text())),
      ...maybe(0.3, () => element('Delimiter', text())),
      ...maybe(0.8, () => element('MaxKeys', text())),
      ...maybe(0.6, () => element('EncodingType', 'url')),
      ...maybe(0.8, () => element('KeyCount', text())),
      ...maybe(0.9, () => element('IsTruncated', text())),
      ...maybe(0.3, () => element('ContinuationToken', text())),
      ...maybe(0.3, () => element('NextContinuationToken', text())),
      ...maybe(0.2, () => element('StartAfter', text())),
      ...Array.from({ length: Math.floor(r() * 4) }, object),
      ...Array.from({ length: r() < 0.3 ? Math.floor(r() * 3) : 0 }, commonPrefix),
      ...maybe(0.05, () => element('Other', text())),
    ];
    const root = r() < 0.7 ? `<ListBucketResult xmlns="${XMLNS}">` : '<ListBucketResult>';
    return (r() < 0.7 ? DECL : '') + root + join(parts) + '</ListBucketResult>';
  });
}

describe('aws/lean-list-objects: the lean ListObjectsV2 reader agrees with the SDK deserialiser', () => {
  after(() => oracle.destroy());

  for (const [name, body] of Object.entries(UNDERSTOOD)) {
    it(`understood, same object as the SDK: ${name}`, async () => {
      const lean = readListObjectsV2(body);
      expect(lean, 'the reader refused it').to.not.equal(undefined);
      expect(lean).to.deep.equal(await sdkRead(body));
    });
  }

  for (const [name, body] of Object.entries(REFUSED)) {
    it(`refused, left to the SDK: ${name}`, () => {
      expect(readListObjectsV2(body)).to.equal(undefined);
    });
  }

  it('the dates are Date objects, as the SDK gives them', () => {
    const out = readListObjectsV2(doc(head() + contents('k')))!;
    expect(out.Contents![0]!.LastModified).to.be.instanceOf(Date);
    expect(out.Contents![0]!.LastModified!.toISOString()).to.equal('2026-01-02T03:04:05.000Z');
  });

  it('1,000 generated documents: every one the reader accepts deep-equals the SDK, and most are accepted', async () => {
    let accepted = 0;
    const bodies = generated(1000, 20_261_202);
    for (const body of bodies) {
      const lean = readListObjectsV2(body);
      if (lean === undefined) continue;
      accepted++;
      expect(lean, JSON.stringify(body)).to.deep.equal(await sdkRead(body));
    }
    // The generator mixes in what the reader refuses; it must still take a good share.
    expect(accepted).to.be.greaterThan(bodies.length / 3);
  });

  it('a page of 1,000 objects as S3 writes it', async () => {
    const body = doc(head('<KeyCount>1000</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok==</NextContinuationToken>') + Array.from({ length: 1000 }, (_, i) => contents(`dir%2Fobject-${i}`)).join(''));
    const lean = readListObjectsV2(body);
    expect(lean?.Contents).to.have.length(1000);
    expect(lean).to.deep.equal(await sdkRead(body));
  });
});
