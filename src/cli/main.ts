#!/usr/bin/env node
/**
 * The s3-kms-audit executable (package.json "bin"). The only place that calls process.exit.
 */
import { runCli } from './run.js';

// The pinned SDK supports Node 20; its notice about future SDK releases needing Node 22 is not
// actionable for users of this tool and would clutter every scan's stderr. A user can still turn
// it back on by setting the variable to anything but "true".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

runCli(process.argv.slice(2), io).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // runCli maps every error to an exit code itself; this is the last resort.
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(3);
  },
);
