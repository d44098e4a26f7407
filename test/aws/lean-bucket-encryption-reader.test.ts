/**
 * The lean GetBucketEncryption reader (src/aws/lean-bucket-encryption.ts, src/aws/lean-xml.ts) against
 * the SDK's own deserialiser, run on the same bodies through a real S3Client (test/helpers/sdk-deserialize.ts):
 * for every body the reader accepts, its object deep-equals the SDK's; bodies outside what it repeats
 * exactly are refused (undefined), so the SDK reads them. Handcrafted bodies (entities, several rules,
 * missing and empty fields, unknown elements, whitespace and line endings) and a seeded generator of
 * mixed documents.
 */
import { expect } from 'chai';
import { errorCodeOf, readEncryptionConfiguration } from '../../src/aws/lean-bucket-encryption.js';
import { cannedS3Client, sdkGetBucketEncryption } from '../helpers/sdk-deserialize.js';
import { mulberry32 } from '../../src/sandbox/faults.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const doc = (inner: string, root = `<ServerSideEncryptionConfiguration xmlns="${XMLNS}">`): string => `${DECL}${root}${inner}</ServerSideEncryptionConfiguration>`;
const rule = (inner: string): string => `<Rule>${inner}</Rule>`;
const byDefault = (alg: string, key?: string): string =>
  `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>${alg}</SSEAlgorithm>${key !== undefined ? `<KMSMasterKeyID>${key}</KMSMasterKeyID>` : ''}</ApplyServerSideEncryptionByDefault>`;
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000001';

