import { serialize, type Document } from 'bson';
import { rawElements } from '../../bson/raw_bson.js';
import { isDocument } from '../query/paths.js';

/**
 * Serializes an updated document keeping the field order of the bytes it came from.
 *
 * Decoded documents are JS objects, and JS enumerates integer-like keys ("0", "2024") before all others, whatever
 * their insertion order. A document such as `{name: "x", "2024": 1}` would therefore come back from an update as
 * `{"2024": 1, name: "x"}`. mongod keeps the stored order, so fields that the `hint` bytes (the previous version, or
 * the replacement as the client sent it) already had are written in the hint's order, and the others after them
 * in the object's order. Documents without integer-like keys take the bson library's fast path.
 */
export function serializeInOrder(doc: Document, hint: Buffer | undefined, idFirst = false): Buffer {
  if (!hasIntegerKeys(doc)) return Buffer.from(serialize(doc, { ignoreUndefined: false }));
  return encodeDocument(doc, hint, idFirst);
}

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

function hasIntegerKeys(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasIntegerKeys);
  if (!isPlainDocument(v)) return false;
  for (const k of Object.keys(v)) {
    if (INTEGER_KEY.test(k) || hasIntegerKeys(v[k])) return true;
  }
  return false;
}

function isPlainDocument(v: unknown): v is Document {
  return isDocument(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** The raw sub-documents of `hint` by field name (only embedded documents and arrays are useful as hints). */
function hintFields(hint: Buffer | undefined): { order: string[]; children: Map<string, Buffer> } {
  const order: string[] = [];
  const children = new Map<string, Buffer>();
  if (!hint) return { order, children };
  for (const el of rawElements(hint)) {
    order.push(el.name);
    if (el.type === 0x03 || el.type === 0x04) children.set(el.name, hint.subarray(el.valueStart, el.end));
  }
  return { order, children };
}

function encodeDocument(doc: Document, hint: Buffer | undefined, idFirst: boolean): Buffer {
  const { order, children } = hintFields(hint);
  const keys: string[] = [];
  const seen = new Set<string>();
  if (idFirst && Object.prototype.hasOwnProperty.call(doc, '_id') && !order.includes('_id')) {
    keys.push('_id');
    seen.add('_id');
  }
  for (const k of order) {
    if (!seen.has(k) && Object.prototype.hasOwnProperty.call(doc, k)) {
      keys.push(k);
      seen.add(k);
    }
  }
  for (const k of Object.keys(doc)) if (!seen.has(k)) keys.push(k);
  const parts = keys.map((k) => encodeElement(k, doc[k], children.get(k)));
  return wrap(parts);
}

function encodeArray(values: unknown[], hint: Buffer | undefined): Buffer {
  const { children } = hintFields(hint);
  return wrap(values.map((v, i) => encodeElement(String(i), v, children.get(String(i)))));
}

function encodeElement(key: string, value: unknown, hint: Buffer | undefined): Buffer {
  if (isPlainDocument(value) && hasIntegerKeys(value)) return element(0x03, key, encodeDocument(value, hint, false));
  if (Array.isArray(value) && hasIntegerKeys(value)) return element(0x04, key, encodeArray(value, hint));
  const one = Buffer.from(serialize({ v: value }, { ignoreUndefined: false }));
  // Re-key the single element: type byte, then our name instead of "v".
  return Buffer.concat([one.subarray(4, 5), Buffer.from(key, 'utf8'), one.subarray(6, one.length - 1)]);
}

function element(type: number, key: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), Buffer.from(key, 'utf8'), Buffer.from([0]), body]);
}

function wrap(parts: Buffer[]): Buffer {
  const size = 4 + parts.reduce((n, p) => n + p.length, 0) + 1;
  const out = Buffer.alloc(size);
  out.writeInt32LE(size, 0);
  let pos = 4;
  for (const p of parts) {
    p.copy(out, pos);
    pos += p.length;
  }
  out[pos] = 0;
  return out;
}
