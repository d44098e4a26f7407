import { expect } from 'chai';
import type { Condition } from '../../src/domain/rule.js';
import { applyOperator, conditionPaths, ConditionError, evaluateCondition } from '../../src/engine/conditions.js';
import type { EvalDocument } from '../../src/engine/document.js';
import { readPath } from '../../src/engine/document.js';

const doc: EvalDocument = {
  bucket: {
    name: 'prod-data',
    region: 'eu-west-1',
    tags: { env: 'prod', team: 'data' },
    encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/prod-data', bucketKeyEnabled: false },
    size: 42,
    created: '2024-03-01T10:00:00Z',
    nothing: null,
  },
  key: {
    spellings: ['1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/prod-data'],
    aliases: ['alias/prod-data'],
    manager: 'CUSTOMER',
    region: 'eu-west-1',
    rotationEnabled: false,
  },
  object: undefined,
  bucketKey: null,
  params: {
    keys: ['alias/prod-data', 'alias/other'],
    otherKeys: ['alias/other'],
    pattern: '^prod-',
    badRegex: '(',
    region: 'eu-west-1',
    globs: ['dev-*', 'prod-*'],
  },
};

const yes = (c: Condition) => expect(evaluateCondition(c, doc), JSON.stringify(c)).to.equal(true);
const no = (c: Condition) => expect(evaluateCondition(c, doc), JSON.stringify(c)).to.equal(false);

