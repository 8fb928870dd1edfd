import type { Document } from 'bson';
import { compareValues } from '../bson_order.js';

/** Compares two documents by a sort specification. */
export type DocumentComparator = (a: Document, b: Document) => number;

/**
 * Compiles a sort specification (`{field: 1 | -1}`, dotted paths allowed).
 * Provisional: no array sort-key semantics, no $meta; the query module completes it.
 */
export function compileSort(sort: Document): DocumentComparator {
  const keys = Object.entries(sort).map(([path, dir]) => ({ path: path.split('.'), dir: Number(dir) < 0 ? -1 : 1 }));
  return (a, b) => {
    for (const { path, dir } of keys) {
      const c = compareValues(getPath(a, path) ?? null, getPath(b, path) ?? null);
      if (c) return c * dir;
    }
    return 0;
  };
}

function getPath(doc: unknown, path: string[]): unknown {
  let v: unknown = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Document)[p];
  }
  return v;
}
