/**
 * Talking with the person (or CI job) running a command: consent before changing buckets (--yes or a
 * terminal), the y/N prompt, SIGINT/SIGTERM handling, and the timestamped names of the files a run writes.
 */
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline';
import { UsageError } from '../domain/errors.js';
import type { CliIO } from './terminal.js';

/** CliIO plus stdin for the confirmation prompt (main.ts passes none: process.stdin is used). */
export interface PromptIO extends CliIO {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** A person is there to answer: both stdin and stdout are terminals. */
export function isInteractive(io: PromptIO): boolean {
  return (io.stdin ?? process.stdin).isTTY === true && io.stdout.isTTY === true;
}

/** Checked before any AWS call: a change needs --yes or a person at a terminal. */
export function requireConsent(command: string, yes: boolean, io: PromptIO): void {
  if (yes || isInteractive(io)) return;
  throw new UsageError(`${command}: refusing to change buckets without confirmation: stdin is not a terminal, so pass --yes to confirm non-interactively`);
}

/** Asks a y/N question on the terminal; anything but y/yes is no. */
export async function confirm(question: string, io: PromptIO): Promise<boolean> {
  io.stdout.write(`${question} [y/N] `);
  const rl = createInterface({ input: io.stdin ?? process.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, handler);
  };
}

export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * SIGINT/SIGTERM while changing buckets: stop starting new changes, let the ones in flight finish and
 * be journaled. The process keeps running until then, whatever the number of signals.
 */
export function onInterrupt(io: CliIO, what: string): Interrupt {
  const controller = new AbortController();
  const dispose = onStopSignals((signal) => {
    if (!controller.signal.aborted) {
      io.stderr.write(`\n${signal}: starting no new ${what}; finishing and journaling the ones in flight...\n`);
      controller.abort();
    } else {
      io.stderr.write(`${signal}: still finishing the ${what} in flight (the journal stays consistent)...\n`);
    }
  });
  return { signal: controller.signal, dispose };
}

/** How long an interrupted read-only run may take to wind down before it stops waiting for what is in flight. */
export const STOP_GRACE_MS = 10_000;

export interface StopRequest {
  /** Aborted at the first SIGINT/SIGTERM: passed to every AWS call, so requests in flight are abandoned. */
  signal: AbortSignal;
  /** The signal that asked to stop, once one came. */
  readonly received: NodeJS.Signals | undefined;
  /**
   * Resolves `graceMs` after the first signal, or at once on a second one: the moment to stop waiting
   * for the work being abandoned. Never resolves without a signal.
   */
  deadline: Promise<void>;
  /** From now on a signal no longer stops the work, only says what is being finished (a few quick writes). */
  finishing(what: string): void;
  dispose(): void;
}

/**
 * SIGINT/SIGTERM during a read-only run (scan): nothing outside needs finishing, so stop at once —
 * start nothing new, abort the requests in flight — and give the run `graceMs` to remove what it had
 * half written. A second signal ends the wait at once. The process keeps running until the command
 * returns (so its partial files are removed), whatever the number of signals.
 */
export function onStopRequest(io: CliIO, what: string, graceMs = STOP_GRACE_MS): StopRequest {
  const controller = new AbortController();
  // Every AWS call in flight listens to the signal (and stops listening when it ends): with --concurrency
  // above 10 that is more listeners than Node's leak warning expects, and no leak.
  setMaxListeners(0, controller.signal);
  let received: NodeJS.Signals | undefined;
  let finishingWhat: string | undefined;
  let endWait: () => void = () => undefined;
  const deadline = new Promise<void>((resolve) => (endWait = resolve));
  let timer: NodeJS.Timeout | undefined;
  const dispose = onStopSignals((signal) => {
    if (finishingWhat !== undefined) {
      io.stderr.write(`\n${signal}: ${finishingWhat}; done in a moment...\n`);
    } else if (received === undefined) {
      received = signal;
      io.stderr.write(`\n${signal}: stopping the ${what}: starting nothing new, abandoning the requests in flight and removing partial files (${signal} again to stop waiting)...\n`);
      controller.abort();
      timer = setTimeout(endWait, graceMs);
      timer.unref();
    } else {
      io.stderr.write(`${signal}: not waiting any longer for the ${what} to wind down...\n`);
      endWait();
    }
  });
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    deadline,
    finishing(text: string) {
      finishingWhat = text;
    },
    dispose() {
      dispose();
      if (timer) clearTimeout(timer);
    },
  };
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM): how a foreground server ends. */
export function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const dispose = onStopSignals((signal) => {
      dispose();
      resolve(signal);
    });
  });
}

/** `<prefix>-YYYYMMDDTHHMMSSZ` (UTC): the default name of a report, plan or journal. */
export function timestampName(prefix: string, at: Date): string {
  return `${prefix}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}
