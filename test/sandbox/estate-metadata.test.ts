/** Estates can give a bucket an S3 Metadata configuration, with its live inventory table in any status. */
import { expect } from 'chai';
import { parseEstate } from '../../src/sandbox/estate.js';

const estate = (metadata: string): string => `accounts:
  - id: "111122223333"
    name: prod
    accessKeyId: AKIAESTATETEST000001
    secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYESTATE0001
    buckets:
      - name: with-metadata
        region: us-east-1
        ${metadata}
`;

describe('sandbox estates: S3 Metadata', () => {
  it('metadata: { inventoryTable: STATUS } sets the inventory table (DISABLED: a journal table only)', () => {
    expect(parseEstate(estate('metadata: { inventoryTable: ACTIVE }'), 'e.yaml').buckets.get('with-metadata')!.metadata).to.deep.equal({ inventory: { configurationState: 'ENABLED', tableStatus: 'ACTIVE' } });
    expect(parseEstate(estate('metadata: { inventoryTable: BACKFILLING }'), 'e.yaml').buckets.get('with-metadata')!.metadata!.inventory.tableStatus).to.equal('BACKFILLING');
    expect(parseEstate(estate('metadata: { inventoryTable: DISABLED }'), 'e.yaml').buckets.get('with-metadata')!.metadata).to.deep.equal({ inventory: { configurationState: 'DISABLED' } });
    expect(parseEstate(estate('tags: { a: b }'), 'e.yaml').buckets.get('with-metadata')!.metadata).to.equal(undefined);
  });

  it('refuses an unknown status', () => {
    expect(() => parseEstate(estate('metadata: { inventoryTable: READY }'), 'e.yaml')).to.throw(/inventoryTable/);
  });
});
