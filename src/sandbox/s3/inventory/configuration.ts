/**
 * S3 Inventory configurations: PutBucketInventoryConfiguration, GetBucketInventoryConfiguration,
 * ListBucketInventoryConfigurations and DeleteBucketInventoryConfiguration, with the XML of the API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketInventoryConfiguration.html and its siblings).
 * Limits from the same pages: at most 1,000 configurations per bucket; List answers 100 per page.
 */
import type { SandboxInventoryConfiguration } from '../../model.js';
import { AwsError, type SandboxResponse } from '../../protocol.js';
import { childNamed, childrenNamed, childText, el, s3Root, type XmlElement, type XmlNode } from '../../xml.js';
import type { BucketContext } from '../context.js';
import { invalidArgument, malformedXml } from '../errors.js';
import { checkContentMd5 } from '../integrity.js';
import { NO_CONTENT, parseBody, xmlResponse } from '../wire.js';

const MAX_CONFIGURATIONS = 1000;
const LIST_PAGE = 100;

/** The optional fields S3 accepts (InventoryConfiguration, OptionalFields). */
export const INVENTORY_OPTIONAL_FIELDS = [
  'Size', 'LastModifiedDate', 'StorageClass', 'ETag', 'IsMultipartUploaded', 'ReplicationStatus', 'EncryptionStatus',
  'ObjectLockRetainUntilDate', 'ObjectLockMode', 'ObjectLockLegalHoldStatus', 'IntelligentTieringAccessTier', 'BucketKeyStatus',
  'ChecksumAlgorithm', 'ObjectAccessControlList', 'ObjectOwner',
];

const noSuchConfiguration = (): AwsError => new AwsError('NoSuchConfiguration', 404, 'The specified configuration does not exist.');

function requireId(ctx: BucketContext): string {
  const id = ctx.req.query.get('id');
  if (!id) throw invalidArgument('Missing required parameter: id', 'id');
  return id;
}

export function renderInventoryConfiguration(c: SandboxInventoryConfiguration, root = false): XmlElement {
  const children = [
    el(
      'Destination',
      el(
        'S3BucketDestination',
        c.destinationAccountId !== undefined ? el('AccountId', c.destinationAccountId) : null,
        el('Bucket', c.destinationBucketArn),
        el('Format', c.format),
        c.destinationPrefix !== undefined ? el('Prefix', c.destinationPrefix) : null,
        c.encryption ? el('Encryption', c.encryption.kind === 'SSE-S3' ? el('SSE-S3') : el('SSE-KMS', el('KeyId', c.encryption.keyId))) : null,
      ),
    ),
    el('IsEnabled', c.enabled),
    c.filterPrefix !== undefined ? el('Filter', el('Prefix', c.filterPrefix)) : null,
    el('Id', c.id),
    el('IncludedObjectVersions', c.includedVersions),
    c.optionalFields.length > 0 ? el('OptionalFields', c.optionalFields.map((f) => el('Field', f))) : null,
    el('Schedule', el('Frequency', c.frequency)),
  ];
  return root ? s3Root('InventoryConfiguration', ...children) : el('InventoryConfiguration', ...children);
}

