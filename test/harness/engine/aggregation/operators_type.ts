import { Binary, Decimal128, Int32, ObjectId, Timestamp, calculateObjectSize, type Document } from 'bson';
import { aggError, fixed, isNullish, isObject, show, truthy, type OperatorCompiler } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { asBigInt, asDec, asDouble, doubleFitsInt, doubleFitsLong, isNumber, makeDecimal, makeDouble, makeInt, makeLong, numKind } from './numeric.js';
import { decFromDouble, decTrunc } from './decimal.js';
import { formatDoubleG } from './operators_string.js';
import { formatIsoDate } from './operators_date.js';

/** $convert's target types by name and by BSON type number. */
const TARGETS: Record<string, string> = {
  double: 'double', string: 'string', objectId: 'objectId', bool: 'bool', date: 'date', int: 'int', long: 'long', decimal: 'decimal',
  1: 'double', 2: 'string', 7: 'objectId', 8: 'bool', 9: 'date', 16: 'int', 18: 'long', 19: 'decimal',
};

const SUFFIX = ' in $convert with no onError value';

function unsupported(from: unknown, to: string): never {
  throw aggError(241, `Unsupported conversion from ${typeName(from)} to ${to}${SUFFIX}`);
}

function parseNumberString(s: string, to: string): number | bigint | Decimal128 {
  const trimmed = s;
  if (to === 'int' || to === 'long') {
    if (!/^[+-]?\d+$/.test(trimmed)) {
      const bad = [...trimmed].find((c) => !/[\d+-]/.test(c)) ?? trimmed[0];
      throw aggError(241, `Failed to parse number '${s}'${SUFFIX}: ${trimmed.length === 0 ? 'No digits' : `Bad digit "${bad}" while parsing ${s}`}`);
    }
    const b = BigInt(trimmed);
    const [lo, hi] = to === 'int' ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (b < lo || b > hi) throw aggError(241, `Failed to parse number '${s}'${SUFFIX}: Overflow`);
    return b;
  }
  if (to === 'decimal') {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) && !/^[+-]?(inf(inity)?|nan)$/i.test(trimmed)) {
      throw aggError(241, `Failed to parse number '${s}'${SUFFIX}: Failed to parse string to decimal`);
    }
    return Decimal128.fromStringWithRounding(trimmed.replace(/^\+/, ''));
  }
  if (/^[+-]?(inf(inity)?)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(trimmed)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    throw aggError(241, `Failed to parse number '${s}'${SUFFIX}: Did not consume whole string.`);
  }
  return Number(trimmed);
}

function toIntegral(v: unknown, to: 'int' | 'long'): unknown {
  const make = (b: bigint): unknown => (to === 'int' ? makeInt(Number(b)) : makeLong(b));
  const kind = numKind(v);
  const fits = (b: bigint): boolean => (to === 'int' ? b >= -(2n ** 31n) && b < 2n ** 31n : b >= -(2n ** 63n) && b < 2n ** 63n);
  if (kind === 'int' || kind === 'long') {
    const b = asBigInt(v);
    if (!fits(b)) throw aggError(241, `Conversion would overflow target type${SUFFIX}: ${show(v)}`);
    return make(b);
  }
  if (kind === 'double') {
    const x = asDouble(v);
    if (Number.isNaN(x)) throw aggError(241, `Attempt to convert NaN value to integer type${SUFFIX}`);
    if (!Number.isFinite(x)) throw aggError(241, `Attempt to convert infinity value to integer type${SUFFIX}`);
    const t = Math.trunc(x);
    if (to === 'int' ? !doubleFitsInt(t) : !doubleFitsLong(t)) throw aggError(241, `Conversion would overflow target type${SUFFIX}: ${x}`);
    return make(BigInt(t));
  }
  if (kind === 'decimal') {
    const d = asDec(v);
    if (d.kind === 'nan') throw aggError(241, `Attempt to convert NaN value to integer type${SUFFIX}`);
    const t = decTrunc(d);
    if (t === undefined) throw aggError(241, `Attempt to convert infinity value to integer type${SUFFIX}`);
    if (!fits(t)) throw aggError(241, `Conversion would overflow target type${SUFFIX}: ${show(v)}`);
    return make(t);
  }
  if (typeof v === 'boolean') return make(v ? 1n : 0n);
  if (typeof v === 'string') return make(parseNumberString(v, to) as bigint);
  if (to === 'long' && v instanceof Date) return makeLong(BigInt(v.getTime()));
  return unsupported(v, to);
}

