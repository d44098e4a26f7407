/**
 * S3 Metadata: where a bucket's live inventory table is, and whether it can be queried.
 * GetBucketMetadataConfiguration (V2; it also answers V1 configurations) — authorized by
 * s3:GetBucketMetadataTableConfiguration, "the same for the V1 and V2 API operations" (API reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketMetadataConfiguration.html).
 * The inventory table is queryable once its TableStatus is ACTIVE (BACKFILLING until S3 has read every
 * object; User Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-overview.html).
 */
import { GetBucketMetadataConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';

export interface MetadataInventoryTable {
  /** ENABLED | DISABLED; absent when the configuration has no inventory table (V1). */
  configurationState?: string;
  /** CREATING | BACKFILLING | ACTIVE | FAILED. */
  tableStatus?: string;
  tableName?: string;
  /** The S3 Tables namespace of the bucket's tables (b_<bucket> for V2). */
  namespace?: string;
  /** The table bucket: its name is the last part of the ARN (aws-s3 for V2). */
  tableBucketArn?: string;
  error?: { code?: string; message?: string };
}

/** The bucket's inventory table, or 'none' when the bucket has no metadata configuration (a 404). */
export async function getMetadataInventoryTable(client: S3Client, bucket: string, signal?: AbortSignal): Promise<MetadataInventoryTable | 'none'> {
  try {
    const out = await client.send(new GetBucketMetadataConfigurationCommand({ Bucket: bucket }), { abortSignal: signal });
    const result = out.GetBucketMetadataConfigurationResult?.MetadataConfigurationResult;
    const inv = result?.InventoryTableConfigurationResult;
    const dest = result?.DestinationResult;
    return {
      ...(inv?.ConfigurationState ? { configurationState: inv.ConfigurationState } : {}),
      ...(inv?.TableStatus ? { tableStatus: inv.TableStatus } : {}),
      ...(inv?.TableName ? { tableName: inv.TableName } : {}),
      ...(dest?.TableNamespace ? { namespace: dest.TableNamespace } : {}),
      ...(dest?.TableBucketArn ? { tableBucketArn: dest.TableBucketArn } : {}),
      ...(inv?.Error ? { error: { ...(inv.Error.ErrorCode ? { code: inv.Error.ErrorCode } : {}), ...(inv.Error.ErrorMessage ? { message: inv.Error.ErrorMessage } : {}) } } : {}),
    };
  } catch (err) {
    // The API reference names no error code for "no configuration"; any 404 for an existing bucket is that.
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket') return 'none';
    throw err;
  }
}
