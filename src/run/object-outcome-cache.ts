/**
 * Object outcomes by template: the findings of every object that shares a fact tuple, evaluated once.
 *
 * Within one bucket, the objects of an audit fall into a handful of tuples — encryption, Bucket Key,
 * latest or not, which facts could not be read, the key facts — and every object of a tuple gets the same
 * verdicts, messages and evidence, except for what names the object: its key (in the ARN, the resource and
 * the messages), its version, and the finding id (a hash of both). So the rules run once per tuple, on a
 * stand-in object whose key and version are placeholders; each finding is serialised once with the
 * placeholders, and an object's JSONL line is that text with its key, version and id spliced in. Per object
 * there is no rule evaluation, no message rendering and no JSON serialisation of the finding, only the
 * finding id's SHA-256 and the splice.
 *
 * What keeps this exact (the same bytes as JSON.stringify of evaluateResource's findings):
 *  - A group is served here only when its rules read no per-object fact other than the key and version,
 *    and those only in message text (`cacheableGroup`): a rule whose condition reads object.key, size,
 *    lastModified or etag is evaluated object by object on the generic path.
 *  - Exceptions match on the object's ARN (key globs), so they are matched per object; the tuple's text
 *    is kept per exception that matched.
 *  - JSON escapes a well-formed string character by character, so escaping the key alone and splicing it
 *    in gives the same text as escaping the whole message; a key that is not well-formed (a lone UTF-16
 *    surrogate) or holds a placeholder's first character takes the generic path.
 *  - The first object of each tuple (and of each exception variant) is also evaluated the generic way and
 *    compared, byte for byte; a difference sends the whole tuple to the generic path for good.
 * Memory: the tuples of the buckets being scanned, cleared past MAX_TUPLES (a tuple only costs time when
 * it is met again).
 */
import type { ObjectMeta } from '../collect/objects.js';
import type { FactContext, ObjectFacts } from '../domain/facts.js';
import type { Finding } from '../domain/finding.js';
import type { PolicyFile } from '../domain/policy.js';
import type { Condition, MessageTemplate, Rule, RuleSet } from '../domain/rule.js';
import { conditionLeaves } from '../engine/conditions.js';
import { isDocumentRoot } from '../engine/document.js';
import { applyExceptionMatch, evaluateResource, findingId } from '../engine/evaluate.js';
import { matchException } from '../engine/exceptions.js';
import { referencesIn } from '../engine/template.js';
import { LISTED_STATUSES } from './tally.js';

/** Placeholders in private-use code points: JSON leaves them as they are, and no rule text holds them. */
const KEY = '\uE000key\uE001';
const VERSION = '\uE000version\uE001';
const ID = '\uE000id\uE001';
const SLOT = /\uE000(key|version|id)\uE001/g;
const SLOT_INDEX: Record<string, number> = { key: 0, version: 1, id: 2 };

const MAX_TUPLES = 512;

/** Object facts that are part of the tuple: rules may read them anywhere. */
const TUPLE_FIELDS = new Set(['sse', 'bucketKeyEnabled', 'kmsKeyId', 'isLatest', 'bucket', 'errors']);
/** Object facts spliced in per object: rules may read them only in message text. */
const SPLICED_FIELDS = new Set(['key', 'versionId']);

/** A text with placeholders: parts[0] slot[0] parts[1] … parts[n]. */
interface Template {
  parts: string[];
  slots: number[];
}

/**
 * A copy of the text that shares no storage with `text`'s parent. Slices of the template would keep its
 * two-byte representation (the placeholders are not Latin-1), which V8 then carries into every line
 * built from them and makes several times slower to join and encode.
 */
const ownCopy = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

function templateOf(text: string): Template {
  const parts: string[] = [];
  const slots: number[] = [];
  let from = 0;
  for (const m of text.matchAll(SLOT)) {
    parts.push(ownCopy(text.slice(from, m.index)));
    slots.push(SLOT_INDEX[m[1]!]!);
    from = m.index! + m[0].length;
  }
  parts.push(ownCopy(text.slice(from)));
  return { parts, slots };
}

function fill(t: Template, values: readonly string[]): string {
  let out = t.parts[0]!;
  for (let i = 0; i < t.slots.length; i++) out += values[t.slots[i]!]! + t.parts[i + 1]!;
  // Reading a character makes V8 flatten the concatenation now, while its pieces are at hand: measured
  // about twice cheaper than leaving a tree of pieces to the writer's join.
  out.charCodeAt(0);
  return out;
}

