/**
 * Loaded into the auditor's process by the benchmark (`node --import …/rss-probe.js main.js scan …`):
 * at exit, writes the process's peak resident set size (getrusage ru_maxrss, in KiB on Linux) and its CPU
 * time to stderr, where the benchmark reads them. It measures the real CLI process, not the benchmark's.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeSync(2, `\nBENCH_PROBE ${JSON.stringify({ maxRssKiB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 })}\n`);
});
