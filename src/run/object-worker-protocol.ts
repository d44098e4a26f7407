/**
 * The messages between the object audit (main thread) and its worker threads (object-worker.ts). Every
 * value is plain data (structured clone): the main thread keeps everything that must be one per run —
 * the key cache and its KMS calls, the credentials providers, the clock, the tally and the output files —
 * and a worker does the per-object work: listing, HeadObject, evaluation.
 */
import type { AwsOptions } from '../aws/options.js';
import type { PortableCredentials } from '../aws/session.js';
import type { ResolvedKey, KeyWants } from '../collect/keys.js';
import type { ObjectCounters, ObjectScanResult } from '../collect/objects.js';
import type { ObjectPolicyGroup } from '../collect/objects-options.js';
import type { BucketFacts, FactError, KeyFacts } from '../domain/facts.js';
import type { Finding } from '../domain/finding.js';
import type { RuleSet } from '../domain/rule.js';
import type { RenderedBatch } from './object-batch.js';

/** What a worker is started with (workerData). */
export interface WorkerSetup {
  aws: AwsOptions;
  /** The accounts the run has sessions in. */
  accounts: { account: string; principalArn: string }[];
  groups: ObjectPolicyGroup[];
  rules: RuleSet;
  evaluatedAt: Date;
  /** The incremental state folder, when the run keeps one. */
  stateDir?: string;
  /** The run-wide bound on HeadObject calls in flight; the pool replaces it with the worker's share. */
  headConcurrency: number;
  /**
   * The outputs take serialised lines (ObjectOutputs.findingJson, or no JSONL at all): the worker sends
   * rendered batches (object-batch.ts) and serves cacheable groups from templates. Otherwise it sends
   * each object's findings.
   */
  rendered: boolean;
}

/** One bucket scan for one group, as ObjectAudit.start would run it in process. */
export interface ScanOrder {
  type: 'scan';
  id: number;
  group: number;
  bucket: BucketFacts;
  bucketKey?: KeyFacts | null;
  bucketKeyError?: FactError;
}

/** One object's outcome, for the tally and the outputs. */
export interface EvaluatedObject {
  findings: Finding[];
  /** Set when a finding failed: the object for the manifest. */
  failing?: { bucket: string; key: string; versionId?: string };
}

export type Question =
  | { kind: 'key'; args: [ref: string | undefined, account: string, region: string, want: boolean | KeyWants] }
  | { kind: 'credentials'; account: string }
  | { kind: 'now' };

export type ToWorker =
  | ScanOrder
  | { type: 'answer'; ask: number; value?: ResolvedKey | PortableCredentials | Date; error?: string }
  /** The main thread has handled a batch: one more may be in flight. */
  | { type: 'ack' }
  | { type: 'abort' };

export type FromWorker =
  | { type: 'ask'; ask: number; question: Question }
  | { type: 'batch'; id: number; objects: EvaluatedObject[]; counters: ObjectCounters }
  | { type: 'rendered'; id: number; batch: RenderedBatch; counters: ObjectCounters }
  | { type: 'done'; id: number; result: ObjectScanResult; outcomes: Record<string, number>; requests: Record<string, number>; counters: ObjectCounters }
  | { type: 'failed'; id: number; error: { name: string; message: string } };
