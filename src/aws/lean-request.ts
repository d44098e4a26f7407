/**
 * What the lean read paths (lean-head.ts, lean-bucket-encryption.ts) share: a request to one bucket,
 * addressed, signed and sent without the SDK's per-call pipeline. About half of the SDK's CPU per call
 * is its middleware chain, serde and per-call objects (docs/performance.md); an answer the lean path
 * understands needs none of it.
 *
 * What is the SDK's own stays the SDK's: the endpoint comes from the client's endpoint provider (the
 * same rules, FIPS and dual-stack settings), the credentials from the client's resolved provider (the
 * same chain, cache and refresh), the signing date from its clock-skew offset. SHA-256 and HMAC are
 * node:crypto's, which the SDK's Node hash (@smithy/hash-node) wraps too; the auditor never configures
 * another. Signing is SigV4 as @smithy/signature-v4 (the SDK's signer) does it with S3's settings, in
 * lean-sigv4.ts, which is tested to produce its very headers. A client whose endpoint needs another auth
 * scheme (SigV4a, S3 Express) is left to the SDK: the caller gets undefined and makes the call through
 * the SDK.
 */
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { signHeaders, type SigningCredentials } from './lean-sigv4.js';

/** The SHA-256 of an empty body, as the SDK sends it in x-amz-content-sha256 on S3 GET and HEAD. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The SDK marks an error "clock skew corrected" (and retries it) when the answer's Date is at least 240 s
 * away from the local clock (@aws-sdk/core AwsSdkSigV4Signer.errorHandler). An error answer whose Date is
 * this far off is left to the SDK; the margin keeps the lean path well inside the SDK's threshold.
 */
const SKEW_LEFT_TO_SDK_MS = 60_000;

export interface LeanTransport {
  http: HttpAgent;
  https: HttpsAgent;
  requestTimeoutMs: number;
}

interface Prepared {
  endpointParams: Record<string, unknown>;
  /** The endpoint of plain bucket names with the name cut out (see addressOf); null once a check found it wrong. */
  plainTemplate?: EndpointTemplate | null;
  /** Plain-name endpoints given by the template so far (each 1024th is checked against the provider). */
  templated: number;
}

/** Where a request goes, and how it is signed. */
export interface Address {
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  signingName: string;
  signingRegion: string;
  /** Headers the endpoint rules add (EndpointV2.headers: lists of values). */
  headers: Readonly<Record<string, string | readonly string[]>>;
}

/** An Address with the bucket name cut out of the host's first label or the path's last segment. */
interface EndpointTemplate {
  in: 'host' | 'path';
  /** The hostname or pathname around the bucket name. */
  before: string;
  after: string;
  address: Address;
}

const transports = new WeakMap<S3Client, LeanTransport>();
const prepared = new WeakMap<S3Client, Promise<Prepared>>();

/** Lets the lean read paths use `client`, with the agents and timeout its SDK request handler was given. */
export function enableLeanRequests(client: S3Client, transport: LeanTransport): void {
  transports.set(client, transport);
}

/** What the SDK's S3 serializer does to each path segment of a key (extendedEncodeURIComponent). */
export const encodeSegment = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

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
    templated: 0,
  };
}

/**
 * A bucket name every branch of S3's endpoint rules treats alike: 3–63 characters of lower-case letters,
 * digits and single hyphens, starting and ending with a letter or digit — virtual-hostable
 * (aws.isVirtualHostableS3Bucket), no dot, so no IP-address form, no "--" (the rules' S3 Express
 * "--x-s3"/"--xa-s3" and Outposts "--op-s3" suffixes), no ":" (ARNs), and none of the prefixes and
 * suffixes S3 reserves ("xn--", "sthree-", "amzn-s3-demo-", "-s3alias", "--ol-s3"; bucket naming rules,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). For such a name the
 * endpoint differs from another's only by the name itself, so it is computed once per client and the
 * name put in its place; every other name asks the provider. test/aws/lean-endpoint.test.ts compares
 * both for many names and configurations, and the client checks one answer in 1024 against the provider.
 */
