/**
 * Documents read from the source as exact bytes and handed to the driver for writing without any change: same
 * BSON types (no promotion of Int32/Int64/Double/Binary/RegExp) and same field order.
 *
 * The driver writes what bson's `serialize` makes of a JS value. Decoding with {@link EXACT_BSON_OPTIONS} keeps
 * every type, but a JS object lists integer-like keys ("1", "2023") before the others whatever their order in the
 * document. Documents with such keys are therefore rebuilt as `Map`s, which bson serializes in insertion order.
 */
import { BSON, type Document } from 'mongodb';
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

/** What a scan of a document's bytes found. */
interface DocumentScan {
  integerKey: boolean;
  /** The first unwritable value, as `path (type)`. */
  unwritable: string | undefined;
}

/**
 * Decodes raw document bytes into a value that serializes back to the same bytes. Throws
 * {@link UnwritableValueError} for a document holding a value the driver cannot write (see UNWRITABLE_TYPES).
 */
export function toExactDocument(raw: Uint8Array): ExactDocument {
  const view = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // The scan reads the bytes, not a decoded object: it runs on every copied document, and most need nothing.
  const scan: DocumentScan = { integerKey: false, unwritable: undefined };
  scanDocument(view, 0, false, '', scan);
  if (scan.unwritable !== undefined) throw new UnwritableValueError(scan.unwritable);
  return scan.integerKey ? rebuildInOrder(view, 0) : BSON.deserialize(raw, EXACT_BSON_OPTIONS);
}

/** A document holds a value the copy cannot reproduce byte for byte. */
export class UnwritableValueError extends Error {
  override name = 'UnwritableValueError';
  constructor(readonly where: string) {
    super(`the document holds ${where}, a legacy BSON value the driver cannot write back unchanged`);
  }
}

/**
 * Records whether the document at `offset`, or any document nested in it (through arrays too), has a key that a
 * JS object would list first: a canonical non-negative integer ("0", "7", "2023"; not "01"); and the first value
 * of an unwritable type. The keys of arrays are such keys by nature and in order already. Longer digit strings
 * than JS array indexes (above 2^32 - 2) count too, which only makes a few documents take the slower, equally
 * exact, Map path.
 */
function scanDocument(view: Buffer, offset: number, isArray: boolean, path: string, scan: DocumentScan): void {
  const end = offset + view.readInt32LE(offset) - 1;
  let pos = offset + 4;
  while (pos < end && scan.unwritable === undefined) {
    const type = view[pos];
    const nameEnd = view.indexOf(0, pos + 1);
    if (!isArray && isIntegerName(view, pos + 1, nameEnd)) scan.integerKey = true;
    const valueStart = nameEnd + 1;
    const fieldPath = () => (path ? `${path}.` : '') + view.toString('utf8', pos + 1, nameEnd);
    if (UNWRITABLE_TYPES[type] !== undefined) scan.unwritable = `${UNWRITABLE_TYPES[type]} at ${fieldPath()}`;
    else if (type === 0x03 || type === 0x04) scanDocument(view, valueStart, type === 0x04, fieldPath(), scan);
    pos = valueStart + valueLength(view, type, valueStart);
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
  // An embedded-document _id comes back as a Map: its field order is part of its value.
  for (const element of rawElements(raw)) if (element.name === '_id') return exactValue(raw, element);
  return undefined;
}