/** The object field a document path reads ('*' for the whole object), or undefined for other roots. */
function objectField(name: string): string | undefined {
  const [root, field] = name.split('.');
  if (root !== 'object') return undefined;
  return field ?? '*';
}

function referencedNames(value: unknown, out: string[]): void {
  if (typeof value === 'string') for (const r of referencesIn(value)) out.push(r.name);
  else if (Array.isArray(value)) for (const v of value) referencedNames(v, out);
}

function messageVariants(m: MessageTemplate | undefined): { when?: Condition; text: string }[] {
  if (m === undefined) return [];
  return typeof m === 'string' ? [{ text: m }] : m;
}

/** Whether a rule's outcome for an object depends on nothing but the tuple, and its text on the key and version. */
function cacheableRule(rule: Rule): boolean {
  const variants = [...messageVariants(rule.message), ...messageVariants(rule.passMessage), ...messageVariants(rule.skipMessage)];
  const conditions = [rule.when, rule.assert, ...variants.map((v) => v.when)];
  const decisive: string[] = [];
  for (const c of conditions) {
    for (const leaf of conditionLeaves(c)) {
      decisive.push(leaf.path);
      for (const [op, value] of Object.entries(leaf)) if (op !== 'path') referencedNames(value, decisive);
    }
  }
  for (const name of decisive) {
    const field = objectField(name);
    if (field !== undefined && !TUPLE_FIELDS.has(field)) return false;
  }
  const texts: string[] = [];
  for (const v of variants) referencedNames(v.text, texts);
  for (const name of texts) {
    if (!isDocumentRoot(name.split('.')[0]!)) continue;
    const field = objectField(name);
    if (field !== undefined && !TUPLE_FIELDS.has(field) && !SPLICED_FIELDS.has(field)) return false;
  }
  return true;
}

/** Whether every object rule of the policy file can be served by templates. */
export function cacheableGroup(pf: PolicyFile, rules: RuleSet): boolean {
  for (const policy of pf.policies) {
    if (policy.resource !== 'object') continue;
    for (const ref of policy.rules) {
      const rule = rules.get(ref.id);
      if (rule && !cacheableRule(rule)) return false;
    }
  }
  return true;
}

/** One object's outcomes, as the generic path would give them. */
export interface TemplatedObject {
  /**
   * One per finding. A `fail`, `error` or `excepted` finding is the object's own; a `pass` or `skip` one is
   * the tuple's shared stand-in, right in status, severity, policy and rule only (all the tally reads of it).
   */
  findings: Finding[];
  /** JSON.stringify of each of the object's own findings, byte for byte. */
  lines: string[];
  failing?: { bucket: string; key: string; versionId?: string };
}

/** A tuple's findings with one set of exception matches applied. */
interface Variant {
  standIns: Finding[];
  lines: Template[];
  messages: Template[];
}

interface Tuple {
  /** The generic path only (a template did not reproduce it). */
  generic: boolean;
  /** Findings of the stand-in object, exceptions not applied. */
  base: Finding[];
  variants: Map<string, Variant>;
}

type VersionKind = 'absent' | 'null' | 'empty' | 'spliced';

const versionKind = (v: string | undefined): VersionKind => (v === undefined ? 'absent' : v === 'null' ? 'null' : v === '' ? 'empty' : 'spliced');

/** What JSON.stringify escapes in a well-formed string: quote, backslash, control characters. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** JSON.stringify(text) without its quotes (most keys need no escaping: then the key itself). */
const escaped = (text: string): string => {
  if (!NEEDS_ESCAPE.test(text)) return text;
  const json = JSON.stringify(text);
  return json.slice(1, json.length - 1);
};

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Whether a key or version id can be spliced: well-formed, and free of the placeholders' first character. A rule
 * text (message, param, exception reason) may hold a placeholder literally; the first object's comparison
 * with the generic path catches that, unless that object's key is that very placeholder text.
 */
const splicable = (text: string): boolean => isWellFormed(text) && !text.includes('\uE000');

const SSE_CODE = new Map<ObjectFacts['sse'], number>([
  [null, 0],
  ['AES256', 1],
  ['aws:kms', 2],
  ['aws:kms:dsse', 3],
  ['SSE-C', 4],
]);
const VERSION_CODE: Record<VersionKind, number> = { absent: 0, null: 1, empty: 2, spliced: 3 };
/** Bucket contexts (and key ids) whose tables are kept: the bucket scans that run side by side. */
const MAX_CONTEXTS = 32;

