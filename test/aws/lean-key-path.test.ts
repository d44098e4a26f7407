/**
 * The lean HEAD's request path (src/aws/lean-head.ts keyPath): a key of unreserved characters is sent as
 * it is, every other key segment by segment as the SDK's S3 serializer encodes it — the two must agree.
 */
import { expect } from 'chai';
import { keyPath } from '../../src/aws/lean-head.js';
import { encodeSegment } from '../../src/aws/lean-request.js';

const sdkPath = (key: string): string => '/' + key.split('/').map(encodeSegment).join('/');

describe('aws/lean-head keyPath: the short cut for plain keys gives the SDK\'s encoding', () => {
  it('every printable ASCII character, alone and between plain characters, and every one of the first 400 code points', () => {
    const keys: string[] = [];
    for (let c = 0; c < 400; c++) {
      const ch = String.fromCharCode(c);
      keys.push(ch, `a${ch}b/c`, `dir/${ch}`);
    }
    for (const key of keys) expect(keyPath(key), JSON.stringify(key)).to.equal(sdkPath(key));
  });

  it('plain keys are their own path; keys that need escaping are escaped', () => {
    expect(keyPath('logs/2024/01/a-b_c.d~e.json')).to.equal('/logs/2024/01/a-b_c.d~e.json');
    expect(keyPath('a//b/')).to.equal('/a//b/');
    expect(keyPath('')).to.equal('/');
    expect(keyPath("it's (1)*!.txt")).to.equal('/it%27s%20%281%29%2A%21.txt');
    expect(keyPath('é/ü')).to.equal('/%C3%A9/%C3%BC');
  });
});
