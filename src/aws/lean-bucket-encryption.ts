/**
 * GetBucketEncryption without the SDK's per-call pipeline, for the bucket scan's hot path
 * (lean-request.ts: same endpoint provider, credentials, signer and agents as the client).
 *
 * Read here: a 2xx answer whose ServerSideEncryptionConfiguration document the strict reader
 * (lean-xml.ts) understands, turned into exactly the object the SDK returns (its schema for
 * GetBucketEncryptionOutput in @aws-sdk/client-s3, read as @aws-sdk/core's XmlShapeDeserializer reads
 * it); and 404 ServerSideEncryptionConfigurationNotFoundError, the documented "no configuration"
 * answer, which the SDK does not retry either. Anything else — another error status or code (403, a
 * wrong-region 301, 503 SlowDown), a document outside what the reader accepts, an answer whose Date is
 * far off the local clock, a network error or timeout — is not interpreted: the caller sends the same
 * call through the SDK, which retries, names errors and reports redirects exactly as before (one extra
 * request then).
 */
import type { S3Client, ServerSideEncryptionConfiguration, ServerSideEncryptionRule } from '@aws-sdk/client-s3';
import { clockSkewSuspected, sendLean } from './lean-request.js';
import { parseStrictXml, type XmlElement } from './lean-xml.js';

/** The bucket has no default encryption configuration (404 ServerSideEncryptionConfigurationNotFoundError). */
export const NO_ENCRYPTION_CONFIGURATION = 'no-configuration';

export type LeanEncryptionAnswer = { ServerSideEncryptionConfiguration: ServerSideEncryptionConfiguration } | typeof NO_ENCRYPTION_CONFIGURATION;

/**
 * The answer when this path could read it (see the file comment); undefined otherwise: the caller then
 * makes the call through the SDK.
 */
export async function getBucketEncryptionLean(client: S3Client, bucket: string, signal?: AbortSignal): Promise<LeanEncryptionAnswer | undefined> {
  const response = await sendLean(client, { method: 'GET', bucket, subPath: '', query: { encryption: '' }, search: '?encryption' }, signal);
  if (!response) return undefined;
  const { status, headers, body } = response;
  try {
    if (status >= 200 && status <= 299) {
      const configuration = readEncryptionConfiguration(body);
      return configuration ? { ServerSideEncryptionConfiguration: configuration } : undefined;
    }
    if (status === 404 && !clockSkewSuspected(headers) && errorCodeOf(body) === 'ServerSideEncryptionConfigurationNotFoundError') return NO_ENCRYPTION_CONFIGURATION;
  } catch {
    // A document deep enough to exhaust the stack: the SDK reads it.
  }
  return undefined;
}

/** The <Code> of an S3 REST error document (<Error><Code>…</Code>…</Error>), or undefined. */
export function errorCodeOf(body: string): string | undefined {
  const root = parseStrictXml(body);
  if (!root || root.name !== 'Error') return undefined;
  const codes = root.children.filter((c) => c.name === 'Code');
  return codes.length === 1 && codes[0]!.children.length === 0 ? codes[0]!.text : undefined;
}

/**
 * The ServerSideEncryptionConfiguration the SDK deserialises from `body` (a 2xx GetBucketEncryption
 * answer), or undefined when the document is outside what this reader repeats exactly. The SDK's schema
 * (ServerSideEncryptionConfiguration$, ServerSideEncryptionRule$, ServerSideEncryptionByDefault$,
 * BlockedEncryptionTypes$): Rules is a flattened list of <Rule>; per rule ApplyServerSideEncryptionByDefault
 * {SSEAlgorithm, KMSMasterKeyID}, BucketKeyEnabled (a boolean: the text, lower-cased, equals "true"),
 * BlockedEncryptionTypes {EncryptionType: a flattened list}. Members are set when their element is
 * present, even empty; an empty structure element is {}; unknown elements are ignored; the root's name
 * is not checked by the SDK but is here.
 */
export function readEncryptionConfiguration(body: string): ServerSideEncryptionConfiguration | undefined {
  const root = parseStrictXml(body);
  if (!root || root.name !== 'ServerSideEncryptionConfiguration' || root.text !== '') return undefined;
  const rules: ServerSideEncryptionRule[] = [];
  for (const child of root.children) {
    if (child.name !== 'Rule') continue;
    const rule = readRule(child);
    if (!rule) return undefined;
    rules.push(rule);
  }
  // No <Rule>: the SDK leaves Rules out, although its type declares it.
  return rules.length > 0 ? { Rules: rules } : ({} as ServerSideEncryptionConfiguration);
}

/** The member elements of a structure element: undefined when one of `names` appears twice (the SDK then reads an array). */
function members(el: XmlElement, names: readonly string[]): Map<string, XmlElement> | undefined {
  if (el.text !== '') return undefined;
  const found = new Map<string, XmlElement>();
  for (const child of el.children) {
    if (!names.includes(child.name)) continue;
    if (found.has(child.name)) return undefined;
    found.set(child.name, child);
  }
  return found;
}

/** A string member: its text; undefined when the element has children (the SDK refuses that). */
const stringOf = (el: XmlElement): string | undefined => (el.children.length === 0 ? el.text : undefined);

const RULE_MEMBERS = ['ApplyServerSideEncryptionByDefault', 'BucketKeyEnabled', 'BlockedEncryptionTypes'] as const;
const BY_DEFAULT_MEMBERS = ['SSEAlgorithm', 'KMSMasterKeyID'] as const;

function readRule(el: XmlElement): ServerSideEncryptionRule | undefined {
  const m = members(el, RULE_MEMBERS);
  if (!m) return undefined;
  const rule: ServerSideEncryptionRule = {};
  const byDefaultEl = m.get('ApplyServerSideEncryptionByDefault');
  if (byDefaultEl) {
    const d = members(byDefaultEl, BY_DEFAULT_MEMBERS);
    if (!d) return undefined;
    const byDefault: Record<string, string> = {};
    for (const name of BY_DEFAULT_MEMBERS) {
      const memberEl = d.get(name);
      if (!memberEl) continue;
      const text = stringOf(memberEl);
      if (text === undefined) return undefined;
      byDefault[name] = text;
    }
    rule.ApplyServerSideEncryptionByDefault = byDefault as unknown as NonNullable<ServerSideEncryptionRule['ApplyServerSideEncryptionByDefault']>;
  }
  const bucketKeyEl = m.get('BucketKeyEnabled');
  if (bucketKeyEl) {
    const text = stringOf(bucketKeyEl);
    if (text === undefined) return undefined;
    rule.BucketKeyEnabled = text.toLowerCase() === 'true';
  }
  const blockedEl = m.get('BlockedEncryptionTypes');
  if (blockedEl) {
    if (blockedEl.text !== '') return undefined;
    const types: string[] = [];
    for (const child of blockedEl.children) {
      if (child.name !== 'EncryptionType') continue;
      const text = stringOf(child);
      if (text === undefined) return undefined;
      types.push(text);
    }
    rule.BlockedEncryptionTypes = (types.length > 0 ? { EncryptionType: types } : {}) as NonNullable<ServerSideEncryptionRule['BlockedEncryptionTypes']>;
  }
  return rule;
}
