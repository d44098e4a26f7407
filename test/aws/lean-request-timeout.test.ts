/**
 * The lean requests' timeout (src/aws/lean-request.ts, one sweep per transport instead of a timer per
 * request): a request whose answer never comes is destroyed after the client's request timeout and the
 * lean path gives up (undefined, so the caller asks the SDK); the sweep lets the process exit.
 */
import { expect } from 'chai';
import { createServer, Agent as HttpAgent, type Server } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createS3Client } from '../../src/aws/clients.js';
import { sendLean } from '../../src/aws/lean-request.js';

describe('aws/lean-request: the request timeout of the lean paths', function () {
  this.timeout(20_000);
  let server: Server;
  let closedByClient = 0;
  let answered = 0;

  before(async () => {
    server = createServer((req, res) => {
      // Bucket "slow" never answers; any other is answered at once.
      if (req.url?.startsWith('/slow')) {
        req.socket.once('close', () => closedByClient++);
        return;
      }
      answered++;
      res.writeHead(200, { 'content-length': '0' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a request without an answer gives up after the request timeout, its socket closed; others are answered meanwhile', async () => {
    const { port } = server.address() as AddressInfo;
    const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
    const client = createS3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', requestTimeoutMs: 300 }, 'us-east-1', { accessKeyId: 'AKID', secretAccessKey: 'secret' }, agents);
    try {
      const slow = sendLean(client, { method: 'HEAD', bucket: 'slow', subPath: '/k', query: {}, search: '' });
      const quick = await sendLean(client, { method: 'HEAD', bucket: 'quick', subPath: '/k', query: {}, search: '' });
      expect(quick?.status).to.equal(200);
      expect(await slow).to.equal(undefined);
      await new Promise((r) => setTimeout(r, 100));
      expect(closedByClient).to.equal(1);
      expect(answered).to.equal(1);
    } finally {
      client.destroy();
      agents.http.destroy();
    }
  });
});
