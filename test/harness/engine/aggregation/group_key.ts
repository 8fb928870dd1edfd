import { valuesEqual } from '../bson_order.js';
import { isObject } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { asBigInt, asDec, asDouble, isNumber, makeDouble, numKind } from './numeric.js';

/**
 * A string key under which values equal in MongoDB's sense (1, 1.0 and NumberLong(1); documents with equal
 * fields in the same order) fall together, for $group and $addToSet.
 */
export function groupKey(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (isNumber(v)) {
    const kind = numKind(v);
    if (kind === 'int' || kind === 'long') return `n${asBigInt(v).toString()}`;
    const x = kind === 'decimal' ? asDouble(v) : asDouble(v);
    if (Number.isNaN(x)) return 'nNaN';
    if (Number.isInteger(x) && Math.abs(x) < 2 ** 63) {
      if (kind === 'decimal') return `n${asDec(v).kind === 'finite' ? decimalIntegerKey(v) : String(x)}`;
      return `n${BigInt(x).toString()}`;
    }
    return kind === 'decimal' ? `n${decimalKey(v)}` : `n${x}`;
  }
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `[${v.map(groupKey).join(',')}]`;
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${groupKey(x)}`).join(',')}}`;
  const type = typeName(v);
  if (type === 'date') return `d${(v as Date).getTime()}`;
  if (type === 'objectId') return `o${(v as { toHexString(): string }).toHexString()}`;
  if (type === 'bool') return `b${String(v)}`;
  if (type === 'binData') {
    const b = v as { sub_type?: number; buffer?: Uint8Array; position?: number };
    const bytes = b.buffer ? Buffer.from(b.buffer.subarray(0, b.position)) : Buffer.from(v as Uint8Array);
    return `x${b.sub_type ?? 0}:${bytes.toString('hex')}`;
  }
  return `${type}:${String((v as { toString(): string }).toString())}:${JSON.stringify(v)}`;
}

function decimalIntegerKey(v: unknown): string {
  const d = asDec(v);
  if (d.kind !== 'finite') return String(asDouble(v));
  const b = d.exp >= 0 ? d.coef * 10n ** BigInt(d.exp) : d.coef / 10n ** BigInt(-d.exp);
  return (d.neg && b !== 0n ? -b : b).toString();
}

function decimalKey(v: unknown): string {
  const d = asDec(v);
  if (d.kind !== 'finite') return String(asDouble(v));
  // The decimal equal to a double must key like that double; otherwise key by the exact normalized decimal.
  const x = asDouble(v);
  if (valuesEqual(v, makeDouble(x))) return String(x);
  let { coef, exp } = d;
  while (coef !== 0n && coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return `${d.neg ? '-' : ''}${coef}e${exp}`;
}
