/**
 * Request and response plumbing every S3 operation shares: parsing an XML body,
 * answering an XML document, and the values S3 stamps on answers (owner ids, one-second timestamps).
 */
import { createHash } from 'node:crypto';
import type { SandboxBucket } from '../model.js';
import type { SandboxResponse } from '../protocol.js';
import { el, parseXml, renderXml, type XmlElement, type XmlNode, XmlParseError } from '../xml.js';
import { malformedXml } from './errors.js';

export const xmlResponse = (root: XmlElement, headers: Record<string, string> = {}, status = 200): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/xml', ...headers },
  body: renderXml(root),
});

export const NO_CONTENT: SandboxResponse = { status: 204 };

export function parseBody(body: Buffer): XmlNode {
  try {
    return parseXml(body.toString('utf8'));
  } catch (e) {
    if (e instanceof XmlParseError) throw malformedXml();
    throw e;
  }
}

/** S3's canonical user id for an account: 64 hex characters, stable per account. */
export const canonicalUserId = (account: string): string => createHash('sha256').update(`canonical-user:${account}`).digest('hex');

export const owner = (bucket: SandboxBucket): XmlElement => el('Owner', el('ID', canonicalUserId(bucket.account)));

/** S3 object timestamps have one-second resolution (listings show .000Z). */
export const nowToTheSecond = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);
