/**
 * An object's facts are the same whichever answer they come from: HeadObject (factsFromHead), the last
 * incremental state (factsFromRecord) or the listing (factsFromListing) — the same values for the same
 * object, and the same keys in the same order, so nothing that prints a whole `object` tells a full run
 * from an incremental one.
 */
import { expect } from 'chai';
import { factsFromHead, factsFromListing, factsFromRecord, recordOf } from '../../src/collect/object-facts.js';
import type { HeadObjectAnswer, ListedObjectEntry } from '../../src/aws/s3.js';

const MODIFIED = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('collect/object-facts: the same facts from HeadObject, the state and the listing', () => {
  for (const versions of [false, true]) {
    for (const kmsKeyId of [undefined, 'arn:aws:kms:us-east-1:111122223333:key/k']) {
      it(`versions ${versions}, ${kmsKeyId ? 'with' : 'without'} a key id: equal facts, keys in the same order`, () => {
        const entry: ListedObjectEntry = { key: 'a/b.txt', size: 5, lastModified: MODIFIED, etag: '"e"', ...(versions ? { versionId: 'v1', isLatest: true } : {}) };
        const head: HeadObjectAnswer = { sse: kmsKeyId ? 'aws:kms' : 'AES256', bucketKeyEnabled: Boolean(kmsKeyId), size: 5, lastModified: MODIFIED, etag: '"e"', ...(kmsKeyId ? { kmsKeyId } : {}) };
        const fromHead = factsFromHead('bucket-1', entry, head, versions);
        const fromRecord = factsFromRecord('bucket-1', entry, recordOf(fromHead, entry), versions);
        expect(fromHead).to.deep.equal(fromRecord);
        expect(Object.keys(fromHead)).to.deep.equal(Object.keys(fromRecord));
        expect(JSON.stringify(fromHead)).to.equal(JSON.stringify(fromRecord));
        // The listing's facts (an SSE-C object) have the same keys, less the key id HeadObject alone gives.
        const fromListing = factsFromListing('bucket-1', entry, versions, { sse: 'SSE-C' });
        expect(Object.keys(fromListing)).to.deep.equal(Object.keys(fromHead).filter((k) => k !== 'kmsKeyId'));
      });
    }
  }
});
