#!/usr/bin/env node
/**
 * The s3-kms-audit executable (package.json "bin"). The only place that calls process.exit.
 */
import { toolVersion } from '../paths.js';
import { prebuiltHelp } from './prebuilt-help.js';

// The pinned SDK supports Node 20; its notice about future SDK releases needing Node 22 is not
// actionable for users of this tool and would clutter every scan's stderr. A user can still turn
// it back on by setting the variable to anything but "true".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/**
 * A reader that stops reading early (`s3-kms-audit sandbox | head -1`) closes the pipe: the next write
 * fails with EPIPE, which Node raises as an unhandled 'error' event — a stack trace on stderr. Other CLIs
 * die of SIGPIPE there; this one treats a closed stdout as a request to stop, the way it treats SIGTERM,
 * so that a scan still removes its partial files, a remediation still journals what is in flight and the
 * sandbox shuts down — each with its documented exit code — and a command that only prints finishes
 * with its own. What is still written to the closed stream is dropped without a word.
 */
function whenReaderGone(stream: NodeJS.WriteStream, onFirst: () => void): void {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (gone) return;
    gone = true;
    onFirst();
  });
}
whenReaderGone(process.stdout, () => process.emit('SIGTERM', 'SIGTERM'));
// stdout may still have a reader (`2>&1 | head` closes both): nothing to stop for stderr alone.
whenReaderGone(process.stderr, () => undefined);

/**
 * Exit only once stdout and stderr have drained: on Linux, writes to a pipe are asynchronous, and
 * process.exit() right after a large write cuts the output at 64 KiB — a CI log would lose the
 * gate line of a big estate's summary.
 */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * Prints the help `argv` asks for when it was rendered at build time (prebuilt-help.ts), without
 * loading commander and the command table; false leaves it to commander. The width is the one
 * commander would wrap to: the terminal's, or none (80 columns) when stdout is not a terminal.
 */
function printedPrebuiltHelp(argv: readonly string[]): boolean {
  const help = prebuiltHelp(argv, process.stdout.isTTY ? process.stdout.columns : undefined);
  if (help === undefined) return false;
  process.stdout.write(help);
  return true;
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // The commonest probe of an install, answered without loading the command table and commander: the
  // same line commander prints (program.ts), at a third of the start-up cost.
  process.stdout.write(`s3-kms-audit ${toolVersion()}\n`);
  exitAfterFlush(0);
} else if (printedPrebuiltHelp(argv)) {
  exitAfterFlush(0);
} else {
  const { runCli } = await import('./run.js');
  runCli(argv, io).then(exitAfterFlush, (err: unknown) => {
    // runCli maps every error to an exit code itself; this is the last resort.
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    exitAfterFlush(3);
  });
}
