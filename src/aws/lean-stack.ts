/**
 * Trims the per-call work of an SDK client through its middleware-stack API, keeping what goes on the
 * wire the same in meaning: SigV4 signing, retries, endpoint and region-redirect handling and error
 * deserialisation are untouched. Measured by `npm run bench:buckets` (CPU per request against a no-SDK floor).
 *
 * Removed, by name:
 *  - loggerMiddleware: the clients have no logger (the SDK's NoOpLogger), yet the middleware still
 *    builds log metadata on every response.
 *  - recursionDetectionMiddleware: only adds X-Amzn-Trace-Id inside AWS Lambda (from _X_AMZN_TRACE_ID);
 *    the auditor is a CLI that does not run as a Lambda function.
 *  - addExpectContinueMiddleware: adds `Expect: 100-continue` to large request bodies; the auditor's
 *    only bodies are small XML/JSON documents.
 *  - s3ExpressMiddleware: session credentials for S3 Express One Zone directory buckets, which
 *    ListBuckets never returns and the auditor never addresses.
 *  - getUserAgentMiddleware: rebuilt and re-escaped the User-Agent on every call (it adds per-call
 *    feature flags); replaced by the same SDK user-agent sections computed once per client.
 */

/** What this module needs of an S3, KMS or STS client: its stack and its resolved user-agent provider. */
interface TrimmableClient {
  middlewareStack: {
    remove(name: string): boolean;
    add(middleware: (next: (args: BuildArgs) => Promise<unknown>) => (args: BuildArgs) => Promise<unknown>, options: { step: 'build'; priority: 'low'; name: string; override: boolean }): void;
  };
  config: { defaultUserAgentProvider?: () => Promise<[string, string?][]> };
}
interface BuildArgs {
  request: unknown;
}

const REMOVED_MIDDLEWARE = ['loggerMiddleware', 'recursionDetectionMiddleware', 'addExpectContinueMiddleware', 's3ExpressMiddleware', 'getUserAgentMiddleware'];

/**
 * The headers per user-agent provider: clients that share their provider (shared-config.ts) compute
 * them once, not once per (account, region).
 */
const userAgents = new WeakMap<() => Promise<[string, string?][]>, Promise<{ full: string; sdk: string }>>();

/** Removes the middleware above from `client` and installs the once-computed user agent. Returns the client. */
export function trimMiddleware<C>(client: C): C {
  const trimmable = client as unknown as TrimmableClient;
  for (const name of REMOVED_MIDDLEWARE) trimmable.middlewareStack.remove(name);
  const provider = trimmable.config.defaultUserAgentProvider;
  if (!provider) return client;
  let userAgent: Promise<{ full: string; sdk: string }> | undefined;
  trimmable.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers;
      if (headers) {
        if (!userAgent) {
          userAgent = userAgents.get(provider) ?? provider().then(userAgentHeaders);
          userAgents.set(provider, userAgent);
        }
        const { full, sdk } = await userAgent;
        headers['user-agent'] = full;
        if (sdk) headers['x-amz-user-agent'] = sdk;
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'fixedUserAgentMiddleware', override: true },
  );
  return client;
}

/** The SDK's user-agent sections, escaped as its own middleware does: `name/value` or `prefix/name#value`. */
function userAgentHeaders(pairs: [string, string?][]): { full: string; sdk: string } {
  const sections = pairs.map(([name, value]) => {
    const escapedName = name.split('/').map((part) => part.replace(/[^!$%&'*+\-.^_`|~\w]/g, '-')).join('/');
    const escapedValue = value?.replace(/[^!$%&'*+\-.^_`|~\w#]/g, '-');
    const slash = escapedName.indexOf('/');
    const prefix = slash >= 0 ? escapedName.slice(0, slash) : '';
    const rest = escapedName.slice(slash + 1);
    const uaName = prefix === 'api' ? rest.toLowerCase() : rest;
    const parts = [prefix, uaName, escapedValue].filter((p): p is string => Boolean(p));
    return parts.reduce((acc, item, i) => (i === 0 ? item : i === 1 ? `${acc}/${item}` : `${acc}#${item}`), '');
  });
  return { full: sections.join(' '), sdk: sections.filter((s) => s.startsWith('aws-sdk-')).join(' ') };
}

/** What bindAbortSignal needs of a client: `send` and its resolved request handler. */
interface SendingClient {
  send(command: unknown, options?: unknown, cb?: unknown): Promise<unknown>;
  config: { cacheMiddleware?: boolean; requestHandler: { handle(request: unknown, options?: { abortSignal?: unknown }): Promise<unknown> } };
}

/**
 * Lets calls that pass `{ abortSignal: signal }` for the client's own `signal` (or none) reuse the SDK's
 * cached handler (`cacheMiddleware: true`). The SDK builds the middleware stack again for every call
 * that has per-call options, and drops its cache when one comes: the run's stop signal, given to every
 * call, cost that on every request. Such calls are sent without options, and the request handler gets
 * the client's signal instead, so an interrupted run still aborts the requests in flight. A call with
 * another signal or other options goes through unchanged.
 */
export function bindAbortSignal<C>(client: C, signal: AbortSignal | undefined): C {
  const c = client as unknown as SendingClient;
  if (c.config.cacheMiddleware !== true) return client;
  const send = c.send.bind(c);
  c.send = (command, options, cb) => {
    const o = options as { abortSignal?: AbortSignal } | undefined;
    const own = o === undefined || (typeof o === 'object' && Object.keys(o).length === 1 && 'abortSignal' in o && (o.abortSignal === undefined || o.abortSignal === signal));
    return own && cb === undefined ? send(command) : send(command, options, cb);
  };
  if (signal) {
    const handler = c.config.requestHandler;
    const handle = handler.handle.bind(handler);
    handler.handle = (request, options = {}) => handle(request, options.abortSignal ? options : { ...options, abortSignal: signal });
  }
  return client;
}
