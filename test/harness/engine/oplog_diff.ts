import type { Document } from 'bson';

/**
 * The `o` of an update oplog entry: mongod 7.0's `$v: 2` delta (`{$v: 2, diff: {u, i, d, s<field>}}`) from the old
 * to the new version of a document.
 * Provisional: logs the new document's top-level fields as `u` updates; the change stream module completes it.
 */
export function oplogDiff(_oldDoc: Document, newDoc: Document): Document {
  const u: Document = {};
  for (const [k, v] of Object.entries(newDoc)) if (k !== '_id') u[k] = v;
  return { $v: 2, diff: { u } };
}
