/**
 * One bucket's objects from its newest S3 Inventory report, for one group of object policies: find the
 * inventory configuration, locate the newest report in the destination bucket, check its checksums, stream
 * its data files and hand each object's FactContext to the caller — no request per object.
 *
 * What a report cannot say: the object's KMS key. Rules that need it (`key`) are decided only for the SSE-KMS
 * objects whose key is read with HeadObject under `keyCheck.sample`; every other SSE-KMS object gets an
 * `error` outcome for them (KeyNotInInventory), never a pass. Objects not under SSE-KMS need no key.
 *
 * A report that cannot be used (no configuration, none delivered, older than maxAge, corrupt, ORC, unreadable)
 * ends the bucket's scan the way a failed listing does: a run error with the cause, the scan marked
 * incomplete — or, with `fallback: list`, the bucket is listed and inspected as in mode full.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { toFactError } from '../../aws/errors.js';
import { getInventoryConfiguration, getObjectBytes, listInventoryConfigurations, listSubfolders, type InventoryConfig } from '../../aws/s3-inventory.js';
import { headObject } from '../../aws/s3.js';
import type { FactContext, FactError, ObjectFacts } from '../../domain/facts.js';
import type { InventoryScanInfo, RunError } from '../../domain/report.js';
import { Slots } from '../objects-flow.js';
import type { ObjectPolicyGroup } from '../objects-options.js';
import { emptyScanCounts, scanBucketObjects, type ObjectBucketTarget, type ObjectScanCounts, type ObjectScanDeps, type ObjectScanResult, type ObjectSink } from '../objects.js';
import { isKms } from '../object-facts.js';
import { objectContext, objectKeyWants } from '../object-context.js';
import { countRequest, counted } from '../stats.js';
import { readCsvGzFile, readParquetFile, verifyDataFile, type RowSink } from './data-files.js';
import { candidates, reportRoot, type ReportCandidate } from './locate.js';
import { csvFieldsFromConfiguration, InventoryProblem, readManifest, readSymlink, type ManifestFile } from './manifest.js';
import { factsFromRow, type InventoryRow } from './rows.js';
import { inShard, type Shard } from './shard.js';

export interface InventoryScanDeps extends ObjectScanDeps {
  /** Read only this shard's data files (by a stable hash of each data file's key). */
  shard?: Shard;
  /**
   * Sharded: whether this process's shard owns the bucket (src/domain/shard.ts). Every shard reads its part
   * of the bucket's report, but what concerns the report as a whole — a report that cannot be used, and the
   * `fallback: list` listing then — is the owner's alone, so the merged shards report it once. Default true.
   */
  ownsBucket?: boolean;
}

/** An inventory scan left to the bucket's owner shard: nothing of it belongs in this shard's report. */
export interface LeftToOwner {
  leftToOwner: true;
}

/**
 * This shard's part of `keyCheck.sample`: the sample split between the shards (the first `sample mod N`
 * shards take one more), so the sharded run reads at most `sample` keys in all, as one process does.
 */
export function keyCheckShare(sample: number, shard: Shard | undefined): number {
  if (!shard || shard.count <= 1) return sample;
  return Math.floor(sample / shard.count) + (shard.index < sample % shard.count ? 1 : 0);
}

const HOUR_MS = 3_600_000;

/** The report to read: where it is and what it holds. */
interface Report {
  config: InventoryConfig;
  candidate: ReportCandidate;
  format: string;
  /** CSV column names in order (Parquet files name their own). */
  csvColumns: string[];
  files: ManifestFile[];
}

const problem = (code: string, message: string): InventoryProblem => new InventoryProblem(code, message);

