/**
 * `s3-kms-audit test [DIR]...`: runs the fixtures of the built-in rules and of the rules in each
 * DIR — the same runner the project's own rule tests use — one line per fixture, then a closing
 * line exactly "N passed, M failed".
 */
import { resolve } from 'node:path';
import { loadRulesWithFixtures } from '../config/rules.js';
import { BUILTIN_ACTION_CATALOGUE } from '../remediate/actions/catalogue.js';
import { runFixtures } from '../engine/fixtures.js';
import { builtinRulesDir } from '../paths.js';
import { escapeControl } from '../domain/text.js';
import type { TestArgs } from './commands.js';
import { EXIT_FINDINGS, EXIT_OK } from './exit.js';
import { passMark, type CliIO } from './terminal.js';

export async function testCommand(args: TestArgs, io: CliIO): Promise<number> {
  const dirs = [builtinRulesDir(), ...args.dirs.map((d) => resolve(d))];
  // Throws ConfigError (exit 2) for an invalid rule or fixture file.
  const { rules, fixtures } = loadRulesWithFixtures(dirs, BUILTIN_ACTION_CATALOGUE);
  const results = runFixtures(rules, fixtures);
  let failed = 0;
  for (const r of results) {
    const mark = passMark(io.stdout, r.passed);
    io.stdout.write(`${mark} ${escapeControl(r.rule)} › ${escapeControl(r.name)}\n`);
    if (!r.passed) {
      failed += 1;
      io.stdout.write(`    ${escapeControl(r.file)}: ${escapeControl(r.message)}\n`);
    }
  }
  io.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_FINDINGS : EXIT_OK;
}
