/**
 * The help texts main.ts prints without commander (src/cli/prebuilt-help.ts) must be byte for byte what
 * commander prints: the file the build wrote is compared with commander's rendering now, for the main
 * help and every command's, and each plain form of asking for help is mapped to the right text. The
 * compiled CLI's own output is compared in test/cli/startup.test.ts.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildHelpTexts } from '../../src/cli/build-help-texts.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { helpRequest, HELP_WIDTH_WITHOUT_TERMINAL, prebuiltHelp, prebuiltHelpUrl, type PrebuiltHelpFile } from '../../src/cli/prebuilt-help.js';
import { helpText } from '../../src/cli/program.js';

describe('cli/prebuilt-help', () => {
  it('the build wrote the help texts, equal to what commander prints now without a terminal', () => {
    const built = JSON.parse(readFileSync(prebuiltHelpUrl(), 'utf8')) as PrebuiltHelpFile;
    expect(built).to.deep.equal(buildHelpTexts());
    expect(built.width).to.equal(HELP_WIDTH_WITHOUT_TERMINAL);
    expect(built.main).to.equal(helpText(undefined, 80));
    expect(Object.keys(built.commands)).to.deep.equal(COMMANDS.map((c) => c.name));
    for (const spec of COMMANDS) expect(built.commands[spec.name], spec.name).to.equal(helpText(spec.name, 80));
  });

  it('prints the main help for no arguments, --help, -h and help, as commander does', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) expect(prebuiltHelp(argv, undefined), argv.join(' ')).to.equal(helpText(undefined, 80));
    expect(helpText(undefined, 80)).to.match(/^Usage: s3-kms-audit \[options\] \[command\]\n/);
  });

  it("prints a command's help for NAME --help, NAME -h and help NAME, as commander does", () => {
    for (const spec of COMMANDS) {
      const expected = helpText(spec.name, 80);
      expect(expected).to.match(new RegExp(`^Usage: s3-kms-audit ${spec.name} `));
      for (const argv of [[spec.name, '--help'], [spec.name, '-h'], ['help', spec.name]]) expect(prebuiltHelp(argv, undefined), argv.join(' ')).to.equal(expected);
    }
  });

  it('leaves everything else to commander: other command lines, unknown names, another terminal width', () => {
    for (const argv of [['--version'], ['scan'], ['scan', '--quiet', '--help'], ['--help', 'scan'], ['help', 'scna'], ['scna', '--help'], ['', '--help'], ['help', '--help'], ['help', 'scan', 'x']]) {
      expect(prebuiltHelp(argv, undefined), JSON.stringify(argv)).to.equal(undefined);
    }
    expect(helpRequest(['help', 'scna'])).to.deep.equal({ command: 'scna' });
    // A terminal wider or narrower than the texts: commander wraps to it.
    expect(prebuiltHelp(['--help'], 120)).to.equal(undefined);
    expect(prebuiltHelp(['scan', '--help'], 60)).to.equal(undefined);
    expect(prebuiltHelp(['--help'], 80)).to.equal(helpText(undefined, 80));
    expect(helpText('scan', 120)).to.not.equal(helpText('scan', 80));
  });

  it('falls back to commander without a usable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 's3ka-help-'));
    try {
      const file = join(dir, 'help-texts.json');
      expect(prebuiltHelp(['--help'], undefined, pathToFileURL(file))).to.equal(undefined);
      writeFileSync(file, JSON.stringify({ ...buildHelpTexts(), format: 'something/else' }));
      expect(prebuiltHelp(['--help'], undefined, pathToFileURL(file))).to.equal(undefined);
      writeFileSync(file, '{"format": ');
      expect(prebuiltHelp(['--help'], undefined, pathToFileURL(file))).to.equal(undefined);
      writeFileSync(file, JSON.stringify(buildHelpTexts()));
      expect(prebuiltHelp(['--help'], undefined, pathToFileURL(file))).to.equal(helpText(undefined, 80));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