const isEmpty = (record: object): boolean => {
  for (const _ in record) return false;
  return true;
};

interface ContextTable {
  bucket: FactContext['bucket'];
  key: FactContext['key'];
  bucketKey: FactContext['bucketKey'];
  /** The object's key id as its source gave it (part of the tuple: rules may read object.kmsKeyId). */
  kmsKeyId: string | undefined;
  table: (Tuple | undefined)[];
}

export class ObjectOutcomeCache {
  private readonly tuples = new Map<string, Tuple>();
  private readonly contexts: ContextTable[] = [];
  private readonly identities = new WeakMap<object, number>();
  private nextIdentity = 1;
  private readonly withoutExceptions: PolicyFile;

  constructor(
    private readonly pf: PolicyFile,
    private readonly rules: RuleSet,
    private readonly now: Date,
  ) {
    this.withoutExceptions = { ...pf, exceptions: [] };
  }

  /** The object's outcomes from its tuple's templates, or undefined when it must take the generic path. */
  evaluate(ctx: FactContext, meta: ObjectMeta): TemplatedObject | undefined {
    const o = ctx.object;
    if (!o || !splicable(o.key)) return undefined;
    const kind = versionKind(o.versionId);
    if (kind === 'spliced' && !splicable(o.versionId!)) return undefined;
    const tuple = this.tupleOf(ctx, o, kind);
    if (tuple.generic) return undefined;

    const bucket = ctx.bucket;
    const arn = `${bucket.arn}/${o.key}`;
    const identity = kind === 'spliced' ? `${arn}?versionId=${o.versionId}` : arn;
    const { base } = tuple;
    // Exceptions match on the ARN, so per object: which one (if any) each failing finding meets.
    let matched = '';
    if (this.pf.exceptions.length > 0) {
      for (let i = 0; i < base.length; i++) {
        const f = base[i]!;
        if (f.status !== 'fail') continue;
        const m = matchException(this.pf.exceptions, f.policy, f.rule, { arn, bucket: bucket.name }, this.now);
        if (m) matched += `${i}:${this.pf.exceptions.indexOf(m.exception)}:${m.expired ? 1 : 0};`;
      }
    }
    let variant = tuple.variants.get(matched);
    const isNew = !variant;
    if (!variant) {
      variant = this.newVariant(base, arn);
      tuple.variants.set(matched, variant);
    }

    const versionText = kind === 'spliced' ? o.versionId! : '';
    const jsonValues = [escaped(o.key), kind === 'spliced' ? escaped(versionText) : '', ''];
    const textValues = [o.key, versionText, ''];
    const findings: Finding[] = [];
    const lines: string[] = [];
    let fails = false;
    for (let i = 0; i < variant.standIns.length; i++) {
      const standIn = variant.standIns[i]!;
      const id = findingId(bucket.account, identity, standIn.policy, standIn.rule);
      jsonValues[2] = id;
      lines.push(fill(variant.lines[i]!, jsonValues));
      if (standIn.status === 'fail') fails = true;
      if (!LISTED_STATUSES.has(standIn.status)) {
        findings.push(standIn);
        continue;
      }
      textValues[2] = id;
      const resource = { ...standIn.resource, arn, key: o.key };
      if (kind === 'spliced') resource.versionId = versionText;
      findings.push({ ...standIn, id, resource, message: fill(variant.messages[i]!, textValues) });
    }
    if (isNew && !this.sameAsGeneric(ctx, findings, lines)) {
      tuple.generic = true;
      return undefined;
    }
    const out: TemplatedObject = { findings, lines };
    if (fails) {
      const versionId = o.versionId ?? meta.versionId;
      out.failing = { bucket: o.bucket, key: o.key, ...(versionId !== undefined ? { versionId } : {}) };
    }
    return out;
  }

  /**
   * The object's tuple. The common case — no unreadable fact — is found by a small number (encryption,
   * Bucket Key, latest, version kind) in a table per bucket context and key id, without building the
   * signature text: this runs once per object of reports of millions.
   */
  private tupleOf(ctx: FactContext, o: ObjectFacts, kind: VersionKind): Tuple {
    const sse = SSE_CODE.get(o.sse);
    if (sse !== undefined && o.bucket === ctx.bucket.name && isEmpty(ctx.errors) && isEmpty(o.errors)) {
      const table = this.tableFor(ctx, o.kmsKeyId);
      const code = ((sse * 2 + (o.bucketKeyEnabled ? 1 : 0)) * 3 + (o.isLatest === undefined ? 0 : o.isLatest ? 1 : 2)) * 4 + VERSION_CODE[kind];
      return (table[code] ??= this.tupleBySignature(ctx, o, kind));
    }
    return this.tupleBySignature(ctx, o, kind);
  }