describe('engine/conditions', () => {
  describe('paths', () => {
    it('reads nested values, array indexes, and gives undefined for anything missing', () => {
      expect(readPath(doc, 'bucket.encryption.algorithm')).to.equal('aws:kms');
      expect(readPath(doc, 'key.spellings.1')).to.equal('alias/prod-data');
      expect(readPath(doc, 'key.spellings.9')).to.equal(undefined);
      expect(readPath(doc, 'bucket.nope.deeper')).to.equal(undefined);
      expect(readPath(doc, 'bucketKey.arn')).to.equal(undefined); // through null
      expect(readPath(doc, 'bucket.name.length')).to.equal(undefined); // no properties of strings
    });
  });

  describe('eq / ne', () => {
    it('compares scalars', () => {
      yes({ path: 'bucket.encryption.algorithm', eq: 'aws:kms' });
      no({ path: 'bucket.encryption.algorithm', eq: 'AES256' });
      yes({ path: 'bucket.encryption.bucketKeyEnabled', eq: false });
      yes({ path: 'bucket.size', eq: 42 });
      yes({ path: 'bucket.encryption.algorithm', ne: 'AES256' });
      no({ path: 'bucket.encryption.algorithm', ne: 'aws:kms' });
    });
    it('does not coerce types', () => {
      no({ path: 'bucket.size', eq: '42' });
      no({ path: 'bucket.encryption.bucketKeyEnabled', eq: 'false' });
      yes({ path: 'bucket.size', ne: '42' });
    });
    it('on an array fact: eq when ANY element equals, ne when NONE does', () => {
      yes({ path: 'key.spellings', eq: 'alias/prod-data' });
      no({ path: 'key.spellings', eq: 'alias/other' });
      yes({ path: 'key.spellings', ne: 'alias/other' });
      no({ path: 'key.spellings', ne: 'alias/prod-data' });
    });
    it('compares a whole array to an array operand', () => {
      yes({ path: 'key.aliases', eq: ['alias/prod-data'] });
      no({ path: 'key.aliases', eq: ['alias/prod-data', 'x'] });
    });
    it('eq null matches an explicit null but not a missing path', () => {
      yes({ path: 'bucket.nothing', eq: null });
      no({ path: 'bucket.missing', eq: null });
    });
  });

  describe('in / not-in', () => {
    it('tests membership of a scalar', () => {
      yes({ path: 'bucket.encryption.algorithm', in: ['aws:kms', 'aws:kms:dsse'] });
      no({ path: 'bucket.encryption.algorithm', in: ['AES256'] });
      yes({ path: 'bucket.encryption.algorithm', 'not-in': ['AES256'] });
      no({ path: 'bucket.encryption.algorithm', 'not-in': ['aws:kms'] });
    });
    it('on an array fact: in when ANY element is listed, not-in when NONE is', () => {
      yes({ path: 'key.spellings', in: ['arn:aws:kms:x', 'alias/prod-data'] });
      no({ path: 'key.spellings', in: ['alias/other'] });
      yes({ path: 'key.spellings', 'not-in': ['alias/other'] });
      no({ path: 'key.spellings', 'not-in': ['alias/other', '1234abcd-12ab-34cd-56ef-1234567890ab'] });
    });
    it('takes its list from a param reference, keeping the array type', () => {
      yes({ path: 'key.spellings', in: '{{keys}}' });
      no({ path: 'key.spellings', in: '{{otherKeys}}' });
      yes({ path: 'key.spellings', in: '{{params.keys}}' });
    });
    it('flattens a reference inside a list', () => {
      yes({ path: 'key.spellings', in: ['alias/zzz', '{{keys}}'] });
    });
  });

  describe('exists', () => {
    it('is true for present values, false for missing and null ones', () => {
      yes({ path: 'bucket.name', exists: true });
      no({ path: 'bucket.missing', exists: true });
      no({ path: 'bucket.nothing', exists: true });
      yes({ path: 'bucket.missing', exists: false });
      yes({ path: 'bucketKey', exists: false });
      no({ path: 'bucket.encryption.bucketKeyEnabled', exists: false }); // false is a value
    });
  });

  describe('matches (glob)', () => {
    it('matches one glob or any of a list', () => {
      yes({ path: 'bucket.name', matches: 'prod-*' });
      no({ path: 'bucket.name', matches: 'dev-*' });
      yes({ path: 'bucket.name', matches: ['dev-*', 'prod-?ata'] });
      yes({ path: 'bucket.name', matches: '{{globs}}' });
    });
    it('on an array fact matches when any element does', () => {
      yes({ path: 'key.spellings', matches: 'alias/prod-*' });
      no({ path: 'key.spellings', matches: 'alias/dev-*' });
    });
    it('is false on non-strings', () => {
      no({ path: 'bucket.size', matches: '*' });
      no({ path: 'bucket.encryption', matches: '*' });
    });
    it('raises a ConditionError for a malformed glob that arrives through a param', () => {
      expect(() => applyOperator('matches', 'x', 'prod-[')).to.throw(ConditionError, /unbalanced/);
    });
  });

  describe('regex', () => {
    it('uses ECMAScript regexes, any element of an array', () => {
      yes({ path: 'bucket.name', regex: '^prod-[a-z]+$' });
      no({ path: 'bucket.name', regex: '^dev-' });
      yes({ path: 'key.spellings', regex: '^[0-9a-f]{8}-' });
      yes({ path: 'bucket.name', regex: '{{pattern}}' });
      no({ path: 'bucket.size', regex: '4' });
    });
    it('raises a ConditionError for an invalid regex from a param', () => {
      expect(() => evaluateCondition({ path: 'bucket.name', regex: '{{badRegex}}' }, doc)).to.throw(ConditionError, /invalid regex/);
    });
  });

  describe('gt / lt', () => {
    it('compares numbers', () => {
      yes({ path: 'bucket.size', gt: 41 });
      no({ path: 'bucket.size', gt: 42 });
      yes({ path: 'bucket.size', lt: 43 });
      no({ path: 'bucket.size', lt: 42 });
    });
    it('compares ISO dates', () => {
      yes({ path: 'bucket.created', gt: '2024-01-01' });
      yes({ path: 'bucket.created', lt: '2024-03-01T10:00:01Z' });
      no({ path: 'bucket.created', lt: '2024-03-01' });
    });
    it('is false on type mismatches and missing paths', () => {
      no({ path: 'bucket.size', gt: '2024-01-01' });
      no({ path: 'bucket.created', gt: 5 });
      no({ path: 'bucket.name', gt: 1 });
      no({ path: 'bucket.missing', lt: 100 });
      no({ path: 'bucket.nothing', lt: 100 });
    });
  });

  describe('contains', () => {
    it('finds a substring in a string and an element in an array', () => {
      yes({ path: 'bucket.name', contains: 'od-da' });
      no({ path: 'bucket.name', contains: 'dev' });
      yes({ path: 'key.aliases', contains: 'alias/prod-data' });
      no({ path: 'key.aliases', contains: 'alias/prod' });
    });
    it('is false on numbers, objects and missing paths', () => {
      no({ path: 'bucket.size', contains: '4' });
      no({ path: 'bucket.tags', contains: 'env' });
      no({ path: 'bucket.missing', contains: 'x' });
    });
  });

  describe('missing paths', () => {
    it('make every operator false except exists:false, ne and not-in', () => {
      const p = 'bucket.encryption.kmsMasterKeyNope';
      no({ path: p, eq: 'x' });
      no({ path: p, in: ['x'] });
      no({ path: p, matches: '*' });
      no({ path: p, regex: '.*' });
      no({ path: p, gt: 0 });
      no({ path: p, lt: 0 });
      no({ path: p, contains: '' });
      no({ path: p, exists: true });
      yes({ path: p, exists: false });
      yes({ path: p, ne: 'x' });
      yes({ path: p, 'not-in': ['x'] });
    });
  });

  describe('fact references', () => {
    it('compare one fact with another, keeping types', () => {
      yes({ path: 'key.region', eq: '{{bucket.region}}' });
      no({ path: 'key.region', ne: '{{bucket.region}}' });
      yes({ path: 'bucket.encryption.bucketKeyEnabled', eq: '{{key.rotationEnabled}}' });
    });
    it('interpolate as text inside a longer string', () => {
      yes({ path: 'bucket.name', eq: 'prod-{{bucket.tags.team}}' });
      yes({ path: 'bucket.name', matches: '{{bucket.tags.env}}-*' });
    });
    it('resolve bare names against params', () => {
      yes({ path: 'key.region', eq: '{{region}}' });
    });
  });

  describe('all / any / not', () => {
    const t: Condition = { path: 'bucket.name', exists: true };
    const f: Condition = { path: 'bucket.missing', exists: true };
    it('combine', () => {
      yes({ all: [t, t] });
      no({ all: [t, f] });
      yes({ any: [f, t] });
      no({ any: [f, f] });
      yes({ not: f });
      no({ not: t });
    });
    it('nest', () => {
      yes({ all: [{ any: [f, { not: f }] }, { not: { all: [t, f] } }] });
      no({ any: [{ all: [t, { not: t }] }, { not: { any: [t, f] } }] });
      yes({
        all: [
          { path: 'bucket.encryption.algorithm', in: ['aws:kms', 'aws:kms:dsse'] },
          { any: [{ path: 'key.manager', eq: 'CUSTOMER' }, { path: 'key.spellings', in: '{{keys}}' }] },
          { not: { path: 'key.rotationEnabled', eq: true } },
        ],
      });
    });
    it('lists every path they read, once', () => {
      expect(conditionPaths({ all: [t, { not: f }, { any: [t, { path: 'key.manager', eq: 'x' }] }] })).to.deep.equal([
        'bucket.name',
        'bucket.missing',
        'key.manager',
      ]);
    });
  });
});
