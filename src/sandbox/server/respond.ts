/**
 * Writing answers: the request-id headers each service sends, an AwsError rendered in its
 * service's protocol (S3 XML, KMS JSON, STS Query XML), and the HTTP response itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsError, SandboxResponse, ServiceName } from '../protocol.js';
import { STS_NAMESPACE } from '../sts.js';

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function requestIdHeaders(service: ServiceName, requestId: string, hostId: string): Record<string, string> {
  if (service === 's3') return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId, server: 'AmazonS3' };
  return { 'x-amzn-RequestId': requestId };
}

export function renderError(service: ServiceName, err: AwsError, requestId: string, hostId: string): SandboxResponse {
  const headers: Record<string, string> = { ...err.headers };
  if (service === 's3') {
    const fields = Object.entries(err.fields)
      .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
      .join('');
    headers['content-type'] = 'application/xml';
    return {
      status: err.status,
      headers,
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
    };
  }
  if (service === 'kms' || service === 'athena') {
    headers['content-type'] = 'application/x-amz-json-1.1';
    return { status: err.status, headers, body: JSON.stringify({ __type: err.code, message: err.message }) };
  }
  if (service === 'organizations') {
    headers['content-type'] = 'application/x-amz-json-1.1';
    return { status: err.status, headers, body: JSON.stringify({ __type: err.code, Message: err.message, ...err.fields }) };
  }
  headers['content-type'] = 'text/xml';
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: err.status,
    headers,
    body:
      `<ErrorResponse xmlns="${STS_NAMESPACE}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${err.code}</Code>\n    <Message>${xmlEscape(err.message)}</Message>\n  </Error>\n` +
      `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  };
}

export function send(req: IncomingMessage, res: ServerResponse, response: SandboxResponse, baseHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...baseHeaders };
  for (const [k, v] of Object.entries(response.headers ?? {})) headers[k.toLowerCase()] = v;
  const body = response.body === undefined ? undefined : typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const hasBody = req.method !== 'HEAD' && response.status !== 204 && response.status !== 304;
  // A HEAD answer keeps the handler's Content-Length (the object's size) but sends no body.
  if (headers['content-length'] === undefined) headers['content-length'] = String(hasBody && body ? body.length : 0);
  res.writeHead(response.status, headers);
  res.end(hasBody ? body : undefined);
}
