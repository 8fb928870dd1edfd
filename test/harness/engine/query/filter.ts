import type { Document } from 'bson';
import { valuesEqual } from '../bson_order.js';

/** A compiled query predicate. */
export type DocumentPredicate = (doc: Document) => boolean;

/**
 * Compiles a query filter into a predicate.
 * Provisional: top-level equality only; the query module replaces it with the full query language.
 */
export function compileFilter(filter: Document | undefined): DocumentPredicate {
  const entries = Object.entries(filter ?? {});
  if (entries.length === 0) return () => true;
  return (doc) => entries.every(([k, v]) => valuesEqual(doc[k], v));
}
