import { Binary, BSONRegExp, BSONSymbol, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';
import { isDocument } from '../query/paths.js';

/**
 * A value printed as mongod prints BSON in error messages (BSONElement::toString, roughly the shell's syntax):
 * `{ a: 1, b: "x" }`, `[ 1, 2 ]`, `ObjectId('...')`, `1.5`, `NumberLong(5)`.
 */
export function formatValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Int32) return String(v.value);
  if (v instanceof Double) return formatDouble(v.value);
  if (v instanceof Long) return String(v.toString());
  if (v instanceof Decimal128) return `NumberDecimal("${v.toString()}")`;
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof Timestamp) return `Timestamp(${v.high}, ${v.low})`;
  if (v instanceof BSONRegExp) return `/${v.pattern}/${v.options}`;
  if (v instanceof BSONSymbol) return JSON.stringify(v.value);
  if (v instanceof Binary) return `BinData(${v.sub_type}, ${Buffer.from(v.buffer.subarray(0, v.position)).toString('hex').toUpperCase()})`;
  if (Array.isArray(v)) return v.length ? `[ ${v.map(formatValue).join(', ')} ]` : '[]';
  if (isDocument(v)) {
    const keys = Object.keys(v);
    return keys.length ? `{ ${keys.map((k) => `${k}: ${formatValue(v[k])}`).join(', ')} }` : '{}';
  }
  return String(v);
}

function formatDouble(x: number): string {
  if (Number.isInteger(x) && !Object.is(x, -0)) return `${x}.0`;
  return String(x);
}

/** `name: value` as BSONElement::toString prints an element. */
export function formatElement(name: string, v: unknown): string {
  return `${name}: ${formatValue(v)}`;
}

/** mongod's typeName() for a value, as used in update error messages. */
export function updateTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Int32) return 'int';
  if (v instanceof Double || typeof v === 'number') return 'double';
  if (v instanceof Long) return 'long';
  if (v instanceof Decimal128) return 'decimal';
  if (v instanceof ObjectId) return 'objectId';
  if (v instanceof Date) return 'date';
  if (v instanceof Timestamp) return 'timestamp';
  if (v instanceof BSONRegExp) return 'regex';
  if (v instanceof Binary) return 'binData';
  if (Array.isArray(v)) return 'array';
  if (isDocument(v)) return 'object';
  return 'unknown';
}
