// The fast loop (npm run test:unit): only the test files that need no sandbox, socket, child process
// or browser; test/specs.cjs decides that from what each file imports, so there is no list to keep.
'use strict';
const { unitSpecs } = require('./test/specs.cjs');

module.exports = {
  spec: unitSpecs(),
  timeout: 60000,
  reporter: './test/reporter.cjs',
};
