import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, type Document } from 'bson';

/**
 * A document in mongod's BSONObj::toString() form (`{ find: "c", filter: { a: 1 }, $db: "shop" }`), the text
 * mongod puts into messages such as "not authorized on shop to execute command { ... }". Values are expected as
 * decoded with EXACT_DECODE (Int32, Double and Long stay classes), so numbers print as mongod prints them.
 */
export function bsonToString(doc: Document): string {
  const entries = Object.entries(doc);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${k}: ${valueToString(v)}`).join(', ')} }`;
}

function doubleToString(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return Number.isInteger(n) && Math.abs(n) < 1e16 ? n.toFixed(1) : String(n);
}

function valueToString(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return doubleToString(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Double) return doubleToString(v.value);
  if (v instanceof Int32) return String(v.value);
  if (v instanceof Timestamp) return `Timestamp(${v.high}, ${v.low})`;
  if (v instanceof Long) return v.toString();
  if (v instanceof Decimal128) return `NumberDecimal("${v.toString()}")`;
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof Binary) {
    if (v.sub_type === Binary.SUBTYPE_UUID && v.position === 16) return `UUID("${v.toUUID().toHexString(true)}")`;
    return `BinData(${v.sub_type}, ${Buffer.from(v.buffer.subarray(0, v.position)).toString('hex').toUpperCase()})`;
  }
  if (v instanceof BSONRegExp) return `/${v.pattern}/${v.options}`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
  if (v instanceof MinKey) return 'MinKey';
  if (v instanceof MaxKey) return 'MaxKey';
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[ ${v.map(valueToString).join(', ')} ]`;
  if (typeof v === 'object') return bsonToString(v as Document);
  return String(v);
}
