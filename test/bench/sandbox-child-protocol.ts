/**
 * How a benchmark's sandbox child talks to the benchmark (harness.ts startSandboxChild): one JSON line of
 * what it serves when listening; then, for every `stats` line on stdin, one JSON line with the requests
 * served and the CPU spent since listening (so the benchmark can put the sandbox's CPU next to the
 * auditor's); on SIGTERM or SIGINT a last stats line, then exit.
 */
import { createInterface } from 'node:readline';

interface ServedSandbox {
  requestCount(): number;
  stop(): Promise<void>;
}

export function serveBenchSandbox(sandbox: ServedSandbox, listening: Record<string, unknown>): void {
  const cpuAtListen = process.cpuUsage();
  const stats = (): string => {
    const cpu = process.cpuUsage(cpuAtListen);
    return JSON.stringify({ requests: sandbox.requestCount(), cpuMs: (cpu.user + cpu.system) / 1000 }) + '\n';
  };
  process.stdout.write(JSON.stringify(listening) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stats') process.stdout.write(stats());
  });
  const stop = (): void => {
    void sandbox.stop().then(() => {
      process.stdout.write(stats());
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