/** Converts a non-null value to a target type with $convert's rules (throws ConversionFailure 241). */
export function convertValue(v: unknown, to: string): unknown {
  switch (to) {
    case 'double': {
      const kind = numKind(v);
      if (kind === 'double') return v;
      if (kind === 'int' || kind === 'long') return makeDouble(Number(asBigInt(v)));
      if (kind === 'decimal') {
        const x = asDouble(v);
        const d = asDec(v);
        if (!Number.isFinite(x) && d.kind === 'finite') throw aggError(241, `Conversion would overflow target type${SUFFIX}: ${show(v)}`);
        return makeDouble(x);
      }
      if (typeof v === 'boolean') return makeDouble(v ? 1 : 0);
      if (typeof v === 'string') return makeDouble(parseNumberString(v, 'double') as number);
      if (v instanceof Date) return makeDouble(v.getTime());
      return unsupported(v, 'double');
    }
    case 'int': return toIntegral(v, 'int');
    case 'long': return toIntegral(v, 'long');
    case 'decimal': {
      const kind = numKind(v);
      if (kind === 'decimal') return v;
      if (kind === 'double') return makeDecimal(decFromDouble(asDouble(v)));
      if (kind) return makeDecimal(asDec(v));
      if (typeof v === 'boolean') return Decimal128.fromString(v ? '1' : '0');
      if (typeof v === 'string') return parseNumberString(v, 'decimal');
      if (v instanceof Date) return Decimal128.fromString(String(v.getTime()));
      return unsupported(v, 'decimal');
    }
    case 'string': {
      if (typeof v === 'string') return v;
      const kind = numKind(v);
      if (kind === 'double') {
        // ExpressionConvert's performFormatDouble: names for the special values, else StringBuilder's "%g".
        const x = asDouble(v);
        if (Number.isNaN(x)) return 'NaN';
        if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
        return formatDoubleG(x);
      }
      if (kind) return (v as { toString(): string }).toString();
      if (typeof v === 'boolean') return String(v);
      if (v instanceof Date) return formatIsoDate(v);
      if (v instanceof ObjectId) return v.toHexString();
      if (v instanceof Binary && v.sub_type === 4) return v.toUUID().toString();
      return unsupported(v, 'string');
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      if (isNumber(v)) return truthy(v);
      return true;
    }
    case 'objectId': {
      if (v instanceof ObjectId) return v;
      if (typeof v === 'string') {
        if (v.length !== 24) throw aggError(241, `Failed to parse objectId '${v}'${SUFFIX}: Invalid string length for parsing to OID, expected 24 but found ${v.length}`);
        if (!/^[0-9a-fA-F]{24}$/.test(v)) throw aggError(241, `Failed to parse objectId '${v}'${SUFFIX}: Invalid character found in hex string: ${v}`);
        return new ObjectId(v);
      }
      return unsupported(v, 'objectId');
    }
    case 'date': {
      if (v instanceof Date) return v;
      const kind = numKind(v);
      if (kind === 'double' || kind === 'long' || kind === 'decimal') {
        const x = kind === 'long' ? Number(asBigInt(v)) : asDouble(v);
        if (!Number.isFinite(x)) throw aggError(241, `Conversion would overflow target type${SUFFIX}: ${show(v)}`);
        return new Date(Math.trunc(x));
      }
      if (v instanceof Timestamp) return new Date(v.getHighBits() * 1000);
      if (v instanceof ObjectId) return v.getTimestamp();
      if (typeof v === 'string') {
        const t = Date.parse(v);
        if (Number.isNaN(t)) throw aggError(241, `Error parsing date string '${v}'${SUFFIX}`);
        return new Date(t);
      }
      return unsupported(v, 'date');
    }
    default:
      throw aggError(2, `Unknown type name: ${to}`);
  }
}

