import type { Document } from 'bson';
import { compareValues } from '../bson_order.js';
import { CommandError } from '../../errors.js';
import { getField, isDocument } from '../query/paths.js';

/** One index key of a document: the values of the key pattern's fields, in key pattern order. */
export type IndexKey = unknown[];

/** The key values one field path yields, and whether an array was expanded on the way (the index is multikey). */
interface FieldKeys {
  values: unknown[];
  multikey: boolean;
}

/**
 * The distinct index keys of a document for a btree key pattern, as mongod's BtreeKeyGenerator produces them: a
 * missing field gives null, an array met on the path gives one key per element (an empty array gives `undefined`),
 * and at most one field of a compound pattern may be an array (else CannotIndexParallelArrays, 171).
 */
export function extractIndexKeys(doc: Document, keyPattern: Document): IndexKey[] {
  const fields = Object.keys(keyPattern);
  const perField = fields.map((f) => fieldKeys(doc, f.split('.')));
  const multi = perField.map((p, i) => ({ p, name: fields[i] })).filter(({ p }) => p.multikey);
  if (multi.length > 1) {
    throw new CommandError('CannotIndexParallelArrays', `cannot index parallel arrays [${multi[1].name}] [${multi[0].name}]`);
  }
  let keys: IndexKey[] = [[]];
  for (const { values } of perField) {
    const next: IndexKey[] = [];
    for (const prefix of keys) for (const v of values) next.push([...prefix, v]);
    keys = next;
  }
  return dedupe(keys);
}

/** True when the document has none of the key pattern's fields (a sparse index then holds no entry for it). */
export function lacksAllKeyFields(doc: Document, keyPattern: Document): boolean {
  return Object.keys(keyPattern).every((f) => isMissing(doc, f.split('.')));
}

function isMissing(doc: Document, parts: string[]): boolean {
  let found = false;
  collect(doc, parts, 0, (v) => { if (v !== undefined) found = true; }, { multikey: false });
  return !found;
}

function fieldKeys(doc: Document, parts: string[]): FieldKeys {
  const state = { multikey: false };
  const values: unknown[] = [];
  collect(doc, parts, 0, (v) => values.push(v === undefined ? null : v), state);
  if (values.length === 0) values.push(null);
  return { values: dedupeValues(values), multikey: state.multikey };
}

/**
 * Walks `parts` from `start`; arrays met before the end are expanded element by element (numeric components
 * address elements directly); a leaf array yields its elements, or `undefined` for an empty array.
 */
function collect(cur: unknown, parts: string[], start: number, out: (v: unknown) => void, state: { multikey: boolean }): void {
  let node = cur;
  for (let i = start; i < parts.length; i++) {
    if (Array.isArray(node)) {
      const part = parts[i];
      if (/^\d+$/.test(part) && Number(part) < node.length) {
        node = node[Number(part)];
        continue;
      }
      state.multikey = true;
      let any = false;
      for (const e of node) {
        if (isDocument(e) || Array.isArray(e)) {
          any = true;
          collect(e, parts, i, out, state);
        }
      }
      if (!any) out(undefined);
      return;
    }
    if (!isDocument(node)) {
      out(undefined);
      return;
    }
    node = getField(node, parts[i]);
    if (node === undefined) {
      out(undefined);
      return;
    }
  }
  if (Array.isArray(node)) {
    state.multikey = true;
    if (node.length === 0) out(EMPTY_ARRAY);
    for (const e of node) out(e);
    return;
  }
  out(node);
}

/**
 * A field that resolved to an empty array, while collecting (where undefined means "missing"). mongod's btree key
 * generator indexes `[]` as BSON undefined, a value distinct from null: `{a: []}` and `{a: null}` never collide in
 * a unique index, two `{a: []}` do. Keys carry it as JS undefined, which compareValues ranks below null.
 */
const EMPTY_ARRAY = Symbol('emptyArray');

function dedupeValues(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const raw of values) {
    const v = raw === EMPTY_ARRAY ? undefined : raw;
    if (!out.some((o) => compareValues(o, v) === 0)) out.push(v);
  }
  return out;
}

function dedupe(keys: IndexKey[]): IndexKey[] {
  const out: IndexKey[] = [];
  for (const k of keys) if (!out.some((o) => compareIndexKeys(o, k) === 0)) out.push(k);
  return out;
}

/** Orders index keys field by field in MongoDB's BSON order (numbers of different types compare by value). */
export function compareIndexKeys(a: IndexKey, b: IndexKey): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

/** The `keyValue` of a duplicate key error: the key's values under the key pattern's field names. */
export function keyValueOf(keyPattern: Document, key: IndexKey): Document {
  const out: Document = {};
  Object.keys(keyPattern).forEach((f, i) => { out[f] = key[i]; });
  return out;
}
