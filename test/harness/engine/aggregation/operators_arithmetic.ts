import { aggError, argList, fixed, isNullish, variadic, type OperatorCompiler } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import {
  arith, asBigInt, asDec, asDouble, divide, integerResult, isNumber, isZero, makeDecimal, makeDouble, makeInt, makeLong,
  numKind, widest, type NumKind,
} from './numeric.js';
import { decFromDouble, decRoundTo, decToNumber } from './decimal.js';

function dateOrNumber(v: unknown): 'date' | 'number' | undefined {
  if (v instanceof Date) return 'date';
  return isNumber(v) ? 'number' : undefined;
}

/** $add: numbers with widening, or one date plus milliseconds. */
function add(values: unknown[]): unknown {
  let total: unknown = makeInt(0);
  let date: Date | undefined;
  for (const v of values) {
    if (isNullish(v)) return null;
    const kind = dateOrNumber(v);
    if (kind === undefined) throw aggError(16554, `$add only supports numeric or date types, not ${typeName(v)}`);
    if (kind === 'date') {
      if (date) throw aggError(16612, 'only one date allowed in an $add expression');
      date = v as Date;
      continue;
    }
    total = arith('add', total, v);
  }
  if (date) return new Date(date.getTime() + Math.round(asDouble(total)));
  return total;
}

function subtract(values: unknown[]): unknown {
  const [a, b] = values;
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof Date) {
    if (b instanceof Date) return makeLong(BigInt(a.getTime() - b.getTime()));
    if (isNumber(b)) return new Date(a.getTime() - Math.round(asDouble(b)));
  } else if (isNumber(a) && isNumber(b)) {
    return arith('sub', a, b);
  }
  throw aggError(16556, `cant $subtract a ${typeName(b)} from a ${typeName(a)}`);
}

function multiply(values: unknown[]): unknown {
  let total: unknown = makeInt(1);
  for (const v of values) {
    if (isNullish(v)) return null;
    if (!isNumber(v)) throw aggError(16555, `$multiply only supports numeric types, not ${typeName(v)}`);
    total = arith('mul', total, v);
  }
  return total;
}

function divideOp(values: unknown[]): unknown {
  const [a, b] = values;
  if (isNullish(a) || isNullish(b)) return null;
  if (!isNumber(a) || !isNumber(b)) {
    throw aggError(16609, `$divide only supports numeric types, not ${typeName(a)} and ${typeName(b)}`);
  }
  if (isZero(b)) throw aggError(2, "can't $divide by zero");
  return divide(a, b);
}

function mod(values: unknown[]): unknown {
  const [a, b] = values;
  if (isNullish(a) || isNullish(b)) return null;
  if (!isNumber(a) || !isNumber(b)) {
    throw aggError(16611, `$mod only supports numeric types, not ${typeName(a)} and ${typeName(b)}`);
  }
  if (isZero(b)) throw aggError(16610, "can't $mod by zero");
  const kind = widest(numKind(a)!, numKind(b)!);
  if (kind === 'decimal') {
    const x = decToNumber(asDec(a));
    const y = decToNumber(asDec(b));
    return makeDecimal(decFromDouble(x % y));
  }
  if (kind === 'double') return makeDouble(asDouble(a) % asDouble(b));
  return integerResult(asBigInt(a) % asBigInt(b), kind);
}

const LONG_MIN = -(2n ** 63n);

function abs(values: unknown[]): unknown {
  const [a] = values;
  if (isNullish(a)) return null;
  if (!isNumber(a)) throw aggError(28765, `$abs only supports numeric types, not ${typeName(a)}`);
  const kind = numKind(a)!;
  if (kind === 'decimal') {
    const d = asDec(a);
    return makeDecimal(d.kind === 'nan' ? d : { ...d, neg: false });
  }
  if (kind === 'double') return makeDouble(Math.abs(asDouble(a)));
  const b = asBigInt(a);
  if (kind === 'long' && b === LONG_MIN) throw aggError(28680, "can't take $abs of long long min");
  return integerResult(b < 0n ? -b : b, kind);
}

/** $ceil / $floor: integers unchanged, doubles and decimals rounded. */
function roundingUnary(name: string, mode: 'ceil' | 'floor', code: number): OperatorCompiler {
  return fixed(1, ([a]) => {
    if (isNullish(a)) return null;
    if (!isNumber(a)) throw aggError(code, `${name} only supports numeric types, not ${typeName(a)}`);
    const kind = numKind(a)!;
    if (kind === 'int' || kind === 'long') return a;
    if (kind === 'decimal') return makeDecimal(decRoundTo(asDec(a), 0, mode));
    return makeDouble(Math[mode](asDouble(a)));
  });
}

/** $round / $trunc with an optional place (-20..100). */
function roundPlace(name: '$round' | '$trunc'): OperatorCompiler {
  return fixed(1, ([a, placeArg]) => {
    if (isNullish(a) || (placeArg !== undefined && isNullish(placeArg))) return null;
    if (!isNumber(a)) throw aggError(51081, `${name} only supports numeric types, not ${typeName(a)}`);
    let place = 0;
    if (placeArg !== undefined) {
      if (!isNumber(placeArg) || !Number.isInteger(asDouble(placeArg))) {
        throw aggError(51082, `${name} requires "place" argument to be an integral value`);
      }
      place = asDouble(placeArg);
      if (place < -20 || place > 100) throw aggError(51083, `${name} requires "place" argument to be between -20 and 100`);
    }
    const mode = name === '$round' ? 'halfEven' : 'trunc';
    const kind = numKind(a)!;
    if (kind === 'decimal') return makeDecimal(decRoundTo(asDec(a), place, mode));
    if (kind === 'double') {
      const x = asDouble(a);
      if (!Number.isFinite(x)) return makeDouble(x);
      const d = decRoundTo(decFromDouble(x), place, mode);
      const rounded = decToNumber(d);
      return makeDouble(rounded === 0 && x < 0 ? -0 : rounded);
    }
    if (place >= 0) return a;
    const b = asBigInt(a);
    const div = 10n ** BigInt(-place);
    let q = b / div;
    const r = b % div;
    if (mode === 'halfEven') {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice > div || (twice === div && q % 2n !== 0n)) q += b < 0n ? -1n : 1n;
    }
    const result = q * div;
    if (kind === 'int') return integerResult(result, 'int');
    return result >= LONG_MIN && result < 2n ** 63n ? makeLong(result) : makeDouble(Number(result));
  }, 2);
}

