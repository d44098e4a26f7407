/**
 * Dispatch: top-level flags and subcommands → a command's exit code. Never calls process.exit
 * (main.ts does), so tests can run commands in-process with fake streams.
 */
import { toolVersion } from '../run/audit.js';
import { MAIN_HELP, parseTopLevel } from './args.js';
import { escapeControl } from '../domain/text.js';
import { EXIT_OK, failureFor } from './exit.js';
import { permissionsCommand } from './permissions.js';
import { remediateCommand } from './remediate.js';
import { reportCommand } from './report.js';
import { rollbackCommand } from './rollback.js';
import { scanCommand } from './scan.js';
import type { CliIO } from './terminal.js';
import { testCommand } from './test-rules.js';
import { validateCommand } from './validate.js';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    const top = parseTopLevel(argv);
    if (top.version) {
      io.stdout.write(`s3-kms-audit ${toolVersion()}\n`);
      return EXIT_OK;
    }
    if (top.help || top.command === undefined) {
      io.stdout.write(MAIN_HELP);
      return EXIT_OK;
    }
    switch (top.command) {
      case 'scan':
        return await scanCommand(top.rest, io);
      case 'validate':
        return await validateCommand(top.rest, io);
      case 'test':
        return await testCommand(top.rest, io);
      case 'report':
        return await reportCommand(top.rest, io);
      case 'remediate':
        return await remediateCommand(top.rest, io);
      case 'rollback':
        return await rollbackCommand(top.rest, io);
      case 'permissions':
        return await permissionsCommand(top.rest, io);
      case 'sandbox': {
        // Loaded on demand: the sandbox (HTTP server, estate model) is not needed by the other commands.
        const { sandboxCommand } = await import('../sandbox/cli.js');
        return await sandboxCommand(top.rest);
      }
      default:
        // parseTopLevel only returns known commands; reaching here is a bug in COMMANDS.
        throw new Error(`command ${top.command} has no handler`);
    }
  } catch (err) {
    const failure = failureFor(err, io.env);
    // Messages can carry text from AWS or an endpoint (error messages, names): never let it drive the terminal.
    io.stderr.write(failure.message.split('\n').map(escapeControl).join('\n') + '\n');
    return failure.exitCode;
  }
}
