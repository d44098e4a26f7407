/**
 * The SDK's own answer to a canned HTTP response: a real S3Client whose request handler returns the
 * given status, headers and body instead of going to the network, so the whole SDK pipeline —
 * deserialisation, error naming, retries — runs on exactly that answer. The oracle of the lean
 * read paths' differential tests.
 */
import { GetBucketEncryptionCommand, ListObjectsV2Command, S3Client, type GetBucketEncryptionCommandOutput, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** A client that answers every request with `respond()` (called once per attempt). */
export function cannedS3Client(respond: () => CannedResponse, maxAttempts = 1): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts,
    requestHandler: {
      handle: async () => {
        const r = respond();
        return { response: { statusCode: r.status, headers: r.headers ?? {}, body: Buffer.from(r.body, 'utf8') } };
      },
    },
  });
}

/** GetBucketEncryption as the SDK deserialises a 200 answer with this body: the output without $metadata, or the error it throws. */
export async function sdkGetBucketEncryption(client: S3Client): Promise<{ output: Omit<GetBucketEncryptionCommandOutput, '$metadata'> } | { error: unknown }> {
  try {
    const { $metadata: _ignored, ...output } = await client.send(new GetBucketEncryptionCommand({ Bucket: 'bucket' }));
    return { output };
  } catch (error) {
    return { error };
  }
}

/** ListObjectsV2 as the SDK deserialises a 200 answer with this body: the output without $metadata, or the error it throws. */
export async function sdkListObjectsV2(client: S3Client): Promise<{ output: Omit<ListObjectsV2CommandOutput, '$metadata'> } | { error: unknown }> {
  try {
    const { $metadata: _ignored, ...output } = await client.send(new ListObjectsV2Command({ Bucket: 'bucket', EncodingType: 'url', MaxKeys: 1000 }));
    return { output };
  } catch (error) {
    return { error };
  }
}
