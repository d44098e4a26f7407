/**
 * The accounts section of a many-account run in each human format: counted, the accounts not scanned
 * named with their status or cause, hostile account names escaped; absent without the section.
 */
import { expect } from 'chai';
import type { AuditReport } from '../../src/domain/report.js';
import { render as renderConsole } from '../../src/report/console.js';
import { render as renderHtml } from '../../src/report/html.js';
import { loadReportSchema } from '../../src/report/json.js';
import { render as renderMd } from '../../src/report/md.js';
import { errorsToText, validateAgainst } from '../../src/schema/ajv.js';
import { fixedReport } from '../helpers/report-fixtures.js';

function withAccounts(): AuditReport {
  return {
    ...fixedReport(),
    accounts: {
      source: 'organization',
      organization: { id: 'o-abcdefghij', managementAccount: '111122223333' },
      list: [
        { id: '111122223333', name: 'prod', status: 'ACTIVE', roleArn: 'arn:aws:iam::111122223333:role/Audit', result: 'scanned' },
        { id: '222233334444', name: '<b>pay|ments</b>', status: 'ACTIVE', roleArn: 'arn:aws:iam::222233334444:role/Audit', result: 'error', reason: 'AssumeRole: AccessDenied' },
        { id: '999988887777', name: 'old', status: 'SUSPENDED', result: 'skipped', reason: 'account status SUSPENDED: not scanned' },
      ],
    },
  };
}

describe('report: accounts section', () => {
  it('is valid against the report schema (an optional field of schemaVersion 1)', () => {
    const problems = validateAgainst(loadReportSchema(), withAccounts());
    expect(problems, errorsToText(problems)).to.deep.equal([]);
  });

  it('console: the header counts the accounts and names those not scanned', () => {
    const text = renderConsole(withAccounts(), { color: false });
    expect(text).to.contain('  accounts  1 scanned · 1 skipped · 1 error (organization o-abcdefghij, management account 111122223333)');
    expect(text).to.contain('            error 222233334444 <b>pay|ments</b>: AssumeRole: AccessDenied');
    expect(text).to.contain('            skipped 999988887777 old: SUSPENDED');
    expect(renderConsole(fixedReport(), { color: false })).to.not.contain('scanned ·');
  });

  it('markdown: a table of the accounts not scanned, values escaped', () => {
    const md = renderMd(withAccounts());
    expect(md).to.contain('### Accounts (3)');
    expect(md).to.not.contain('<b>');
    expect(md).to.match(/\| 222233334444 \| .*pay\\\|ments.* \| error \| AssumeRole: AccessDenied \|/);
    expect(renderMd(fixedReport())).to.not.contain('### Accounts');
  });

  it('html: every account with its result, names escaped', () => {
    const html = renderHtml(withAccounts());
    expect(html).to.contain('<section id="accounts"><h2>Accounts (3)</h2>');
    expect(html).to.contain('&lt;b&gt;pay|ments&lt;/b&gt;');
    expect(html.match(/<tr data-result="/g)).to.have.length(3);
    expect(renderHtml(fixedReport())).to.not.contain('id="accounts"');
  });
});
