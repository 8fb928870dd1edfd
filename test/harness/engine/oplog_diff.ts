import { calculateObjectSize, serialize, type Document } from 'bson';

/**
 * mongod 7.0's `$v: 2` update oplog format ("delta" entries), as written by document_diff_calculator.cpp and
 * serialized by document_diff_serialization.cpp:
 *
 * - a document diff has the sections, in this order: `d` (deleted fields, `{name: false}`), `u` (fields whose value
 *   changed in place), `i` (fields appended at the end of the document), then one `s<name>` per sub-diff of an
 *   embedded document or array;
 * - an array diff starts with `a: true`, then `l: <new length>` when the array was truncated, then its element
 *   changes by ascending index: `u<index>` (new value, also for appended elements) or `s<index>` (sub-diff).
 *
 * A sub-diff is only kept when it is smaller than the new value it describes; otherwise the whole value is logged
 * as an update, as mongod does.
 */
export const OPLOG_DIFF_VERSION = 2;

interface DocDiffNode {
  kind: 'doc';
  deletes: string[];
  updates: [string, unknown][];
  inserts: [string, unknown][];
  subDiffs: [string, DiffNode][];
}

interface ArrayDiffNode {
  kind: 'array';
  resize: number | undefined;
  /** Element changes by index: a new value or a sub-diff. */
  children: [number, { value: unknown } | { diff: DiffNode }][];
}

type DiffNode = DocDiffNode | ArrayDiffNode;

/**
 * The `o` of an update oplog entry: `{$v: 2, diff: {...}}` from the old to the new version of a document (both
 * decoded with exact types, so that re-encoding a value gives its original bytes).
 *
 * mongod logs modifier updates through its update nodes (v2_log_builder.cpp): each modified path is logged as
 * the whole new value at that path (`u`, or `i` when created, `d` when unset), inside sub-diffs of the levels it
 * goes through; appending to a non-empty array ($push, $addToSet) logs only the new elements (`u<index>`). Give
 * the update's field paths as `updatedPaths` (positional `$`, `$[]`, `$[id]` match any element) to get exactly
 * that. Without them (pipeline updates), the document differ (document_diff_calculator.cpp) is used: it descends
 * into embedded documents and arrays as long as a sub-diff is smaller than the value it describes.
 */
export function oplogDiff(oldDoc: Document, newDoc: Document, updatedPaths?: readonly string[]): Document {
  const node = updatedPaths
    ? guidedDocDiff(oldDoc, newDoc, updatedPaths.map((p) => p.split('.')))
    : computeDocDiff(oldDoc, newDoc, true);
  return { $v: OPLOG_DIFF_VERSION, diff: serializeDocDiff(node as DocDiffNode) };
}

function isPositional(component: string): boolean {
  return component === '$' || component.startsWith('$[');
}

/** The update paths that go through `name` at this level, with that component removed. */
function pathsThrough(paths: string[][], name: string): string[][] {
  return paths.filter((p) => p.length > 0 && (p[0] === name || isPositional(p[0]))).map((p) => p.slice(1));
}

/** An array that only grew at its end (mongod's kArrayAppendUpdate), from a non-empty one. */
function isAppend(pre: unknown, post: unknown): boolean {
  if (!Array.isArray(pre) || !Array.isArray(post) || pre.length === 0 || post.length <= pre.length) return false;
  return pre.every((v, k) => binaryEqual(v, post[k]));
}

/** The change of one value that the update paths `paths` (relative to it) touched. */
function guidedChange(preVal: unknown, postVal: unknown, paths: string[][]): { diff: DiffNode } | { value: unknown } {
  if (paths.some((p) => p.length === 0)) {
    if (isAppend(preVal, postVal)) {
      const pre = preVal as unknown[];
      const post = postVal as unknown[];
      const children: ArrayDiffNode['children'] = [];
      for (let k = pre.length; k < post.length; k++) children.push([k, { value: post[k] }]);
      return { diff: { kind: 'array', resize: undefined, children } };
    }
    return { value: postVal };
  }
  if (paths.length > 0 && isEmbeddedDocument(preVal) && isEmbeddedDocument(postVal)) {
    return { diff: guidedDocDiff(preVal, postVal, paths) };
  }
  if (paths.length > 0 && Array.isArray(preVal) && Array.isArray(postVal)) {
    return { diff: guidedArrayDiff(preVal, postVal, paths) };
  }
  // Not reached by the update's paths (or a type change on the way): as the differ would log it.
  const sub = subDiff(preVal, postVal);
  return sub ? { diff: sub } : { value: postVal };
}

