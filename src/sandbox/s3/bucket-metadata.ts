/**
 * S3 Metadata, V2 API: CreateBucketMetadataConfiguration, GetBucketMetadataConfiguration and
 * DeleteBucketMetadataConfiguration (`/?metadataConfiguration`, POST / GET / DELETE). Shapes from the
 * Amazon S3 API Reference (API_GetBucketMetadataConfiguration.html, API_MetadataConfigurationResult.html)
 * and the User Guide (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-overview.html):
 * V2 tables live in the account's AWS managed table bucket `aws-s3`, namespace `b_<bucket>`, tables
 * `journal` and `inventory`.
 *
 * The sandbox backfills at once: an inventory table created ENABLED is ACTIVE immediately (estates can
 * set another status to test the tool's refusal). The "no configuration" answer (404
 * MetadataConfigurationNotFound) is the sandbox's choice: the API reference names no error code for it.
 */
import { AwsError, type SandboxResponse } from '../protocol.js';
import type { SandboxBucket, SandboxMetadataConfiguration } from '../model.js';
import { childNamed, childText, el, s3Root } from '../xml.js';
import type { BucketContext } from './context.js';
import { malformedXml } from './errors.js';
import { NO_CONTENT, parseBody, xmlResponse } from './wire.js';

/** The AWS managed table bucket of V2 metadata configurations, one per account and region. */
export const METADATA_TABLE_BUCKET = 'aws-s3';
/** The namespace of a bucket's metadata tables in that table bucket. */
export const metadataNamespace = (bucket: string): string => `b_${bucket}`;
export const INVENTORY_TABLE = 'inventory';
export const JOURNAL_TABLE = 'journal';

const tableBucketArn = (b: SandboxBucket): string => `arn:aws:s3tables:${b.region}:${b.account}:bucket/${METADATA_TABLE_BUCKET}`;

const notFound = (): AwsError => new AwsError('MetadataConfigurationNotFound', 404, 'The specified bucket does not have a metadata configuration.');

export function getBucketMetadataConfiguration({ bucket }: BucketContext): SandboxResponse {
  const m = bucket.metadata;
  if (!m) throw notFound();
  const tables = tableBucketArn(bucket);
  const ns = metadataNamespace(bucket.name);
  const expiration = m.journalExpirationDays !== undefined ? el('RecordExpiration', el('Expiration', 'ENABLED'), el('Days', m.journalExpirationDays)) : el('RecordExpiration', el('Expiration', 'DISABLED'));
  const inventory = m.inventory;
  return xmlResponse(
    s3Root(
      'GetBucketMetadataConfigurationResult',
      el(
        'MetadataConfigurationResult',
        el('DestinationResult', el('TableBucketType', 'aws'), el('TableBucketArn', tables), el('TableNamespace', ns)),
        el('JournalTableConfigurationResult', el('TableStatus', 'ACTIVE'), el('TableName', JOURNAL_TABLE), el('TableArn', `${tables}/table/${ns}.${JOURNAL_TABLE}`), expiration),
        el(
          'InventoryTableConfigurationResult',
          el('ConfigurationState', inventory.configurationState),
          inventory.configurationState === 'ENABLED'
            ? [el('TableStatus', inventory.tableStatus ?? 'ACTIVE'), el('TableName', INVENTORY_TABLE), el('TableArn', `${tables}/table/${ns}.${INVENTORY_TABLE}`)]
            : null,
        ),
      ),
    ),
  );
}

export function createBucketMetadataConfiguration({ req, bucket }: BucketContext): SandboxResponse {
  const root = parseBody(req.body);
  if (root.name !== 'MetadataConfiguration') throw malformedXml();
  const journal = childNamed(root, 'JournalTableConfiguration');
  if (!journal) throw malformedXml();
  if (bucket.metadata) throw new AwsError('MetadataConfigurationAlreadyExists', 409, 'The bucket already has a metadata configuration.');
  const expiration = childNamed(journal, 'RecordExpiration');
  const days = expiration && childText(expiration, 'Expiration') === 'ENABLED' ? Number(childText(expiration, 'Days')) : undefined;
  const inventoryNode = childNamed(root, 'InventoryTableConfiguration');
  const state = inventoryNode ? childText(inventoryNode, 'ConfigurationState') : 'DISABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') throw malformedXml();
  const config: SandboxMetadataConfiguration = {
    ...(days !== undefined && Number.isInteger(days) ? { journalExpirationDays: days } : {}),
    inventory: state === 'ENABLED' ? { configurationState: 'ENABLED', tableStatus: 'ACTIVE' } : { configurationState: 'DISABLED' },
  };
  bucket.metadata = config;
  return { status: 200 };
}

export function deleteBucketMetadataConfiguration({ bucket }: BucketContext): SandboxResponse {
  if (!bucket.metadata) throw notFound();
  delete bucket.metadata;
  return NO_CONTENT;
}
