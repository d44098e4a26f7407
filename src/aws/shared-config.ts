/**
 * Config providers that the clients of one set of sessions share, so that hundreds of accounts do not
 * each resolve the same settings again.
 *
 * Every new SDK client builds its own providers for settings it reads from the environment and the
 * shared config files (use_fips_endpoint, use_dualstack_endpoint, auth_scheme_preference, S3's
 * s3_disable_express_session_auth and s3_use_arn_region, …) and resolves them on its first call: each
 * setting not set anywhere throws and catches two ProviderErrors (environment, then config files) before
 * its default. With one client per (account, region), an organisation-wide scan paid that per account
 * — the largest avoidable part of a client's first call (`npm run bench:org`).
 *
 * The values depend only on the environment, the profile and the region
 * (https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html), which are the same for all
 * the clients of one run and service and region: so the first client of a (service, region) keeps its
 * providers — memoised by the SDK, so resolved once — and later clients of that service and region are
 * given them as configuration (every one of these settings accepts a provider). What each client
 * resolves, and so what goes on the wire, is unchanged.
 */

/** The settings shared by clients of every service (all are providers after construction). */
const COMMON_KEYS = ['useFipsEndpoint', 'useDualstackEndpoint', 'authSchemePreference', 'sigv4aSigningRegionSet', 'defaultUserAgentProvider'] as const;
/** S3's own settings from the environment and config files, on top of the common ones. */
export const S3_SHARED_KEYS: readonly string[] = [...COMMON_KEYS, 'disableS3ExpressSessionAuth', 'useArnRegion'];
export const COMMON_SHARED_KEYS: readonly string[] = COMMON_KEYS;

/** Providers kept per (service, region): created with the sessions that share them. */
export type ClientConfigShare = Map<string, Record<string, unknown>>;

export const newClientConfigShare = (): ClientConfigShare => new Map();

/**
 * Builds a client with `build(inherited)`: `inherited` holds the providers of the first client built
 * for this service and region through `share` (empty for that first one, whose providers are then kept).
 * Without a share every client resolves its own, as the SDK does by default.
 */
export function withSharedConfig<C extends { config: object }>(
  share: ClientConfigShare | undefined,
  service: string,
  region: string,
  keys: readonly string[],
  build: (inherited: Record<string, unknown>) => C,
): C {
  if (!share) return build({});
  const id = `${service}\u0000${region}`;
  const known = share.get(id);
  if (known) return build(known);
  const client = build({});
  const config = client.config as Record<string, unknown>;
  share.set(id, Object.fromEntries(keys.filter((k) => typeof config[k] === 'function').map((k) => [k, config[k]])));
  return client;
}
