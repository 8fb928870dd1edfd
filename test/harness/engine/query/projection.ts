import type { Document } from 'bson';

/** Turns a stored document into what a find returns. */
export type Projector = (doc: Document) => Document;

/**
 * Compiles a find projection.
 * Provisional: top-level inclusion/exclusion only; the query module completes it.
 */
export function compileProjection(projection: Document): Projector {
  const entries = Object.entries(projection);
  const include = entries.filter(([k, v]) => k !== '_id' && Boolean(Number(v) || v === true));
  const idExcluded = entries.some(([k, v]) => k === '_id' && !(Number(v) || v === true));
  if (include.length > 0) {
    return (doc) => {
      const out: Document = {};
      for (const [k, v] of Object.entries(doc)) {
        if ((k === '_id' && !idExcluded) || include.some(([i]) => i === k)) out[k] = v;
      }
      return out;
    };
  }
  const excluded = new Set(entries.map(([k]) => k));
  return (doc) => Object.fromEntries(Object.entries(doc).filter(([k]) => !excluded.has(k)));
}
