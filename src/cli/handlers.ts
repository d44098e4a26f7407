/**
 * Each command's handler, loaded on demand: `--help`, `--version` and a usage error never load the
 * AWS SDK, ajv or yaml, and a command loads only what it uses. The map is typed from the command
 * table, so a handler that does not take its command's arguments does not compile.
 */
import type { ArgsOf } from './spec.js';
import type { COMMANDS, CommandName } from './commands.js';
import type { PromptIO } from './interaction.js';

export type Handler<A> = (args: A, io: PromptIO) => Promise<number>;

type Commands = (typeof COMMANDS)[number];
type Handlers = { readonly [C in Commands as C['name']]: () => Promise<Handler<ArgsOf<C>>> };

const HANDLERS: Handlers = {
  scan: async () => (await import('./scan.js')).scanCommand,
  merge: async () => (await import('./merge.js')).mergeCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  test: async () => (await import('./test-rules.js')).testCommand,
  sandbox: async () => (await import('./sandbox.js')).sandboxCommand,
  report: async () => (await import('./report.js')).reportCommand,
  remediate: async () => (await import('./remediate.js')).remediateCommand,
  rollback: async () => (await import('./rollback.js')).rollbackCommand,
  permissions: async () => (await import('./permissions.js')).permissionsCommand,
  status: async () => (await import('./batch-status.js')).statusCommand,
};

/** Runs a command with the arguments program.ts parsed from that command's own table entry. */
export async function runHandler(command: CommandName, args: Record<string, unknown>, io: PromptIO): Promise<number> {
  // The arguments were built from the same table entry ArgsOf reads, so they have the handler's type.
  const handler = (await HANDLERS[command]()) as Handler<Record<string, unknown>>;
  return handler(args, io);
}
