/**
 * One request from arrival to answer: read the body within its limit, name the service, apply the
 * configured latency, authenticate, apply global faults, dispatch to the service and send the
 * answer — or the AwsError, rendered in that service's protocol. The server (server.ts) owns the
 * socket lifecycle; this module owns what happens to each request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { randomChunk } from './random-pool.js';
import { requestIdentity, type FaultInjector } from '../faults.js';
import type { Estate } from '../model.js';
import { AwsError, ConnectionReset, header, type SandboxRequest } from '../protocol.js';
import { canonicalQuery, parseAuthorization } from '../sigv4.js';
import { authenticate } from './authenticate.js';
import { bodyLimitFor, bodyTooLarge, readBody, type BodyLimits } from './body.js';
import { requestIdHeaders, renderError, send } from './respond.js';
import { dispatch, serviceFor } from './routing.js';
import { faultError, internalError } from './service-errors.js';
import { AccountThrottles } from '../account-throttles.js';

export interface RequestPipeline {
  estate: Estate;
  faults: FaultInjector;
  bodyLimits: BodyLimits;
  /** Aborted when the sandbox stops: delayed answers give up and sockets in flight are dropped. */
  stopping: AbortSignal;
}

/**
 * The injected latency. A plain timer, not timers/promises' delay with the stop signal: that adds and
 * removes an abort listener per request (a measurable part of the sandbox's CPU at thousands of requests
 * per second). Unreferenced, so a sandbox that stopped is not kept alive by answers it will not give.
 */
const latency = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The function that serves each request; it answers every failure itself and rejects only if writing the answer fails. */
export function requestHandler({ estate, faults, bodyLimits, stopping }: RequestPipeline): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const accountThrottles = new AccountThrottles(() => faults.current.seed);
  return async function serve(req, res) {
    const auth = parseAuthorization(header(req, 'authorization'));
    const bodyLimit = bodyLimitFor(req, auth, bodyLimits);
    const { raw, size, tooLarge } = await readBody(req, bodyLimit);
    const service = serviceFor(auth, req, raw);
    const requestId = service === 's3' ? randomChunk(8).toString('hex').toUpperCase() : randomUUID();
    const hostId = service === 's3' ? randomChunk(48).toString('base64') : '';
    const baseHeaders = requestIdHeaders(service, requestId, hostId);
    try {
      const wait = faults.nextDelayMs();
      if (wait > 0) {
        await latency(wait);
        // Stopped while it waited: closeAllConnections has dropped the socket; nothing to answer.
        if (stopping.aborted) return void req.socket.destroy();
      }

      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      // Before authentication, as a front end would: the signature of a KMS or STS request covers
      // a body the sandbox did not keep.
      if (tooLarge) throw bodyTooLarge(service, req, rawPath, size, bodyLimit);

      const { identity, region, body } = authenticate(estate, req, service, auth, { rawPath, rawQuery, raw });

      // Faults come after authentication, as a real overloaded endpoint still checks who you are.
      // The decision depends on what the request asks for, not on when it arrived (faults.ts); the
      // request's identity is only built when some fault or account throttle could apply.
      if (faults.active || identity.account.throttleRate > 0) {
        const requestKey = requestIdentity({
          service,
          account: identity.account.id,
          method: req.method ?? 'GET',
          rawPath,
          canonicalQuery: canonicalQuery(rawQuery),
          target: header(req, 'x-amz-target'),
          body,
        });
        const { decision } = faults.decide(requestKey);
        if (decision === 'reset') throw new ConnectionReset();
        if (decision !== 'none') throw faultError(service, decision);
        // An account declared with a throttleRate (a busy account sharing its request quotas) on top of that.
        if (accountThrottles.throttled(identity.account, requestKey)) throw faultError(service, 'throttle');
      }

      const request: SandboxRequest = {
        service,
        method: req.method ?? 'GET',
        rawPath,
        // Decoded as the signature's canonical query was (sigv4.ts queryDecode): a raw '+' is a space.
        query: new URLSearchParams(rawQuery),
        headers: req.headers,
        body,
        region,
        account: identity.account,
        principalArn: identity.principalArn,
        userId: identity.userId,
        requestId,
      };
      const response = await dispatch(request, estate);
      send(req, res, response, baseHeaders);
    } catch (e) {
      if (e instanceof ConnectionReset || stopping.aborted) {
        req.socket.destroy();
        return;
      }
      let err: AwsError;
      if (e instanceof AwsError) err = e;
      else {
        console.error(`sandbox: unexpected error in ${service} ${req.method} ${req.url}:`, e);
        err = internalError(service, e instanceof Error ? e.message : String(e));
      }
      send(req, res, renderError(service, err, requestId, hostId), baseHeaders);
    }
  };
}
