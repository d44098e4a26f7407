/**
 * Shared by the remediation end-to-end suites: the estate's raw encryption configurations, and the
 * journal's records by phase.
 */
import type { IntentRecord, JournalRecord, ResultRecord } from '../../src/remediate/types.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { cliCreds, signedRequest } from '../helpers/sandbox.js';

/** Every bucket's GetBucketEncryption answer, raw: the XML body, or status and error code. */
export async function snapshot(sb: Sandbox): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    [...sb.estate.buckets.values()].map(async (b) => {
      const account = sb.accounts.find((a) => a.id === b.account)!;
      const res = await signedRequest(sb, 's3', cliCreds(sb, account.name), { path: `/${b.name}`, query: { encryption: '' } }, b.region);
      out.set(b.name, res.status === 200 ? res.body : `${res.status} ${/<Code>([^<]+)<\/Code>/.exec(res.body)?.[1]}`);
    }),
  );
  return out;
}

export const intents = (records: JournalRecord[]): IntentRecord[] => records.filter((r): r is IntentRecord => r.phase === 'intent');
export const results = (records: JournalRecord[]): ResultRecord[] => records.filter((r): r is ResultRecord => r.phase === 'result');
