/** The --accounts file: CSV and YAML, every problem at file:line:col, nothing accepted half-right. */
import { expect } from 'chai';
import { parseAccountsCsv, parseAccountsYaml, splitCsvLine } from '../../src/config/accounts-file.js';
import { parseYamlSource } from '../../src/config/yaml-source.js';
import { formatProblem } from '../../src/domain/errors.js';

const ROLE = (id: string): string => `arn:aws:iam::${id}:role/S3KmsAuditRole`;

describe('config/accounts-file', () => {
  describe('CSV', () => {
    it('reads the columns by the header, in any order, optional ones included', () => {
      const text = `# audited accounts\nrole_arn,account_id,external_id,name\n${ROLE('111122223333')},111122223333,ext-1,prod\n\n${ROLE('444455556666')},444455556666,,dev\n`;
      const { targets, problems } = parseAccountsCsv(text, 'a.csv');
      expect(problems).to.deep.equal([]);
      expect(targets).to.deep.equal([
        { id: '111122223333', roleArn: ROLE('111122223333'), name: 'prod', externalId: 'ext-1' },
        { id: '444455556666', roleArn: ROLE('444455556666'), name: 'dev' },
      ]);
    });

    it('splits quoted fields (RFC 4180) and reports an unclosed quote', () => {
      expect(splitCsvLine('a,"b,c","d ""e"""')).to.deep.equal([
        { value: 'a', column: 1 },
        { value: 'b,c', column: 3 },
        { value: 'd "e"', column: 9 },
      ]);
      expect(splitCsvLine('a,"b')).to.equal('column 3: a quoted field is not closed');
    });

    it('reports every problem with its line and column, and accepts nothing', () => {
      const text = `account_id,role_arn,colour\n1111,${ROLE('111122223333')}\n444455556666,arn:aws:iam::444455556666:user/x\n444455556666,${ROLE('444455556666')}\n444455556666,${ROLE('444455556666')}\n`;
      const { problems } = parseAccountsCsv(text, 'a.csv');
      expect(problems.map(formatProblem)).to.deep.equal([
        'a.csv:1:21: unknown column "colour" (columns: account_id, role_arn, name, external_id)',
        'a.csv:2:1: account id "1111" is not 12 digits',
        'a.csv:3:14: "arn:aws:iam::444455556666:user/x" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)',
        'a.csv:5:1: account 444455556666 is already listed on line 4',
      ]);
    });

    it('a role in another account than the row says is refused', () => {
      const { problems } = parseAccountsCsv(`account_id,role_arn\n111122223333,${ROLE('444455556666')}\n`, 'a.csv');
      expect(problems.map(formatProblem)).to.deep.equal(['a.csv:2:14: the role is in account 444455556666, not 111122223333']);
    });

    it('a column named twice in the header is a problem: which of the two values was meant is unknown', () => {
      const text = `account_id,role_arn,Account_ID\n111122223333,${ROLE('111122223333')},444455556666\n`;
      const { problems } = parseAccountsCsv(text, 'a.csv');
      expect(problems.map(formatProblem)).to.deep.equal(['a.csv:1:21: column "Account_ID" is named twice (also column 1)']);
    });

    it('an empty file or a header alone is a problem, not an empty scan', () => {
      expect(parseAccountsCsv('', 'e.csv').problems.map((p) => p.message)[0]).to.match(/^no header row/);
      expect(parseAccountsCsv('account_id,role_arn\n', 'e.csv').problems.map((p) => p.message)).to.deep.equal(['the file lists no account']);
    });
  });

  describe('YAML', () => {
    const parse = (text: string) => parseAccountsYaml(parseYamlSource(text, 'a.yaml').source!);

    it('reads a list, or `accounts:` holding one', () => {
      const expected = [{ id: '111122223333', roleArn: ROLE('111122223333'), name: 'prod' }];
      expect(parse(`- { id: "111122223333", roleArn: "${ROLE('111122223333')}", name: prod }\n`)).to.deep.equal({ targets: expected, problems: [] });
      expect(parse(`accounts:\n  - { id: "111122223333", roleArn: "${ROLE('111122223333')}", name: prod }\n`)).to.deep.equal({ targets: expected, problems: [] });
    });

    it('says where an unquoted id, an unknown key or a bad external id is', () => {
      const { problems, targets } = parse(`accounts:\n  - id: 111122223333\n    roleArn: ${ROLE('111122223333')}\n  - id: "444455556666"\n    roleArn: ${ROLE('444455556666')}\n    externalID: x\n    externalId: "a"\n`);
      expect(targets).to.have.length(0);
      expect(problems.map(formatProblem)).to.deep.equal([
        'a.yaml:2:9: account id 111122223333 is not 12 digits (quote it: YAML read a number)',
        'a.yaml:6:5: unknown key "externalID" (expected: id, roleArn, name, externalId)',
        'a.yaml:7:17: external id must be 2 to 1224 characters of letters, digits and +=,.@:/-_',
      ]);
    });
  });
});