const PLAIN_BUCKET = /^(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;
const isPlainBucket = (bucket: string): boolean => PLAIN_BUCKET.test(bucket) && !bucket.endsWith('-s3alias');

/** Every 1024th templated endpoint is compared with the provider's; a difference turns the template off for the client. */
const TEMPLATE_CHECK_EVERY = 1024;

function resolveAddress(client: S3Client, p: Prepared, bucket: string): Address | undefined {
  const endpoint = client.config.endpointProvider({ ...p.endpointParams, Bucket: bucket } as never, {});
  const scheme = (endpoint.properties?.authSchemes as { name?: string; signingName?: string; signingRegion?: string }[] | undefined)?.[0];
  if (!scheme || scheme.name !== 'sigv4' || !scheme.signingRegion) return undefined;
  const url = endpoint.url;
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname,
    signingName: scheme.signingName ?? 's3',
    signingRegion: scheme.signingRegion,
    headers: (endpoint.headers as Address['headers'] | undefined) ?? {},
  };
}

function templateOf(address: Address, bucket: string): EndpointTemplate | undefined {
  const inHost = address.hostname.startsWith(`${bucket}.`);
  const path = address.pathname.endsWith('/') ? address.pathname.slice(0, -1) : address.pathname;
  const inPath = path.endsWith(`/${bucket}`);
  if (inHost === inPath) return undefined; // neither, or both: not a shape to repeat
  return inHost
    ? { in: 'host', before: '', after: address.hostname.slice(bucket.length), address }
    : { in: 'path', before: path.slice(0, -bucket.length), after: address.pathname.slice(path.length), address };
}

function fromTemplate(t: EndpointTemplate, bucket: string): Address {
  return t.in === 'host'
    ? { ...t.address, hostname: t.before + bucket + t.after }
    : { ...t.address, pathname: t.before + bucket + t.after };
}

const sameAddress = (a: Address, b: Address): boolean =>
  a.protocol === b.protocol && a.hostname === b.hostname && a.port === b.port && a.pathname === b.pathname && a.signingName === b.signingName &&
  a.signingRegion === b.signingRegion && JSON.stringify(a.headers) === JSON.stringify(b.headers);

/** The bucket's endpoint as the client's provider gives it (see PLAIN_BUCKET); undefined for an auth scheme other than SigV4. */
function addressOf(client: S3Client, p: Prepared, bucket: string): Address | undefined {
  if (!isPlainBucket(bucket) || p.plainTemplate === null) return resolveAddress(client, p, bucket);
  if (p.plainTemplate === undefined) {
    const address = resolveAddress(client, p, bucket);
    p.plainTemplate = address ? (templateOf(address, bucket) ?? null) : null;
    return address;
  }
  const address = fromTemplate(p.plainTemplate, bucket);
  if (++p.templated % TEMPLATE_CHECK_EVERY === 0) {
    const checked = resolveAddress(client, p, bucket);
    if (!checked || !sameAddress(address, checked)) {
      p.plainTemplate = null;
      return checked;
    }
  }
  return address;
}

function preparedFor(client: S3Client): Promise<Prepared> {
  let p = prepared.get(client);
  if (!p) prepared.set(client, (p = prepare(client)));
  return p;
}

/** The address the lean paths send `bucket`'s requests to (from the plain-name template when it applies). */
export async function leanAddress(client: S3Client, bucket: string): Promise<Address | undefined> {
  return addressOf(client, await preparedFor(client), bucket);
}

/** The address straight from the client's endpoint provider, for comparison. */
export async function providerAddress(client: S3Client, bucket: string): Promise<Address | undefined> {
  return resolveAddress(client, await preparedFor(client), bucket);
}

/** The client's credentials, from its resolved provider (same chain, cache and refresh as its SDK calls); undefined if unusable. */
async function credentialsOf(client: S3Client): Promise<SigningCredentials | undefined> {
  const provider = client.config.credentials as unknown as () => Promise<SigningCredentials>;
  const c = await provider();
  // What @smithy/signature-v4 checks before signing (validateResolvedCredentials); the SDK path says why.
  return typeof c === 'object' && c !== null && typeof c.accessKeyId === 'string' && typeof c.secretAccessKey === 'string' ? c : undefined;
}

