/**
 * MongoDB's BSON comparison order, applied to raw bytes: the order in which `sort({_id: 1})` returns documents
 * under the simple collation. The sampler walks both clusters in that order and must know which side is behind
 * when two `_id`s differ, so it compares them exactly as the server does.
 *
 * The order (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/): values first compare by
 * type bracket (numbers of every type share one, as do strings and symbols), then within a bracket by value;
 * embedded documents and arrays compare element by element (type bracket, then field name, then value), and the
 * shorter one is less when one is a prefix of the other. Strings compare by their UTF-8 bytes (simple collation).
 *
 * Limitation: a Decimal128 compared with another number is compared through its double approximation, so two
 * numeric `_id`s closer than a double can tell apart may be ordered wrongly. This only affects which sample
 * differences are reported, never whether a difference is found (the hashes decide that).
 */
import { Decimal128 } from 'mongodb';
import { rawElements, type RawElement } from '../bson/raw_elements.js';

/** BSON element type bytes (https://bsonspec.org/spec.html). */
const BSON_TYPE = Object.freeze({
  double: 0x01,
  string: 0x02,
  document: 0x03,
  array: 0x04,
  binary: 0x05,
  undefined: 0x06,
  objectId: 0x07,
  boolean: 0x08,
  date: 0x09,
  null: 0x0a,
  regex: 0x0b,
  dbPointer: 0x0c,
  code: 0x0d,
  symbol: 0x0e,
  codeWithScope: 0x0f,
  int32: 0x10,
  timestamp: 0x11,
  int64: 0x12,
  decimal128: 0x13,
  minKey: 0xff,
  maxKey: 0x7f,
} as const);

/**
 * The comparison bracket of each type, as mongod's `canonicalizeBSONType` numbers them: types with the same rank
 * compare by value.
 */
const CANONICAL_RANK: Readonly<Record<number, number>> = Object.freeze({
  [BSON_TYPE.minKey]: -1,
  [BSON_TYPE.undefined]: 0,
  [BSON_TYPE.null]: 5,
  [BSON_TYPE.double]: 10,
  [BSON_TYPE.int32]: 10,
  [BSON_TYPE.int64]: 10,
  [BSON_TYPE.decimal128]: 10,
  [BSON_TYPE.string]: 15,
  [BSON_TYPE.symbol]: 15,
  [BSON_TYPE.document]: 20,
  [BSON_TYPE.array]: 25,
  [BSON_TYPE.binary]: 30,
  [BSON_TYPE.objectId]: 35,
  [BSON_TYPE.boolean]: 40,
  [BSON_TYPE.date]: 45,
  [BSON_TYPE.timestamp]: 47,
  [BSON_TYPE.regex]: 50,
  [BSON_TYPE.dbPointer]: 55,
  [BSON_TYPE.code]: 60,
  [BSON_TYPE.codeWithScope]: 65,
  [BSON_TYPE.maxKey]: 127,
});

/** The `_id` element of a raw document, or undefined when it has none. */
export function rawIdElement(document: Uint8Array): RawElement | undefined {
  for (const element of rawElements(document)) if (element.name === '_id') return element;
  return undefined;
}

/**
 * Compares two documents by `_id` in BSON order: negative when `a` sorts first, 0 when the `_id`s are equal in
 * that order (Int32 1 and Double 1.0 are equal), positive otherwise. A missing `_id` sorts first.
 */
export function compareRawIds(a: Uint8Array, b: Uint8Array): number {
  const left = rawIdElement(a);
  const right = rawIdElement(b);
  if (left === undefined || right === undefined) return (left === undefined ? 0 : 1) - (right === undefined ? 0 : 1);
  return compareRawValues(left, right);
}

/** Compares two element values in BSON order (names are not compared). */
export function compareRawValues(a: RawElement, b: RawElement): number {
  const rankDifference = rankOf(a.type) - rankOf(b.type);
  if (rankDifference !== 0) return Math.sign(rankDifference);
  switch (rankOf(a.type)) {
    case -1: case 0: case 5: case 127:
      return 0;
    case 10:
      return compareNumbers(a, b);
    case 15: case 60:
      return compareBytes(stringBytes(a), stringBytes(b));
    case 20: case 25:
      return compareDocuments(a.bytes, a.valueStart, b.bytes, b.valueStart);
    case 30:
      return compareBinaries(a, b);
    case 35:
      return compareBytes(valueBytes(a), valueBytes(b));
    case 40:
      return Math.sign((a.bytes[a.valueStart] ?? 0) - (b.bytes[b.valueStart] ?? 0));
    case 45:
      return compareBigInts(a.bytes.readBigInt64LE(a.valueStart), b.bytes.readBigInt64LE(b.valueStart));
    case 47:
      // Timestamps compare as unsigned 64-bit values: seconds (high word) first, then the increment.
      return compareBigInts(a.bytes.readBigUInt64LE(a.valueStart), b.bytes.readBigUInt64LE(b.valueStart));
    case 50:
      return compareRegexes(a, b);
    case 65: {
      const code = compareBytes(codeWithScopeCode(a), codeWithScopeCode(b));
      if (code !== 0) return code;
      return compareDocuments(a.bytes, codeWithScopeScope(a), b.bytes, codeWithScopeScope(b));
    }
    default:
      // DBPointer, deprecated: its bytes (namespace, then ObjectId) order it well enough.
      return compareBytes(valueBytes(a), valueBytes(b));
  }
}