/** A unary math function computed on doubles (or through doubles for decimals). */
function mathUnary(name: string, fn: (x: number) => number, check?: (x: number) => void, typeCode = 28765): OperatorCompiler {
  return fixed(1, ([a]) => {
    if (isNullish(a)) return null;
    if (!isNumber(a)) throw aggError(typeCode, `${name} only supports numeric types, not ${typeName(a)}`);
    const x = asDouble(a);
    if (!Number.isNaN(x)) check?.(x);
    const r = fn(x);
    return numKind(a) === 'decimal' ? makeDecimal(decFromDouble(r)) : makeDouble(r);
  });
}

function pow(values: unknown[]): unknown {
  const [base, exp] = values;
  if (isNullish(base) || isNullish(exp)) return null;
  if (!isNumber(base)) throw aggError(28762, `$pow's base must be numeric, not ${typeName(base)}`);
  if (!isNumber(exp)) throw aggError(28763, `$pow's exponent must be numeric, not ${typeName(exp)}`);
  const b = asDouble(base);
  const e = asDouble(exp);
  if (b === 0 && e < 0) throw aggError(28764, '$pow cannot take a base of 0 and a negative exponent');
  const kind: NumKind = widest(numKind(base)!, numKind(exp)!);
  if (kind === 'decimal') return makeDecimal(decFromDouble(b ** e));
  if (kind === 'double') return makeDouble(b ** e);
  const bi = asBigInt(base);
  const ei = asBigInt(exp);
  if (ei < 0n) {
    // Integral base to a negative power: 1 and -1 stay integral, anything else is a fraction (a double).
    if (bi === 1n) return integerResult(1n, kind);
    if (bi === -1n) return integerResult(ei % 2n === 0n ? 1n : -1n, kind);
    return makeDouble(b ** e);
  }
  const r = bi ** ei;
  if (kind === 'int' && r >= -(2n ** 31n) && r < 2n ** 31n) return makeInt(Number(r));
  if (r >= LONG_MIN && r < 2n ** 63n) return makeLong(r);
  return makeDouble(b ** e);
}

function log(values: unknown[]): unknown {
  const [a, base] = values;
  if (isNullish(a) || isNullish(base)) return null;
  if (!isNumber(a)) throw aggError(28756, `$log's argument must be numeric, not ${typeName(a)}`);
  if (!isNumber(base)) throw aggError(28757, `$log's base must be numeric, not ${typeName(base)}`);
  const x = asDouble(a);
  const b = asDouble(base);
  if (!(x > 0) && !Number.isNaN(x)) throw aggError(28758, `$log's argument must be a positive number, but is ${x}`);
  if ((!(b > 0) || b === 1) && !Number.isNaN(b)) throw aggError(28759, `$log's base must be a positive number not equal to 1, but is ${b}`);
  const r = Math.log(x) / Math.log(b);
  return numKind(a) === 'decimal' || numKind(base) === 'decimal' ? makeDecimal(decFromDouble(r)) : makeDouble(r);
}

/** $sum / $avg / $min / $max / $stdDevPop / $stdDevSamp as expressions: over an array argument or the arguments. */
export function accumulatorExpression(fold: (values: unknown[]) => unknown): OperatorCompiler {
  return (args, ctx) => {
    const list = argList(args);
    const compiled = list.map((a) => ctx.compile(a));
    if (compiled.length === 1) {
      return (vars) => {
        const v = compiled[0](vars);
        return fold(Array.isArray(v) ? v : [v]);
      };
    }
    return (vars) => fold(compiled.map((c) => c(vars)));
  };
}

export const ARITHMETIC_OPERATORS: Record<string, OperatorCompiler> = {
  $abs: fixed(1, abs),
  $add: variadic(add),
  $ceil: roundingUnary('$ceil', 'ceil', 28765),
  $divide: fixed(2, divideOp),
  $exp: mathUnary('$exp', Math.exp),
  $floor: roundingUnary('$floor', 'floor', 28765),
  $ln: mathUnary('$ln', Math.log, (x) => {
    if (!(x > 0)) throw aggError(28766, `$ln's argument must be a positive number, but is ${x}`);
  }),
  $log: fixed(2, log),
  $log10: mathUnary('$log10', Math.log10, (x) => {
    if (!(x > 0)) throw aggError(28761, `$log10's argument must be a positive number, but is ${x}`);
  }),
  $mod: fixed(2, mod),
  $multiply: variadic(multiply),
  $pow: fixed(2, pow),
  $round: roundPlace('$round'),
  $sqrt: mathUnary('$sqrt', Math.sqrt, (x) => {
    if (x < 0) throw aggError(28714, "$sqrt's argument must be greater than or equal to 0");
  }),
  $subtract: fixed(2, subtract),
  $trunc: roundPlace('$trunc'),
};

