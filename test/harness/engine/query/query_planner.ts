import type { Document } from 'bson';
import type { Collection } from '../collection.js';
import type { StoredDocument } from '../stored_document.js';
import { canonicalRank } from '../bson_order.js';
import { IdRangeScan, MaterializedSource, NaturalScan, type DocumentSource, type IdBounds } from './document_source.js';
import { compileFilter, type DocumentPredicate, type FilterOptions } from './filter.js';
import { compileSort } from './sort.js';
import { CommandError } from '../../errors.js';

/** How a find reads a collection: the source of documents and the filter still to apply to each. */
export interface QueryPlan {
  source: DocumentSource;
  /** Undefined when the source already yields exactly the matching documents. */
  residual: DocumentPredicate | undefined;
}

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte', '$eq']);

/** find's `min`/`max`: index bounds (min inclusive, max exclusive) in the hinted index's key order. */
export interface IndexBounds {
  min?: Document;
  max?: Document;
  hint?: unknown;
}

/**
 * Chooses a scan: the `_id` index for `_id` equality/ranges, an `_id` sort or `min`/`max` bounds, natural order for
 * `$natural` or no sort, and otherwise a full scan followed by an in-memory sort.
 */
export function planQuery(
  collection: Collection,
  filter: Document,
  sort: Document | undefined,
  bounds: IndexBounds = {},
  filterOptions: FilterOptions = {},
): QueryPlan {
  if (bounds.min !== undefined || bounds.max !== undefined) return planIndexBounds(collection, filter, sort, bounds, filterOptions);
  const sortKeys = Object.keys(sort ?? {});
  const naturalSort = sortKeys.length === 1 && sortKeys[0] === '$natural';
  const idSort = sortKeys.length === 1 && sortKeys[0] === '_id';
  // With a collation, `_id` string bounds in binary order would miss collation-equal values: scan instead.
  const idPlan = collection.hasIdIndex && !naturalSort && !filterOptions.collation ? idBounds(filter) : undefined;
  const predicate = compileFilter(filter, filterOptions);
  if (sortKeys.length > 0 && !naturalSort && !idSort) {
    // Each document is decoded once, for the filter and the sort, and not kept once the sort is done.
    const decoded = new Map<StoredDocument, Document>();
    const scan = idPlan ? new IdRangeScan(collection, idPlan.bounds) : new NaturalScan(collection);
    const matching = scan.take(Infinity, (d) => {
      const doc = d.decode();
      if (!predicate(doc)) return false;
      decoded.set(d, doc);
      return true;
    });
    const compare = compileSort(sort!, filterOptions);
    const sorted = matching.map((stored) => ({ stored, doc: decoded.get(stored)! })).sort((a, b) => compare(a.doc, b.doc));
    return { source: new MaterializedSource(sorted.map((entry) => entry.stored)), residual: undefined };
  }
  const reverse = sortKeys.length === 1 && Number(sort![sortKeys[0]]) < 0;
  if (idPlan || idSort) {
    return {
      source: new IdRangeScan(collection, idPlan?.bounds ?? {}, reverse),
      residual: idPlan?.exact ? undefined : Object.keys(filter).length ? predicate : undefined,
    };
  }
  return { source: new NaturalScan(collection, reverse), residual: Object.keys(filter).length ? predicate : undefined };
}

/**
 * `_id` bounds implied by the filter, and whether they match exactly (only `_id` conditions, all bounds of one BSON
 * type bracket, so that type bracketing needs no residual check).
 */
function idBounds(filter: Document): { bounds: IdBounds; exact: boolean } | undefined {
  if (!('_id' in filter)) return undefined;
  const cond = filter._id;
  const onlyId = Object.keys(filter).length === 1;
  if (!isOperatorObject(cond)) {
    if (cond instanceof RegExp || canonicalRank(cond) === 50 || Array.isArray(cond)) return undefined;
    return { bounds: { lower: { value: cond, inclusive: true }, upper: { value: cond, inclusive: true } }, exact: onlyId && canonicalRank(cond) !== 20 };
  }
  const ops = Object.keys(cond);
  if (!ops.every((op) => RANGE_OPERATORS.has(op))) return undefined;
  const bounds: IdBounds = {};
  const ranks = new Set<number>();
  for (const op of ops) {
    const value = cond[op];
    if (Array.isArray(value) || canonicalRank(value) === 50) return undefined;
    ranks.add(canonicalRank(value));
    if (op === '$gt' || op === '$gte' || op === '$eq') bounds.lower = { value, inclusive: op !== '$gt' };
    if (op === '$lt' || op === '$lte' || op === '$eq') bounds.upper = { value, inclusive: op !== '$lt' };
  }
  const bothSides = bounds.lower !== undefined && bounds.upper !== undefined;
  const exact = onlyId && bothSides && ranks.size === 1 && ![20, 0, 5, -1, 127].includes([...ranks][0]);
  return { bounds, exact };
}

function isOperatorObject(v: unknown): v is Document {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v as Document);
  return keys.length > 0 && keys[0].startsWith('$');
}

/**
 * `min`/`max` bounds: unlike `$gte`/`$lt`, they are positions in the index's key order, across BSON types, which
 * is what makes them right for splitting a collection of mixed `_id` types. mongod requires a hint naming the
 * index; this server keeps only the `_id` index ordered, so only that one is accepted.
 */
function planIndexBounds(
  collection: Collection,
  filter: Document,
  sort: Document | undefined,
  bounds: IndexBounds,
  filterOptions: FilterOptions,
): QueryPlan {
  const hint = bounds.hint;
  const hintsId = hint === '_id_' || (isPlainDocument(hint) && Object.keys(hint).length === 1 && Number((hint as Document)._id) === 1);
  if (hint === undefined) {
    throw new CommandError('BadValue', 'When using min()/max() a hint of which index to use must be provided', {}, 51173);
  }
  if (!hintsId || !collection.hasIdIndex) {
    throw new CommandError('BadValue', 'the embedded server supports min()/max() only with a hint of the _id index');
  }
  for (const [name, b] of [['min', bounds.min], ['max', bounds.max]] as const) {
    if (b !== undefined && (!isPlainDocument(b) || Object.keys(b).length !== 1 || !('_id' in b))) {
      throw new CommandError('BadValue', `${name} must match the hinted index's key pattern {_id: 1}`, {}, 51174);
    }
  }
  const sortKeys = Object.keys(sort ?? {});
  if (sortKeys.length > 0 && !(sortKeys.length === 1 && sortKeys[0] === '_id' && Number(sort!._id) > 0)) {
    throw new CommandError('BadValue', 'the embedded server supports min()/max() only in ascending _id order');
  }
  const source = new IdRangeScan(collection, {
    lower: bounds.min ? { value: bounds.min._id, inclusive: true } : undefined,
    upper: bounds.max ? { value: bounds.max._id, inclusive: false } : undefined,
  });
  return { source, residual: Object.keys(filter).length ? compileFilter(filter, filterOptions) : undefined };
}

function isPlainDocument(v: unknown): v is Document {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
