import { DBRef, type Document } from 'bson';

/**
 * Dotted-path traversal with mongod's array semantics (src/mongo/db/matcher/path.cpp, BSONElementIterator):
 * a path walks down embedded documents; an array met before the end of the path is traversed implicitly (each
 * embedded document in it continues the path) and a numeric path component also selects the array element at that
 * offset; an array at the end of the path yields each of its elements and then the array itself. A path that
 * resolves to nothing yields `undefined` once (mongod's EOO), which is how `{a: null}` matches missing fields.
 *
 * Values are decoded documents (EXACT_DECODE): JS `undefined` never occurs in them (BSON undefined decodes to
 * null), so `undefined` stands for "missing" throughout.
 */

/** Called for each candidate value; `arrayOffset` is the index in the outermost implicitly traversed array. */
export type PathVisitor = (value: unknown, arrayOffset: number | undefined) => boolean;

/** True for an embedded document as decoded by bson: a plain object (or a DBRef, which is a document on the wire). */
export function isDocument(v: unknown): v is Document {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || v instanceof DBRef;
}

/** A field of a document (DBRef fields included) or, for a numeric name, an element of an array. */
export function getField(container: unknown, name: string): unknown {
  if (Array.isArray(container)) {
    if (!isArrayIndex(name)) return undefined;
    return container[Number(name)];
  }
  if (container instanceof DBRef) {
    if (name === '$ref') return container.collection;
    if (name === '$id') return container.oid;
    if (name === '$db') return container.db;
    return (container.fields as Document | undefined)?.[name];
  }
  if (!isDocument(container)) return undefined;
  return Object.prototype.hasOwnProperty.call(container, name) ? container[name] : undefined;
}

/** A path component that can address an array element: all digits (mongod's str::isAllDigits). */
export function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** An array index as mongod's update and projection code accept it: digits without a leading zero. */
export function isArrayIndex(s: string): boolean {
  return isAllDigits(s) && (s.length === 1 || s[0] !== '0');
}

/**
 * Visits the values a path designates in `doc`, stopping as soon as the visitor returns true (returns true then).
 * `traverseLeafArrays` false makes a leaf array yield only itself (mongod's kNoTraversal, used by $size and
 * $elemMatch).
 */
export function visitPath(doc: unknown, parts: readonly string[], visit: PathVisitor, traverseLeafArrays = true): boolean {
  return walk(doc, parts, 0, visit, traverseLeafArrays, undefined);
}

function walk(doc: unknown, parts: readonly string[], start: number, visit: PathVisitor, leaf: boolean, offset: number | undefined): boolean {
  let cur: unknown = doc;
  for (let i = start; ; i++) {
    const v = getField(cur, parts[i]);
    if (Array.isArray(v)) return walkArray(v, parts, i + 1, visit, leaf, offset);
    if (i === parts.length - 1) return visit(v, offset);
    if (!isDocument(v)) return visit(undefined, offset);
    cur = v;
  }
}

function walkArray(arr: unknown[], parts: readonly string[], rest: number, visit: PathVisitor, leaf: boolean, offset: number | undefined): boolean {
  if (rest === parts.length) {
    if (!leaf) return visit(arr, offset);
    for (let k = 0; k < arr.length; k++) if (visit(arr[k], offset ?? k)) return true;
    return visit(arr, offset);
  }
  const next = parts[rest];
  const numeric = isAllDigits(next);
  const last = rest + 1 === parts.length;
  for (let k = 0; k < arr.length; k++) {
    const e = arr[k];
    // mongod compares the component with the element's field name as a string, so "01" never matches.
    const offsetMatch = numeric && next === String(k);
    if (isDocument(e)) {
      if (walk(e, parts, rest, visit, leaf, offset ?? k)) return true;
      if (offsetMatch) {
        if (last ? visit(e, offset) : walk(e, parts, rest + 1, visit, leaf, offset)) return true;
      }
    } else if (offsetMatch) {
      if (last) {
        if (visit(e, offset)) return true;
      } else if (Array.isArray(e)) {
        if (walkArray(e, parts, rest + 1, visit, leaf, offset)) return true;
      }
    }
  }
  return false;
}

/**
 * The value at a path without array traversal (`a.0.b` indexes arrays), as update operators and `$` projections
 * read fields; undefined when the path does not exist.
 */
export function getPathValue(doc: unknown, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur) || isDocument(cur)) cur = getField(cur, p);
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Splits a dotted path. */
export function splitPath(path: string): string[] {
  return path.split('.');
}