/** Bodies the reader must understand (and then agree with the SDK on). */
const UNDERSTOOD: Record<string, string> = {
  's3 answer, SSE-KMS with key ARN and Bucket Key': doc(rule(byDefault('aws:kms', KEY_ARN) + '<BucketKeyEnabled>true</BucketKeyEnabled>')),
  'AES256, Bucket Key false': doc(rule(byDefault('AES256') + '<BucketKeyEnabled>false</BucketKeyEnabled>')),
  'aws:kms without a key id (aws/s3)': doc(rule(byDefault('aws:kms') + '<BucketKeyEnabled>true</BucketKeyEnabled>')),
  'DSSE-KMS with an alias': doc(rule(byDefault('aws:kms:dsse', 'alias/prod-data'))),
  'no declaration, no xmlns': `<ServerSideEncryptionConfiguration>${rule(byDefault('AES256'))}</ServerSideEncryptionConfiguration>`,
  'entities in the key id': doc(rule(byDefault('aws:kms', 'alias/a&amp;b&lt;c&gt;&quot;d&apos;e&#65;&#x42;&#x20AC;'))),
  'unicode in the key id': doc(rule(byDefault('aws:kms', 'alias/数据-😀-é'))),
  'several rules': doc(rule(byDefault('AES256')) + rule(byDefault('aws:kms', 'k2') + '<BucketKeyEnabled>true</BucketKeyEnabled>') + rule('<BucketKeyEnabled>false</BucketKeyEnabled>')),
  'rule without ApplyServerSideEncryptionByDefault': doc(rule('<BucketKeyEnabled>true</BucketKeyEnabled>')),
  'rule without BucketKeyEnabled': doc(rule(byDefault('aws:kms', 'k'))),
  'empty rule (self-closing)': doc('<Rule/>'),
  'empty rule (open and close)': doc('<Rule></Rule>'),
  'empty ApplyServerSideEncryptionByDefault': doc(rule('<ApplyServerSideEncryptionByDefault/>')),
  'empty KMSMasterKeyID': doc(rule('<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID></ApplyServerSideEncryptionByDefault>')),
  'self-closing KMSMasterKeyID': doc(rule('<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID/></ApplyServerSideEncryptionByDefault>')),
  'empty SSEAlgorithm': doc(rule('<ApplyServerSideEncryptionByDefault><SSEAlgorithm></SSEAlgorithm></ApplyServerSideEncryptionByDefault>')),
  'blank key id kept as is (spaces, no line break)': doc(rule(byDefault('aws:kms', '   '))),
  'key id with surrounding spaces kept as is': doc(rule(byDefault('aws:kms', ' alias/x '))),
  'key id of a line break only: ""': doc(rule(byDefault('aws:kms', '\n  '))),
  'key id of an encoded line break only: ""': doc(rule(byDefault('aws:kms', ' &#10; '))),
  'key id with a line break inside text': doc(rule(byDefault('aws:kms', 'a\nb'))),
  'CR LF inside text becomes LF': doc(rule(byDefault('aws:kms', 'a\r\nb\rc'))),
  'BucketKeyEnabled TRUE (any case is true)': doc(rule('<BucketKeyEnabled>TRUE</BucketKeyEnabled>')),
  'BucketKeyEnabled True': doc(rule('<BucketKeyEnabled>True</BucketKeyEnabled>')),
  'BucketKeyEnabled " true" is false': doc(rule('<BucketKeyEnabled> true</BucketKeyEnabled>')),
  'BucketKeyEnabled yes is false': doc(rule('<BucketKeyEnabled>yes</BucketKeyEnabled>')),
  'BucketKeyEnabled empty is false': doc(rule('<BucketKeyEnabled/>')),
  'BlockedEncryptionTypes, one type': doc(rule(byDefault('aws:kms') + '<BucketKeyEnabled>true</BucketKeyEnabled><BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>')),
  'BlockedEncryptionTypes, two types': doc(rule('<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>')),
  'BlockedEncryptionTypes, empty': doc(rule('<BlockedEncryptionTypes/>')),
  'BlockedEncryptionTypes, empty type': doc(rule('<BlockedEncryptionTypes><EncryptionType/></BlockedEncryptionTypes>')),
  'BlockedEncryptionTypes, unknown child only': doc(rule('<BlockedEncryptionTypes><Other>x</Other></BlockedEncryptionTypes>')),
  'unknown elements at every level': doc(
    '<Future>1</Future>' + rule('<New><Deep><Deeper>x</Deeper></Deep></New>' + byDefault('AES256').replace('<SSEAlgorithm>', '<Extra/><SSEAlgorithm>') + '<BucketKeyEnabled>true</BucketKeyEnabled>') + '<Tail/>',
  ),
  'unknown element named like a member elsewhere': doc(rule('<Other><SSEAlgorithm>x</SSEAlgorithm></Other>' + byDefault('AES256'))),
  'no rules (self-closing root)': `${DECL}<ServerSideEncryptionConfiguration xmlns="${XMLNS}"/>`,
  'no rules (empty root)': doc(''),
  'no rules, unknown elements only': doc('<Other/>'),
  'pretty-printed with line breaks and indentation': `${DECL}<ServerSideEncryptionConfiguration xmlns="${XMLNS}">
  <Rule>
    <ApplyServerSideEncryptionByDefault>
      <SSEAlgorithm>aws:kms</SSEAlgorithm>
      <KMSMasterKeyID>${KEY_ARN}</KMSMasterKeyID>
    </ApplyServerSideEncryptionByDefault>
    <BucketKeyEnabled>true</BucketKeyEnabled>
  </Rule>
</ServerSideEncryptionConfiguration>
`,
  'pretty-printed with CR LF': doc('\r\n  ' + rule('\r\n    ' + byDefault('AES256') + '\r\n  ') + '\r\n'),
  'leading whitespace before the declaration': ' \n' + doc(rule(byDefault('AES256'))),
};

