import {
  Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp,
  type Document,
} from 'bson';

/**
 * The canonical type order of MongoDB (canonicalizeBSONType in src/mongo/bson/bsontypes.h): values of different
 * types compare by these ranks before their values. Numbers share one rank, as do strings and symbols.
 */
export const CANONICAL_RANK = Object.freeze({
  minKey: -1,
  undefined: 0,
  null: 5,
  number: 10,
  string: 15,
  object: 20,
  array: 25,
  binData: 30,
  objectId: 35,
  bool: 40,
  date: 45,
  timestamp: 47,
  regex: 50,
  dbPointer: 55,
  code: 60,
  codeWithScope: 65,
  maxKey: 127,
} as const);

/** The canonical rank of a decoded BSON value (missing fields rank as null, as in sort keys). */
export function canonicalRank(v: unknown): number {
  if (v === null) return CANONICAL_RANK.null;
  if (v === undefined) return CANONICAL_RANK.undefined;
  switch (typeof v) {
    case 'number': case 'bigint': return CANONICAL_RANK.number;
    case 'string': return CANONICAL_RANK.string;
    case 'boolean': return CANONICAL_RANK.bool;
    default: break;
  }
  // Timestamp extends Long in the bson library: test it first.
  if (v instanceof Timestamp) return CANONICAL_RANK.timestamp;
  if (v instanceof Int32 || v instanceof Double || v instanceof Long || v instanceof Decimal128) {
    return CANONICAL_RANK.number;
  }
  if (v instanceof BSONSymbol) return CANONICAL_RANK.string;
  if (Array.isArray(v)) return CANONICAL_RANK.array;
  if (v instanceof Date) return CANONICAL_RANK.date;
  if (v instanceof ObjectId) return CANONICAL_RANK.objectId;
  if (v instanceof Binary || v instanceof Uint8Array) return CANONICAL_RANK.binData;
  if (v instanceof BSONRegExp || v instanceof RegExp) return CANONICAL_RANK.regex;
  if (v instanceof MinKey) return CANONICAL_RANK.minKey;
  if (v instanceof MaxKey) return CANONICAL_RANK.maxKey;
  if (v instanceof Code) return v.scope ? CANONICAL_RANK.codeWithScope : CANONICAL_RANK.code;
  if (v instanceof DBRef) return CANONICAL_RANK.object; // DBRef is an ordinary document on the wire
  if (isDbPointer(v)) return CANONICAL_RANK.dbPointer;
  return CANONICAL_RANK.object;
}

function isDbPointer(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'DBPointer';
}

/** True for any BSON numeric value (int, long, double, decimal). */
export function isNumeric(v: unknown): boolean {
  return canonicalRank(v) === CANONICAL_RANK.number;
}

/**
 * A numeric value as a JS number (doubles exact; longs beyond 2^53 and decimals are approximated, which only
 * matters when comparing such values with each other, handled separately below).
 */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Int32 || v instanceof Double) return v.value;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return decimalToNumber(v);
  return NaN;
}

function decimalToNumber(d: Decimal128): number {
  const s = d.toString();
  if (s === 'Infinity' || s === '-Infinity') return Number(s);
  if (s === 'NaN' || s === '-NaN') return NaN;
  return Number(s);
}

/** Compares two numbers as mongod does: NaN is smaller than every other number and equal to itself; -0 == 0. */
export function compareNumbers(a: unknown, b: unknown): number {
  if (a instanceof Long && b instanceof Long && !(a instanceof Timestamp) && !(b instanceof Timestamp)) return a.compare(b);
  const x = toNumber(a);
  const y = toNumber(b);
  const xNaN = Number.isNaN(x);
  const yNaN = Number.isNaN(y);
  if (xNaN || yNaN) return xNaN && yNaN ? 0 : xNaN ? -1 : 1;
  if (x < y) return -1;
  if (x > y) return 1;
  // Equal as doubles: a Long beyond 2^53 may still differ from a double of the same rounded value.
  if (a instanceof Long && !(b instanceof Long) && Number.isInteger(y)) return a.compare(Long.fromNumber(y));
  if (b instanceof Long && !(a instanceof Long) && Number.isInteger(x)) return Long.fromNumber(x).compare(b);
  return 0;
}

