// Which compiled test files the mocha configs run (CommonJS because mocha loads its configs with require).
//
// The rule, read from the code, so there is no list to keep up to date: a test file is a UNIT test
// unless it, or a test helper it imports (test/ only, followed transitively), names one of MARKERS:
// a sandbox, a socket, a child process or a browser. Everything else (engine, config, planner,
// renderers, domain helpers) runs in-process in a few seconds: `npm run test:unit`.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { dirname, join, relative, resolve, sep } = require('node:path');

const ROOT = resolve(__dirname, '..');
const COMPILED_TESTS = join(ROOT, 'dist', 'test');

const MARKERS = [
  /\b(startSandbox|useSandbox)\b/, // the local S3/KMS/STS endpoint (an HTTP server)
  /['"]node:(child_process|http|https|net)['"]/, // processes (the CLI, /usr/bin/aws) and raw sockets
  /['"]playwright-core['"]/, // chromium
];

/** Every compiled *.test.js under dist/test, sorted (none before the first build). */
function testFiles(dir = COMPILED_TESTS) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []))
    .sort();
}

const verdicts = new Map();
/** Whether `file` or a test module it imports names a marker. */
function needsTheOutsideWorld(file) {
  if (verdicts.has(file)) return verdicts.get(file);
  verdicts.set(file, false); // an import cycle adds nothing
  const text = readFileSync(file, 'utf8');
  let verdict = MARKERS.some((m) => m.test(text));
  for (const [, spec] of text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const dep = resolve(dirname(file), spec);
    if (!verdict && dep.startsWith(COMPILED_TESTS + sep)) verdict = needsTheOutsideWorld(dep);
  }
  verdicts.set(file, verdict);
  return verdict;
}

const rel = (file) => relative(ROOT, file);

/** The unit test files (see the rule above). */
exports.unitSpecs = () => testFiles().filter((f) => !needsTheOutsideWorld(f)).map(rel);

/**
 * Every test file, the slowest kinds first: those that run /usr/bin/aws (a Python start per call),
 * then those that start other processes (the CLI), then the rest. With --parallel the long files
 * then start at once instead of last.
 */
exports.allSpecs = () => {
  const rank = (f) => {
    const text = readFileSync(f, 'utf8');
    if (/\/awscli\.js['"]/.test(text)) return 0;
    if (/['"]node:child_process['"]|\/run-cli\.js['"]/.test(text)) return 1;
    return 2;
  };
  const ranked = testFiles().map((f) => ({ f, r: rank(f) }));
  return [0, 1, 2].flatMap((r) => ranked.filter((x) => x.r === r).map((x) => rel(x.f)));
};