/** Bodies outside what the reader repeats exactly: refused, so the SDK reads them. */
const REFUSED: Record<string, string> = {
  'a comment': doc(rule('<!-- c -->' + byDefault('AES256'))),
  'CDATA text': doc(rule('<ApplyServerSideEncryptionByDefault><SSEAlgorithm><![CDATA[AES256]]></SSEAlgorithm></ApplyServerSideEncryptionByDefault>')),
  'a DOCTYPE': '<!DOCTYPE x>' + doc(rule(byDefault('AES256'))),
  'an attribute below the root': doc('<Rule id="1">' + byDefault('AES256') + '</Rule>'),
  'another attribute on the root': doc(rule(byDefault('AES256')), '<ServerSideEncryptionConfiguration xmlns="x" a="b">'),
  'text mixed with elements': doc(rule('abc' + byDefault('AES256'))),
  'spaces between elements without a line break': doc(rule(byDefault('AES256') + '  <BucketKeyEnabled>true</BucketKeyEnabled>')),
  'text in a structure element': doc(rule('<ApplyServerSideEncryptionByDefault>AES256</ApplyServerSideEncryptionByDefault>')),
  'an unknown named entity': doc(rule(byDefault('aws:kms', 'a&nbsp;b'))),
  'a character reference above U+FFFF': doc(rule(byDefault('aws:kms', 'a&#x1F600;b'))),
  'a bare ampersand': doc(rule(byDefault('aws:kms', 'a & b'))),
  'two SSEAlgorithm in one rule': doc(rule('<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault>')),
  'two ApplyServerSideEncryptionByDefault': doc(rule(byDefault('AES256') + byDefault('aws:kms'))),
  'two BucketKeyEnabled': doc(rule('<BucketKeyEnabled>true</BucketKeyEnabled><BucketKeyEnabled>false</BucketKeyEnabled>')),
  'an element inside SSEAlgorithm': doc(rule('<ApplyServerSideEncryptionByDefault><SSEAlgorithm><x/></SSEAlgorithm></ApplyServerSideEncryptionByDefault>')),
  'another root element': '<Other>' + rule(byDefault('AES256')) + '</Other>',
  'content after the root': doc(rule(byDefault('AES256'))) + 'trailing',
  'an empty body': '',
  'a byte-order mark': '\uFEFF' + doc(rule(byDefault('AES256'))),
  'a space in a closing tag': doc('<Rule>' + byDefault('AES256') + '</Rule >'),
  'unclosed': `<ServerSideEncryptionConfiguration>${rule(byDefault('AES256'))}`,
  'mismatched tags': doc('<Rule>' + byDefault('AES256') + '</Rules>'),
  'a processing instruction inside': doc(rule('<?pi x?>' + byDefault('AES256'))),
};

/** One SDK client for every body: it answers each request with the body under test. */
let current = '';
const oracle = cannedS3Client(() => ({ status: 200, body: current }));

/** The SDK's ServerSideEncryptionConfiguration for `body` in a 200 answer (or 'threw'). */
async function sdkRead(body: string): Promise<unknown> {
  current = body;
  const r = await sdkGetBucketEncryption(oracle);
  return 'output' in r ? r.output.ServerSideEncryptionConfiguration : 'threw';
}

/** A small seeded generator (the sandbox's mulberry32), so every run checks the same documents. */
const random = mulberry32;

