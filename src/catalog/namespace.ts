/**
 * A namespace (`db.coll`) as a value type, so that database and collection are never split or joined by hand.
 */

/** A database and a collection. */
export interface Namespace {
  /** Database name; never contains a dot. */
  readonly db: string;
  /** Collection name; may contain dots (`a.b` in `db.a.b`). */
  readonly coll: string;
}

/** Builds a namespace. */
export function namespace(db: string, coll: string): Namespace {
  return Object.freeze({ db, coll });
}

/**
 * Parses `db.coll`, splitting at the first dot (database names cannot contain one, collection names can).
 * Returns undefined when either part is empty.
 */
export function parseNamespace(text: string): Namespace | undefined {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) return undefined;
  return namespace(text.slice(0, dot), text.slice(dot + 1));
}

/** `db.coll`. */
export function formatNamespace(ns: Namespace): string {
  return `${ns.db}.${ns.coll}`;
}
