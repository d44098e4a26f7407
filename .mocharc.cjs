// The full suite (npm test). The fast in-process subset is .mocharc.unit.cjs (npm run test:unit).
// Test files run two at a time (one per core): each file starts its own sandbox on a free port and
// keeps its files in its own mkdtemp folder, so files do not share state. No `exit`: mocha ends when
// the tests leave nothing running, and a leaked server, socket, timer or child shows as a hang.
'use strict';
const { allSpecs } = require('./test/specs.cjs');

module.exports = {
  spec: allSpecs(),
  timeout: 60000,
  reporter: './test/reporter.cjs',
  parallel: true,
  jobs: 2,
};