function generated(count: number, seed: number): string[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const gaps = ['', '', '', '\n', '\n  ', '\r\n\t', ' ', '\t'];
  const texts = ['aws:kms', 'AES256', 'aws:kms:dsse', KEY_ARN, 'alias/a&amp;b', '&lt;x&gt;', 'true', 'false', 'TRUE', ' true ', '', '\n', ' ', 'a&#10;b', '&#x41;', 'x&y', '&nbsp;', '数据'];
  const element = (name: string, inner: string): string => (inner === '' && r() < 0.3 ? `<${name}/>` : `<${name}>${inner}</${name}>`);
  const join = (parts: string[]): string => parts.map((p) => pick(gaps) + p).join('') + (parts.length ? pick(gaps) : '');
  const text = (): string => pick(texts);
  const maybe = (p: number, f: () => string): string[] => (r() < p ? [f()] : []);
  const byDefaultEl = (): string =>
    element('ApplyServerSideEncryptionByDefault', join([...maybe(0.9, () => element('SSEAlgorithm', text())), ...maybe(0.6, () => element('KMSMasterKeyID', text())), ...maybe(0.1, () => element('Unknown', text())), ...maybe(0.05, () => element('SSEAlgorithm', text()))]));
  const blockedEl = (): string => element('BlockedEncryptionTypes', join(Array.from({ length: Math.floor(r() * 3) }, () => element(r() < 0.9 ? 'EncryptionType' : 'Other', text()))));
  const ruleEl = (): string =>
    element('Rule', join([...maybe(0.85, byDefaultEl), ...maybe(0.7, () => element('BucketKeyEnabled', text())), ...maybe(0.3, blockedEl), ...maybe(0.1, () => element('Extra', join([element('Deep', text())])))]));
  return Array.from({ length: count }, () => {
    const rules = Array.from({ length: Math.floor(r() * 3.5) }, ruleEl);
    const root = r() < 0.7 ? `<ServerSideEncryptionConfiguration xmlns="${XMLNS}">` : '<ServerSideEncryptionConfiguration>';
    return (r() < 0.7 ? DECL : '') + root + join([...rules, ...maybe(0.1, () => element('Other', text()))]) + '</ServerSideEncryptionConfiguration>';
  });
}

describe('aws/lean-bucket-encryption: the lean reader agrees with the SDK deserialiser', () => {
  after(() => oracle.destroy());

  for (const [name, body] of Object.entries(UNDERSTOOD)) {
    it(`understood, same object as the SDK: ${name}`, async () => {
      const lean = readEncryptionConfiguration(body);
      expect(lean, 'the reader refused it').to.not.equal(undefined);
      expect(lean).to.deep.equal(await sdkRead(body));
    });
  }

  for (const [name, body] of Object.entries(REFUSED)) {
    it(`refused, left to the SDK: ${name}`, () => {
      expect(readEncryptionConfiguration(body)).to.equal(undefined);
    });
  }

  it('1,000 generated documents: every one the reader accepts deep-equals the SDK, and most are accepted', async () => {
    let accepted = 0;
    const bodies = generated(1000, 20_260_221);
    for (const body of bodies) {
      const lean = readEncryptionConfiguration(body);
      if (lean === undefined) continue;
      accepted++;
      expect(lean, JSON.stringify(body)).to.deep.equal(await sdkRead(body));
    }
    // The generator mixes in gaps and texts the reader refuses; it must still take a good share.
    expect(accepted).to.be.greaterThan(bodies.length / 5);
  });

  it('the error code of a 404 answer is the one the SDK names the error by', async () => {
    const errorDoc = (code: string): string =>
      `${DECL}<Error><Code>${code}</Code><Message>The server side encryption configuration was not found</Message><BucketName>b</BucketName><RequestId>R</RequestId><HostId>H</HostId></Error>`;
    const bodies = [
      errorDoc('ServerSideEncryptionConfigurationNotFoundError'),
      errorDoc('NoSuchBucket'),
      '<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code></Error>',
      '<Error>\n  <Code>ServerSideEncryptionConfigurationNotFoundError</Code>\n</Error>\n',
    ];
    for (const body of bodies) {
      const client = cannedS3Client(() => ({ status: 404, body }));
      try {
        const r = await sdkGetBucketEncryption(client);
        expect(r, body).to.have.property('error');
        expect(errorCodeOf(body), body).to.equal((r as { error: { name: string } }).error.name);
      } finally {
        client.destroy();
      }
    }
    // Documents the reader does not read give no code at all (the SDK then answers).
    expect(errorCodeOf('<Error><Code>A</Code><Code>B</Code></Error>')).to.equal(undefined);
    expect(errorCodeOf('<Other><Code>ServerSideEncryptionConfigurationNotFoundError</Code></Other>')).to.equal(undefined);
    expect(errorCodeOf('')).to.equal(undefined);
  });
});
