import { expect } from 'chai';
import { compileGlob, globMatches, validateGlob } from '../../src/engine/glob.js';

describe('engine/glob', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything-at-all', true],
    ['*', '', true],
    ['prod-*', 'prod-data', true],
    ['prod-*', 'dev-prod-data', false],
    ['*-tmp-*', 'build-tmp-42', true],
    ['*-tmp-*', 'build-tmp', false],
    ['scratch-?', 'scratch-1', true],
    ['scratch-?', 'scratch-12', false],
    ['log-[abc]', 'log-b', true],
    ['log-[abc]', 'log-d', false],
    ['v[0-9]', 'v7', true],
    ['v[0-9]', 'vx', false],
    ['[!p]*', 'public', false],
    ['[!p]*', 'internal', true],
    ['arn:aws:s3:::prod-*', 'arn:aws:s3:::prod-logs', true],
    ['arn:aws:s3:::prod-*', 'arn:aws:s3:::prod-logs/2024/a.txt', true],
    ['a.b', 'axb', false],
    ['a+b(c)', 'a+b(c)', true],
    ['PROD-*', 'prod-data', false],
  ];
  for (const [glob, text, expected] of cases) {
    it(`${JSON.stringify(glob)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
      expect(globMatches(glob, text)).to.equal(expected);
    });
  }

  it('accepts well-formed globs', () => {
    for (const g of ['*', 'a?c', '[abc]', '[a-z0-9]*', '[!x]', 'x-']) expect(validateGlob(g), g).to.equal(null);
  });

  const malformed: [string, RegExp][] = [
    ['', /empty glob/],
    ['prod-[abc', /unbalanced "\[" at position 6/],
    ['prod-]', /unbalanced "\]" at position 6/],
    ['a[]b', /empty character class "\[\]"/],
    ['a[!]b', /empty character class/],
    ['[z-a]', /reversed range "z-a"/],
    ['[a[b]', /unexpected "\[" inside/],
  ];
  for (const [glob, why] of malformed) {
    it(`rejects ${JSON.stringify(glob)}`, () => {
      expect(validateGlob(glob)).to.match(why);
      expect(() => compileGlob(glob)).to.throw(/invalid glob/);
    });
  }
});