function rankOf(type: number): number {
  const rank = CANONICAL_RANK[type];
  if (rank === undefined) throw new RangeError(`unknown BSON type 0x${type.toString(16)}`);
  return rank;
}

/** Documents and arrays: element by element, each by type bracket, then name, then value; a prefix sorts first. */
function compareDocuments(aBytes: Buffer, aOffset: number, bBytes: Buffer, bOffset: number): number {
  const left = rawElements(aBytes, aOffset);
  const right = rawElements(bBytes, bOffset);
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done === true || r.done === true) return (l.done === true ? 0 : 1) - (r.done === true ? 0 : 1);
    const rank = rankOf(l.value.type) - rankOf(r.value.type);
    if (rank !== 0) return Math.sign(rank);
    const name = compareBytes(Buffer.from(l.value.name, 'utf8'), Buffer.from(r.value.name, 'utf8'));
    if (name !== 0) return name;
    const value = compareRawValues(l.value, r.value);
    if (value !== 0) return value;
  }
}

/** BinData: by length, then subtype, then bytes (as mongod does). */
function compareBinaries(a: RawElement, b: RawElement): number {
  const length = a.bytes.readInt32LE(a.valueStart) - b.bytes.readInt32LE(b.valueStart);
  if (length !== 0) return Math.sign(length);
  const subtype = (a.bytes[a.valueStart + 4] ?? 0) - (b.bytes[b.valueStart + 4] ?? 0);
  if (subtype !== 0) return Math.sign(subtype);
  return compareBytes(a.bytes.subarray(a.valueStart + 5, a.end), b.bytes.subarray(b.valueStart + 5, b.end));
}

/** Regular expressions: pattern, then options, each as a C string. */
function compareRegexes(a: RawElement, b: RawElement): number {
  const aPatternEnd = a.bytes.indexOf(0, a.valueStart);
  const bPatternEnd = b.bytes.indexOf(0, b.valueStart);
  const pattern = compareBytes(a.bytes.subarray(a.valueStart, aPatternEnd), b.bytes.subarray(b.valueStart, bPatternEnd));
  if (pattern !== 0) return pattern;
  return compareBytes(a.bytes.subarray(aPatternEnd + 1, a.end - 1), b.bytes.subarray(bPatternEnd + 1, b.end - 1));
}

/** A numeric value read exactly: integers as bigint, doubles as number, decimals as their double approximation. */
type ExactNumber = { readonly integer: bigint } | { readonly double: number };

function readNumber(element: RawElement): ExactNumber {
  const { bytes, valueStart } = element;
  switch (element.type) {
    case BSON_TYPE.int32:
      return { integer: BigInt(bytes.readInt32LE(valueStart)) };
    case BSON_TYPE.int64:
      return { integer: bytes.readBigInt64LE(valueStart) };
    case BSON_TYPE.double:
      return { double: bytes.readDoubleLE(valueStart) };
    default:
      // toString gives "NaN", "Infinity", "-Infinity" or a decimal literal, which Number() reads as a double.
      return { double: Number(new Decimal128(Buffer.from(bytes.subarray(valueStart, valueStart + 16))).toString()) };
  }
}

/** Numbers of any type, by value; NaN sorts before every other number, as in mongod. */
function compareNumbers(a: RawElement, b: RawElement): number {
  const left = readNumber(a);
  const right = readNumber(b);
  if ('integer' in left && 'integer' in right) return compareBigInts(left.integer, right.integer);
  if ('double' in left && 'double' in right) return compareDoubles(left.double, right.double);
  if ('integer' in left) return 0 - compareDoubleWithInteger((right as { double: number }).double, left.integer) || 0;
  return compareDoubleWithInteger(left.double, (right as { integer: bigint }).integer);
}

function compareDoubles(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return (Number.isNaN(a) ? 0 : 1) - (Number.isNaN(b) ? 0 : 1);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A double against a 64-bit integer without losing the integer's precision. */
function compareDoubleWithInteger(double: number, integer: bigint): number {
  if (Number.isNaN(double)) return -1;
  if (double === Number.POSITIVE_INFINITY) return 1;
  if (double === Number.NEGATIVE_INFINITY) return -1;
  const floor = Math.floor(double);
  const floorComparison = compareBigInts(BigInt(floor), integer);
  if (floor === double) return floorComparison;
  // double lies strictly between floor and floor + 1: it is above the integer exactly when floor >= integer.
  return floorComparison >= 0 ? 1 : -1;
}

function compareBigInts(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Math.sign(Buffer.compare(a, b));
}

function valueBytes(element: RawElement): Buffer {
  return element.bytes.subarray(element.valueStart, element.end);
}

/** A string-like value's UTF-8 bytes, without the length prefix and the terminating zero. */
function stringBytes(element: RawElement): Buffer {
  return element.bytes.subarray(element.valueStart + 4, element.end - 1);
}

function codeWithScopeCode(element: RawElement): Buffer {
  const codeLength = element.bytes.readInt32LE(element.valueStart + 4);
  return element.bytes.subarray(element.valueStart + 8, element.valueStart + 8 + codeLength - 1);
}

function codeWithScopeScope(element: RawElement): number {
  return element.valueStart + 8 + element.bytes.readInt32LE(element.valueStart + 4);
}

