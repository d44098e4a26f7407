/**
 * Whether the sandbox can be reached from beyond this machine, and the warning to print when it can:
 * it accepts the estate's credentials from anyone who can connect.
 */
import { isIP } from 'node:net';

/** Whether only this machine can reach `host`: 127.0.0.0/8, ::1 (also as ::ffff:127.x) or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

/**
 * What to tell the user on stderr when the sandbox listens beyond loopback: it accepts the estate's
 * credentials — printed on stdout — from anyone who can connect, for every account it serves.
 */
export function exposureWarning(host: string, endpoint: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `WARNING: the sandbox is bound to ${host} (${endpoint}), not to a loopback address: anyone who can reach this ` +
    `machine on that port can use the estate's credentials printed below, which act on every account's buckets and keys. ` +
    `Use --host 127.0.0.1 (the default) unless you mean to share the sandbox.`
  );
}
