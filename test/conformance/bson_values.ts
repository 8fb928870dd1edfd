import { BSON } from 'mongodb';

/**
 * Type tests and comparisons over the values that the conformance runner sees: BSON class instances (the driver runs
 * with `promoteValues: false`, test files are parsed as canonical Extended JSON) and the plain JS numbers that the
 * driver puts in its result objects (`deletedCount`, ...). Classes are recognised by `_bsontype` rather than by
 * `instanceof`, because the driver and a test may load different copies of the `bson` package.
 */

/** A value with a `_bsontype` tag (Int32, Long, ObjectId, ...). */
interface TaggedValue {
  _bsontype: string;
}

/** The tag of a BSON class instance, or undefined for anything else. */
export function bsonTag(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const tag = (value as Partial<TaggedValue>)._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** True for a BSON document as the runner handles it: a plain (or result) object, not a BSON scalar, Date or array. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    bsonTag(value) === undefined &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof RegExp)
  );
}

/** True for the numeric types that flexible numeric comparison covers (not Decimal128, as the spec says). */
export function isFlexibleNumber(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return true;
  const tag = bsonTag(value);
  return tag === 'Int32' || tag === 'Double' || tag === 'Long';
}

/** A numeric value as either an exact integer or a double, so that large longs compare without precision loss. */
type NumericValue = { kind: 'integer'; value: bigint } | { kind: 'double'; value: number };

function numericValue(value: unknown): NumericValue {
  if (typeof value === 'bigint') return { kind: 'integer', value };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { kind: 'integer', value: BigInt(value) } : { kind: 'double', value };
  }
  const tag = bsonTag(value);
  if (tag === 'Long') return { kind: 'integer', value: BigInt((value as { toString(): string }).toString()) };
  const n = (value as { valueOf(): number }).valueOf();
  return Number.isSafeInteger(n) ? { kind: 'integer', value: BigInt(n) } : { kind: 'double', value: n };
}

/** Compares two flexible numbers by value: negative, zero or positive; NaN equals only NaN (returns 0) else NaN. */
export function compareNumbers(a: unknown, b: unknown): number {
  const x = numericValue(a);
  const y = numericValue(b);
  if (x.kind === 'integer' && y.kind === 'integer') return x.value === y.value ? 0 : x.value < y.value ? -1 : 1;
  const dx = x.kind === 'integer' ? Number(x.value) : x.value;
  const dy = y.kind === 'integer' ? Number(y.value) : y.value;
  if (Number.isNaN(dx) || Number.isNaN(dy)) return Number.isNaN(dx) && Number.isNaN(dy) ? 0 : Number.NaN;
  return dx === dy ? 0 : dx < dy ? -1 : 1;
}

/**
 * The `$type` alias of a value (https://www.mongodb.com/docs/manual/reference/operator/query/type/). A plain JS number
 * (only found in driver result objects) is an "int" when it is a 32-bit integer, a "long" when a larger integer, and a
 * "double" otherwise.
 */
export function bsonTypeAlias(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value >= -(2 ** 31) && value < 2 ** 31 ? 'int' : 'long';
    return 'double';
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'binData';
  if (value instanceof RegExp) return 'regex';
  const tag = bsonTag(value);
  switch (tag) {
    case undefined:
      return 'object';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'Code':
      return (value as { scope?: unknown }).scope == null ? 'javascript' : 'javascriptWithScope';
    case 'BSONSymbol':
      return 'symbol';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'DBRef':
      return 'object';
    default:
      return tag.toLowerCase();
  }
}

/** True when `value` is of one of the `$type` aliases in `types` ("number" covers int, long, double, decimal). */
export function hasBsonType(value: unknown, types: readonly string[]): boolean {
  const alias = bsonTypeAlias(value);
  return types.some(
    (t) => t === alias || (t === 'number' && ['int', 'long', 'double', 'decimal'].includes(alias)),
  );
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (bsonTag(value) === 'Binary') {
    const binary = value as { buffer: Uint8Array; position?: number };
    return binary.buffer.subarray(0, binary.position ?? binary.buffer.length);
  }
  return undefined;
}

function binarySubtype(value: unknown): number {
  return bsonTag(value) === 'Binary' ? (value as { sub_type: number }).sub_type : 0;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of a Binary (or Uint8Array) value as lowercase hex; undefined for other values. */
export function hexOfBytes(value: unknown): string | undefined {
  const bytes = bytesOf(value);
  if (bytes === undefined) return undefined;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function regexParts(value: unknown): { pattern: string; flags: string } {
  if (value instanceof RegExp) return { pattern: value.source, flags: [...value.flags].sort().join('') };
  const r = value as { pattern: string; options: string };
  return { pattern: r.pattern, flags: [...r.options].sort().join('') };
}

/** Equality of two non-document, non-array values of the same `$type`; flexible numbers are compared elsewhere. */
export function scalarsEqual(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  const alias = bsonTypeAlias(expected);
  if (alias !== bsonTypeAlias(actual)) return false;
  switch (alias) {
    case 'date':
      return (expected as Date).getTime() === (actual as Date).getTime();
    case 'objectId':
      return (expected as { toHexString(): string }).toHexString() === (actual as { toHexString(): string }).toHexString();
    case 'binData': {
      const a = bytesOf(expected);
      const b = bytesOf(actual);
      return a !== undefined && b !== undefined && binarySubtype(expected) === binarySubtype(actual) && bytesEqual(a, b);
    }
    case 'timestamp':
    case 'decimal':
      return String(expected) === String(actual);
    case 'regex': {
      const a = regexParts(expected);
      const b = regexParts(actual);
      return a.pattern === b.pattern && a.flags === b.flags;
    }
    case 'minKey':
    case 'maxKey':
    case 'null':
    case 'undefined':
      return true;
    case 'javascript':
      return (expected as { code: string }).code === (actual as { code: string }).code;
    case 'symbol':
      return String((expected as { value: string }).value) === String((actual as { value: string }).value);
    default:
      return false;
  }
}

/** A short rendering of a value for failure messages (relaxed Extended JSON, truncated). */
export function describeValue(value: unknown, maxLength = 200): string {
  let text: string;
  if (value === undefined) return '<unset>';
  try {
    text = BSON.EJSON.stringify(value as BSON.Document, { relaxed: true });
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
