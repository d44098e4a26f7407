/**
 * A bucket's versioning state: GetBucketVersioning and PutBucketVersioning.
 */
import type { SandboxResponse } from '../protocol.js';
import { childText, el, s3Root } from '../xml.js';
import type { BucketContext } from './context.js';
import { malformedXml } from './errors.js';
import { parseBody, xmlResponse } from './wire.js';

/** GetBucketVersioning: an empty configuration for a bucket that never had versioning, else its Status. */
export function getBucketVersioning({ bucket }: BucketContext): SandboxResponse {
  return xmlResponse(s3Root('VersioningConfiguration', bucket.versioning !== undefined ? el('Status', bucket.versioning) : null));
}

/** PutBucketVersioning: Status Enabled or Suspended (MFADelete is not modelled). Once enabled, never back to "never". */
export function putBucketVersioning({ req, bucket }: BucketContext): SandboxResponse {
  const root = parseBody(req.body);
  if (root.name !== 'VersioningConfiguration') throw malformedXml();
  const status = childText(root, 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  bucket.versioning = status;
  return { status: 200 };
}