function targetName(to: unknown): string {
  if (typeof to === 'string') {
    if (!(to in TARGETS)) throw aggError(2, `Unknown type name: ${to}`);
    return TARGETS[to];
  }
  if (isNumber(to)) {
    const n = asDouble(to);
    if (!TARGETS[String(n)]) throw aggError(2, `In $convert, numeric value for 'to' does not correspond to a BSON type: ${n}`);
    return TARGETS[String(n)];
  }
  throw aggError(2, `$convert's 'to' argument must be a string or number, but is ${typeName(to)}`);
}

function shorthand(to: string): OperatorCompiler {
  return fixed(1, ([v]) => (isNullish(v) ? null : convertValue(v, to)));
}

/** BSON type names for $type. */
export const TYPE_OPERATORS: Record<string, OperatorCompiler> = {
  $type: fixed(1, ([v]) => typeName(v)),
  $isNumber: fixed(1, ([v]) => isNumber(v)),
  $convert: (args, ctx) => {
    if (!isObject(args)) throw aggError(ERR_CONVERT_OBJECT, `$convert expects an object of named arguments but found: ${typeName(args)}`);
    for (const key of Object.keys(args)) {
      if (!['input', 'to', 'onError', 'onNull'].includes(key)) throw aggError(ERR_CONVERT_OBJECT + 1, `$convert found an unknown argument: ${key}`);
    }
    if (!('input' in args)) throw aggError(ERR_CONVERT_OBJECT + 2, "Missing 'input' parameter to $convert");
    if (!('to' in args)) throw aggError(ERR_CONVERT_OBJECT + 3, "Missing 'to' parameter to $convert");
    const input = ctx.compile(args.input);
    const to = ctx.compile(args.to);
    const onError = 'onError' in args ? ctx.compile(args.onError) : undefined;
    const onNull = 'onNull' in args ? ctx.compile(args.onNull) : undefined;
    return (vars) => {
      const v = input(vars);
      const target = to(vars);
      if (isNullish(target)) return null;
      const name = targetName(target);
      if (isNullish(v)) return onNull ? onNull(vars) : null;
      try {
        return convertValue(v, name);
      } catch (error) {
        if (onError && (error as { code?: number }).code === 241) return onError(vars);
        throw error;
      }
    };
  },
  $toInt: shorthand('int'),
  $toLong: shorthand('long'),
  $toDouble: shorthand('double'),
  $toDecimal: shorthand('decimal'),
  $toString: shorthand('string'),
  $toBool: shorthand('bool'),
  $toDate: shorthand('date'),
  $toObjectId: shorthand('objectId'),
  $bsonSize: fixed(1, ([v]) => {
    if (isNullish(v)) return null;
    if (!isObject(v)) throw aggError(31393, `$bsonSize requires a document input, found: ${typeName(v)}`);
    return new Int32(calculateObjectSize(v as Document));
  }),
  $binarySize: fixed(1, ([v]) => {
    if (isNullish(v)) return null;
    if (typeof v === 'string') return new Int32(Buffer.byteLength(v));
    if (v instanceof Binary) return new Int32(v.position);
    throw aggError(51276, `$binarySize requires a string or BinData argument, found: ${typeName(v)}`);
  }),
};

/** First of the $convert argument-parsing codes (mongod ExpressionConvert::parse uses 5 consecutive codes). */
const ERR_CONVERT_OBJECT = 46600;