  /** The code-indexed tuples of the object's bucket context (bucket, object key facts, bucket default's key) and key id. */
  private tableFor(ctx: FactContext, kmsKeyId: string | undefined): (Tuple | undefined)[] {
    const same = (c: ContextTable): boolean => c.bucket === ctx.bucket && c.key === ctx.key && c.bucketKey === ctx.bucketKey && c.kmsKeyId === kmsKeyId;
    const last = this.contexts[0];
    if (last && same(last)) return last.table;
    let found = this.contexts.findIndex(same);
    if (found < 0) {
      this.contexts.unshift({ bucket: ctx.bucket, key: ctx.key, bucketKey: ctx.bucketKey, kmsKeyId, table: [] });
      this.contexts.length = Math.min(this.contexts.length, MAX_CONTEXTS);
      found = 0;
    } else if (found > 0) this.contexts.unshift(...this.contexts.splice(found, 1));
    return this.contexts[0]!.table;
  }

  private tupleBySignature(ctx: FactContext, o: ObjectFacts, kind: VersionKind): Tuple {
    const signature = this.signature(ctx, o, kind);
    let tuple = this.tuples.get(signature);
    if (!tuple) {
      if (this.tuples.size >= MAX_TUPLES) this.tuples.clear();
      tuple = this.newTuple(ctx, o, kind);
      this.tuples.set(signature, tuple);
    }
    return tuple;
  }

  /** What decides an object's outcomes, apart from its key and version (see the module comment). */
  private signature(ctx: FactContext, o: ObjectFacts, kind: VersionKind): string {
    let errors = '';
    for (const _ in ctx.errors) {
      errors = JSON.stringify(ctx.errors);
      break;
    }
    for (const _ in o.errors) {
      errors += JSON.stringify(o.errors);
      break;
    }
    const kmsKeyId = o.kmsKeyId === undefined ? '' : JSON.stringify(o.kmsKeyId);
    return `${this.identityOf(ctx.bucket)}|${this.identityOf(ctx.key)}|${this.identityOf(ctx.bucketKey)}|${o.sse}|${o.bucketKeyEnabled}|${o.isLatest}|${kind}|${o.bucket}|${kmsKeyId}|${errors}`;
  }

  /** Fact documents (bucket, keys) by identity: the same object all through a bucket's scan. */
  private identityOf(value: object | null | undefined): string {
    if (value === undefined) return 'u';
    if (value === null) return 'n';
    let id = this.identities.get(value);
    if (id === undefined) {
      id = this.nextIdentity++;
      this.identities.set(value, id);
    }
    return String(id);
  }

  private newTuple(ctx: FactContext, o: ObjectFacts, kind: VersionKind): Tuple {
    const standInObject: ObjectFacts = { ...o, key: KEY };
    if (kind === 'spliced') standInObject.versionId = VERSION;
    const base = evaluateResource(this.withoutExceptions, this.rules, { ...ctx, object: standInObject }, this.now).map((f) => ({ ...f, id: ID }));
    return { generic: false, base, variants: new Map() };
  }

  private newVariant(base: Finding[], arn: string): Variant {
    const standIns = base.map((f) => {
      const copy: Finding = { ...f };
      if (copy.status === 'fail' && this.pf.exceptions.length > 0) {
        const bucket = copy.resource.bucket;
        applyExceptionMatch(copy, matchException(this.pf.exceptions, copy.policy, copy.rule, { arn, bucket }, this.now));
      }
      return copy;
    });
    return {
      standIns,
      lines: standIns.map((f) => templateOf(JSON.stringify(f))),
      messages: standIns.map((f) => templateOf(f.message)),
    };
  }

  /** The generic evaluation of this object, compared with the templates' text. */
  private sameAsGeneric(ctx: FactContext, findings: Finding[], lines: string[]): boolean {
    const generic = evaluateResource(this.pf, this.rules, ctx, this.now);
    if (generic.length !== lines.length) return false;
    return generic.every((f, i) => {
      const json = JSON.stringify(f);
      if (json !== lines[i]) return false;
      return !LISTED_STATUSES.has(f.status) || JSON.stringify(findings[i]) === json;
    });
  }
}
