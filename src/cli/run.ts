/**
 * Dispatch: the command line → a command's exit code. Never calls process.exit (main.ts does), so
 * tests can run commands in-process with fake streams. Every error, of the command line or of a
 * command (the sandbox's included), goes through failureFor: one mapping to exit codes.
 */
import { escapeControl } from '../domain/text.js';
import { toolVersion } from '../paths.js';
import { EXIT_OK, failureFor } from './exit.js';
import { runHandler } from './handlers.js';
import type { PromptIO } from './interaction.js';
import { parseCommandLine, type ParseContext } from './program.js';
import { withoutBuiltinRules } from './rules-folders.js';

export async function runCli(argv: string[], io: PromptIO): Promise<number> {
  const context: ParseContext = {};
  try {
    const invocation = parseCommandLine(argv, io, toolVersion(), context);
    if (invocation === undefined) return EXIT_OK;
    const args = { ...invocation.args };
    // Extra rules folders: the commands that take --rules, and `test DIR...`.
    if (Array.isArray(args.rules)) args.rules = withoutBuiltinRules(args.rules as string[], '--rules', io);
    if (invocation.command === 'test' && Array.isArray(args.dirs)) args.dirs = withoutBuiltinRules(args.dirs as string[], 'test', io);
    return await runHandler(invocation.command, args, io);
  } catch (err) {
    const failure = failureFor(err, io.env, context.command);
    // Messages can carry text from AWS or an endpoint (error messages, names): never let it drive the terminal.
    io.stderr.write(failure.message.split('\n').map(escapeControl).join('\n') + '\n');
    return failure.exitCode;
  }
}
