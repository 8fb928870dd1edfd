import type { Document } from 'bson';
import { compareValues, isNumeric, toNumber } from '../bson_order.js';
import { CommandError } from '../../errors.js';
import { isDocument, splitPath, visitPath } from './paths.js';
import { collationComparator } from './collation_compare.js';

/** Compares two documents by a sort specification. */
export type DocumentComparator = (a: Document, b: Document) => number;

interface SortKey {
  parts: string[];
  dir: 1 | -1;
}

/**
 * Compiles a sort specification (`{field: 1 | -1}`, dotted paths allowed) with mongod's sort-key rules: a field
 * that holds an array sorts by its smallest element ascending and its largest descending (arrays met along the
 * path are traversed too), a missing field sorts as null, and an empty array sorts before null. `$natural` is the
 * planner's business and `{$meta: ...}` sorts are refused. A collation orders strings by its rules.
 */
export function compileSort(sort: Document, options: { collation?: Document } = {}): DocumentComparator {
  const compare = collationComparator(options.collation) ?? compareValues;
  const keys: SortKey[] = [];
  for (const path of Object.keys(sort)) {
    const dir = sort[path];
    if (isDocument(dir)) {
      if (Object.prototype.hasOwnProperty.call(dir, '$meta')) {
        throw new CommandError('BadValue', `$meta sort by '${String(dir.$meta)}' is not supported by the embedded server (no text or vector search)`);
      }
      throw new CommandError('Location15974', 'Illegal key in $sort specification: ' + path, {}, 15974);
    }
    const n = isNumeric(dir) ? toNumber(dir) : typeof dir === 'boolean' ? NaN : NaN;
    if (n !== 1 && n !== -1) {
      throw new CommandError('Location15975', '$sort key ordering must be 1 (for ascending) or -1 (for descending)', {}, 15975);
    }
    if (path === '') throw new CommandError('Location40352', 'FieldPath cannot be constructed with empty string', {}, 40352);
    keys.push({ parts: splitPath(path), dir: n });
  }
  if (keys.length === 0) return () => 0;
  // Sort keys are computed once per document (a sort compares each document many times).
  const cache = new WeakMap<Document, unknown[]>();
  const keyOf = (doc: Document): unknown[] => {
    let k = cache.get(doc);
    if (!k) {
      k = keys.map((key) => sortKeyValue(doc, key, compare));
      cache.set(doc, k);
    }
    return k;
  };
  return (a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    for (let i = 0; i < keys.length; i++) {
      const c = compare(ka[i], kb[i]);
      if (c) return c * keys[i].dir;
    }
    return 0;
  };
}

/** The value a document sorts by for one key: the min (ascending) or max (descending) of the path's values. */
export function sortKeyValue(doc: Document, key: SortKey, compare: (a: unknown, b: unknown) => number = compareValues): unknown {
  let best: unknown;
  let found = false;
  const consider = (v: unknown): void => {
    if (!found || compare(v, best) * key.dir < 0) {
      best = v;
      found = true;
    }
  };
  visitPath(doc, key.parts, (v) => {
    if (Array.isArray(v)) {
      // An empty array sorts before null (as BSON undefined would).
      if (v.length === 0) consider(undefined);
      for (const el of v) consider(el);
    } else {
      consider(v === undefined ? null : v);
    }
    return false;
  }, false);
  return found ? best : null;
}