/** The configuration a PutBucketInventoryConfiguration body describes; MalformedXML / InvalidArgument as S3 answers. */
export function parseInventoryConfiguration(root: XmlNode, id: string): SandboxInventoryConfiguration {
  if (root.name !== 'InventoryConfiguration') throw malformedXml();
  const dest = childNamed(childNamed(root, 'Destination') ?? root, 'S3BucketDestination');
  const bodyId = childText(root, 'Id');
  const enabled = childText(root, 'IsEnabled');
  const versions = childText(root, 'IncludedObjectVersions');
  const frequency = childText(childNamed(root, 'Schedule') ?? root, 'Frequency');
  const bucket = dest && childText(dest, 'Bucket');
  const format = dest && childText(dest, 'Format');
  if (!dest || !bodyId || !bucket || !format || (enabled !== 'true' && enabled !== 'false') || !versions || !frequency) throw malformedXml();
  if (bodyId !== id) throw invalidArgument('Configuration Id in the request body does not match the id query parameter', 'id', id);
  if (format !== 'CSV' && format !== 'ORC' && format !== 'Parquet') throw malformedXml();
  if (versions !== 'All' && versions !== 'Current') throw malformedXml();
  if (frequency !== 'Daily' && frequency !== 'Weekly') throw malformedXml();
  if (!/^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$/.test(bucket)) throw invalidArgument('Invalid destination bucket ARN', 'Bucket', bucket);
  const fields = childrenNamed(childNamed(root, 'OptionalFields') ?? { name: '', attributes: {}, children: [], text: '' }, 'Field').map((f) => f.text.trim());
  for (const f of fields) if (!INVENTORY_OPTIONAL_FIELDS.includes(f)) throw malformedXml();
  const enc = childNamed(dest, 'Encryption');
  const kms = enc && childNamed(enc, 'SSE-KMS');
  const account = childText(dest, 'AccountId');
  const prefix = childText(dest, 'Prefix');
  const filter = childNamed(root, 'Filter');
  const filterPrefix = filter && childText(filter, 'Prefix');
  return {
    id,
    enabled: enabled === 'true',
    destinationBucketArn: bucket,
    ...(account !== undefined ? { destinationAccountId: account } : {}),
    ...(prefix !== undefined ? { destinationPrefix: prefix } : {}),
    format,
    ...(kms ? { encryption: { kind: 'SSE-KMS' as const, keyId: childText(kms, 'KeyId') ?? '' } } : enc && childNamed(enc, 'SSE-S3') ? { encryption: { kind: 'SSE-S3' as const } } : {}),
    ...(filterPrefix !== undefined ? { filterPrefix } : {}),
    includedVersions: versions,
    optionalFields: [...new Set(fields)],
    frequency,
  };
}

/** PutBucketInventoryConfiguration: 200 with an empty body (API reference). */
export function putBucketInventoryConfiguration(ctx: BucketContext): SandboxResponse {
  const id = requireId(ctx);
  checkContentMd5(ctx.req);
  const config = parseInventoryConfiguration(parseBody(ctx.req.body), id);
  const all = (ctx.bucket.inventory ??= new Map());
  if (!all.has(id) && all.size >= MAX_CONFIGURATIONS) throw new AwsError('TooManyConfigurations', 400, 'You are attempting to create a new configuration but have already reached the 1,000-configuration limit.');
  all.set(id, config);
  return { status: 200 };
}

export function getBucketInventoryConfiguration(ctx: BucketContext): SandboxResponse {
  const config = ctx.bucket.inventory?.get(requireId(ctx));
  if (!config) throw noSuchConfiguration();
  return xmlResponse(renderInventoryConfiguration(config, true));
}

export function deleteBucketInventoryConfiguration(ctx: BucketContext): SandboxResponse {
  const id = requireId(ctx);
  if (!ctx.bucket.inventory?.delete(id)) throw noSuchConfiguration();
  return NO_CONTENT;
}

/** ListBucketInventoryConfigurations: in id order, 100 per page, the continuation token being the last id given. */
export function listBucketInventoryConfigurations(ctx: BucketContext): SandboxResponse {
  const token = ctx.req.query.get('continuation-token') ?? undefined;
  const after = token !== undefined ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  const ids = [...(ctx.bucket.inventory?.keys() ?? [])].sort().filter((id) => after === undefined || id > after);
  const page = ids.slice(0, LIST_PAGE);
  const truncated = ids.length > page.length;
  return xmlResponse(
    s3Root(
      'ListInventoryConfigurationsResult',
      token !== undefined ? el('ContinuationToken', token) : null,
      page.map((id) => renderInventoryConfiguration(ctx.bucket.inventory!.get(id)!)),
      el('IsTruncated', truncated),
      truncated ? el('NextContinuationToken', Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url')) : null,
    ),
  );
}
