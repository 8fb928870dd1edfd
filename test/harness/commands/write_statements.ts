import type { Document } from 'bson';
import type { CommandContext } from '../command_context.js';
import type { Collection } from '../engine/collection.js';
import type { OperationContext } from '../engine/write_path.js';
import type { StoredDocument } from '../engine/stored_document.js';
import { CommandError } from '../errors.js';
import { planQuery } from '../engine/query/query_planner.js';
import { compileMatcher, type FilterOptions, type Matcher, type MatchDetails } from '../engine/query/filter.js';
import { normalizeCollation } from '../engine/indexes/collation.js';
import { compileSort } from '../engine/query/sort.js';
import { compileUpdate, upsertSeed, withIdFirst, type CompiledUpdate } from '../engine/update/update_driver.js';
import { isDocument } from '../engine/query/paths.js';
import { serializeInOrder } from '../engine/update/ordered_serialize.js';
import { rawField } from '../bson/raw_bson.js';
import { compareValues } from '../engine/bson_order.js';
import { formatValue } from '../engine/update/format_value.js';
import { evaluateLet, runPipelineOn } from '../engine/aggregation/run_aggregate.js';

/**
 * What update, delete and findAndModify share: selecting the documents a statement targets, applying an update to
 * one of them (writing only when the bytes change) and building an upsert's document.
 */

/**
 * The operation context of a write command: the connection's, plus the command's bypassDocumentValidation (whose
 * privilege the authorization layer has already checked).
 */
export function writeOp(ctx: CommandContext): OperationContext {
  if (ctx.body.bypassDocumentValidation !== true) return ctx.op;
  return { ...ctx.op, bypassDocumentValidation: true };
}

/** Refuses a write to a view, as mongod does (CommandNotSupportedOnView, 166). */
export function assertNotView(collection: Collection | undefined): void {
  if (collection && collection.options.viewOn !== undefined) {
    throw new CommandError('CommandNotSupportedOnView', `Namespace ${collection.ns} is a view, not a collection`);
  }
}

/**
 * The collation an operation uses: its own (validated and expanded as the catalog stores collations; undefined for
 * `{locale: "simple"}`), or else the collection's default collation, as mongod does.
 */
export function resolveCollation(collation: unknown, collection: Collection | undefined): Document | undefined {
  if (collation === undefined || collation === null) return collection?.options.collation as Document | undefined;
  return normalizeCollation(collation);
}

/** How a statement's filter is evaluated: `let` variables and collation. */
export type QueryOptions = FilterOptions;

