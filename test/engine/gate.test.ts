import { expect } from 'chai';
import { SEVERITIES, type Severity } from '../../src/domain/finding.js';
import { decideGate, failsGate } from '../../src/engine/gate.js';
import { failing, finding, withStatus } from '../report/sample.js';

describe('report/gate', () => {
  describe('fail-on thresholds', () => {
    for (const failOn of SEVERITIES) {
      for (const severity of SEVERITIES) {
        const shouldFail = SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(failOn);
        it(`a ${severity} fail with --fail-on ${failOn} → exit ${shouldFail ? 1 : 0}`, () => {
          const gate = decideGate([failing(severity)], [], { failOn, allowIncomplete: false });
          expect(gate.exitCode).to.equal(shouldFail ? 1 : 0);
          expect(gate.passed).to.equal(!shouldFail);
          expect(gate.failOn).to.equal(failOn);
        });
      }
    }

    it('--fail-on none never fails on findings, even critical ones', () => {
      const gate = decideGate(SEVERITIES.map((s: Severity) => failing(s)), [], { failOn: 'none', allowIncomplete: false });
      expect(gate).to.include({ exitCode: 0, passed: true });
    });

    it('only status fail counts: excepted, skip and pass at critical do not fail the gate', () => {
      const findings = [withStatus('excepted', { severity: 'critical' }), withStatus('skip', { severity: 'critical' }), finding({ severity: 'critical' })];
      expect(decideGate(findings, [], { failOn: 'info', allowIncomplete: false }).exitCode).to.equal(0);
      expect(failsGate(findings[0]!, 'info')).to.equal(false);
    });

    it('counts the failing findings in the reason', () => {
      const gate = decideGate([failing('high'), failing('critical'), failing('low')], [], { failOn: 'high', allowIncomplete: false });
      expect(gate.reason).to.match(/^2 fail findings at or above high$/);
    });
  });

  describe('incomplete scans', () => {
    it('an error finding makes the gate exit 3', () => {
      const gate = decideGate([finding(), withStatus('error', { severity: 'low' })], [], { failOn: 'high', allowIncomplete: false });
      expect(gate).to.include({ exitCode: 3, passed: false });
      expect(gate.reason).to.contain('scan incomplete').and.contain('--allow-incomplete');
    });

    it('a run error alone makes the gate exit 3', () => {
      const gate = decideGate([finding()], [{ operation: 'ListBuckets', code: 'AccessDenied', message: 'no' }], { failOn: 'high', allowIncomplete: false });
      expect(gate.exitCode).to.equal(3);
      expect(gate.reason).to.contain('1 run error');
    });

    it('--allow-incomplete accepts errors and says so', () => {
      const gate = decideGate([withStatus('error')], [{ operation: 'ListBuckets', code: 'AccessDenied', message: 'no' }], { failOn: 'high', allowIncomplete: true });
      expect(gate).to.include({ exitCode: 0, passed: true });
      expect(gate.reason).to.contain('incomplete scan allowed');
    });

    it('an error finding fails the gate whatever its severity and even with --fail-on none', () => {
      const gate = decideGate([withStatus('error', { severity: 'info' })], [], { failOn: 'none', allowIncomplete: false });
      expect(gate.exitCode).to.equal(3);
    });
  });

  describe('precedence', () => {
    it('failing findings win over incompleteness (exit 1), and the reason mentions both', () => {
      const gate = decideGate([failing('critical'), withStatus('error')], [], { failOn: 'high', allowIncomplete: false });
      expect(gate.exitCode).to.equal(1);
      expect(gate.reason).to.equal('1 fail finding at or above high; scan also incomplete (1 error finding, 0 run errors)');
    });

    it('with --allow-incomplete, failing findings still exit 1', () => {
      const gate = decideGate([failing('high'), withStatus('error')], [], { failOn: 'high', allowIncomplete: true });
      expect(gate.exitCode).to.equal(1);
    });

    it('fails below the threshold do not hide an incomplete scan (exit 3)', () => {
      const gate = decideGate([failing('low'), withStatus('error')], [], { failOn: 'high', allowIncomplete: false });
      expect(gate.exitCode).to.equal(3);
    });
  });
});
