import { Binary, Int32, Long, Timestamp } from 'bson';
import { RawBson, serializeWithRaw } from './raw_bson.js';

const TYPE = Object.freeze({
  string: 0x02,
  document: 0x03,
  binary: 0x05,
  date: 0x09,
  null: 0x0a,
  int32: 0x10,
  timestamp: 0x11,
  int64: 0x12,
} as const);

/** Size of the slabs finished documents are cut from. */
const SLAB_BYTES = 256 * 1024;

/**
 * Writes one BSON document at a time into a scratch buffer that is reused from one document to the next, for the
 * write path's hot spots (an oplog entry per write) where building an object and serializing it cost more than the
 * write itself. The values it writes itself (strings, Int32, Long, Timestamp, Date, Binary, {@link RawBson},
 * null, and plain objects of those) get exactly the bytes the bson library gives them; any other value is handed to
 * {@link serializeWithRaw}, so the output is always byte-identical to serializing the same object.
 *
 * Not re-entrant: one document is built at a time, from `begin()` to `finish()`.
 */
export class BsonBuilder {
  private buf: Buffer;
  private pos = 0;
  private slab: Buffer = Buffer.alloc(0);
  private slabUsed = 0;
  /** Offsets of the length prefixes of the documents still open, innermost last. */
  private readonly open: number[] = [];

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Starts a new top-level document, discarding anything unfinished. */
  begin(): this {
    this.pos = 0;
    this.open.length = 0;
    this.openDocument();
    return this;
  }

  /** Closes the top-level document and returns a copy of its bytes (the scratch buffer is reused). */
  finish(): Buffer {
    this.closeDocument();
    const out = this.allocate(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  string(name: string, value: string): this {
    this.head(TYPE.string, name);
    const start = this.pos;
    this.pos += 4;
    this.text(value);
    this.buf.writeInt32LE(this.pos - start - 4, start);
    return this;
  }

  int32(name: string, value: number): this {
    this.head(TYPE.int32, name);
    this.reserve(4);
    this.buf.writeInt32LE(value, this.pos);
    this.pos += 4;
    return this;
  }

  /** A Long (int64) or a Timestamp: both are eight bytes, low word first. */
  int64(name: string, value: Long | Timestamp): this {
    this.head(value instanceof Timestamp ? TYPE.timestamp : TYPE.int64, name);
    this.writeWords(value.getLowBits(), value.getHighBits());
    return this;
  }

  /** A UTC datetime from milliseconds since the epoch (an integer). */
  date(name: string, ms: number): this {
    this.head(TYPE.date, name);
    const long = Long.fromNumber(ms);
    this.writeWords(long.getLowBits(), long.getHighBits());
    return this;
  }

  /** An embedded document given as its exact bytes. */
  rawDocument(name: string, bytes: Uint8Array): this {
    this.head(TYPE.document, name);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Any value, encoded as `serialize({[name]: value})` would encode it (undefined as null, as ours does). */
  value(name: string, value: unknown): this {
    if (typeof value === 'string') return this.string(name, value);
    if (value === null || value === undefined) return this.head(TYPE.null, name);
    if (typeof value === 'object') {
      if (value instanceof RawBson) return this.rawDocument(name, value.bytes);
      if (value instanceof Long || value instanceof Timestamp) return this.int64(name, value);
      if (value instanceof Int32) return this.int32(name, value.value);
      if (value instanceof Binary && isPlainBinary(value)) return this.binary(name, value);
      if (value instanceof Date && Number.isInteger(value.getTime())) return this.date(name, value.getTime());
      if (isPlainDocument(value)) return this.document(name, value as Record<string, unknown>);
    }
    return this.fallback(name, value);
  }

  private document(name: string, doc: Record<string, unknown>): this {
    this.head(TYPE.document, name);
    this.openDocument();
    for (const key of Object.keys(doc)) this.value(key, doc[key]);
    this.closeDocument();
    return this;
  }

  private binary(name: string, value: Binary): this {
    this.head(TYPE.binary, name);
    const size = value.position;
    this.reserve(5 + size);
    this.buf.writeInt32LE(size, this.pos);
    this.buf[this.pos + 4] = value.sub_type;
    this.buf.set(value.buffer.subarray(0, size), this.pos + 5);
    this.pos += 5 + size;
    return this;
  }

  /** The element as the general serializer writes it (numbers, arrays, other BSON types). */
  private fallback(name: string, value: unknown): this {
    const bytes = serializeWithRaw({ [name]: value });
    const element = bytes.subarray(4, bytes.length - 1);
    this.reserve(element.length);
    this.buf.set(element, this.pos);
    this.pos += element.length;
    return this;
  }

  private head(type: number, name: string): this {
    this.reserve(1);
    this.buf[this.pos++] = type;
    this.text(name);
    return this;
  }

  /** Writes a string's UTF-8 bytes and a terminating 0 (field names and string values alike). */
  private text(value: string): void {
    const n = value.length;
    this.reserve(n + 5);
    // Names and namespaces are short ASCII: copying their characters beats a call into the UTF-8 encoder.
    if (n <= 64) {
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[this.pos + i] = c;
      }
      if (i === n) {
        this.pos += n;
        this.buf[this.pos++] = 0;
        return;
      }
    }
    this.reserve(Buffer.byteLength(value, 'utf8') + 1);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
  }

  /**
   * Memory for a finished document: a slice of a slab shared by the next documents (Node's own pool is 8 KiB, one
   * pool per few oplog entries), or its own buffer when it is large.
   */
  private allocate(bytes: number): Buffer {
    if (bytes > SLAB_BYTES / 8) return Buffer.allocUnsafeSlow(bytes);
    if (this.slabUsed + bytes > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const out = this.slab.subarray(this.slabUsed, this.slabUsed + bytes);
    // Keep each document 8-byte aligned, as Node's pool does.
    this.slabUsed += (bytes + 7) & ~7;
    return out;
  }

  private writeWords(low: number, high: number): void {
    this.reserve(8);
    this.buf.writeInt32LE(low, this.pos);
    this.buf.writeInt32LE(high, this.pos + 4);
    this.pos += 8;
  }

  private openDocument(): void {
    this.reserve(4);
    this.open.push(this.pos);
    this.pos += 4;
  }

  private closeDocument(): void {
    this.reserve(1);
    this.buf[this.pos++] = 0;
    const start = this.open.pop()!;
    this.buf.writeInt32LE(this.pos - start, start);
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** A binary the library writes as length, subtype, bytes: not the old subtype 2 (an inner length) nor a vector. */
function isPlainBinary(value: Binary): boolean {
  return value.sub_type !== Binary.SUBTYPE_BYTE_ARRAY && value.sub_type !== Binary.SUBTYPE_VECTOR;
}

/**
 * A plain object whose fields the builder may write one by one: the bson library would neither call a `toBSON` of
 * it nor take it for one of its own types (a `_bsontype` field), so it writes it as a document too.
 */
function isPlainDocument(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return typeof (value as { toBSON?: unknown }).toBSON !== 'function' && (value as { _bsontype?: unknown })._bsontype == null;
}