/** One request about one bucket: the method, the path below the bucket ('' or '/key…', already encoded) and the query. */
export interface LeanRequest {
  method: 'GET' | 'HEAD';
  bucket: string;
  subPath: string;
  query: Record<string, string>;
  /** The query as it goes on the wire, '' or '?…' (the signer sorts and encodes its own copy). */
  search: string;
}

export interface LeanResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text ('' for HEAD). */
  body: string;
}

/** The Prepared of a client once its promise has settled, so a request need not wait a microtask for it. */
const preparedNow = new WeakMap<S3Client, Prepared>();

/**
 * Sends `r` through `client`'s endpoint, credentials and signer. undefined when the lean path cannot or
 * should not send it (not enabled, aborted, another auth scheme, a failure before or during sending, a
 * timeout): the caller then makes the call through the SDK.
 */
export async function sendLean(client: S3Client, r: LeanRequest, signal?: AbortSignal): Promise<LeanResponse | undefined> {
  const transport = transports.get(client);
  if (!transport || signal?.aborted) return undefined;
  try {
    let ready = preparedNow.get(client);
    if (!ready) {
      ready = await preparedFor(client);
      preparedNow.set(client, ready);
    }
    const address = addressOf(client, ready, r.bucket);
    if (!address) return undefined;
    const base = address.pathname.endsWith('/') ? address.pathname.slice(0, -1) : address.pathname;
    const path = base + r.subPath || '/';
    const host = address.port ? `${address.hostname}:${address.port}` : address.hostname;
    const config = client.config as { systemClockOffset?: number };
    const headers: Record<string, string> = { host, 'x-amz-content-sha256': EMPTY_SHA256 };
    for (const name in address.headers) {
      // Endpoint rules give header values as lists (EndpointV2.headers); @smithy/signature-v4 signs only
      // plain strings, so anything else is the SDK's to send, as it was before this path existed.
      const value = address.headers[name];
      if (typeof value !== 'string') return undefined;
      headers[name.toLowerCase()] = value;
    }
    const credentials = await credentialsOf(client);
    if (!credentials) return undefined;
    // The SDK signs with its clock-skew-corrected time (getSkewCorrectedDate); so does this path.
    const signed = signHeaders({ method: r.method, path, query: r.query, headers }, credentials, address.signingRegion, address.signingName, Date.now() + (config.systemClockOffset ?? 0));
    return await send(address, r.method, path + r.search, signed, transport, signal);
  } catch {
    return undefined;
  }
}

/**
 * The lean requests in flight on one transport, for the two ways one ends without an answer: its stop
 * signal fires (one listener per signal, instead of Node's `signal` request option, which adds and
 * removes an abort listener on every request: about 4% of the bucket scan's CPU in a profile), or its
 * time is up (one sweep per transport instead of `req.setTimeout`, which adds and removes socket and
 * request listeners on every request).
 *
 * A request is timed from the first sweep that finds it holding a socket — not while it waits in the
 * agent's queue, as `setTimeout` would not either — and destroyed once it has held one for the request
 * timeout, so it gives up between that and one sweep interval later; the caller then asks the SDK,
 * whose own timeout applies.
 *
 * Slots in arrays rather than a Map or Set keyed by the request: in a profile of the HEAD loop, keying a
 * Map by each short-lived request made the young generation's collections promote most of every request
 * to the old generation (scavenges three times as long, and mark-compacts), about 35 µs per request.
 */
class InFlight {
  private readonly requests: (ClientRequest | undefined)[] = [];
  private readonly signals: (AbortSignal | undefined)[] = [];
  /** When the sweep first saw the request holding a socket (0: not yet). */
  private readonly heldSince: number[] = [];
  private readonly freeSlots: number[] = [];
  private live = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeningTo = new WeakSet<AbortSignal>();

  constructor(private readonly timeoutMs: number) {}

