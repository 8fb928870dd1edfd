import { Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp, type Document } from 'bson';
import { CommandError } from '../errors.js';

/**
 * mongod's E11000 error: code 11000 DuplicateKey with keyPattern and keyValue, and an errmsg such as
 * `E11000 duplicate key error collection: db.c index: _id_ dup key: { _id: 1 }`.
 */
export function duplicateKeyError(ns: string, indexName: string, keyPattern: Document, keyValue: Document): CommandError {
  const shown = Object.entries(keyValue).map(([k, v]) => `${k}: ${formatKeyValue(v)}`).join(', ');
  return new CommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`,
    { keyPattern, keyValue },
  );
}

/** Formats a value the way mongod prints it in error messages (close to the shell's representation). */
export function formatKeyValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Int32 || v instanceof Double) return String(v.value);
  if (v instanceof Long) return v.toString();
  if (v instanceof Decimal128) return v.toString();
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof Timestamp) return `Timestamp(${v.high}, ${v.low})`;
  if (v instanceof Binary) return `BinData(${v.sub_type}, ${Buffer.from(v.buffer).toString('hex').toUpperCase()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatKeyValue).join(', ')} ]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Document);
    return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${formatKeyValue(x)}`).join(', ')} }` : '{}';
  }
  return String(v);
}
