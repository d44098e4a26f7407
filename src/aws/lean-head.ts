/**
 * HeadObject without the SDK's per-call pipeline, for the object audit's hot path. About half of the
 * SDK's CPU per HeadObject is its middleware chain, serde and per-call objects (docs/performance.md);
 * a HEAD that succeeds needs none of it: sign, send, read seven headers.
 *
 * Only a 2xx answer is used. Anything else — an error status (403, 404, 400, 301 wrong region, 503
 * SlowDown), a network error, a timeout — is not interpreted here: the caller sends the same call
 * through the SDK, which retries with its standard strategy, names the error, and follows region
 * redirects exactly as before. So errors, retries and redirects keep the SDK's semantics by
 * construction; the cost is one extra request for objects whose HEAD fails.
 *
 * What is the SDK's own stays the SDK's: the endpoint comes from the client's endpoint provider (the
 * same rules, FIPS and dual-stack settings), the credentials from the client's resolved provider (the
 * same chain, cache and refresh), the hash from its config. Signing is @smithy/signature-v4, the
 * signer the SDK itself uses for SigV4, with S3's settings (no double encoding of the path).
 * A client whose endpoint needs another auth scheme (SigV4a, S3 Express) is left to the SDK.
 */
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SHA-256 of an empty body, as the SDK sends it in x-amz-content-sha256 on S3 GET and HEAD. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export type LeanHeadAnswer = Pick<HeadObjectCommandOutput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled' | 'ContentLength' | 'LastModified' | 'ETag' | 'VersionId'>;

interface Transport {
  http: HttpAgent;
  https: HttpsAgent;
  requestTimeoutMs: number;
}

interface Prepared {
  endpointParams: Record<string, unknown>;
  signers: Map<string, SignatureV4>;
}

const transports = new WeakMap<S3Client, Transport>();
const prepared = new WeakMap<S3Client, Promise<Prepared>>();

/** Lets headObjectLean() use `client`, with the agents and timeout its SDK request handler was given. */
export function enableLeanHead(client: S3Client, transport: Transport): void {
  transports.set(client, transport);
}

/** What the SDK's S3 serializer does to each path segment of a key (extendedEncodeURIComponent). */
const encodeSegment = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function prepare(client: S3Client): Promise<Prepared> {
  const config = client.config;
  const endpoint = config.endpoint ? await config.endpoint() : undefined;
  const endpointUrl = endpoint ? `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}` : undefined;
  return {
    endpointParams: {
      Region: await config.region(),
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle ?? false,
      Accelerate: config.useAccelerateEndpoint ?? false,
      DisableMultiRegionAccessPoints: false,
      ...(endpointUrl ? { Endpoint: endpointUrl.replace(/\/$/, '') } : {}),
    },
    signers: new Map(),
  };
}

function signerFor(client: S3Client, p: Prepared, region: string, service: string): SignatureV4 {
  const key = `${service}\n${region}`;
  let signer = p.signers.get(key);
  if (!signer) {
    signer = new SignatureV4({ service, region, credentials: client.config.credentials, sha256: client.config.sha256, uriEscapePath: false, applyChecksum: false });
    p.signers.set(key, signer);
  }
  return signer;
}

/**
 * HeadObject's answer when S3 answered 2xx; undefined for anything else (see the file comment): the
 * caller then makes the call through the SDK.
 */
export async function headObjectLean(client: S3Client, bucket: string, key: string, versionId: string | undefined, signal?: AbortSignal): Promise<LeanHeadAnswer | undefined> {
  const transport = transports.get(client);
  if (!transport || signal?.aborted) return undefined;
  try {
    let p = prepared.get(client);
    if (!p) prepared.set(client, (p = prepare(client)));
    const ready = await p;
    const endpoint = client.config.endpointProvider({ ...ready.endpointParams, Bucket: bucket } as never, {});
    const scheme = (endpoint.properties?.authSchemes as { name?: string; signingName?: string; signingRegion?: string }[] | undefined)?.[0];
    if (!scheme || scheme.name !== 'sigv4' || !scheme.signingRegion) return undefined;
    const url = endpoint.url;
    const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    const path = base + key.split('/').map(encodeSegment).join('/');
    const query: Record<string, string> = versionId !== undefined ? { versionId } : {};
    const signed = await signerFor(client, ready, scheme.signingRegion, scheme.signingName ?? 's3').sign({
      method: 'HEAD',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': EMPTY_SHA256, ...((endpoint.headers as Record<string, string> | undefined) ?? {}) },
    });
    const search = versionId !== undefined ? `?versionId=${encodeSegment(versionId)}` : '';
    return await send(url, path + search, signed.headers, transport, signal);
  } catch {
    return undefined;
  }
}

function send(url: URL, path: string, headers: Record<string, string>, t: Transport, signal: AbortSignal | undefined): Promise<LeanHeadAnswer | undefined> {
  const https = url.protocol === 'https:';
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      { agent: https ? t.https : t.http, method: 'HEAD', hostname: url.hostname, port: url.port || undefined, path, headers, ...(signal ? { signal } : {}) },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return resolve(undefined);
        const h = res.headers;
        const one = (name: string): string | undefined => {
          const v = h[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const length = one('content-length');
        const modified = one('last-modified');
        const bucketKey = one('x-amz-server-side-encryption-bucket-key-enabled');
        const answer: LeanHeadAnswer = {};
        const sse = one('x-amz-server-side-encryption');
        if (sse !== undefined) answer.ServerSideEncryption = sse as LeanHeadAnswer['ServerSideEncryption'];
        const kms = one('x-amz-server-side-encryption-aws-kms-key-id');
        if (kms !== undefined) answer.SSEKMSKeyId = kms;
        if (bucketKey !== undefined) answer.BucketKeyEnabled = bucketKey === 'true';
        if (length !== undefined) answer.ContentLength = Number(length);
        if (modified !== undefined) {
          const d = new Date(modified);
          // A date the SDK would refuse to parse is not guessed at: the SDK answers instead.
          if (Number.isNaN(d.getTime())) return resolve(undefined);
          answer.LastModified = d;
        }
        const etag = one('etag');
        if (etag !== undefined) answer.ETag = etag;
        const version = one('x-amz-version-id');
        if (version !== undefined) answer.VersionId = version;
        resolve(answer);
      },
    );
    req.setTimeout(t.requestTimeoutMs, () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
