/**
 * docs/cli.md's option tables are generated from the command table (src/cli/commands.ts); this fails
 * when an option changed and the page was not regenerated, so the docs never disagree with --help.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { COMMANDS } from '../../src/cli/commands.js';
import { closeMarker, openMarker, renderOptionTable, withOptionTables } from '../../src/cli/reference.js';
import { optionSyntax } from '../../src/cli/spec.js';
import { cliReferencePath } from '../tools/cli-reference-path.js';

const STALE = 'docs/cli.md is stale: run npm run docs:cli';

describe('docs/cli.md (generated option tables)', () => {
  it('has a marker pair for every command, and its tables equal what the command table renders', () => {
    const path = cliReferencePath();
    if (!existsSync(path)) expect.fail('docs/cli.md is missing: create it with a marker pair per command, then run npm run docs:cli');
    const committed = readFileSync(path, 'utf8');
    for (const command of COMMANDS) {
      expect(committed, command.name).to.contain(openMarker(command.name)).and.contain(closeMarker(command.name));
    }
    if (withOptionTables(committed) !== committed) expect.fail(STALE);
  });

  it('lists every option of a command, with its default, and leaves the prose around the markers alone', () => {
    for (const command of COMMANDS) {
      const table = renderOptionTable(command);
      for (const option of Object.values(command.options)) expect(table, option.flag).to.contain(`\`${optionSyntax(option)}\``);
    }
    expect(renderOptionTable(COMMANDS[0])).to.contain('| `--fail-on LEVEL` | `high` |');
    const page = `intro\n${openMarker('scan')}\nold\n${closeMarker('scan')}\noutro\n`;
    const updated = withOptionTables(page, [COMMANDS[0]]);
    expect(updated.startsWith(`intro\n${openMarker('scan')}\n| option |`)).to.equal(true);
    expect(updated.endsWith(`\n${closeMarker('scan')}\noutro\n`)).to.equal(true);
    expect(withOptionTables(updated, [COMMANDS[0]])).to.equal(updated);
  });
});
