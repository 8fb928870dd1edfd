import { isUtf8 } from 'node:buffer';
import { Double, Int32, Long, serialize, deserialize, type Document, type DeserializeOptions } from 'bson';

/**
 * Decoding options that keep every BSON value exactly as it was sent: no promotion of Int32/Int64/Double to JS
 * numbers, Binary stays Binary, regexes stay BSONRegExp. Re-encoding a value decoded this way gives the same bytes.
 */
export const EXACT_DECODE: DeserializeOptions = Object.freeze({
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
  useBigInt64: false,
});

/** A BSON document kept as the exact bytes a client sent, so that it is returned byte for byte. */
export class RawBson {
  constructor(readonly bytes: Buffer) {}

  /** The document decoded with {@link EXACT_DECODE}. */
  toDocument(): Document {
    return deserialize(this.bytes, EXACT_DECODE);
  }
}

/** One element of a BSON document, located by offsets into the document's bytes. */
export interface RawElement {
  name: string;
  type: number;
  /** Offset of the element's type byte. */
  start: number;
  /** Offset of the element's value. */
  valueStart: number;
  /** Offset just past the element. */
  end: number;
}

/** Reads the elements of one BSON document without decoding their values. Throws on a truncated document. */
export function* rawElements(doc: Buffer, offset = 0): Generator<RawElement> {
  const size = doc.readInt32LE(offset);
  const stop = offset + size - 1;
  if (size < 5 || offset + size > doc.length || doc[stop] !== 0) throw new RangeError('invalid BSON document length');
  let pos = offset + 4;
  while (pos < stop) {
    const start = pos;
    const type = doc[pos++];
    const nameEnd = doc.indexOf(0, pos);
    if (nameEnd < 0 || nameEnd >= stop) throw new RangeError('unterminated BSON element name');
    const name = doc.toString('utf8', pos, nameEnd);
    const valueStart = nameEnd + 1;
    const end = valueStart + valueSize(doc, type, valueStart);
    if (end > stop) throw new RangeError(`BSON element ${name} overruns its document`);
    yield { name, type, start, valueStart, end };
    pos = end;
  }
}

function valueSize(doc: Buffer, type: number, at: number): number {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8; // double, date, timestamp, int64
    case 0x02: case 0x0d: case 0x0e: return 4 + doc.readInt32LE(at); // string, code, symbol
    case 0x03: case 0x04: case 0x0f: return doc.readInt32LE(at); // document, array, code with scope
    case 0x05: return 5 + doc.readInt32LE(at); // binary
    case 0x06: case 0x0a: case 0x7f: case 0xff: return 0; // undefined, null, maxKey, minKey
    case 0x07: return 12;
    case 0x08: return 1;
    case 0x0b: { // regex: two cstrings
      const p = doc.indexOf(0, at);
      return doc.indexOf(0, p + 1) + 1 - at;
    }
    case 0x0c: return 4 + doc.readInt32LE(at) + 12; // DBPointer
    case 0x10: return 4;
    case 0x13: return 16;
    default: throw new RangeError(`unknown BSON type 0x${type.toString(16)}`);
  }
}

/** The raw bytes of each embedded document of the array field `name` of `doc`, or undefined if absent. */
export function rawArrayDocuments(doc: Buffer, name: string): RawBson[] | undefined {
  for (const el of rawElements(doc)) {
    if (el.name !== name) continue;
    if (el.type !== 0x04) return undefined;
    const out: RawBson[] = [];
    for (const item of rawElements(doc, el.valueStart)) {
      if (item.type === 0x03) out.push(new RawBson(doc.subarray(item.valueStart, item.end)));
      else return undefined;
    }
    return out;
  }
  return undefined;
}

/** The raw bytes of the embedded document field `name`, or undefined when absent or not a document. */
export function rawField(doc: Buffer, name: string): RawElement | undefined {
  if (name === '_id') {
    const first = leadingIdElement(doc);
    if (first) return first;
  }
  for (const el of rawElements(doc)) if (el.name === name) return el;
  return undefined;
}

/**
 * The `_id` element when it is the document's first (where stored documents keep it), read without scanning;
 * undefined otherwise, or when anything is malformed (the general reader then reports it).
 */
export function leadingIdElement(doc: Buffer): RawElement | undefined {
  if (doc.length < 10 || doc[5] !== 0x5f || doc[6] !== 0x69 || doc[7] !== 0x64 || doc[8] !== 0) return undefined;
  const size = doc.readInt32LE(0);
  const stop = size - 1;
  if (size < 5 || size > doc.length || doc[stop] !== 0 || stop <= 9) return undefined;
  const type = doc[4];
  let end: number;
  try {
    end = 9 + valueSize(doc, type, 9);
  } catch {
    return undefined;
  }
  if (end > stop) return undefined;
  return { name: '_id', type, start: 4, valueStart: 9, end };
}