function guidedDocDiff(pre: Document, post: Document, paths: string[][]): DocDiffNode {
  const node = computeDocDiff(pre, post, true) as DocDiffNode;
  // The differ found which fields changed in place; the update's paths decide how each is logged.
  const changed = [...node.updates.map(([n]) => n), ...node.subDiffs.map(([n]) => n)];
  node.updates = [];
  node.subDiffs = [];
  for (const name of Object.keys(pre)) {
    if (!changed.includes(name)) continue;
    const change = guidedChange(pre[name], post[name], pathsThrough(paths, name));
    if ('value' in change) node.updates.push([name, change.value]);
    else node.subDiffs.push([name, change.diff]);
  }
  return node;
}

function guidedArrayDiff(pre: unknown[], post: unknown[], paths: string[][]): ArrayDiffNode {
  const node: ArrayDiffNode = { kind: 'array', resize: undefined, children: [] };
  const common = Math.min(pre.length, post.length);
  for (let k = 0; k < common; k++) {
    if (binaryEqual(pre[k], post[k])) continue;
    node.children.push([k, guidedChange(pre[k], post[k], pathsThrough(paths, String(k)))]);
  }
  for (let k = common; k < post.length; k++) node.children.push([k, { value: post[k] }]);
  if (pre.length > post.length) node.resize = post.length;
  return node;
}

/** True when two decoded values have the same BSON encoding (mongod's `binaryEqual`). */
function binaryEqual(a: unknown, b: unknown): boolean {
  if (a === b && (typeof a !== 'object' || a === null)) return true;
  return Buffer.from(serialize({ v: a })).equals(Buffer.from(serialize({ v: b })));
}

/** True for an embedded BSON document (not an ObjectId, Binary, ... nor a DBRef, which mongod diffs as a leaf). */
export function isEmbeddedDocument(v: unknown): v is Document {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The BSON size of an embedded document or array value. */
function valueObjSize(v: unknown): number {
  // {v: <value>} adds a 4-byte length, the type byte, "v\0" and the trailing NUL around the value.
  return calculateObjectSize({ v }) - 8;
}

function diffSize(node: DiffNode): number {
  return calculateObjectSize(node.kind === 'doc' ? serializeDocDiff(node) : serializeArrayDiff(node));
}

function computeDocDiff(pre: Document, post: Document, ignoreSizeLimit: boolean): DiffNode | undefined {
  const node: DocDiffNode = { kind: 'doc', deletes: [], updates: [], inserts: [], subDiffs: [] };
  const preEntries = Object.entries(pre);
  const postEntries = Object.entries(post);
  const deletes = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < preEntries.length && j < postEntries.length) {
    const [preName, preVal] = preEntries[i];
    const [postName, postVal] = postEntries[j];
    if (preName === postName) {
      if (!binaryEqual(preVal, postVal)) addSubDiffOrUpdate(node, preName, preVal, postVal);
      i++;
      j++;
    } else {
      // The old field is not at this position any more: deleted, or re-inserted at the end (below).
      deletes.add(preName);
      i++;
    }
  }
  for (; i < preEntries.length; i++) node.deletes.push(preEntries[i][0]);
  for (; j < postEntries.length; j++) {
    node.inserts.push([postEntries[j][0], postEntries[j][1]]);
    deletes.delete(postEntries[j][0]);
  }
  // mongod keeps the mid-document deletions in a std::set: they come after the trailing ones, in byte order.
  node.deletes.push(...[...deletes].sort(compareBytes));
  if (ignoreSizeLimit) return node;
  return valueObjSize(post) > diffSize(node) ? node : undefined;
}

function computeArrayDiff(pre: unknown[], post: unknown[]): DiffNode | undefined {
  const node: ArrayDiffNode = { kind: 'array', resize: undefined, children: [] };
  const common = Math.min(pre.length, post.length);
  for (let k = 0; k < common; k++) {
    if (binaryEqual(pre[k], post[k])) continue;
    const sub = subDiff(pre[k], post[k]);
    node.children.push([k, sub ? { diff: sub } : { value: post[k] }]);
  }
  for (let k = common; k < post.length; k++) node.children.push([k, { value: post[k] }]);
  if (pre.length > post.length) node.resize = post.length;
  return valueObjSize(post) > diffSize(node) ? node : undefined;
}

