/**
 * The document a condition is evaluated against: { bucket, key, object, bucketKey, params }.
 * Paths are dotted ("bucket.encryption.algorithm", "key.aliases.0"); anything that is not there
 * is `undefined`, never an exception, so a rule over a partial fact document stays total.
 */
import type { FactContext } from '../domain/facts.js';

export const DOCUMENT_ROOTS = ['bucket', 'key', 'object', 'bucketKey', 'params'] as const;
export type DocumentRoot = (typeof DOCUMENT_ROOTS)[number];

export type EvalDocument = Record<DocumentRoot, unknown>;

export function buildDocument(ctx: FactContext, params: Record<string, unknown>): EvalDocument {
  return {
    bucket: ctx.bucket,
    key: ctx.key,
    object: ctx.object,
    bucketKey: ctx.bucketKey,
    params,
  };
}

export function isDocumentRoot(name: string): name is DocumentRoot {
  return (DOCUMENT_ROOTS as readonly string[]).includes(name);
}

/** Split paths: the same few paths (from rules and messages) are read for every resource. */
const pathSegments = new Map<string, readonly string[]>();
function segmentsOf(path: string): readonly string[] {
  let segments = pathSegments.get(path);
  if (!segments) {
    segments = path.split('.');
    // Paths come from rules and templates (a small set); the cap keeps a pathological caller bounded.
    if (pathSegments.size < 4096) pathSegments.set(path, segments);
  }
  return segments;
}

/** Read a dotted path. Numeric segments index arrays. Missing or through-null → undefined. */
export function readPath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const segment of segmentsOf(path)) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object') {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Resolve a reference name as written inside "{{…}}": a path starting with a document root
 * (bucket.region, params.keys) is read from the document; any other name is a policy param
 * ({{keys}} is params.keys).
 */
export function resolveReference(doc: EvalDocument, name: string): unknown {
  const root = name.split('.')[0]!;
  return isDocumentRoot(root) ? readPath(doc, name) : readPath(doc.params, name);
}
