/**
 * The metadata mode's SQL: values only as ExecutionParameters, names only after a strict check. Hostile
 * bucket names, prefixes and key ARNs never reach the query text; a hostile table name is refused; and
 * the generated query, run on the sandbox's engine (DuckDB) with a hostile bucket name, matches nothing
 * instead of changing what it selects (that one in test/sandbox/athena.test.ts: it loads DuckDB).
 */
import { expect } from 'chai';
import { groupsQuery, literal, manifestLocation, quoteIdentifier, unloadQuery, UnsafeNameError, type InventoryTable } from '../../src/collect/metadata/query.js';
import { parseParameter, tablesNamed } from '../../src/sandbox/athena/sql.js';

const TABLE: InventoryTable = { catalog: 's3tablescatalog/aws-s3', namespace: 'b_data-bucket', table: 'inventory' };
const HOSTILE = ["x' OR '1'='1", "x'); DROP TABLE inventory; --", 'x"."y', "\\' OR 1=1 --", 'x\u0000y'];

describe('collect/metadata: generated SQL', () => {
  it('puts the bucket and prefix in ExecutionParameters, never in the text', () => {
    for (const bad of HOSTILE) {
      const q = groupsQuery(TABLE, bad, bad, { kmsKeyArn: true }, 5);
      expect(q.sql).to.not.contain(bad);
      expect(q.parameters.slice(0, 2)).to.deep.equal([literal(bad), literal(bad)]);
      // Each parameter is exactly one literal that reads back as the value.
      expect(parseParameter(q.parameters[0]!)).to.equal(bad);
    }
  });

  it('quotes only plain names; anything that could close the quotes is refused', () => {
    expect(quoteIdentifier('namespace', 'b_my.bucket-1')).to.equal('"b_my.bucket-1"');
    for (const bad of ['b_x"."y', 'b_x" --', '', 'b x', "b_x'"]) expect(() => quoteIdentifier('namespace', bad), bad).to.throw(UnsafeNameError);
    expect(() => groupsQuery({ ...TABLE, namespace: 'b_x"; DROP TABLE t; --' }, 'b', '', { kmsKeyArn: false }, 1)).to.throw(UnsafeNameError);
  });

  it('groups by the key ARN only when a rule reads the object key (less for Athena to scan)', () => {
    expect(groupsQuery(TABLE, 'b', '', { kmsKeyArn: false }, 1).sql).to.not.contain('kms_key_arn');
    expect(groupsQuery(TABLE, 'b', '', { kmsKeyArn: true }, 1).sql).to.contain('kms_key_arn');
  });

  it('the UNLOAD location is built only from checked parts', () => {
    expect(manifestLocation('s3://results/q', '20261201T000000Z', '111122223333', 'data-bucket')).to.equal('s3://results/q/s3-kms-audit-manifests/20261201T000000Z/111122223333/data-bucket/');
    for (const bad of HOSTILE) expect(() => manifestLocation('s3://results/', '20261201T000000Z', '111122223333', bad), bad).to.throw(UnsafeNameError);
    expect(() => unloadQuery(TABLE, 'b', '', { kmsKeyArn: false }, [{ encryptionStatus: 'SSE-S3', bucketKeyEnabled: false }], "s3://results/x' --/")).to.throw(UnsafeNameError);
    const q = unloadQuery(TABLE, "b'--", '', { kmsKeyArn: true }, [{ encryptionStatus: "SSE-S3'--", bucketKeyEnabled: false, kmsKeyArn: null }], 's3://results/m/');
    expect(q.sql).to.not.contain("b'--").and.not.contain("SSE-S3'--");
    expect(q.parameters).to.deep.equal(["'b''--'", "'SSE-S3''--'", 'FALSE', 'NULL']);
  });

  it('the sandbox finds the table the query names', () => {
    expect(tablesNamed(groupsQuery(TABLE, 'b', '', { kmsKeyArn: false }, 1).sql)).to.deep.equal([{ catalog: 's3tablescatalog/aws-s3', database: 'b_data-bucket', table: 'inventory' }]);
  });

  it('execution parameters must be single literals', () => {
    expect(parseParameter("'it''s'")).to.equal("it's");
    expect(parseParameter('TRUE')).to.equal(true);
    expect(parseParameter('NULL')).to.equal(null);
    expect(parseParameter('42')).to.equal(42);
    for (const bad of ["'a' OR 1=1", "'a'; DROP TABLE t", 'x', "'unterminated"]) expect(() => parseParameter(bad), bad).to.throw();
  });
});