/** Decodes the single value of a raw element (exact types kept). */
export function decodeElement(doc: Buffer, el: RawElement): unknown {
  // The usual `_id` types are read directly (every insert decodes its `_id`); the rest through the bson library.
  const at = el.valueStart;
  switch (el.type) {
    case 0x10: return new Int32(doc.readInt32LE(at));
    case 0x01: return new Double(doc.readDoubleLE(at));
    case 0x12: return new Long(doc.readInt32LE(at), doc.readInt32LE(at + 4));
    case 0x02: {
      const size = doc.readInt32LE(at);
      const text = doc.subarray(at + 4, at + 3 + size);
      // Invalid UTF-8 goes the library's way, which refuses it.
      if (size > 0 && at + 4 + size === el.end && doc[el.end - 1] === 0 && isUtf8(text)) return text.toString('utf8');
    }
  }
  const len = el.end - el.start;
  // Wrap the element in a one-element document whose key is "v" and decode that.
  const nameLen = el.valueStart - el.start - 1;
  const buf = Buffer.alloc(4 + 1 + 2 + (len - 1 - nameLen) + 1);
  let p = 4;
  buf[p++] = doc[el.start];
  buf[p++] = 0x76; // 'v'
  buf[p++] = 0;
  doc.copy(buf, p, el.valueStart, el.end);
  p += el.end - el.valueStart;
  buf[p++] = 0;
  buf.writeInt32LE(p, 0);
  return deserialize(buf, EXACT_DECODE).v;
}

/**
 * Serializes a reply document whose values may include {@link RawBson} (spliced in byte for byte) anywhere in
 * plain objects and arrays. Everything else is encoded by the bson library, in as few calls as possible: runs of
 * ordinary fields are serialized together, and raw documents are referenced, not copied, until the one final
 * concatenation (this is the hot path of every cursor batch and oplog entry).
 */
export function serializeWithRaw(doc: Document): Buffer {
  if (!containsRaw(doc)) return asBuffer(serialize(doc, { ignoreUndefined: false }));
  const parts: Buffer[] = [];
  appendDocument(Object.entries(doc), parts);
  return Buffer.concat(parts);
}

/** Appends a whole document (length, elements, terminator) to `parts`; returns its size in bytes. */
function appendDocument(entries: [string, unknown][], parts: Buffer[]): number {
  const lengthPart = Buffer.allocUnsafe(4);
  parts.push(lengthPart);
  let size = 4;
  let plain: Document | undefined;
  const flushPlain = () => {
    if (!plain) return;
    const bytes = asBuffer(serialize(plain, { ignoreUndefined: false }));
    const elements = bytes.subarray(4, bytes.length - 1);
    parts.push(elements);
    size += elements.length;
    plain = undefined;
  };
  for (const [key, value] of entries) {
    const nested = value instanceof RawBson ? undefined : Array.isArray(value) ? 0x04 : isPlainObject(value) ? 0x03 : undefined;
    if (value instanceof RawBson) {
      flushPlain();
      const head = elementHead(0x03, key);
      parts.push(head, value.bytes);
      size += head.length + value.bytes.length;
    } else if (nested !== undefined && containsRaw(value)) {
      flushPlain();
      const head = elementHead(nested, key);
      parts.push(head);
      const inner = nested === 0x04 ? (value as unknown[]).map((v, i) => [String(i), v] as [string, unknown]) : Object.entries(value as Document);
      size += head.length + appendDocument(inner, parts);
    } else {
      plain ??= {};
      // A `__proto__` key of user data must stay a field, not become the object's prototype.
      if (key === '__proto__') Object.defineProperty(plain, key, { value, enumerable: true, writable: true, configurable: true });
      else plain[key] = value;
    }
  }
  flushPlain();
  const terminator = Buffer.from([0]);
  parts.push(terminator);
  size += 1;
  lengthPart.writeInt32LE(size, 0);
  return size;
}

/** Heads of embedded documents named by array index ("0", "1", ...): each cursor batch needs hundreds of them. */
const INDEX_DOCUMENT_HEADS: Buffer[] = [];
const MAX_CACHED_INDEX = 10_000;

function elementHead(type: number, key: string): Buffer {
  if (type === 0x03) {
    const index = Number(key);
    if (index >= 0 && index < MAX_CACHED_INDEX && String(index) === key) {
      // Shared and never written to: the parts they go into are only read (concatenated).
      return (INDEX_DOCUMENT_HEADS[index] ??= newElementHead(type, key));
    }
  }
  return newElementHead(type, key);
}

function newElementHead(type: number, key: string): Buffer {
  const nameLength = Buffer.byteLength(key, 'utf8');
  const head = Buffer.allocUnsafe(nameLength + 2);
  head[0] = type;
  head.write(key, 1, 'utf8');
  head[nameLength + 1] = 0;
  return head;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isPlainObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function containsRaw(value: unknown, depth = 0): boolean {
  if (value instanceof RawBson) return true;
  if (depth > 8) return false; // replies put raw documents near the top
  if (Array.isArray(value)) return value.some((v) => containsRaw(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value as Document).some((v) => containsRaw(v, depth + 1));
  return false;
}
