/**
 * The sandbox's single HTTP server for S3, KMS and STS: starts listening on the resolved options,
 * hands each request to the request pipeline (server/pipeline.ts: body, SigV4, global faults,
 * dispatch, error rendering) and stops cleanly. startSandbox is the sandbox's entry point for the
 * CLI and the tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Estate, GlobalFaults } from './model.js';
import { requestHandler } from './server/pipeline.js';
import { resolveOptions, type SandboxOptions } from './server/options.js';
import { deliverEstateInventories } from './estate.js';

export type { SandboxOptions } from './server/options.js';
export { DEFAULT_BODY_LIMITS, type BodyLimits } from './server/body.js';
export { deliverInventoryReport, type DeliveryOptions, type DeliveredReport, type InventoryRecord } from './s3/inventory/report.js';

export interface Sandbox {
  endpoint: string;
  accounts: { id: string; name: string; accessKeyId: string; secretAccessKey: string }[];
  estate: Estate;
  setFaults(f: Partial<GlobalFaults>): void;
  /** Requests received so far (every one, including those answered with an error or reset). */
  requestCount(): number;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const { estate, faults, port: requestedPort, host, bodyLimits } = resolveOptions(opts);
  // Inventory reports the estate declares are written before the first request can look for them.
  await deliverEstateInventories(estate);
  let count = 0;
  const stopping = new AbortController();
  const serve = requestHandler({ estate, faults, bodyLimits, stopping: stopping.signal });

  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    count++;
    serve(req, res).catch((e: unknown) => {
      console.error('sandbox: request failed:', e);
      req.socket.destroy();
    });
  });
  // Outlive the SDK's idle keep-alive sockets, so the client never reuses a socket we are closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpointHost = host.includes(':') ? `[${host}]` : host;

  return {
    endpoint: `http://${endpointHost}:${port}`,
    accounts: [...estate.accounts.values()].map((a) => ({ id: a.id, name: a.name, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey })),
    estate,
    setFaults(f) {
      faults.set(f);
      estate.faults = faults.current;
    },
    requestCount: () => count,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        stopping.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