/** Compares strings by their UTF-8 bytes, as mongod's simple collation does. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order unless a surrogate pair meets a code unit above U+D7FF.
  if (!HIGH_UNITS.test(a) && !HIGH_UNITS.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
const HIGH_UNITS = /[\uD800-\uFFFF]/;

function stringOf(v: unknown): string {
  return v instanceof BSONSymbol ? v.value : (v as string);
}

function bytesOf(v: Binary | Uint8Array): Uint8Array {
  return v instanceof Binary ? v.buffer.subarray(0, v.position) : v;
}

function subtypeOf(v: Binary | Uint8Array): number {
  return v instanceof Binary ? v.sub_type : 0;
}

/**
 * Compares two decoded BSON values in MongoDB's order (the order of sort and of index keys): canonical type rank
 * first, then the value. Embedded documents compare field by field (type, then name, then value); arrays element by
 * element. Returns a negative number, zero or a positive number.
 */
export function compareValues(a: unknown, b: unknown): number {
  // The usual `_id` index comparisons first: two Int32 or two strings (same result as the general path).
  if (a instanceof Int32 && b instanceof Int32) return a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const ra = canonicalRank(a);
  const rb = canonicalRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case CANONICAL_RANK.minKey: case CANONICAL_RANK.maxKey: case CANONICAL_RANK.null: case CANONICAL_RANK.undefined:
      return 0;
    case CANONICAL_RANK.number: return compareNumbers(a, b);
    case CANONICAL_RANK.string: return compareStrings(stringOf(a), stringOf(b));
    case CANONICAL_RANK.object: return compareDocuments(a as Document, b as Document);
    case CANONICAL_RANK.array: return compareArrays(a as unknown[], b as unknown[]);
    case CANONICAL_RANK.binData: {
      const x = a as Binary | Uint8Array;
      const y = b as Binary | Uint8Array;
      const bx = bytesOf(x);
      const by = bytesOf(y);
      if (bx.length !== by.length) return bx.length < by.length ? -1 : 1;
      if (subtypeOf(x) !== subtypeOf(y)) return subtypeOf(x) < subtypeOf(y) ? -1 : 1;
      return Buffer.compare(bx, by);
    }
    case CANONICAL_RANK.objectId: return Buffer.compare((a as ObjectId).id, (b as ObjectId).id);
    case CANONICAL_RANK.bool: return a === b ? 0 : a ? 1 : -1;
    case CANONICAL_RANK.date: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x === y ? 0 : x < y ? -1 : 1;
    }
    case CANONICAL_RANK.timestamp: return (a as Timestamp).compare(b as Timestamp);
    case CANONICAL_RANK.regex: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return compareStrings(pa, pb) || compareStrings(fa, fb);
    }
    case CANONICAL_RANK.code: return compareStrings((a as Code).code, (b as Code).code);
    case CANONICAL_RANK.codeWithScope:
      return compareStrings((a as Code).code, (b as Code).code) || compareDocuments((a as Code).scope!, (b as Code).scope!);
    case CANONICAL_RANK.dbPointer: {
      const x = a as unknown as { namespace: string; oid: ObjectId };
      const y = b as unknown as { namespace: string; oid: ObjectId };
      return compareStrings(x.namespace, y.namespace) || Buffer.compare(x.oid.id, y.oid.id);
    }
    default: return 0;
  }
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof BSONRegExp) return [v.pattern, v.options];
  const r = v as RegExp;
  return [r.source, r.flags];
}

function compareDocuments(a: Document, b: Document): number {
  const ea = documentEntries(a);
  const eb = documentEntries(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const [ka, va] = ea[i];
    const [kb, vb] = eb[i];
    const ra = canonicalRank(va);
    const rb = canonicalRank(vb);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const byName = compareStrings(ka, kb);
    if (byName) return byName;
    const byValue = compareValues(va, vb);
    if (byValue) return byValue;
  }
  return ea.length === eb.length ? 0 : ea.length < eb.length ? -1 : 1;
}

function documentEntries(d: Document): [string, unknown][] {
  if (d instanceof DBRef) return Object.entries(d.toJSON());
  return Object.entries(d);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** True when two values are equal in MongoDB's sense (1 == 1.0 == NumberLong(1); field order matters). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}