/** A statement's filter as an object (mongod's IDL refuses other types). */
export function filterArg(value: unknown, field: string): Document {
  if (value === undefined) throw new CommandError('FailedToParse', `BSON field '${field}' is missing but a required field`, {}, 40414);
  if (!isDocument(value)) throw new CommandError('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'object'`);
  return value;
}

/**
 * The documents of `collection` matching `matcher`, in the order the planner reads them (or by `sort`), at most
 * `limit` of them (0 = all). Returned as a snapshot so that writing them does not disturb the scan.
 */
export function selectDocuments(
  collection: Collection,
  filter: Document,
  matcher: Matcher,
  limit: number,
  sort?: Document,
  options: QueryOptions = {},
): StoredDocument[] {
  const hasSort = sort !== undefined && Object.keys(sort).length > 0;
  const source = planQuery(collection, filter, undefined, {}, options).source;
  const accept = (d: StoredDocument): boolean => matcher.matches(d.decode());
  if (!hasSort) return source.take(limit > 0 ? limit : Infinity, accept);
  const all = source.take(Infinity, accept);
  const compare = compileSort(sort, options);
  all.sort((a, b) => compare(a.doc, b.doc));
  return limit > 0 ? all.slice(0, limit) : all;
}

/** The outcome of updating one document. */
export interface UpdateOutcome {
  /** The document as stored after the update (the old one when nothing changed). */
  after: StoredDocument;
  modified: boolean;
}

/**
 * Applies `update` to `doc` and writes the result unless its bytes are identical (a no-op update writes nothing
 * and logs no oplog entry, as mongod does).
 */
export function updateOne(
  ctx: CommandContext,
  collection: Collection,
  doc: StoredDocument,
  update: CompiledUpdate,
  matcher: Matcher,
  replacementRaw?: Buffer,
): UpdateOutcome {
  let matchedField: string | undefined;
  if (update.positional) {
    const details: MatchDetails = {};
    matcher.matches(doc.doc, details);
    matchedField = details.elemMatchKey;
  }
  const next = update.apply(doc.doc, { matchedField });
  const replacing = update.kind === 'replacement';
  const bytes = serializeInOrder(next, replacing ? replacementRaw : doc.raw, replacing);
  if (bytes.equals(doc.raw)) return { after: doc, modified: false };
  const kind = update.kind === 'replacement' ? 'replacement' : 'operators';
  return { after: ctx.writes.update(collection, doc, bytes, writeOp(ctx), kind), modified: true };
}

/** Builds and inserts an upsert's document; returns it as stored. Creates the collection when needed. */
export function upsertOne(
  ctx: CommandContext,
  collName: string,
  query: Document,
  update: CompiledUpdate,
  replacementRaw?: Buffer,
): StoredDocument {
  const seed = upsertSeed(query);
  let doc: Document;
  if (update.kind === 'replacement') {
    const replacement = update.apply({});
    doc = seed._id !== undefined && replacement._id === undefined ? { _id: seed._id, ...replacement } : replacement;
  } else {
    doc = update.apply(seed, { isInsert: true });
  }
  // The _id the query pins down is immutable for the upsert too.
  if (seed._id !== undefined && doc._id !== undefined && compareValues(seed._id, doc._id) !== 0) {
    throw update.kind === 'replacement'
      ? new CommandError('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(doc._id)}`)
      : new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  doc = withIdFirst(doc);
  const op = writeOp(ctx);
  const collection = ctx.writes.ensureCollection(ctx.db, collName, op);
  assertNotView(collection);
  return ctx.writes.insert(collection, serializeInOrder(doc, update.kind === 'replacement' ? replacementRaw : undefined, true), op);
}

/** Compiles a statement's update with its arrayFilters and the command's `let`. */
export function compileStatementUpdate(
  u: unknown,
  arrayFilters: unknown,
  options: QueryOptions,
  field: string,
): CompiledUpdate {
  if (u === undefined) throw new CommandError('FailedToParse', `BSON field '${field}' is missing but a required field`, {}, 40414);
  if (!isDocument(u) && !Array.isArray(u)) {
    throw new CommandError('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'object' or 'array'`);
  }
  if (arrayFilters !== undefined && !Array.isArray(arrayFilters)) {
    throw new CommandError('TypeMismatch', "BSON field 'arrayFilters' is the wrong type, expected type 'array'");
  }
  return compileUpdate(u as Document | Document[], { arrayFilters: arrayFilters as Document[] | undefined, ...options });
}

/**
 * The command's `let` variables, if any: mongod evaluates each value once as a constant expression (so
 * `{$literal: "x"}` binds "x"), as the aggregation module's evaluateLet does.
 */
export function letArg(ctx: CommandContext): Document | undefined {
  if (ctx.body.let === undefined) return undefined;
  return evaluateLet(ctx, ctx.body.let) as Document;
}

/** Runs a pipeline over a view (or collection) and returns its results as documents (count and distinct on views). */
export function pipelineResults(ctx: CommandContext, collName: string, pipeline: Document[]): Document[] {
  const reply = runPipelineOn(ctx, collName, pipeline, {
    batchSize: Number.MAX_SAFE_INTEGER, ns: `${ctx.db}.${collName}`, singleBatch: true, transform: (d) => d,
  });
  return (reply.cursor as Document).firstBatch as Document[];
}

/** Compiles a statement filter with the command's `let` variables and the operation's collation. */
export function statementMatcher(filter: Document, options: QueryOptions): Matcher {
  return compileMatcher(filter, options);
}

/** The exact bytes of a replacement document given as field `name` of `raw` (for keeping its field order). */
export function replacementBytes(raw: Buffer, name: string): Buffer | undefined {
  const el = rawField(raw, name);
  return el && el.type === 0x03 ? raw.subarray(el.valueStart, el.end) : undefined;
}

/**
 * Checks a statement's `hint` (an index name or key pattern) against the collection's indexes, as mongod does:
 * an unknown index is BadValue. A missing collection has nothing to hint at, and mongod lets that pass.
 */
export function assertHint(collection: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null) return;
  if (typeof hint !== 'string' && !isDocument(hint)) {
    throw new CommandError('FailedToParse', 'hint must be a string or an object');
  }
  if (!collection) return;
  if (typeof hint === 'string' ? hint === '' : Object.keys(hint).length === 0) return;
  const specs: Document[] = collection.hasIdIndex ? [{ name: '_id_', key: { _id: 1 } }] : [];
  for (const index of collection.indexes.values()) specs.push(index.spec);
  const found = specs.some((spec) => (typeof hint === 'string' ? spec.name === hint : sameKeyPattern(spec.key as Document, hint)));
  if (!found) throw new CommandError('BadValue', 'hint provided does not correspond to an existing index');
}

function sameKeyPattern(a: Document, b: Document): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k, i) => k === kb[i] && String(numberOrString(a[k])) === String(numberOrString(b[k])));
}

function numberOrString(v: unknown): unknown {
  return typeof v === 'string' ? v : Number((v as { valueOf(): unknown })?.valueOf?.() ?? v);
}

/** Refuses fields a statement of `command.field` does not have (mongod's IDL parsers are strict: 40415). */
export function assertKnownFields(stmt: Document, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(stmt)) {
    if (!allowed.has(key)) throw new CommandError('Location40415', `BSON field '${prefix}.${key}' is an unknown field.`, {}, 40415);
  }
}