/** The configuration to read: the one named, or the bucket's enabled one that covers the scan (first by id). */
async function chooseConfiguration(s3: S3Client, bucket: string, group: ObjectPolicyGroup, deps: ObjectScanDeps): Promise<InventoryConfig> {
  const { options } = group;
  const named = options.inventory?.inventoryId;
  let configs: InventoryConfig[];
  if (named !== undefined) {
    countRequest(deps.stats, 'GetBucketInventoryConfiguration');
    try {
      configs = [await getInventoryConfiguration(s3, bucket, named, deps.signal)];
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchConfiguration') throw problem('NoInventoryConfiguration', `bucket ${bucket} has no inventory configuration ${named}`);
      throw err;
    }
  } else {
    configs = await listInventoryConfigurations(s3, bucket, deps.signal, () => countRequest(deps.stats, 'ListBucketInventoryConfigurations'));
    if (configs.length === 0) throw problem('NoInventoryConfiguration', `bucket ${bucket} has no S3 Inventory configuration (set one up, or use fallback: list)`);
  }
  const why: string[] = [];
  const usable = configs
    .filter((c) => {
      if (!c.enabled) return why.push(`${c.id} is disabled`), false;
      if (!options.prefix.startsWith(c.filterPrefix)) return why.push(`${c.id} lists only keys under "${c.filterPrefix}"`), false;
      if (options.versions && c.includedVersions !== 'All') return why.push(`${c.id} lists current versions only (versions: true needs IncludedObjectVersions All)`), false;
      return true;
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (usable.length === 0) throw problem('NoUsableInventoryConfiguration', `bucket ${bucket} has no inventory configuration that covers this scan: ${why.join('; ')}`);
  return usable[0]!;
}

async function locateReport(s3: S3Client, source: string, config: InventoryConfig, group: ObjectPolicyGroup, deps: ObjectScanDeps, info: InventoryScanInfo): Promise<Report> {
  const dest = config.destinationBucket;
  const root = reportRoot(config.destinationPrefix, source, config.id);
  info.destination = `s3://${dest}/${root}`;
  const list = (prefix: string): Promise<string[]> => listSubfolders(s3, dest, prefix, deps.signal, () => countRequest(deps.stats, 'ListObjectsV2'));
  const found = candidates(root, await list(root), await list(`${root}hive/`));
  const newest = found[0];
  if (!newest) throw problem('NoInventoryReport', `no inventory report delivered yet under s3://${dest}/${root} (configuration ${config.id}, ${config.frequency || 'schedule unknown'})`);
  info.reportDate = new Date(newest.time).toISOString();
  const age = (await deps.now()).getTime() - newest.time;
  info.ageHours = Math.max(0, Math.round((age / HOUR_MS) * 10) / 10);
  const maxAge = group.options.inventory!;
  if (age > maxAge.maxAgeMs) {
    throw problem('InventoryReportStale', `the newest inventory report (${info.reportDate}, s3://${dest}/${newest.folder}) is ${info.ageHours} hours old, older than maxAge ${maxAge.maxAge}`);
  }
  info.layout = newest.layout;
  if (newest.layout === 'manifest') {
    const get = (name: string): Promise<Buffer> => counted(deps.stats, 'GetObject', () => getObjectBytes(s3, dest, newest.folder + name, deps.signal));
    const [json, checksum] = [await get('manifest.json'), await get('manifest.checksum')];
    const m = readManifest(json, checksum, `s3://${dest}/${newest.folder}`);
    return { config, candidate: newest, format: m.fileFormat, csvColumns: m.fileSchema.split(',').map((s) => s.trim()), files: m.files };
  }
  // Hive layout: no manifest, so no checksums; the format and columns come from the configuration.
  const text = await counted(deps.stats, 'GetObject', () => getObjectBytes(s3, dest, `${newest.folder}symlink.txt`, deps.signal));
  return { config, candidate: newest, format: config.format, csvColumns: csvFieldsFromConfiguration(config.includedVersions, config.optionalFields), files: readSymlink(text.toString('utf8'), dest) };
}

export async function scanBucketInventory(target: ObjectBucketTarget, group: ObjectPolicyGroup, deps: InventoryScanDeps, sink: ObjectSink): Promise<ObjectScanResult & Partial<LeftToOwner>> {
  const { options } = group;
  const { bucket, session } = target;
  const { signal, stats } = deps;
  const s3 = session.s3(bucket.region);
  const wants = objectKeyWants(group.aspects);
  const keySample = options.inventory?.keyCheckSample ?? 0;
  const info: InventoryScanInfo = { dataFiles: 0, dataFilesRead: 0, rows: 0, ...(deps.shard && deps.shard.count > 1 ? { shard: { ...deps.shard } } : {}) };
  if (wants.key) info.keyCheck = { sample: keySample, headed: 0, notDecided: 0 };
  const scan: ObjectScanCounts = { ...emptyScanCounts('inventory', options.prefix, options.versions), inventory: info };
  const errors: RunError[] = [];
  const runError = (e: FactError): RunError => ({ account: bucket.account, region: bucket.region, bucket: bucket.name, operation: e.operation, code: e.code, message: e.message });
  const slots = new Slots(options.bucketConcurrency);
  let fatal: { error: unknown } | undefined;
  let keyBudget = keyCheckShare(keySample, deps.shard);
  const sharded = deps.shard !== undefined && deps.shard.count > 1;
  /** Set once the data files are being read: a problem after that is this shard's part's, before it the report's. */
  let readingDataFiles = false;

  const keyNotRead: FactError = {
    code: 'KeyNotInInventory',
    operation: 'S3Inventory',
    message: 'an S3 Inventory report does not name the object\'s KMS key, and it was not read with HeadObject (outside keyCheck.sample): not evaluated',
  };

  /** The object's context: its key id when HeadObject read it, else why it is not known. */
  const contextOf = (object: ObjectFacts, kmsKeyId: string | undefined | FactError): Promise<FactContext> => objectContext(target, object, kmsKeyId, wants, deps.keys);

  /** An SSE-KMS object under the keyCheck sample: HeadObject for its key, then judge it (in a slot, so reading goes on). */
  const headThenJudge = async (facts: ObjectFacts): Promise<void> => {
    try {
      const versionId = options.versions ? facts.versionId : undefined;
      const answer = await deps
        .headLimit(() => counted(stats, options.versions ? 'HeadObjectVersion' : 'HeadObject', () => headObject(s3, bucket.name, facts.key, versionId, signal)))
        .then(
          (head) => ({ kmsKeyId: head.kmsKeyId }),
          (error: unknown) => ({ error: toFactError(error, 'HeadObject') }),
        );
      if ('error' in answer) scan.unreadable++;
      else {
        scan.inspected++;
        if (deps.counters) deps.counters.inspected++;
      }
      const ctx = await contextOf(facts, 'error' in answer ? answer.error : answer.kmsKeyId);
      await sink(ctx, {});
    } catch (error) {
      fatal ??= { error };
    }
  };

  /**
   * Hands one object to the caller. A failure of the caller's (a sink that cannot write) or of key resolution
   * ends the run, as in the other modes — it must not pass for a problem with the report.
   */
  const judge = (ctx: FactContext | Promise<FactContext>): Promise<void> | undefined => {
    const fail = (error: unknown): never => {
      fatal ??= { error };
      throw error;
    };
    try {
      const wait = ctx instanceof Promise ? ctx.then((c) => sink(c, {})) : sink(ctx, {});
      return wait?.catch(fail);
    } catch (error) {
      return fail(error);
    }
  };

  const onRow: RowSink = (row: InventoryRow) => {
    if (fatal) throw fatal.error;
    info.rows++;
    // Delete markers are not objects; outside versions mode only the current version is judged.
    if (row.isDeleteMarker === true) return undefined;
    if (!options.versions && row.isLatest === false) return undefined;
    if (options.prefix && !row.key.startsWith(options.prefix)) return undefined;
    scan.listed++;
    scan.selected++;
    if (deps.counters) deps.counters.listed++;
    const facts = factsFromRow(bucket.name, row, options.versions);
    if (facts.errors.object) scan.unreadable++;
    if (wants.key && !facts.errors.object && isKms(facts.sse)) {
      if (keyBudget > 0) {
        keyBudget--;
        info.keyCheck!.headed++;
        const taken = slots.acquire();
        const run = (): void => void headThenJudge(facts).finally(() => slots.release());
        if (taken) return taken.then(run);
        run();
        return undefined;
      }
      info.keyCheck!.notDecided++;
      return judge(contextOf(facts, keyNotRead));
    }
    // The common path stays synchronous: no key to resolve.
    if (!wants.key && !wants.bucketKey) return judge({ bucket, object: facts, errors: { ...facts.errors } });
    return judge(contextOf(facts, keyNotRead));
  };

  let report: Report | undefined;
  try {
    const config = await chooseConfiguration(s3, bucket.name, group, deps);
    info.configurationId = config.id;
    report = await locateReport(s3, bucket.name, config, group, deps, info);
    info.format = report.format;
    info.includedVersions = config.includedVersions;
    if (options.versions && config.includedVersions !== 'All') throw problem('InventoryVersionsMissing', 'versions: true needs a report with IncludedObjectVersions All');
    if (report.format === 'ORC') {
      throw problem('InventoryFormatUnsupported', `the inventory report is ORC, which this tool does not read: configure inventory ${config.id} with format CSV or Parquet (the next report will be readable)`);
    }
    if (report.format !== 'CSV' && report.format !== 'Parquet') throw problem('InventoryFormatUnsupported', `unknown inventory format ${report.format}: configure CSV or Parquet`);
    info.dataFiles = report.files.length;
    const dest = config.destinationBucket;
    readingDataFiles = true;
    for (const file of report.files) {
      if (!inShard(file.key, deps.shard)) continue;
      info.dataFilesRead++;
      let size = file.size ?? 0;
      if (file.md5 !== undefined || report.format === 'Parquet') size = await counted(stats, 'GetObject', () => verifyDataFile(s3, dest, file, signal));
      countRequest(stats, 'GetObject');
      if (report.format === 'CSV') await readCsvGzFile(s3, dest, file.key, report.csvColumns, onRow, signal);
      else await readParquetFile(s3, dest, file.key, size, onRow, signal);
      if (fatal) break;
    }
  } catch (err) {
    signal?.throwIfAborted();
    if (fatal) throw fatal.error;
    const cause: FactError = err instanceof InventoryProblem ? { code: err.code, operation: 'S3Inventory', message: err.message } : toFactError(err, 'S3Inventory');
    await slots.idle();
    // Sharded, a problem of the report as a whole (none configured, stale, ORC, a bad manifest) is met by every
    // shard: the owner reports it (and lists, with fallback: list), the others leave the bucket to it.
    if (sharded && !readingDataFiles && deps.ownsBucket === false) return { scan, errors: [], leftToOwner: true };
    // Sharded, other shards may have judged rows of this report already: a problem with one of this shard's
    // data files leaves the scan incomplete rather than list the bucket (its objects would be judged twice).
    if (options.inventory?.fallback === 'list' && info.rows === 0 && !(sharded && readingDataFiles)) {
      // No row judged yet: today's listing gives the same verdict, at the price of a request per object.
      const fallback = `${cause.code}: ${cause.message}`;
      const listed = await scanBucketObjects(target, { ...group, options: { ...options, mode: 'full' } }, deps, sink);
      return { scan: { ...listed.scan, mode: 'inventory', inventory: { ...info, fallback } }, errors: listed.errors };
    }
    info.problem = `${cause.code}: ${cause.message}`;
    scan.complete = false;
    errors.push(runError(cause));
  }
  await slots.idle();
  if (fatal) throw fatal.error;
  signal?.throwIfAborted();
  return { scan, errors };
}
