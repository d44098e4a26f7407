/** Which accounts of an organisation or file a scan keeps, and what it says about the rest. */
import { expect } from 'chai';
import { planAccounts, selects, withListingErrors, type AccountSelection } from '../../src/run/accounts.js';

const none: AccountSelection = { include: [], exclude: [], nameGlobs: [], units: [] };
const account = (id: string, name: string, status: 'ACTIVE' | 'SUSPENDED' | 'CLOSED' = 'ACTIVE') => ({ id, name, status, roleArn: `arn:aws:iam::${id}:role/Audit` });

describe('run/accounts: selection', () => {
  it('keeps every account without a selection; ids and name globs include (either), exclusions win', () => {
    expect(selects(none, { id: '111111111111', name: 'prod' })).to.equal(true);
    const sel: AccountSelection = { ...none, include: ['111111111111'], nameGlobs: ['dev-*'], exclude: ['222222222222'] };
    expect(selects(sel, { id: '111111111111', name: 'prod' })).to.equal(true);
    expect(selects(sel, { id: '333333333333', name: 'dev-eu' })).to.equal(true);
    expect(selects(sel, { id: '222222222222', name: 'dev-us' })).to.equal(false);
    expect(selects(sel, { id: '444444444444', name: 'staging' })).to.equal(false);
  });

  it('skips accounts that are not ACTIVE with their status, and reports included ids nobody has', () => {
    const { targets, skipped, runErrors } = planAccounts(
      [account('111111111111', 'prod'), account('222222222222', 'old', 'SUSPENDED'), account('333333333333', 'gone', 'CLOSED')],
      { ...none, include: ['111111111111', '222222222222', '333333333333', '999999999999'] },
      'organization o-x',
    );
    expect(targets.map((t) => t.id)).to.deep.equal(['111111111111']);
    expect(skipped.map((s) => [s.id, s.result, s.status])).to.deep.equal([
      ['222222222222', 'skipped', 'SUSPENDED'],
      ['333333333333', 'skipped', 'CLOSED'],
    ]);
    expect(runErrors).to.deep.equal([
      { account: '999999999999', operation: 'SelectAccounts', code: 'AccountNotFound', message: 'account 999999999999 was asked for but is not in organization o-x' },
    ]);
  });

  it('a name glob that matches no account, and a selection that leaves nothing to scan, are run errors (never a clean pass)', () => {
    const accounts = [account('111111111111', 'prod'), account('222222222222', 'old', 'SUSPENDED')];
    const unmatched = planAccounts(accounts, { ...none, nameGlobs: ['prdo*'] }, 'organization o-x');
    expect(unmatched.targets).to.deep.equal([]);
    expect(unmatched.runErrors.map((e) => [e.code, e.message])).to.deep.equal([
      ['AccountNotFound', 'no account of organization o-x has a name matching --account-name "prdo*"'],
      ['NoAccountSelected', 'nothing to scan in organization o-x: the selection keeps none of its accounts'],
    ]);
    const onlySuspended = planAccounts(accounts, { ...none, include: ['222222222222'] }, 'organization o-x');
    expect(onlySuspended.runErrors.map((e) => e.message)).to.deep.equal(['nothing to scan in organization o-x: the selected accounts are not ACTIVE (222222222222 SUSPENDED)']);
    // A glob that matches, and a selection with something to scan: no error.
    expect(planAccounts(accounts, { ...none, nameGlobs: ['pr*', 'ol?'] }, 'organization o-x').runErrors).to.deep.equal([]);
  });

  it('an account whose ListBuckets failed becomes an error with its cause', () => {
    const section = withListingErrors(
      { source: 'file', list: [{ id: '111111111111', result: 'scanned' }, { id: '222222222222', result: 'scanned' }] },
      [{ account: '222222222222', region: 'us-east-1', operation: 'ListBuckets', code: 'AccessDenied', message: 'Access Denied' }],
    );
    expect(section.list).to.deep.equal([
      { id: '111111111111', result: 'scanned' },
      { id: '222222222222', result: 'error', reason: 'ListBuckets: AccessDenied' },
    ]);
  });
});