  /** Tracks `req`; its slot, for remove(). */
  add(req: ClientRequest, signal: AbortSignal | undefined): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.requests.length;
    this.requests[slot] = req;
    this.signals[slot] = signal;
    this.heldSince[slot] = 0;
    this.live++;
    if (signal && !this.listeningTo.has(signal)) {
      this.listeningTo.add(signal);
      signal.addEventListener('abort', () => this.abort(signal), { once: true });
    }
    if (!this.timer) this.startSweep();
    return slot;
  }

  /** Forgets `req` (a second call, or one after its slot was given to another request, changes nothing). */
  remove(slot: number, req: ClientRequest): void {
    if (this.requests[slot] !== req) return;
    this.requests[slot] = undefined;
    this.signals[slot] = undefined;
    this.freeSlots.push(slot);
    this.live--;
  }

  private abort(signal: AbortSignal): void {
    for (let slot = 0; slot < this.requests.length; slot++) {
      const req = this.requests[slot];
      if (!req || this.signals[slot] !== signal) continue;
      this.remove(slot, req);
      req.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    }
  }

  private startSweep(): void {
    const every = Math.max(1, Math.min(SWEEP_EVERY_MS, Math.floor(this.timeoutMs / 4)));
    this.timer = setInterval(() => this.sweep(), every);
    // The sweep alone never keeps the process alive.
    this.timer.unref();
  }

  private sweep(): void {
    if (this.live === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    for (let slot = 0; slot < this.requests.length; slot++) {
      const req = this.requests[slot];
      if (!req) continue;
      if (this.heldSince[slot] === 0) {
        if (req.socket) this.heldSince[slot] = now;
      } else if (now - this.heldSince[slot]! >= this.timeoutMs) {
        this.remove(slot, req);
        req.destroy();
      }
    }
  }
}

const SWEEP_EVERY_MS = 1_000;
const inFlight = new WeakMap<LeanTransport, InFlight>();

function inFlightOn(t: LeanTransport): InFlight {
  let registry = inFlight.get(t);
  if (!registry) inFlight.set(t, (registry = new InFlight(t.requestTimeoutMs)));
  return registry;
}

function send(address: Address, method: string, path: string, headers: Record<string, string>, t: LeanTransport, signal: AbortSignal | undefined): Promise<LeanResponse | undefined> {
  const https = address.protocol === 'https:';
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(undefined);
    const registry = inFlightOn(t);
    // Every way a request ends comes through here (a second call changes nothing).
    const settle = (answer: LeanResponse | undefined): void => {
      registry.remove(slot, req);
      resolve(answer);
    };
    const req = (https ? httpsRequest : httpRequest)(
      { agent: https ? t.https : t.http, method, hostname: address.hostname, port: address.port || undefined, path, headers },
      (res) => {
        const status = res.statusCode ?? 0;
        if (method === 'HEAD') {
          res.resume();
          return settle({ status, headers: res.headers, body: '' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => settle({ status, headers: res.headers, body: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8') }));
        res.on('error', () => settle(undefined));
        res.on('aborted', () => settle(undefined));
        // Closed before its end (destroyed on abort or timeout): no answer. After 'end' this changes nothing.
        res.on('close', () => settle(undefined));
      },
    );
    req.on('error', () => settle(undefined));
    const slot = registry.add(req, signal);
    req.end();
  });
}

/** A header's single value (the first when repeated). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Whether an error answer must go to the SDK because of the clock: its Date is far enough from the local
 * clock that the SDK would correct its offset and retry (see SKEW_LEFT_TO_SDK_MS). An Age header makes
 * the SDK ignore the Date; an answer without a Date it cannot judge either — both are no skew to the SDK.
 */
export function clockSkewSuspected(headers: IncomingHttpHeaders): boolean {
  const date = headerOf(headers, 'date');
  if (date === undefined || headerOf(headers, 'age') !== undefined) return false;
  const serverTime = Date.parse(date);
  return !Number.isNaN(serverTime) && Math.abs(serverTime - Date.now()) >= SKEW_LEFT_TO_SDK_MS;
}

/** The $metadata the SDK gives an answer with this status and these headers, after one attempt. */
export function sdkMetadata(status: number, headers: IncomingHttpHeaders): { httpStatusCode: number; requestId?: string; extendedRequestId?: string; cfId?: string; attempts: number; totalRetryDelay: number } {
  return {
    httpStatusCode: status,
    requestId: headerOf(headers, 'x-amzn-requestid') ?? headerOf(headers, 'x-amzn-request-id') ?? headerOf(headers, 'x-amz-request-id'),
    extendedRequestId: headerOf(headers, 'x-amz-id-2'),
    cfId: headerOf(headers, 'x-amz-cf-id'),
    attempts: 1,
    totalRetryDelay: 0,
  };
}
