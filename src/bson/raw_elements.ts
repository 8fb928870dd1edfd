/**
 * Walks the elements of raw BSON documents without decoding them, so that change events can be taken apart field by
 * field: the documents they carry (`fullDocument`, `documentKey`) keep their exact bytes and are decoded by
 * `toExactDocument`, and the rest is decoded one element at a time with exact types.
 */
import { BSON } from 'mongodb';
import { EXACT_BSON_OPTIONS } from './exact_options.js';

/** BSON element types this module names. */
export const BSON_TYPES = Object.freeze({ document: 0x03, array: 0x04, null: 0x0a } as const);

/** One element of a raw document. */
export interface RawElement {
  /** The bytes the element lies in (the whole outer document). */
  readonly bytes: Buffer;
  readonly name: string;
  readonly type: number;
  /** Offset of the type byte (the element starts here). */
  readonly start: number;
  /** Offset of the value. */
  readonly valueStart: number;
  /** Offset just after the value. */
  readonly end: number;
}

function bufferOf(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** The elements of the document at `offset` of `raw`, in byte order. */
export function* rawElements(raw: Uint8Array, offset = 0): Generator<RawElement> {
  const view = bufferOf(raw);
  const size = view.readInt32LE(offset);
  const end = offset + size - 1;
  let pos = offset + 4;
  while (pos < end) {
    const type = view[pos];
    const nameEnd = view.indexOf(0, pos + 1);
    const name = view.toString('utf8', pos + 1, nameEnd);
    const valueStart = nameEnd + 1;
    const valueEnd = valueStart + valueLength(view, type, valueStart);
    yield { bytes: view, name, type, start: pos, valueStart, end: valueEnd };
    pos = valueEnd;
  }
}

/** The bytes of an embedded document or array element (its own complete BSON document). */
export function rawValueBytes(raw: Uint8Array, element: RawElement): Buffer {
  return bufferOf(raw).subarray(element.valueStart, element.end);
}

/** Decodes one element's value with exact types (no promotion). */
export function decodeElement(raw: Uint8Array, element: RawElement): unknown {
  const view = bufferOf(raw);
  const bytes = view.subarray(element.start, element.end);
  const wrapper = Buffer.alloc(4 + bytes.length + 1);
  wrapper.writeInt32LE(wrapper.length, 0);
  bytes.copy(wrapper, 4);
  return Object.values(BSON.deserialize(wrapper, EXACT_BSON_OPTIONS))[0];
}

/** The elements of a document by name (the last one wins, as with a decoded document). */
export function elementsByName(raw: Uint8Array, offset = 0): Map<string, RawElement> {
  const out = new Map<string, RawElement>();
  for (const element of rawElements(raw, offset)) out.set(element.name, element);
  return out;
}

/** The length of the value of a `type` element starting at `at`. */
export function valueLength(view: Buffer, type: number, at: number): number {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8;
    case 0x02: case 0x0d: case 0x0e: return 4 + view.readInt32LE(at);
    case 0x03: case 0x04: case 0x0f: return view.readInt32LE(at);
    case 0x05: return 5 + view.readInt32LE(at);
    case 0x06: case 0x0a: case 0x7f: case 0xff: return 0;
    case 0x07: return 12;
    case 0x08: return 1;
    case 0x0b: {
      const pattern = view.indexOf(0, at);
      return view.indexOf(0, pattern + 1) + 1 - at;
    }
    case 0x0c: return 4 + view.readInt32LE(at) + 12;
    case 0x10: return 4;
    case 0x13: return 16;
    default: throw new Error(`unknown BSON type 0x${type.toString(16)} at offset ${at}`);
  }
}
