/**
 * Documents read from the source as exact bytes and handed to the driver for writing without any change: same
 * BSON types (no promotion of Int32/Int64/Double/Binary/RegExp) and same field order.
 *
 * The driver writes what bson's `serialize` makes of a JS value. Decoding with {@link EXACT_BSON_OPTIONS} keeps
 * every type, but a JS object lists integer-like keys ("1", "2023") before the others whatever their order in the
 * document. Documents with such keys are therefore rebuilt as `Map`s, which bson serializes in insertion order.
 */
import { BSON, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { EXACT_BSON_OPTIONS } from './exact_options.js';
import { decodeElement, rawElements, valueLength, type RawElement } from './raw_elements.js';

/** What the driver can write byte-identically: a plain object, or a Map where key order needs it. */
export type ExactDocument = Document | Map<string, unknown>;

/**
 * BSON types the driver cannot write back: bson decodes `undefined` (0x06) to a JS undefined, which it then drops
 * or writes as null, and a DBPointer (0x0c) to a DBRef document. Copying them would alter the document silently,
 * so the copy refuses them with a clear error instead.
 */
export const UNWRITABLE_TYPES: Readonly<Record<number, string>> = Object.freeze({ 0x06: 'undefined', 0x0c: 'DBPointer' });

/**
 * Decodes raw document bytes into a value that serializes back to the same bytes. Throws
 * {@link UnwritableValueError} for a document holding a value the driver cannot write (see UNWRITABLE_TYPES).
 */
export function toExactDocument(raw: Uint8Array): ExactDocument {
  const view = bufferOf(raw);
  // The scan reads the bytes, not a decoded object: it runs on every copied document, and most need nothing.
  const scan: DocumentScan = { integerKey: false };
  const unwritable = scanDocument(view, 0, false, scan);
  if (unwritable !== undefined) throw new UnwritableValueError(describe(unwritable));
  return scan.integerKey ? rebuildInOrder(view, 0) : BSON.deserialize(raw, EXACT_BSON_OPTIONS);
}

/**
 * Throws {@link UnwritableValueError} when the document at `offset` of `raw` holds a value of an UNWRITABLE_TYPES
 * type, at any depth. The copy's raw-bytes path calls it so that it refuses exactly the documents
 * {@link toExactDocument} refuses; `offset` lets it check a batch of documents laid end to end in place.
 */
export function assertWritable(raw: Uint8Array, offset = 0): void {
  const unwritable = scanDocument(bufferOf(raw), offset, false, undefined);
  if (unwritable !== undefined) throw new UnwritableValueError(describe(unwritable));
}

/** What a scan of a document's bytes found besides unwritable values. */
interface DocumentScan {
  integerKey: boolean;
}

/** An unwritable value found by a scan: its type and its path, innermost name first (built on the way out). */
interface UnwritableValue {
  readonly type: number;
  readonly reversedPath: string[];
}

function describe(value: UnwritableValue): string {
  return `${UNWRITABLE_TYPES[value.type]} at ${[...value.reversedPath].reverse().join('.')}`;
}

function bufferOf(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * Returns the first value of an unwritable type in the document at `offset`, or in any document nested in it
 * (through arrays too); and, when `scan` is given, records whether any of them has a key that a JS object would list
 * first: a canonical non-negative integer ("0", "7", "2023"; not "01"). The keys of arrays are such keys by nature
 * and in order already. Longer digit strings than JS array indexes (above 2^32 - 2) count too, which only makes a few
 * documents take the slower, equally exact, Map path. No closure or string is made per element: this runs on every
 * copied document.
 */
function scanDocument(view: Buffer, offset: number, isArray: boolean, scan: DocumentScan | undefined): UnwritableValue | undefined {
  const end = offset + view.readInt32LE(offset) - 1;
  let pos = offset + 4;
  while (pos < end) {
    const type = view[pos];
    const nameEnd = view.indexOf(0, pos + 1);
    if (scan && !isArray && !scan.integerKey && isIntegerName(view, pos + 1, nameEnd)) scan.integerKey = true;
    const valueStart = nameEnd + 1;
    if (UNWRITABLE_TYPES[type] !== undefined) return { type, reversedPath: [view.toString('utf8', pos + 1, nameEnd)] };
    if (type === 0x03 || type === 0x04) {
      const inner = scanDocument(view, valueStart, type === 0x04, scan);
      if (inner !== undefined) {
        inner.reversedPath.push(view.toString('utf8', pos + 1, nameEnd));
        return inner;
      }
    }
    pos = valueStart + valueLength(view, type, valueStart);
  }
  return undefined;
}

/** A document holds a value the copy cannot reproduce byte for byte. */
export class UnwritableValueError extends Error {
  override name = 'UnwritableValueError';
  constructor(readonly where: string) {
    super(`the document holds ${where}, a legacy BSON value the driver cannot write back unchanged`);
  }
}

/** Whether bytes [start, end) spell 0 or a decimal integer without a leading zero. */
function isIntegerName(view: Buffer, start: number, end: number): boolean {
  if (end === start) return false;
  const first = view[start];
  if (first === 0x30) return end - start === 1;
  if (first < 0x31 || first > 0x39) return false;
  for (let i = start + 1; i < end; i++) {
    if (view[i] < 0x30 || view[i] > 0x39) return false;
  }
  return true;
}

/**
 * Rebuilds the document at `offset` of `raw` as a Map in byte order. Embedded documents become Maps, arrays stay
 * arrays (their keys are "0", "1", ... in order anyway); scalar values are decoded one element at a time.
 */
function rebuildInOrder(raw: Uint8Array, offset: number): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const element of rawElements(raw, offset)) out.set(element.name, exactValue(raw, element));
  return out;
}

function exactValue(raw: Uint8Array, element: RawElement): unknown {
  if (element.type === 0x03) return rebuildInOrder(raw, element.valueStart);
  if (element.type === 0x04) return [...rebuildInOrder(raw, element.valueStart).values()];
  return decodeElement(raw, element);
}

/** The decoded `_id` of raw document bytes, with its exact type; undefined when the document has none. */
export function exactIdOf(raw: Uint8Array): unknown {
  const leading = leadingScalarId(bufferOf(raw));
  if (leading !== undefined) return leading;
  // An embedded-document _id comes back as a Map: its field order is part of its value.
  for (const element of rawElements(raw)) if (element.name === '_id') return exactValue(raw, element);
  return undefined;
}

/** Bytes 4..8 of a document whose first element is `_id`: the name and its terminating zero. */
const ID_NAME = Buffer.from('_id\0', 'latin1');

/**
 * The `_id` decoded straight from the bytes when it is the first element (where mongod keeps it) and of a fixed-size
 * type, the same value {@link decodeElement} would give; undefined otherwise. The partition planner decodes every
 * `_id` of a collection, so this skips the general path's wrapper document and its allocations.
 */
function leadingScalarId(view: Buffer): unknown {
  if (view.length < 9 || view.compare(ID_NAME, 0, 4, 5, 9) !== 0) return undefined;
  switch (view[4]) {
    case 0x10: return new Int32(view.readInt32LE(9));
    case 0x01: return new Double(view.readDoubleLE(9));
    case 0x12: return Long.fromBits(view.readInt32LE(9), view.readInt32LE(13));
    // A copy: the ObjectId must not keep the (large) buffer the document was read into alive.
    case 0x07: return new ObjectId(Uint8Array.prototype.slice.call(view, 9, 21));
    default: return undefined;
  }
}