/** The sub-diff of two values of the same container type, or undefined when it must be logged whole. */
function subDiff(preVal: unknown, postVal: unknown): DiffNode | undefined {
  if (isEmbeddedDocument(preVal) && isEmbeddedDocument(postVal)) return computeDocDiff(preVal, postVal, false);
  if (Array.isArray(preVal) && Array.isArray(postVal)) return computeArrayDiff(preVal, postVal);
  return undefined;
}

function addSubDiffOrUpdate(node: DocDiffNode, name: string, preVal: unknown, postVal: unknown): void {
  const sub = subDiff(preVal, postVal);
  if (sub) node.subDiffs.push([name, sub]);
  else node.updates.push([name, postVal]);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function serializeDocDiff(node: DocDiffNode): Document {
  const out: Document = {};
  if (node.deletes.length) out.d = Object.fromEntries(node.deletes.map((n) => [n, false]));
  if (node.updates.length) out.u = Object.fromEntries(node.updates);
  if (node.inserts.length) out.i = Object.fromEntries(node.inserts);
  for (const [name, sub] of node.subDiffs) {
    out[`s${name}`] = sub.kind === 'doc' ? serializeDocDiff(sub) : serializeArrayDiff(sub);
  }
  return out;
}

function serializeArrayDiff(node: ArrayDiffNode): Document {
  const out: Document = { a: true };
  if (node.resize !== undefined) out.l = node.resize;
  for (const [index, change] of node.children) {
    if ('value' in change) out[`u${index}`] = change.value;
    else out[`s${index}`] = change.diff.kind === 'doc' ? serializeDocDiff(change.diff) : serializeArrayDiff(change.diff);
  }
  return out;
}

/**
 * Applies a `$v: 2` diff (the `diff` field of an update entry's `o`) to a document and returns the new version,
 * as mongod's document_diff_applier does: updated fields keep their position (or are appended when absent),
 * inserted fields go to the end, sub-diffs apply in place.
 */
export function applyOplogDiff(doc: Document, diff: Document): Document {
  const deletes = new Set(Object.keys(isEmbeddedDocument(diff.d) ? diff.d : {}));
  const updates = isEmbeddedDocument(diff.u) ? diff.u : {};
  const inserts = isEmbeddedDocument(diff.i) ? diff.i : {};
  const subDiffs = new Map<string, Document>();
  for (const [k, v] of Object.entries(diff)) {
    if (k.length > 1 && k[0] === 's' && isEmbeddedDocument(v)) subDiffs.set(k.slice(1), v);
  }
  const out: Document = {};
  for (const [name, value] of Object.entries(doc)) {
    if (deletes.has(name) || name in inserts) continue;
    if (name in updates) out[name] = updates[name];
    else if (subDiffs.has(name)) out[name] = applySubDiff(value, subDiffs.get(name)!);
    else out[name] = value;
  }
  for (const [name, value] of Object.entries(updates)) if (!(name in out)) out[name] = value;
  for (const [name, sub] of subDiffs) if (!(name in out)) out[name] = applySubDiff(undefined, sub);
  for (const [name, value] of Object.entries(inserts)) out[name] = value;
  return out;
}

function applySubDiff(value: unknown, diff: Document): unknown {
  if (diff.a !== true) return applyOplogDiff(isEmbeddedDocument(value) ? value : {}, diff);
  const arr = Array.isArray(value) ? [...value] : [];
  if (diff.l !== undefined) {
    const len = Number(diff.l);
    if (arr.length > len) arr.length = len;
    while (arr.length < len) arr.push(null);
  }
  for (const [k, v] of Object.entries(diff)) {
    if (k === 'a' || k === 'l') continue;
    const index = Number(k.slice(1));
    while (arr.length < index) arr.push(null);
    if (k[0] === 'u') arr[index] = v;
    else if (k[0] === 's') arr[index] = applySubDiff(arr[index], v as Document);
  }
  return arr;
}
