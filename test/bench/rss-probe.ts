/**
 * Loaded into the auditor's process by the benchmark (`node --import …/rss-probe.js main.js scan …`):
 * at exit, writes the process's peak resident set size (getrusage ru_maxrss, in KiB on Linux) and its CPU
 * time to stderr, where the benchmark reads them. It measures the real CLI process, not the benchmark's.
 * It also records the CPU spent when the process starts its first HTTP request (Node's
 * `http.client.request.start` diagnostics channel): the start-up — loading the SDK, the policies, the
 * rules — so that the benchmark can set the CPU of the requests alone against the floor child, whose
 * figure is its request loop only.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';

let startupMs: number | undefined;
const onFirstRequest = (): void => {
  const cpu = process.cpuUsage();
  startupMs = (cpu.user + cpu.system) / 1000;
  unsubscribe('http.client.request.start', onFirstRequest);
};
subscribe('http.client.request.start', onFirstRequest);

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeSync(
    2,
    `\nBENCH_PROBE ${JSON.stringify({ maxRssKiB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000, startupMs: startupMs ?? null })}\n`,
  );
});
