import { Decimal128, Double, Int32, Long } from 'bson';
import { decAdd, decDiv, decFrom, decFromBigInt, decFromDouble, decMul, decNegate, decToDecimal128, decToNumber, type Dec } from './decimal.js';

/**
 * mongod's numeric types in widening order: an operation's result has the widest type of its operands
 * (int < long < double < decimal), except where an integer result overflows its type.
 */
export const NUM_KIND = Object.freeze({ int: 0, long: 1, double: 2, decimal: 3 } as const);
export type NumKind = keyof typeof NUM_KIND;

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The numeric kind of a value, or undefined for a non-number. A plain JS number (not produced by exact decoding)
 * counts as an int when bson would encode it as one (an integer in int32 range), else as a double.
 */
export function numKind(v: unknown): NumKind | undefined {
  if (v instanceof Int32) return 'int';
  if (v instanceof Long) return 'long';
  if (v instanceof Double) return 'double';
  if (v instanceof Decimal128) return 'decimal';
  if (typeof v === 'number') return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0) ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  return undefined;
}

/** True for int, long, double and decimal values. */
export function isNumber(v: unknown): boolean {
  return numKind(v) !== undefined;
}

/** The value as a double. */
export function asDouble(v: unknown): number {
  if (v instanceof Int32 || v instanceof Double) return v.value;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return decToNumber(decFrom(v));
  if (typeof v === 'bigint') return Number(v);
  return v as number;
}

/** An int or long as a BigInt (doubles truncated; only call for integral kinds). */
export function asBigInt(v: unknown): bigint {
  if (v instanceof Long) return v.toBigInt();
  if (typeof v === 'bigint') return v;
  return BigInt(Math.trunc(asDouble(v)));
}

/** The value as an exact decimal (doubles rounded to 15 digits as mongod converts them). */
export function asDec(v: unknown): Dec {
  if (v instanceof Decimal128) return decFrom(v);
  const kind = numKind(v);
  if (kind === 'int' || kind === 'long') return decFromBigInt(asBigInt(v));
  return decFromDouble(asDouble(v));
}

export function makeInt(n: number): Int32 {
  return new Int32(n);
}

export function makeDouble(n: number): Double {
  return new Double(n);
}

export function makeLong(b: bigint): Long {
  return Long.fromBigInt(b);
}

export function makeDecimal(d: Dec): Decimal128 {
  return decToDecimal128(d);
}

/** mongod's Value::createIntOrLong: an int when it fits in 32 bits, else a long. */
export function intOrLong(b: bigint): Int32 | Long {
  return b >= INT32_MIN && b <= INT32_MAX ? makeInt(Number(b)) : makeLong(b);
}

/** True when the integer fits in a signed 64-bit long. */
export function fitsLong(b: bigint): boolean {
  return b >= INT64_MIN && b <= INT64_MAX;
}

/** True when the double is an integer that fits in a long (without rounding at the top). */
export function doubleFitsLong(x: number): boolean {
  return Number.isInteger(x) && x >= -9223372036854775808 && x < 9223372036854775808;
}

/** True when the double is an integer that fits in an int. */
export function doubleFitsInt(x: number): boolean {
  return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647;
}

/** The wider of two kinds. */
export function widest(a: NumKind, b: NumKind): NumKind {
  return NUM_KIND[a] >= NUM_KIND[b] ? a : b;
}

/** An integer result of kind `kind` (int or long), overflowing to long then double as mongod does. */
export function integerResult(b: bigint, kind: 'int' | 'long'): Int32 | Long | Double {
  if (kind === 'int' && b >= INT32_MIN && b <= INT32_MAX) return makeInt(Number(b));
  if (fitsLong(b)) return makeLong(b);
  return makeDouble(Number(b));
}

type Op = 'add' | 'sub' | 'mul';

/** a op b for two numbers with mongod's result-type rules. */
export function arith(op: Op, a: unknown, b: unknown): Int32 | Long | Double | Decimal128 {
  const kind = widest(numKind(a)!, numKind(b)!);
  if (kind === 'decimal') {
    const x = asDec(a);
    const y = asDec(b);
    const r = op === 'add' ? decAdd(x, y) : op === 'sub' ? decAdd(x, decNegate(y)) : decMul(x, y);
    return makeDecimal(r);
  }
  if (kind === 'double') {
    const x = asDouble(a);
    const y = asDouble(b);
    return makeDouble(op === 'add' ? x + y : op === 'sub' ? x - y : x * y);
  }
  const x = asBigInt(a);
  const y = asBigInt(b);
  return integerResult(op === 'add' ? x + y : op === 'sub' ? x - y : x * y, kind);
}

/** a / b: a double, or a decimal when either side is one. The caller has refused division by zero. */
export function divide(a: unknown, b: unknown): Double | Decimal128 {
  if (numKind(a) === 'decimal' || numKind(b) === 'decimal') return makeDecimal(decDiv(asDec(a), asDec(b)));
  return makeDouble(asDouble(a) / asDouble(b));
}

/** True when the number is zero (any type). */
export function isZero(v: unknown): boolean {
  if (v instanceof Decimal128) {
    const d = decFrom(v);
    return d.kind === 'finite' && d.coef === 0n;
  }
  return asDouble(v) === 0;
}

/** Re-creates a number of the given kind from a double result (for unary math functions). */
export function fromDoubleAs(kind: NumKind, x: number, original?: unknown): Int32 | Long | Double | Decimal128 {
  if (kind === 'decimal') return makeDecimal(decFromDouble(x));
  if (kind === 'int' && doubleFitsInt(x)) return makeInt(x);
  if (kind === 'long' && doubleFitsLong(x)) return makeLong(BigInt(x));
  void original;
  return makeDouble(x);
}
