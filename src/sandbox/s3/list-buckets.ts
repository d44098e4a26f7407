/**
 * ListBuckets, the one service-level S3 operation (GET /): the caller's buckets, optionally
 * paginated and filtered by prefix and region.
 */
import type { Estate } from '../model.js';
import type { SandboxRequest, SandboxResponse } from '../protocol.js';
import { el, s3Root } from '../xml.js';
import { invalidArgument } from './errors.js';
import { decodeToken, encodeToken } from './pagination.js';
import { canonicalUserId, xmlResponse } from './wire.js';

/**
 * ListBuckets (GET /): only the caller's buckets, by name. Paginated when any of max-buckets,
 * continuation-token, prefix or bucket-region is given ("Amazon S3 applies a default page size of
 * 10,000 and provides a continuation token if there are more buckets"); ContinuationToken appears
 * only while more remain. MaxBuckets range 1–10000.
 *
 * BucketRegion is answered only for such a paginated request: "If the request contains at least one
 * valid parameter, it is included in the response" (ListBuckets API reference, Bucket.BucketRegion),
 * so a bare `GET /` (the AWS CLI v2's list-buckets, an SDK call without parameters) gets names and
 * dates only and the caller needs GetBucketLocation for regions.
 *
 * bucket-region: "Requests made to a Regional endpoint that is different from the bucket-region
 * parameter are not supported" (API reference). S3 then answers 400 InvalidArgument "Requests with
 * bucket-region specified must be made to the corresponding regional endpoint" (observed and quoted
 * in versity/versitygw#1930); the sandbox's endpoint stands for the signing region's.
 */
export function listBuckets(req: SandboxRequest, estate: Estate): SandboxResponse {
  const q = req.query;
  const maxRaw = q.get('max-buckets');
  const token = q.get('continuation-token');
  const prefix = q.get('prefix');
  const region = q.get('bucket-region');
  if (region !== null && region !== req.region) {
    throw invalidArgument('Requests with bucket-region specified must be made to the corresponding regional endpoint', 'bucket-region', region);
  }
  const paginated = maxRaw !== null || token !== null || prefix !== null || region !== null;
  let pageSize = Infinity;
  if (maxRaw !== null) {
    const n = /^\d{1,6}$/.test(maxRaw) ? Number(maxRaw) : NaN;
    if (!(n >= 1 && n <= 10000)) throw invalidArgument('Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', maxRaw);
    pageSize = n;
  } else if (paginated) {
    pageSize = 10000;
  }
  const after = token !== null && token !== '' ? decodeToken(token, 'continuation-token') : undefined;
  const mine = [...estate.buckets.values()]
    .filter((b) => b.account === req.account.id)
    .filter((b) => prefix === null || b.name.startsWith(prefix))
    .filter((b) => region === null || b.region === region)
    .filter((b) => after === undefined || b.name > after)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = mine.slice(0, pageSize);
  const more = mine.length > page.length;
  return xmlResponse(
    s3Root(
      'ListAllMyBucketsResult',
      el('Owner', el('ID', canonicalUserId(req.account.id))),
      el(
        'Buckets',
        page.map((b) => el('Bucket', el('Name', b.name), el('CreationDate', b.creationDate), paginated ? el('BucketRegion', b.region) : null)),
      ),
      more ? el('ContinuationToken', encodeToken(page[page.length - 1]!.name)) : null,
      prefix !== null ? el('Prefix', prefix) : null,
    ),
  );
}
